// roost inspect of a container: Docker's and podman's field names and casing, and the template
// forms scripts use on it ({{.State.Status}}, {{json .Config.Env}}, {{range .Mounts}}).
#include <gtest/gtest.h>

#include "engine/container_inspect.hpp"
#include "engine/template.hpp"
#include "util/error.hpp"

namespace roost::engine {
namespace {

ContainerView sample() {
  ContainerView v;
  v.config.id = std::string(64, 'b');
  v.config.name = "web";
  v.config.image_name = "localhost/busybox:latest";
  v.config.image_id = "sha256:" + std::string(64, 'c');
  v.config.created = "2026-12-06T22:20:54.744950897Z";
  v.config.args = {"httpd", "-f", "-p", "80"};
  v.config.env = {"PATH=/bin", "A=1"};
  v.config.working_dir = "/";
  v.config.hostname = "bbbbbbbbbbbb";
  v.config.ports = {{"127.0.0.1", 18080, 80, "tcp"}};
  v.config.labels = {{"app", "web"}};
  v.config.mounts = {{"bind", "/srv", "/data", {"ro"}, true}, {"tmpfs", "", "/scratch", {"size=64m"}, false}};
  v.config.restart = {"on-failure", 3};
  v.state.status = ctr::Status::Running;
  v.state.pid = 4242;
  v.state.monitor_pid = 4240;
  v.state.started_at = "2026-12-06T22:20:55.515611331Z";
  return v;
}

ctr::ContainerPaths paths() {
  return {"/d/containers/" + std::string(64, 'b'), "/r/containers/" + std::string(64, 'b')};
}

TEST(ContainerInspect, TopLevelAndState) {
  const auto j = container_inspect_json(sample(), paths());
  EXPECT_EQ(j["Id"], std::string(64, 'b'));
  EXPECT_EQ(j["Created"], "2026-12-06T22:20:54.744950897Z");
  EXPECT_EQ(j["Path"], "httpd");
  EXPECT_EQ(j["Args"], nlohmann::ordered_json::array({"-f", "-p", "80"}));
  EXPECT_EQ(j["Image"], std::string(64, 'c'));
  EXPECT_EQ(j["ImageName"], "localhost/busybox:latest");
  EXPECT_EQ(j["Name"], "web");
  EXPECT_EQ(j["RestartCount"], 0);
  const auto& s = j["State"];
  for (const char* key : {"Status", "Running", "Paused", "Restarting", "OOMKilled", "Dead", "Pid", "ExitCode", "Error",
                          "StartedAt", "FinishedAt"})
    EXPECT_TRUE(s.contains(key)) << key;
  EXPECT_EQ(s["Status"], "running");
  EXPECT_EQ(s["Running"], true);
  EXPECT_EQ(s["Pid"], 4242);
  EXPECT_EQ(s["FinishedAt"], "0001-01-01T00:00:00Z");
  // Keys in podman's order: Id first, then Created, Path, Args, State.
  auto it = j.begin();
  EXPECT_EQ(it.key(), "Id");
  EXPECT_EQ((++it).key(), "Created");
  EXPECT_EQ((++it).key(), "Path");
}

TEST(ContainerInspect, ConfigHostConfigAndPorts) {
  const auto j = container_inspect_json(sample(), paths());
  EXPECT_EQ(j["Config"]["Hostname"], "bbbbbbbbbbbb");
  EXPECT_EQ(j["Config"]["Env"], nlohmann::ordered_json::array({"PATH=/bin", "A=1"}));
  EXPECT_EQ(j["Config"]["Cmd"], nlohmann::ordered_json::array({"httpd", "-f", "-p", "80"}));
  EXPECT_EQ(j["Config"]["StopSignal"], 15);
  EXPECT_EQ(j["Config"]["Labels"]["app"], "web");
  EXPECT_EQ(j["HostConfig"]["PortBindings"]["80/tcp"][0]["HostPort"], "18080");
  EXPECT_EQ(j["HostConfig"]["RestartPolicy"]["Name"], "on-failure");
  EXPECT_EQ(j["HostConfig"]["RestartPolicy"]["MaximumRetryCount"], 3);
  EXPECT_EQ(j["HostConfig"]["Binds"], nlohmann::ordered_json::array({"/srv:/data:ro"}));
  EXPECT_EQ(j["HostConfig"]["Tmpfs"]["/scratch"], "size=64m");
  EXPECT_EQ(j["NetworkSettings"]["Ports"]["80/tcp"][0]["HostIp"], "127.0.0.1");
  EXPECT_EQ(j["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"], "18080");
  EXPECT_EQ(j["Mounts"][0]["Destination"], "/data");
  EXPECT_EQ(j["Mounts"][0]["RW"], false);
}

TEST(ContainerInspect, ExitedState) {
  ContainerView v = sample();
  v.state.status = ctr::Status::Exited;
  v.state.exit_code = 137;
  v.state.finished_at = "2026-12-06T22:21:00Z";
  const auto j = container_inspect_json(v, paths());
  EXPECT_EQ(j["State"]["Status"], "exited");
  EXPECT_EQ(j["State"]["Running"], false);
  EXPECT_EQ(j["State"]["Pid"], 0);
  EXPECT_EQ(j["State"]["ExitCode"], 137);
  EXPECT_EQ(j["State"]["FinishedAt"], "2026-12-06T22:21:00Z");
}

TEST(ContainerInspect, TemplatesScriptsUse) {
  const nlohmann::json j(container_inspect_json(sample(), paths()));
  EXPECT_EQ(Template("{{.State.Status}}").render(j), "running\n");
  EXPECT_EQ(Template("{{json .Config.Env}}").render(j), "[\"PATH=/bin\",\"A=1\"]\n");
  EXPECT_EQ(Template("{{range .Mounts}}{{.Destination}} {{end}}").render(j), "/data /scratch \n");
  EXPECT_EQ(Template("{{range .Config.Env}}[{{.}}]{{end}}").render(j), "[PATH=/bin][A=1]\n");
  EXPECT_EQ(Template("{{range .HostConfig.CapAdd}}x{{else}}none{{end}}").render(j), "none\n");
}

TEST(TemplateRange, Variables) {
  const nlohmann::json j = {{"Labels", {{"b", "2"}, {"a", "1"}}}, {"List", {"x", "y"}}, {"Name", "n"}};
  // Keys in sorted order, as Go ranges over a map.
  EXPECT_EQ(Template("{{range $k, $v := .Labels}}{{$k}}={{$v}} {{end}}").render(j), "a=1 b=2 \n");
  EXPECT_EQ(Template("{{range $k,$v := .Labels}}{{$k}}{{end}}").render(j), "ab\n");
  EXPECT_EQ(Template("{{range $i, $e := .List}}{{$i}}:{{$e}} {{end}}").render(j), "0:x 1:y \n");
  EXPECT_EQ(Template("{{range $e := .List}}{{$e}}{{$.Name}}{{end}}").render(j), "xnyn\n");
  EXPECT_EQ(Template("{{range $k, $v := .Labels}}{{range $w := $.List}}{{$k}}{{$w}}{{end}}{{end}}").render(j),
            "axaybxby\n");
  EXPECT_THROW(Template("{{range $k $v := .Labels}}{{end}}"), Error);
  EXPECT_THROW(Template("{{range k, v := .Labels}}{{end}}"), Error);
  EXPECT_THROW(Template("{{$nope}}").render(j), Error);
}

TEST(TemplateRange, Errors) {
  EXPECT_THROW(Template("{{range .A}}x"), Error);
  EXPECT_THROW(Template("x{{end}}"), Error);
  EXPECT_THROW(Template("{{range .A}}{{.B}}{{end}}").render(nlohmann::json{{"A", "text"}}), Error);
}

}  // namespace
}  // namespace roost::engine
