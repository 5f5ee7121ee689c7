// The control socket end to end in one process: ctl_client's calls against a CtlServer on an
// event loop in another thread, and attach_relay against an AttachHub (stdio swapped for pipes).
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <thread>

#include "monitor/attach_hub.hpp"
#include "monitor/ctl_client.hpp"
#include "monitor/ctl_server.hpp"
#include "util/error.hpp"

using namespace roost;
using namespace roost::monitor;

namespace {

// An event loop in a thread of its own, stopped through an eventfd.
class LoopThread {
 public:
  LoopThread() : wake_(::eventfd(0, EFD_CLOEXEC)) {
    loop.add(wake_.get(), EPOLLIN, [this](uint32_t) { loop.stop(); });
  }
  void start() { thread_ = std::thread([this] { loop.run(); }); }
  // Stops the loop and waits for its thread. Objects served by the loop and declared after this
  // LoopThread are destroyed before it: a StopFirst guard declared after them calls this first, so
  // the loop thread never runs a handler of an object being destroyed.
  void join() {
    if (!thread_.joinable()) return;
    uint64_t one = 1;
    (void)!::write(wake_.get(), &one, sizeof one);
    thread_.join();
  }
  ~LoopThread() { join(); }
  EventLoop loop;

 private:
  UniqueFd wake_;
  std::thread thread_;
};

struct StopFirst {
  LoopThread& loop;
  ~StopFirst() { loop.join(); }
};

class MonitorCtl : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/roost-ctl-XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    dir_ = tmpl;
    path_ = dir_ + "/ctl.sock";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, path_;
};

// Runs fn with fd `target` replaced by `replacement`, restoring it after.
template <typename F>
auto with_fd(int target, int replacement, F fn) {
  UniqueFd saved(::dup(target));
  ::dup2(replacement, target);
  struct Restore {
    int target, saved;
    ~Restore() { ::dup2(saved, target); }
  } restore{target, saved.get()};
  return fn();
}

std::string drain(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

TEST_F(MonitorCtl, KillReachesTheHandlerAndItsErrorComesBack) {
  std::atomic<int> signalled{0};
  LoopThread loop;
  CtlHandlers handlers{
      [](UniqueFd, bool) {},
      [&](int signal) {
        if (signal == SIGUSR2) return Reply{"container abc is not running", std::nullopt};
        signalled = signal;
        return Reply{};
      },
      [](UniqueFd, int, int) {},
  };
  CtlServer server(loop.loop, path_, handlers);
  StopFirst stop_first{loop};
  EXPECT_EQ(std::filesystem::status(path_).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  loop.start();
  monitor::kill(path_, SIGHUP);
  EXPECT_EQ(signalled, SIGHUP);
  try {
    monitor::kill(path_, SIGUSR2);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "container abc is not running");
  }
}

TEST_F(MonitorCtl, StopWaitsForTheAnswerWithTheExitCode) {
  LoopThread loop;
  std::vector<UniqueFd> waiting;
  CtlHandlers handlers{
      [](UniqueFd, bool) {},
      [](int) { return Reply{}; },
      [&](UniqueFd sock, int signal, int timeout) {
        // Answered at once here; the monitor answers when the init has exited.
        send_reply(sock.get(), Reply{"", 128 + signal + timeout});
      },
  };
  CtlServer server(loop.loop, path_, handlers);
  StopFirst stop_first{loop};
  loop.start();
  EXPECT_EQ(monitor::stop(path_, SIGTERM, 0), 143);
  EXPECT_EQ(monitor::stop(path_, SIGKILL, 1), 138);
}

TEST_F(MonitorCtl, ConsoleCarriesTheTerminalToTheHandler) {
  LoopThread loop;
  UniqueFd received;
  CtlHandlers handlers{
      [](UniqueFd, bool) {},
      [](int) { return Reply{}; },
      [](UniqueFd, int, int) {},
      [&](UniqueFd master) {
        received = std::move(master);
        return Reply{};
      },
  };
  CtlServer server(loop.loop, path_, handlers);
  StopFirst stop_first{loop};
  loop.start();
  // A pipe stands in for the pty master: what is written to one end is read from the one passed.
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  hand_over_console(path_, write_end.get());
  write_end.reset();
  ASSERT_TRUE(received);
  ASSERT_EQ(::write(received.get(), "x", 1), 1);
  received.reset();
  EXPECT_EQ(drain(read_end.get()), "x");
}

TEST_F(MonitorCtl, ConsoleWithoutTerminalIsRefused) {
  LoopThread loop;
  bool called = false;
  CtlHandlers handlers{
      [](UniqueFd, bool) {},
      [](int) { return Reply{}; },
      [](UniqueFd, int, int) {},
      [&](UniqueFd) {
        called = true;
        return Reply{};
      },
  };
  CtlServer server(loop.loop, path_, handlers);
  StopFirst stop_first{loop};
  loop.start();
  // The request alone, as a client that forgot the descriptor would send it.
  UniqueFd sock = monitor::connect(path_);
  Request req;
  req.op = Request::Op::Console;
  const std::string message = encode_request(req);
  ASSERT_EQ(::send(sock.get(), message.data(), message.size(), 0), static_cast<ssize_t>(message.size()));
  char buf[512];
  const ssize_t n = ::recv(sock.get(), buf, sizeof buf, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(decode_reply(std::string_view(buf, static_cast<size_t>(n))).error, "console: no terminal came with the request");
  EXPECT_FALSE(called);
}

TEST_F(MonitorCtl, SocketPathLongerThanSunPathWorks) {
  // A run dir as deep as $XDG_RUNTIME_DIR/roost/containers/<64 hex>/ with a long user dir.
  const std::string deep = dir_ + "/" + std::string(64, 'a') + "/" + std::string(40, 'b');
  std::filesystem::create_directories(deep);
  const std::string path = deep + "/ctl.sock";
  ASSERT_GT(path.size(), sizeof(sockaddr_un::sun_path));
  std::atomic<int> signalled{0};
  LoopThread loop;
  CtlServer server(loop.loop, path,
                   CtlHandlers{[](UniqueFd, bool) {}, [&](int signal) { return signalled = signal, Reply{}; },
                               [](UniqueFd, int, int) {}});
  StopFirst stop_first{loop};
  EXPECT_TRUE(std::filesystem::is_socket(path));
  loop.start();
  monitor::kill(path, SIGWINCH);
  EXPECT_EQ(signalled, SIGWINCH);
}

TEST_F(MonitorCtl, NoMonitorIsConnectionRefusedOrMissing) {
  try {
    monitor::connect(path_);
    FAIL() << "connected to nothing";
  } catch (const SysError& e) {
    EXPECT_EQ(e.err(), ENOENT);
  }
}

TEST_F(MonitorCtl, AttachRelayCarriesStdinOutputAndTheExitCode) {
  LoopThread loop;
  std::string stdin_seen;
  std::atomic<bool> stdin_closed{false};
  AttachHub* hub_ptr = nullptr;
  AttachHub hub(loop.loop, AttachEvents{
                               [&](std::string_view data) { stdin_seen += data; },
                               [&] {
                                 stdin_closed = true;
                                 // The "container" answers its input's end with output and exits.
                                 hub_ptr->output(FrameKind::Stdout, "out:" + stdin_seen);
                                 hub_ptr->output(FrameKind::Stderr, "err\n");
                                 hub_ptr->finish(42, 1000);
                               },
                               {},
                               {},
                           });
  hub_ptr = &hub;
  StopFirst stop_first{loop};
  UniqueFd monitor_end;
  UniqueFd client = attach_pair(true, std::nullopt, monitor_end);
  // The monitor reads the request first (as roost-monitor does with fd 4), then adds the client.
  char request[256];
  const ssize_t request_size = ::recv(monitor_end.get(), request, sizeof request, 0);
  ASSERT_GT(request_size, 0);
  EXPECT_TRUE(decode_request(std::string_view(request, static_cast<size_t>(request_size))).attach_stdin);
  hub.add(std::move(monitor_end), true);
  loop.start();

  int in[2], out[2], err[2];
  ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(err, O_CLOEXEC), 0);
  ASSERT_EQ(::write(in[1], "typed", 5), 5);
  ::close(in[1]);
  const int code = with_fd(0, in[0], [&] {
    return with_fd(1, out[1], [&] { return with_fd(2, err[1], [&] { return attach_relay(std::move(client), true, false); }); });
  });
  ::close(in[0]), ::close(out[1]), ::close(err[1]);
  EXPECT_EQ(code, 42);
  EXPECT_TRUE(stdin_closed);
  EXPECT_EQ(drain(out[0]), "out:typed");
  EXPECT_EQ(drain(err[0]), "err\n");
  ::close(out[0]), ::close(err[0]);
}

TEST_F(MonitorCtl, AttachRelayWithoutExitFrameIsMinusOne) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
  UniqueFd client(fds[0]);
  ::close(fds[1]);  // the monitor died
  EXPECT_EQ(attach_relay(std::move(client), false, false), -1);
}

