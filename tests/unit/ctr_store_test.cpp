// The engine's container store on a temporary root: create with given and generated names, two
// processes racing for one name, lookups by name, id and prefix (ambiguous too), rename and its
// collisions, the state's round trip, and removal that leaves nothing (a symlink planted in the
// upper dir is removed, never followed).
#include "ctr/container_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <gtest/gtest.h>
#include <set>

#include "ctr/container_json.hpp"
#include "ctr/names.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/file_lock.hpp"

namespace fs = std::filesystem;
using namespace roost::ctr;

namespace {

class CtrStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/roost-ctr-store-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { roost::remove_tree(root_.string()); }
  ContainerStore store() { return ContainerStore(root_ / "data", root_ / "run"); }
  ContainerConfig named(const std::string& name) {
    ContainerConfig c;
    c.name = name;
    c.image_id = "sha256:" + std::string(64, 'a');
    c.args = {"sh", "-c", "true"};
    return c;
  }
  fs::path root_;
};

TEST_F(CtrStoreTest, CreateGivesIdNameRecordAndCreatedState) {
  auto s = store();
  ContainerConfig c = s.create(named("web"));
  EXPECT_EQ(c.id.size(), 64u);
  EXPECT_EQ(c.id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(c.hostname, c.id.substr(0, 12));
  EXPECT_FALSE(c.created.empty());
  EXPECT_EQ(s.config(c.id), c);
  EXPECT_EQ(s.state(c.id).status, Status::Created);
  EXPECT_EQ(roost::read_file((root_ / "data/containers/names/web").string()), c.id + "\n");
  struct stat st;
  ASSERT_EQ(::stat(s.paths(c.id).dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(CtrStoreTest, GeneratedNamesAreAdjectiveUnderscoreSurnameAndUnique) {
  auto s = store();
  std::set<std::string> names;
  for (int i = 0; i < 30; ++i) {
    ContainerConfig c = s.create(named(""));
    EXPECT_TRUE(is_valid_name(c.name)) << c.name;
    EXPECT_NE(c.name.find('_'), std::string::npos) << c.name;
    EXPECT_TRUE(names.insert(c.name).second) << c.name;
  }
  EXPECT_EQ(s.list().size(), 30u);
}

TEST_F(CtrStoreTest, NameInUseIsPodmansError) {
  auto s = store();
  ContainerConfig first = s.create(named("db"));
  try {
    s.create(named("db"));
    FAIL() << "a second container took the name";
  } catch (const roost::Error& e) {
    EXPECT_EQ(std::string(e.what()), "the container name \"db\" is already in use by " + first.id +
                                         ". You have to remove that container to be able to reuse that name: "
                                         "that name is already in use");
  }
  EXPECT_EQ(s.list().size(), 1u);
}

TEST_F(CtrStoreTest, InvalidNameIsRefused) {
  auto s = store();
  EXPECT_THROW(s.create(named("-x")), roost::Error);
  EXPECT_THROW(s.create(named("a/b")), roost::Error);
  EXPECT_THROW(s.create(named("..")), roost::Error);
  EXPECT_TRUE(s.list().empty());
}

TEST_F(CtrStoreTest, TwoProcessesCreatingOneNameExactlyOneWins) {
  for (int round = 0; round < 5; ++round) {
    const std::string name = "race" + std::to_string(round);
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    pid_t kids[2];
    for (pid_t& kid : kids) {
      kid = ::fork();
      ASSERT_GE(kid, 0);
      if (kid == 0) {
        char c;
        ::close(go[1]);
        if (::read(go[0], &c, 1) < 0) ::_exit(3);  // both start together
        try {
          store().create(named(name));
          ::_exit(0);
        } catch (const roost::Error&) {
          ::_exit(1);
        }
      }
    }
    ::close(go[0]);
    ::close(go[1]);  // EOF releases both
    int winners = 0, losers = 0;
    for (pid_t kid : kids) {
      int status = 0;
      ASSERT_EQ(::waitpid(kid, &status, 0), kid);
      ASSERT_TRUE(WIFEXITED(status));
      (WEXITSTATUS(status) == 0 ? winners : losers)++;
    }
    EXPECT_EQ(winners, 1);
    EXPECT_EQ(losers, 1);
  }
  EXPECT_EQ(store().list().size(), 5u);
}

TEST_F(CtrStoreTest, ResolveByNameIdAndPrefix) {
  auto s = store();
  ContainerConfig a = s.create(named("alpha"));
  EXPECT_EQ(s.resolve("alpha"), a.id);
  EXPECT_EQ(s.resolve(a.id), a.id);
  EXPECT_EQ(s.resolve(a.id.substr(0, 12)), a.id);
  EXPECT_EQ(s.resolve(a.id.substr(0, 1)), a.id);
  EXPECT_EQ(s.resolve("nosuch"), std::nullopt);
  EXPECT_EQ(s.resolve(""), std::nullopt);
  EXPECT_EQ(s.resolve("../data"), std::nullopt);
}

TEST_F(CtrStoreTest, AmbiguousPrefixIsAnErrorAndANameWinsOverAPrefix) {
  auto s = store();
  // 17 containers: two of them share a first hex digit (pigeonhole).
  std::vector<ContainerConfig> all;
  for (int i = 0; i < 17; ++i) all.push_back(s.create(named("c" + std::to_string(i))));
  std::string shared;
  for (size_t i = 0; i < all.size() && shared.empty(); ++i)
    for (size_t j = i + 1; j < all.size(); ++j)
      if (all[i].id[0] == all[j].id[0]) shared = all[i].id.substr(0, 1);
  ASSERT_FALSE(shared.empty());
  EXPECT_THROW(s.resolve(shared), roost::Error);
  // A container named like that prefix is found by its name.
  ContainerConfig n = s.create(named(shared));
  EXPECT_EQ(s.resolve(shared), n.id);
}

TEST_F(CtrStoreTest, ListIsOldestFirst) {
  auto s = store();
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(s.create(named("n" + std::to_string(i))).id);
  EXPECT_EQ(s.list(), ids);
}

TEST_F(CtrStoreTest, RenameMovesTheNameAndRewritesTheRecord) {
  auto s = store();
  ContainerConfig a = s.create(named("old"));
  s.rename(a.id, "new");
  EXPECT_EQ(s.config(a.id).name, "new");
  EXPECT_EQ(s.resolve("new"), a.id);
  EXPECT_EQ(s.resolve("old"), std::nullopt);
  // The old name is free again.
  ContainerConfig b = s.create(named("old"));
  EXPECT_EQ(s.resolve("old"), b.id);
}

TEST_F(CtrStoreTest, RenameToATakenNameFailsAndChangesNothing) {
  auto s = store();
  ContainerConfig a = s.create(named("one"));
  ContainerConfig b = s.create(named("two"));
  EXPECT_THROW(s.rename(a.id, "two"), roost::Error);
  EXPECT_THROW(s.rename(a.id, "bad/name"), roost::Error);
  EXPECT_EQ(s.config(a.id).name, "one");
  EXPECT_EQ(s.resolve("one"), a.id);
  EXPECT_EQ(s.resolve("two"), b.id);
  s.rename(a.id, "one");  // its own name: nothing to do
  EXPECT_EQ(s.resolve("one"), a.id);
}

TEST_F(CtrStoreTest, StateRoundTrip) {
  auto s = store();
  ContainerConfig a = s.create(named("st"));
  ContainerState st;
  st.status = Status::Exited;
  st.pid = 1234;
  st.pid_start_time = 987654321;
  st.monitor_pid = 1200;
  st.monitor_start_time = 55;
  st.started_at = "2026-12-06T10:00:00.000000001Z";
  st.finished_at = "2026-12-06T10:00:01.5Z";
  st.exit_code = 137;
  st.oom_killed = true;
  st.restart_count = 2;
  st.stopped_by_user = true;
  st.error = "boom";
  st.ports = {PortMapping{"127.0.0.1", 40000, 80, "tcp"}};
  s.write_state(a.id, st);
  ContainerState back = s.state(a.id);
  EXPECT_EQ(back.status, Status::Exited);
  EXPECT_EQ(back.pid, 1234);
  EXPECT_EQ(back.pid_start_time, 987654321u);
  EXPECT_EQ(back.monitor_pid, 1200);
  EXPECT_EQ(back.monitor_start_time, 55u);
  EXPECT_EQ(back.started_at, st.started_at);
  EXPECT_EQ(back.finished_at, st.finished_at);
  EXPECT_EQ(back.exit_code, 137);
  EXPECT_TRUE(back.oom_killed);
  EXPECT_EQ(back.restart_count, 2);
  EXPECT_TRUE(back.stopped_by_user);
  EXPECT_EQ(back.error, "boom");
  EXPECT_EQ(back.ports, st.ports);
  // No temporary file stays beside it.
  for (const auto& e : fs::directory_iterator(s.paths(a.id).dir))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

TEST_F(CtrStoreTest, RemoveLeavesNothingAndNeverFollowsSymlinks) {
  auto s = store();
  ContainerConfig a = s.create(named("gone"));
  const ContainerPaths p = s.paths(a.id);
  // Something outside that a planted link points at: it must survive.
  const fs::path outside = root_ / "outside";
  fs::create_directories(outside);
  roost::write_file((outside / "keep").string(), "keep", O_CREAT | O_TRUNC);
  fs::create_directories(p.upper() / "etc" / "deep");
  roost::write_file((p.upper() / "etc" / "deep" / "f").string(), "x", O_CREAT | O_TRUNC);
  fs::create_symlink(outside, p.upper() / "link");
  fs::create_directories(p.work());
  fs::create_directories(p.bundle());
  fs::create_directories(p.rootfs());
  roost::write_file(p.log().string(), "log", O_CREAT | O_TRUNC);
  roost::write_file(p.ctl_socket().string(), "", O_CREAT | O_TRUNC);
  { auto held = s.lock(a.id); }

  s.remove(a.id);
  EXPECT_FALSE(fs::exists(p.dir));
  EXPECT_FALSE(fs::exists(p.run_dir));
  EXPECT_EQ(s.resolve("gone"), std::nullopt);
  EXPECT_EQ(s.resolve(a.id), std::nullopt);
  EXPECT_TRUE(s.list().empty());
  EXPECT_EQ(roost::read_file((outside / "keep").string()), "keep");
  // Only the store's own files are left: containers.lock and names/ (empty), run's containers/.
  std::vector<std::string> left;
  for (const auto& e : fs::recursive_directory_iterator(root_ / "data" / "containers"))
    left.push_back(fs::relative(e.path(), root_ / "data" / "containers").string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"containers.lock", "names"}));
  EXPECT_TRUE(fs::is_empty(root_ / "run" / "containers"));
  // The name is free again.
  EXPECT_NO_THROW(s.create(named("gone")));
  try {
    s.config(a.id);
    FAIL();
  } catch (const roost::Error& e) {
    EXPECT_EQ(std::string(e.what()), "no container with ID " + a.id + " found: no such container");
  }
  EXPECT_THROW(s.state(a.id), roost::Error);
  EXPECT_THROW(s.write_state(a.id, ContainerState{}), roost::Error);
  EXPECT_THROW(s.config("../../etc"), roost::Error);
}

TEST_F(CtrStoreTest, VolumeUsersAreTheContainersMountingIt) {
  auto s = store();
  ContainerConfig a = named("a");
  a.mounts = {MountRequest{"volume", "data", "/d", {}, false}, MountRequest{"bind", "/data", "/b", {}, false}};
  a = s.create(a);
  ContainerConfig b = named("b");
  b.mounts = {MountRequest{"bind", "data", "/x", {}, false}};  // a bind whose path reads "data" is no user
  s.create(b);
  EXPECT_EQ(s.volume_users("data"), std::vector<std::string>{a.id});
  EXPECT_TRUE(s.volume_users("other").empty());
}

TEST_F(CtrStoreTest, RemoveFinishesWhatAnEarlierRemoveLeft) {
  auto s = store();
  ContainerConfig a = s.create(named("half"));
  // An earlier remove died after moving the record out of place; the same id is removed again.
  const fs::path gone = root_ / "data/containers" / (".removing-" + a.id);
  fs::create_directories(gone / "upper/x");
  s.remove(a.id);
  EXPECT_FALSE(fs::exists(gone));
  EXPECT_FALSE(fs::exists(s.paths(a.id).dir));
  EXPECT_EQ(s.resolve("half"), std::nullopt);
}

TEST_F(CtrStoreTest, ParallelCreatesWithGeneratedNamesNeverShareOne) {
  std::vector<pid_t> kids;
  for (int k = 0; k < 4; ++k) {
    pid_t kid = ::fork();
    ASSERT_GE(kid, 0);
    if (kid == 0) {
      try {
        for (int i = 0; i < 10; ++i) store().create(named(""));
        ::_exit(0);
      } catch (const roost::Error&) {
        ::_exit(1);
      }
    }
    kids.push_back(kid);
  }
  for (pid_t kid : kids) {
    int status = 0;
    ASSERT_EQ(::waitpid(kid, &status, 0), kid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto s = store();
  std::set<std::string> names;
  for (const auto& id : s.list()) {
    const std::string name = s.config(id).name;
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(s.resolve(name), id);
  }
  EXPECT_EQ(names.size(), 40u);
}

TEST_F(CtrStoreTest, AStaleNameWithoutARecordIsTakenOver) {
  auto s = store();
  // A create cut short after its name was reserved: names/x holds an id with no record.
  roost::write_file((root_ / "data/containers/names/x").string(), std::string(64, 'b') + "\n", O_CREAT | O_TRUNC);
  EXPECT_EQ(s.resolve("x"), std::nullopt);
  ContainerConfig c = s.create(named("x"));
  EXPECT_EQ(s.resolve("x"), c.id);
}

// What a create or remove killed part-way leaves: a name without a record, a record without its
// container.json, a remove's renamed-away directory, a temporary name file.
static void leave_leftovers(const fs::path& containers) {
  roost::write_file((containers / "names/ghost").string(), std::string(64, 'b') + "\n", O_CREAT | O_TRUNC);
  roost::write_file((containers / "names/.tmp-name-0123456789ab").string(), std::string(64, 'c'), O_CREAT | O_TRUNC);
  fs::create_directories(containers / std::string(64, 'd'));
  roost::write_file((containers / std::string(64, 'd') / "state.json").string(), "{}", O_CREAT | O_TRUNC);
  fs::create_directories(containers / (".removing-" + std::string(64, 'e')) / "upper");
}

static std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(CtrStoreTest, LeftoversOfAKilledCreateOrRemoveAreSweptByPsWhenTheLockIsFree) {
  auto s = store();
  ContainerConfig kept = s.create(named("kept"));
  const fs::path containers = root_ / "data/containers";
  leave_leftovers(containers);
  {
    // A create under way holds the lock: what looks left over may be its work, nothing is touched.
    roost::FileLock busy = roost::FileLock::acquire(containers / "containers.lock");
    EXPECT_EQ(s.records().size(), 1u);
    EXPECT_TRUE(fs::exists(containers / "names/ghost"));
    EXPECT_TRUE(fs::exists(containers / std::string(64, 'd')));
  }
  ASSERT_EQ(s.records().size(), 1u);
  EXPECT_EQ(entries(containers / "names"), std::vector<std::string>{"kept"});
  EXPECT_FALSE(fs::exists(containers / std::string(64, 'd')));
  EXPECT_FALSE(fs::exists(containers / (".removing-" + std::string(64, 'e'))));
  EXPECT_EQ(s.resolve("kept"), kept.id);
}

TEST_F(CtrStoreTest, CreateAndRemoveSweepLeftoversUnderTheirLock) {
  auto s = store();
  const fs::path containers = root_ / "data/containers";
  leave_leftovers(containers);
  ContainerConfig c = s.create(named("fresh"));
  EXPECT_EQ(entries(containers / "names"), std::vector<std::string>{"fresh"});
  EXPECT_FALSE(fs::exists(containers / std::string(64, 'd')));
  leave_leftovers(containers);
  s.remove(c.id);
  EXPECT_TRUE(entries(containers / "names").empty());
  EXPECT_FALSE(fs::exists(containers / (".removing-" + std::string(64, 'e'))));
}

TEST_F(CtrStoreTest, LockIsExclusiveAcrossProcesses) {
  auto s = store();
  ContainerConfig a = s.create(named("locked"));
  roost::UniqueFd held = s.lock(a.id);
  pid_t kid = ::fork();
  ASSERT_GE(kid, 0);
  if (kid == 0) {
    int fd = ::open(s.paths(a.id).lock().c_str(), O_RDWR);
    ::_exit(fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(kid, &status, 0), kid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(CtrRecordJson, ConfigRoundTripsEveryField) {
  ContainerConfig c;
  c.id = std::string(64, 'c');
  c.name = "n";
  c.image_id = "sha256:x";
  c.image_name = "docker.io/library/busybox:latest";
  c.created = "2026-12-06T10:00:00Z";
  c.args = {"a", "b"};
  c.env = {"A=1"};
  c.working_dir = "/w";
  c.user = "1:2";
  c.hostname = "h";
  c.add_hosts = {"h:1.2.3.4"};
  c.dns = {"1.1.1.1"};
  c.network = "pasta";
  c.network_options = {"mtu=1500"};
  c.ports = {PortMapping{"", 0, 80, "udp"}};
  c.mounts = {MountRequest{"bind", "/s", "/d", {"z"}, true}};
  c.labels = {{"k", "v"}};
  c.restart = RestartPolicy{"on-failure", 3};
  c.auto_remove = c.tty = c.interactive = c.read_only = c.privileged = c.init = c.no_new_privileges = true;
  c.cap_add = {"CAP_NET_RAW"};
  c.cap_drop = {"ALL"};
  c.seccomp_profile = "unconfined";
  c.stop_signal = "SIGINT";
  c.stop_timeout = 3;
  c.memory_limit = 1 << 20;
  c.cpu_quota = 50000;
  c.cpu_period = 100000;
  c.pids_limit = 10;
  c.userns = "keep-id";
  c.uid_maps = {"0:1:1"};
  c.gid_maps = {"0:1:1"};
  c.exposed_ports = {"80/tcp"};
  c.stop_signal_from_image = "SIGQUIT";
  EXPECT_EQ(config_from_json_text(config_to_json_text(c)), c);
}

TEST(CtrRecordJson, MissingKeysKeepDefaultsAndWrongTypesAreNamed) {
  ContainerConfig c = config_from_json_text(R"({"id":"x"})");
  EXPECT_EQ(c.id, "x");
  EXPECT_EQ(c.network, "slirp4netns");
  EXPECT_EQ(c.stop_timeout, 10);
  try {
    config_from_json_text(R"({"tty":"yes"})");
    FAIL();
  } catch (const roost::Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"tty\""), std::string::npos) << e.what();
  }
  EXPECT_THROW(config_from_json_text("[1]"), roost::Error);
  EXPECT_THROW(config_from_json_text("{"), roost::Error);
  EXPECT_THROW(state_from_json_text(R"({"status":"dancing"})"), roost::Error);
  EXPECT_FALSE(state_from_json_text(R"({"exit_code":null})").exit_code.has_value());
}

TEST(CtrStatus, NamesRoundTrip) {
  for (Status s : {Status::Created, Status::Running, Status::Paused, Status::Stopping, Status::Exited, Status::Removing})
    EXPECT_EQ(status_from_name(status_name(s)), s);
  EXPECT_STREQ(status_name(Status::Exited), "exited");
  EXPECT_THROW(status_from_name("up"), roost::Error);
}

}  // namespace
