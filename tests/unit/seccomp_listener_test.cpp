#include "container/seccomp_listener.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "util/error.hpp"
#include "util/fd_passing.hpp"

using nlohmann::json;

TEST(SeccompListener, ProcessStateHasTheRuntimeSpecFields) {
  const std::string state = R"({"ociVersion":"1.2.0","id":"c1","status":"creating","pid":42,"bundle":"/b"})";
  const json j = json::parse(roost::container_process_state(4242, "MKNOD=/dev/null", state));
  EXPECT_EQ(j["ociVersion"], "1.2.0");
  EXPECT_EQ(j["fds"], json::array({"seccompFd"}));
  EXPECT_EQ(j["pid"], 4242);
  EXPECT_EQ(j["metadata"], "MKNOD=/dev/null");
  EXPECT_EQ(j["state"]["id"], "c1");
  EXPECT_EQ(j["state"]["status"], "creating");
  // metadata is optional: left out when listenerMetadata is empty.
  EXPECT_FALSE(json::parse(roost::container_process_state(1, "", state)).contains("metadata"));
}

TEST(SeccompListener, SendsTheDocumentWithTheFdOnOneConnection) {
  char dir[] = "/tmp/roost-listener-test.XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/agent.sock";
  roost::UniqueFd server(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ASSERT_EQ(::bind(server.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(server.get(), 1), 0);

  // A document larger than one socket buffer still arrives whole after the fd.
  const std::string big(300000, 'x');
  const std::string doc = roost::container_process_state(7, big, R"({"id":"c"})");
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  std::string received;
  bool got_fd = false;
  std::thread agent([&] {
    roost::UniqueFd conn(::accept(server.get(), nullptr, nullptr));
    char buf[65536];
    for (;;) {
      roost::UniqueFd fd;
      const ssize_t n = roost::receive_with_fd(conn.get(), buf, sizeof buf, fd);
      if (fd) got_fd = true;
      if (n <= 0) break;
      received.append(buf, static_cast<size_t>(n));
    }
  });
  roost::send_to_seccomp_listener(path, pipefd[1], doc);
  agent.join();
  EXPECT_TRUE(got_fd);
  EXPECT_EQ(received, doc);
  ::close(pipefd[0]);
  ::close(pipefd[1]);

  // Nobody listening: an error that names the path.
  server.reset();
  ::unlink(path.c_str());
  try {
    roost::send_to_seccomp_listener(path, 0, doc);
    FAIL();
  } catch (const roost::Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  ::rmdir(dir);
}