// A client's input still unread when the monitor closes (a keystroke as the container ended)
// makes the close a reset, which the kernel reports before frames still queued for the client:
// the hub reads it first, and the relay reads on past a reset. Seen under load in a full run as
// `roost run -it` ending with no exit code although the container's output had all arrived.
TEST_F(MonitorCtl, ExitFrameArrivesWhenClientInputWasLeftUnread) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
  UniqueFd client(fds[0]);
  EventLoop loop;
  AttachHub hub(loop, AttachEvents{});
  hub.add(UniqueFd(fds[1]), true);
  const std::string keystroke = encode_frame(FrameKind::Stdin, "x");
  ASSERT_EQ(::send(client.get(), keystroke.data(), keystroke.size(), 0), static_cast<ssize_t>(keystroke.size()));
  hub.finish(9, 1000);  // the loop never ran: the keystroke is unread
  char buf[kMaxFrameSize];
  const ssize_t n = ::recv(client.get(), buf, sizeof buf, MSG_DONTWAIT);
  ASSERT_GT(n, 0) << "recv: " << std::strerror(errno);
  auto frame = decode_frame(std::string_view(buf, static_cast<size_t>(n)));
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->kind, FrameKind::Exit);
  EXPECT_EQ(decode_exit_payload(frame->payload), 9);
}

TEST_F(MonitorCtl, AttachRelayReadsTheExitFramePastAReset) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
  UniqueFd client(fds[0]);
  const std::string keystroke = encode_frame(FrameKind::Stdin, "x");
  ASSERT_EQ(::send(client.get(), keystroke.data(), keystroke.size(), 0), static_cast<ssize_t>(keystroke.size()));
  const std::string exit_frame = encode_frame(FrameKind::Exit, encode_exit_payload(5));
  ASSERT_EQ(::send(fds[1], exit_frame.data(), exit_frame.size(), 0), static_cast<ssize_t>(exit_frame.size()));
  ::close(fds[1]);  // with the keystroke unread: the client's socket is reset
  EXPECT_EQ(attach_relay(std::move(client), false, false), 5);
}
