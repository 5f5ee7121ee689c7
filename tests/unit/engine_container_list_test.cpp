// roost ps as podman 4.3 prints it: the status words, ports, the command column, filters, the
// table, -q, --format json and templates; and the truth of a status from liveness.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/container_context.hpp"
#include "engine/container_list.hpp"
#include "engine/humanize.hpp"
#include "util/error.hpp"

#include <unistd.h>

namespace roost::engine {
namespace {

// 2026-12-06T22:20:00Z
constexpr int64_t kNow = 1796595600;

ContainerView view(const std::string& name, ctr::Status status) {
  ContainerView v;
  v.config.id = std::string(64, 'a');
  v.config.id.replace(0, name.size(), name);  // distinct ids per test container
  v.config.name = name;
  v.config.image_name = "localhost/bbref:latest";
  v.config.image_id = "sha256:" + std::string(64, 'e');
  v.config.created = "2026-12-06T22:19:56.5Z";  // 3.5 s before kNow: whole seconds count
  v.config.args = {"sleep", "1000"};
  v.state.status = status;
  if (status == ctr::Status::Running) {
    v.state.started_at = "2026-12-06T22:19:56Z";
    v.state.pid = 42;
  }
  if (status == ctr::Status::Exited) {
    v.state.started_at = "2026-12-06T22:19:56Z";
    v.state.finished_at = "2026-12-06T22:19:57Z";
    v.state.exit_code = 3;
  }
  return v;
}

TEST(PsStatus, PodmanWordsForEachStatus) {
  EXPECT_EQ(status_text(view("a", ctr::Status::Running).state, kNow), "Up 4 seconds ago");
  EXPECT_EQ(status_text(view("a", ctr::Status::Exited).state, kNow), "Exited (3) 3 seconds ago");
  EXPECT_EQ(status_text(view("a", ctr::Status::Created).state, kNow), "Created");
  EXPECT_EQ(status_text(view("a", ctr::Status::Stopping).state, kNow), "Stopping");
}

TEST(PsPorts, OneMappingAndRangesCollapsed) {
  EXPECT_EQ(ports_text({{"127.0.0.1", 18080, 80, "tcp"}}), "127.0.0.1:18080->80/tcp");
  EXPECT_EQ(ports_text({{"", 8000, 90, "udp"}, {"", 8001, 91, "udp"}, {"", 9000, 53, "tcp"}}),
            "0.0.0.0:8000-8001->90-91/udp, 0.0.0.0:9000->53/tcp");
  // Not consecutive on both sides: two entries.
  EXPECT_EQ(ports_text({{"", 8000, 80, "tcp"}, {"", 8002, 81, "tcp"}}), "0.0.0.0:8000->80/tcp, 0.0.0.0:8002->81/tcp");
  EXPECT_EQ(ports_text({}), "");
}

TEST(PsCommand, CutPastTwentyCharacters) {
  EXPECT_EQ(command_text({"sh", "-c", "echo out; exit 3"}, false), "sh -c echo out; e...");
  EXPECT_EQ(command_text({"sh", "-c", "echo out; exit 3"}, true), "sh -c echo out; exit 3");
  EXPECT_EQ(command_text({"sleep", "1000"}, false), "sleep 1000");
  EXPECT_EQ(command_text({std::string(20, 'x')}, false), std::string(20, 'x'));
}

TEST(PsFilter, KeysAndValues) {
  ContainerView v = view("web", ctr::Status::Running);
  v.config.labels = {{"app", "x"}};
  EXPECT_TRUE(matches(v, parse_ps_filters({"name=we"})));
  EXPECT_FALSE(matches(v, parse_ps_filters({"name=db"})));
  EXPECT_TRUE(matches(v, parse_ps_filters({"name=db", "name=web"})));  // one key: any value
  EXPECT_FALSE(matches(v, parse_ps_filters({"name=web", "status=exited"})));  // keys: all
  EXPECT_TRUE(matches(v, parse_ps_filters({"id=web"})));
  EXPECT_TRUE(matches(v, parse_ps_filters({"label=app"})));
  EXPECT_TRUE(matches(v, parse_ps_filters({"label=app=x"})));
  EXPECT_FALSE(matches(v, parse_ps_filters({"label=app=y"})));
  EXPECT_THROW(parse_ps_filters({"color=red"}), Error);
  EXPECT_THROW(parse_ps_filters({"status=sleepy"}), Error);
  EXPECT_THROW(parse_ps_filters({"name"}), Error);
}

TEST(PsOutput, TableAsPodmanLaysItOut) {
  ContainerView up = view("refa", ctr::Status::Running);
  up.config.ports = {{"127.0.0.1", 18999, 80, "tcp"}};
  ContainerView made = view("refc", ctr::Status::Created);
  made.config.args = {"echo", "hi"};
  PsOptions all;
  all.all = true;
  EXPECT_EQ(ps_output({up, made}, all, kNow),
            "CONTAINER ID  IMAGE                   COMMAND     CREATED        STATUS            PORTS                    NAMES\n"
            "refaaaaaaaaa  localhost/bbref:latest  sleep 1000  4 seconds ago  Up 4 seconds ago  127.0.0.1:18999->80/tcp  refa\n"
            "refcaaaaaaaa  localhost/bbref:latest  echo hi     4 seconds ago  Created                                    refc\n");
  // Without -a: running ones only.
  const std::string running = ps_output({up, made}, PsOptions{}, kNow);
  EXPECT_NE(running.find("refa"), std::string::npos);
  EXPECT_EQ(running.find("refc"), std::string::npos);
  // A status filter implies -a.
  PsOptions created;
  created.filters = {"status=created"};
  created.quiet = true;
  EXPECT_EQ(ps_output({up, made}, created, kNow), "refcaaaaaaaa\n");
}

TEST(PsOutput, QuietNoTruncTemplateAndJson) {
  ContainerView up = view("refa", ctr::Status::Running);
  PsOptions o;
  o.quiet = true;
  o.no_trunc = true;
  EXPECT_EQ(ps_output({up}, o, kNow), up.config.id + "\n");
  PsOptions t;
  t.format = "{{.Names}} {{.Status}} {{.State}}";
  EXPECT_EQ(ps_output({up}, t, kNow), "refa Up 4 seconds ago running\n");
  PsOptions tt;
  tt.format = "table {{.ID}}\\t{{.Names}}";
  EXPECT_EQ(ps_output({up}, tt, kNow), "CONTAINER ID  NAMES\nrefaaaaaaaaa  refa\n");
  PsOptions j;
  j.format = "json";
  const auto doc = nlohmann::json::parse(ps_output({up}, j, kNow));
  ASSERT_EQ(doc.size(), 1u);
  EXPECT_EQ(doc[0]["Id"], up.config.id);
  EXPECT_EQ(doc[0]["Names"], nlohmann::json::array({"refa"}));
  EXPECT_EQ(doc[0]["State"], "running");
  EXPECT_EQ(doc[0]["Status"], "Up 4 seconds ago");
  EXPECT_EQ(doc[0]["ImageID"], std::string(64, 'e'));
  EXPECT_EQ(doc[0]["Pid"], 42);
  EXPECT_TRUE(doc[0]["Ports"].is_null());
  EXPECT_TRUE(doc[0]["Labels"].is_null());
  EXPECT_EQ(doc[0]["ExitedAt"], -62135596800);
}

TEST(StatusTruth, RunningWithMonitorAndInitGoneIsExited) {
  ctr::ContainerState s;
  s.status = ctr::Status::Running;
  s.pid = 10;
  s.monitor_pid = 9;
  const ctr::ContainerState dead = truthful_state(s, false, false, "2026-12-06T22:20:00Z");
  EXPECT_EQ(dead.status, ctr::Status::Exited);
  EXPECT_EQ(dead.exit_code, -1);
  EXPECT_EQ(dead.finished_at, "2026-12-06T22:20:00Z");
  EXPECT_EQ(dead.pid, 0);
  EXPECT_FALSE(dead.error.empty());
  // Either one alive: as recorded (the monitor is about to record the exit, or the init still runs).
  EXPECT_EQ(truthful_state(s, true, false, "x").status, ctr::Status::Running);
  EXPECT_EQ(truthful_state(s, false, true, "x").status, ctr::Status::Running);
  // A recorded exit code stays.
  s.exit_code = 0;
  EXPECT_EQ(truthful_state(s, false, false, "x").exit_code, 0);
  // Not active: nothing to correct.
  ctr::ContainerState created;
  EXPECT_EQ(truthful_state(created, false, false, "x").status, ctr::Status::Created);
}

TEST(StatusTruth, LivenessByPidAndStartTime) {
  const auto mine = process_start_time(::getpid());
  ASSERT_TRUE(mine);
  EXPECT_TRUE(process_alive(::getpid(), *mine));
  EXPECT_TRUE(process_alive(::getpid(), 0));
  EXPECT_FALSE(process_alive(::getpid(), *mine + 1));  // a reused pid is not the process recorded
  EXPECT_FALSE(process_alive(0, 0));
  EXPECT_FALSE(process_start_time(-1));
}

TEST(RuntimeErrors, ExitCodesFromTheRuntimesWords) {
  EXPECT_EQ(runtime_error_exit_code("exec \"nosuch\": executable file not found in the container's PATH (/bin)"), 127);
  EXPECT_EQ(runtime_error_exit_code("exec \"/x\": no such file or directory (ENOENT)"), 127);
  EXPECT_EQ(runtime_error_exit_code("exec \"/etc/passwd\": permission denied (EACCES)"), 126);
  EXPECT_EQ(runtime_error_exit_code("mount proc: EPERM"), 125);
}

}  // namespace
}  // namespace roost::engine
