// The builtin port driver end to end: a child process in its own user and network namespace runs
// the child half and echo servers that report the peer address they saw; this process runs the
// parent half on an event loop thread and is the client, from the host's loopback addresses.
#include "../helpers/private_netns.hpp"
#include "ns/port/port_driver.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <future>
#include <mutex>
#include <queue>
#include <string>
#include <thread>

#include "ns/port/listener.hpp"
#include "ns/port/socket_address.hpp"
#include "sys/netlink.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::ns {
namespace {

using roost::UniqueFd;

constexpr int kTcpPort = 80, kUdpPort = 80, kRefusedPort = 9;
constexpr int kTcp6Port = 81, kUdp6Port = 81;

UniqueFd bound_socket(int type, const std::string& ip, int port) {
  SocketAddress a = *SocketAddress::from(ip, port);
  UniqueFd fd(::socket(a.family(), type | SOCK_CLOEXEC, 0));
  int one = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), a.get(), a.length) != 0) throw_errno("bind " + a.text());
  if (type == SOCK_STREAM && ::listen(fd.get(), 64) != 0) throw_errno("listen");
  return fd;
}

SocketAddress local_address(int fd) {
  SocketAddress a;
  a.length = sizeof a.storage;
  getsockname(fd, a.get(), &a.length);
  return a;
}

SocketAddress peer_address(int fd) {
  SocketAddress a;
  a.length = sizeof a.storage;
  getpeername(fd, a.get(), &a.length);
  return a.unmapped();
}

void write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return;
    data += n;
    size -= size_t(n);
  }
}

// --- Inside the namespaces: echo servers that first say whom they see. ---

void tcp_echo(UniqueFd listener) {
  for (;;) {
    int c = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    std::thread([c] {
      std::string hello = "peer=" + peer_address(c).ip() + "\n";
      write_all(c, hello.data(), hello.size());
      char buf[65536];
      ssize_t n;
      while ((n = ::recv(c, buf, sizeof buf, 0)) > 0) write_all(c, buf, size_t(n));
      ::shutdown(c, SHUT_WR);
      ::close(c);
    }).detach();
  }
}

void udp_echo(UniqueFd socket) {
  char buf[65536];
  for (;;) {
    SocketAddress from;
    from.length = sizeof from.storage;
    ssize_t n = ::recvfrom(socket.get(), buf, sizeof buf, 0, from.get(), &from.length);
    if (n < 0) continue;
    std::string reply = "peer=" + from.unmapped().ip() + " " + std::string(buf, size_t(n));
    ::sendto(socket.get(), reply.data(), reply.size(), 0, from.get(), from.length);
  }
}

void enter_private_netns(bool new_user_namespace) {
  if (new_user_namespace)
    roost::test::enter_private_user_and_netns();
  else if (unshare(CLONE_NEWNET) != 0)
    throw_errno("unshare");
  netlink::RouteSocket().set_link_up("lo");
}

[[noreturn]] void run_child(UniqueFd channel, int ready, bool new_user_namespace) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives a test that failed on its way
  try {
    enter_private_netns(new_user_namespace);
    std::thread(tcp_echo, bound_socket(SOCK_STREAM, "127.0.0.1", kTcpPort)).detach();
    std::thread(udp_echo, bound_socket(SOCK_DGRAM, "127.0.0.1", kUdpPort)).detach();
    std::thread(tcp_echo, bound_socket(SOCK_STREAM, "::1", kTcp6Port)).detach();
    std::thread(udp_echo, bound_socket(SOCK_DGRAM, "::1", kUdp6Port)).detach();
    EventLoop loop;
    PortDriverOptions options;
    options.driver = "builtin";
    serve_port_driver_child(options, loop, std::move(channel));
    if (::write(ready, "r", 1) != 1) _exit(101);
    loop.run();
    _exit(0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "port driver test child: %s\n", e.what());
    _exit(100);
  }
}

// --- This side: the parent half on a loop thread, driven from the test's thread. ---

class LoopThread {
 public:
  LoopThread() : wake_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    loop_.add(wake_.get(), EPOLLIN, [this](uint32_t) { run_queued(); });
    thread_ = std::thread([this] { loop_.run(); });
  }
  ~LoopThread() {
    call([this] { loop_.stop(); });
    thread_.join();
  }
  EventLoop& loop() { return loop_; }
  // Runs `fn` on the loop's thread and waits for it; its exception comes back here.
  void call(std::function<void()> fn) {
    std::packaged_task<void()> task(std::move(fn));
    auto done = task.get_future();
    {
      std::lock_guard lock(mutex_);
      queue_.push(std::move(task));
    }
    uint64_t one = 1;
    if (::write(wake_.get(), &one, sizeof one) != sizeof one) throw_errno("eventfd write");
    done.get();
  }

 private:
  void run_queued() {
    uint64_t n;
    if (::read(wake_.get(), &n, sizeof n) < 0) return;
    std::unique_lock lock(mutex_);
    while (!queue_.empty()) {
      auto task = std::move(queue_.front());
      queue_.pop();
      lock.unlock();
      task();
      lock.lock();
    }
  }
  EventLoop loop_;
  UniqueFd wake_;
  std::mutex mutex_;
  std::queue<std::packaged_task<void()>> queue_;
  std::thread thread_;
};

// A port of this host that nothing listens on now.
int free_port(int type, const std::string& ip) {
  UniqueFd fd = bound_socket(type, ip, 0);
  return local_address(fd.get()).port();
}

class Forwarding {
 public:
  explicit Forwarding(bool new_user_namespace = true, PortDriverOptions options = builtin_options()) {
    int pair[2], ready[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) throw_errno("socketpair");
    if (pipe2(ready, O_CLOEXEC) != 0) throw_errno("pipe2");
    child_ = fork();
    if (child_ == 0) {
      ::close(pair[0]);
      ::close(ready[0]);
      run_child(UniqueFd(pair[1]), ready[1], new_user_namespace);
    }
    ::close(pair[1]);
    ::close(ready[1]);
    char byte;
    bool ok = ::read(ready[0], &byte, 1) == 1;
    ::close(ready[0]);
    if (!ok) throw Error("the port driver test child did not start");
    // The loop's thread starts only now: a fork while another thread runs may copy a lock that
    // thread holds (the allocator's, under ASan), and the child would hang on it.
    loop_ = std::make_unique<LoopThread>();
    loop_->call([&] { driver_ = make_port_driver(options, loop_->loop(), UniqueFd(pair[0])); });
  }
  ~Forwarding() {
    loop_->call([&] { driver_.reset(); });
    kill(child_, SIGKILL);
    waitpid(child_, nullptr, 0);
  }
  static PortDriverOptions builtin_options() {
    PortDriverOptions o;
    o.driver = "builtin";
    return o;
  }
  void add(int id, const PortSpec& spec) { loop_->call([&] { driver_->add(id, spec); }); }
  void remove(int id) { loop_->call([&] { driver_->remove(id); }); }
  std::string add_error(int id, const PortSpec& spec) {
    try {
      add(id, spec);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "(added)";
  }

 private:
  pid_t child_ = -1;
  std::unique_ptr<LoopThread> loop_;
  std::unique_ptr<PortDriver> driver_;
};

UniqueFd connect_tcp(const std::string& ip, int port, const std::string& from_ip = "") {
  SocketAddress to = *SocketAddress::from(ip, port);
  UniqueFd fd(::socket(to.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!from_ip.empty()) {
    SocketAddress from = *SocketAddress::from(from_ip, 0);
    if (::bind(fd.get(), from.get(), from.length) != 0) throw_errno("bind client");
  }
  if (::connect(fd.get(), to.get(), to.length) != 0) throw_errno("connect " + to.text());
  timeval tv{10, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Reads until end of stream (or an error, whose errno is left in `error`).
std::string read_all(int fd, int* error = nullptr) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      out.append(buf, size_t(n));
      continue;
    }
    if (error) *error = n < 0 ? errno : 0;
    return out;
  }
}

std::string read_line(int fd) {
  std::string line;
  char c;
  while (::recv(fd, &c, 1, 0) == 1 && c != '\n') line += c;
  return line;
}

PortSpec tcp_spec(int parent_port, std::string proto = "tcp", std::string parent_ip = "127.0.0.1",
                  int child_port = kTcpPort, std::string child_ip = "") {
  return PortSpec{std::move(proto), std::move(parent_ip), parent_port, child_port, std::move(child_ip)};
}

std::string pattern(size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; i++) s[i] = char((i * 7919) >> 3);
  return s;
}

// Publishes a free host port of 127.0.0.1 to the inside echo server as `id` and connects to it;
// the server's first line names the client it saw. Returns the client socket.
UniqueFd connect_through_new_port(Forwarding& f, int id, int* port_out = nullptr) {
  int port = free_port(SOCK_STREAM, "127.0.0.1");
  f.add(id, tcp_spec(port));
  UniqueFd c = connect_tcp("127.0.0.1", port);
  EXPECT_EQ(read_line(c.get()), "peer=127.0.0.1");
  if (port_out) *port_out = port;
  return c;
}

TEST(BuiltinPortDriver, EchoesSmallAndLargeDataWithHalfClose) {
  Forwarding f;
  UniqueFd c = connect_through_new_port(f, 1);
  std::string data = pattern(8 << 20);
  std::thread writer([&] {
    write_all(c.get(), data.data(), data.size());
    ::shutdown(c.get(), SHUT_WR);  // half-close: the echo still comes back
  });
  std::string echoed = read_all(c.get());
  writer.join();
  EXPECT_EQ(echoed.size(), data.size());
  EXPECT_TRUE(echoed == data) << "the echoed bytes differ";
}

TEST(BuiltinPortDriver, TheServerSeesTheClientsAddress) {
  Forwarding f;
  int port = free_port(SOCK_STREAM, "0.0.0.0");
  f.add(1, tcp_spec(port, "tcp", ""));  // both families, all addresses
  UniqueFd c = connect_tcp("127.0.0.1", port, "127.0.0.2");
  EXPECT_EQ(read_line(c.get()), "peer=127.0.0.2");
  UniqueFd c3 = connect_tcp("127.0.0.3", port, "127.0.0.3");
  EXPECT_EQ(read_line(c3.get()), "peer=127.0.0.3");
}

TEST(BuiltinPortDriver, WithoutTransparencyTheServerSeesLoopback) {
  PortDriverOptions options = Forwarding::builtin_options();
  options.source_ip_transparent = false;
  Forwarding f(true, options);
  int port = free_port(SOCK_STREAM, "127.0.0.1");
  f.add(1, tcp_spec(port));
  UniqueFd c = connect_tcp("127.0.0.1", port, "127.0.0.2");
  EXPECT_EQ(read_line(c.get()), "peer=127.0.0.1");
}

TEST(BuiltinPortDriver, ForwardsIPv6) {
  Forwarding f;
  int port = free_port(SOCK_STREAM, "::1");
  f.add(1, tcp_spec(port, "tcp6", "::1", kTcp6Port, "::1"));
  UniqueFd c = connect_tcp("::1", port);
  EXPECT_EQ(read_line(c.get()), "peer=::1");
  write_all(c.get(), "six", 3);
  ::shutdown(c.get(), SHUT_WR);
  EXPECT_EQ(read_all(c.get()), "six");
}

std::string udp_exchange(const std::string& to_ip, int port, const std::string& from_ip, const std::string& text) {
  SocketAddress to = *SocketAddress::from(to_ip, port);
  UniqueFd fd = bound_socket(SOCK_DGRAM, from_ip, 0);
  timeval tv{5, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd.get(), to.get(), to.length) != 0) throw_errno("connect udp");
  ::send(fd.get(), text.data(), text.size(), 0);
  char buf[65536];
  ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
  return n < 0 ? "(no reply)" : std::string(buf, size_t(n));
}

TEST(BuiltinPortDriver, ForwardsUdpWithTheClientsAddress) {
  Forwarding f;
  int port = free_port(SOCK_DGRAM, "127.0.0.1");
  f.add(1, PortSpec{"udp", "127.0.0.1", port, kUdpPort, ""});
  EXPECT_EQ(udp_exchange("127.0.0.1", port, "127.0.0.2", "hello"), "peer=127.0.0.2 hello");
  EXPECT_EQ(udp_exchange("127.0.0.1", port, "127.0.0.1", "again"), "peer=127.0.0.1 again");
  int port6 = free_port(SOCK_DGRAM, "::1");
  f.add(2, PortSpec{"udp6", "::1", port6, kUdp6Port, "::1"});
  EXPECT_EQ(udp_exchange("::1", port6, "::1", "v6"), "peer=::1 v6");
}

TEST(BuiltinPortDriver, RemoveClosesTheListenerAndItsConnections) {
  Forwarding f;
  int port = 0;
  UniqueFd c = connect_through_new_port(f, 1, &port);
  f.remove(1);
  int error = -1;
  read_all(c.get(), &error);
  EXPECT_TRUE(error == 0 || error == ECONNRESET) << "read after remove: " << strerror(error);
  EXPECT_THROW(connect_tcp("127.0.0.1", port), SysError);
  EXPECT_THROW(f.remove(1), Error);
}

TEST(BuiltinPortDriver, ARefusedConnectionInsideResetsTheClient) {
  Forwarding f;
  int port = free_port(SOCK_STREAM, "127.0.0.1");
  f.add(1, tcp_spec(port, "tcp", "127.0.0.1", kRefusedPort));
  UniqueFd c = connect_tcp("127.0.0.1", port);
  int error = -1;
  EXPECT_EQ(read_all(c.get(), &error), "");
  EXPECT_EQ(error, ECONNRESET);
}

TEST(BuiltinPortDriver, BindErrorsAsRootlesskitWords) {
  Forwarding f;
  UniqueFd taken = bound_socket(SOCK_STREAM, "127.0.0.1", 0);
  int port = local_address(taken.get()).port();
  EXPECT_EQ(f.add_error(1, tcp_spec(port)),
            "listen tcp 127.0.0.1:" + std::to_string(port) + ": bind: address already in use");
  EXPECT_EQ(f.add_error(2, tcp_spec(19999, "tcp4", "::1")), "listen tcp4: address ::1: no suitable address found");
  EXPECT_EQ(f.add_error(3, PortSpec{"udp6", "127.0.0.1", 19999, 80, ""}),
            "address 127.0.0.1: no suitable address found");
  EXPECT_EQ(f.add_error(4, PortSpec{"sctp", "127.0.0.1", 19999, 80, ""}),
            "builtin port driver does not support proto \"sctp\" (supported: tcp, tcp4, tcp6, udp, udp4, udp6)");
}

// Binding a port below net.ipv4.ip_unprivileged_port_start in the host's network namespace from
// a user namespace of its own fails as it does for the rootless parent.
TEST(BuiltinPortDriver, PrivilegedPortAdvice) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    std::string text;
    try {
      if (unshare(CLONE_NEWUSER) != 0) throw_errno("unshare");
      open_listener(tcp_spec(1), SOCK_STREAM, ListenerOptions{true});
      text = "(bound)";
    } catch (const std::exception& e) {
      text = e.what();
    }
    (void)!::write(fds[1], text.data(), text.size());
    _exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buf[1024];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, size_t(n));
  ::close(fds[0]);
  waitpid(pid, nullptr, 0);
  EXPECT_EQ(text,
            "cannot expose privileged port 1, you can add 'net.ipv4.ip_unprivileged_port_start=1' to "
            "/etc/sysctl.conf (currently 1024), or set CAP_NET_BIND_SERVICE on rootlesskit binary, or choose "
            "a larger port number (>= 1024): listen tcp 127.0.0.1:1: bind: permission denied");
  EXPECT_EQ(privileged_port_advice(80, false),
            "cannot expose privileged port 80, you can add 'net.ipv4.ip_unprivileged_port_start=80' to "
            "/etc/sysctl.conf (currently 1024), or choose a larger port number (>= 1024)");
  EXPECT_EQ(privileged_port_advice(1024, false), "");
}

}  // namespace
}  // namespace roost::ns

namespace roost::ns {
namespace {

// A client address that is not loopback: the "host" is itself a private network namespace with
// 10.77.0.1 on its lo, and the child's namespace is nested in the same user namespace. The
// inside socket is then bound transparently, and the reply rule must bring the answers back.
TEST(BuiltinPortDriver, ANonLocalClientAddressReachesTheServer) {
  pid_t host = fork();
  if (host == 0) {
    try {  // the Forwarding's destructor runs before _exit, so its child is gone too
      enter_private_netns(true);
      netlink::RouteSocket().add_address("lo", "10.77.0.1", 32);
      Forwarding f(false);
      f.add(1, tcp_spec(19500, "tcp", ""));
      UniqueFd c = connect_tcp("10.77.0.1", 19500, "10.77.0.1");
      EXPECT_EQ(read_line(c.get()), "peer=10.77.0.1");
      write_all(c.get(), "far", 3);
      ::shutdown(c.get(), SHUT_WR);
      EXPECT_EQ(read_all(c.get()), "far");
      f.add(2, PortSpec{"udp4", "10.77.0.1", 19501, kUdpPort, ""});
      EXPECT_EQ(udp_exchange("10.77.0.1", 19501, "10.77.0.1", "dgram"), "peer=10.77.0.1 dgram");
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
    _exit(::testing::Test::HasFailure() ? 1 : 0);
  }
  int status = 0;
  waitpid(host, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the checks in the host namespace failed (above)";
}

}  // namespace
}  // namespace roost::ns

namespace roost::ns {
namespace {

// slirp4netns (Debian's binary) for a child namespace whose lo is up and whose port 80 echoes;
// the driver talks to its API socket as rootlesskit's does.
TEST(Slirp4netnsPortDriver, AddsAndRemovesHostForwardsThroughTheApiSocket) {
  if (access("/usr/bin/slirp4netns", X_OK) != 0 || access("/dev/net/tun", R_OK | W_OK) != 0)
    GTEST_SKIP() << "slirp4netns or /dev/net/tun is not usable";
  int pair[2], ready[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
  ASSERT_EQ(pipe2(ready, O_CLOEXEC), 0);
  pid_t child = fork();
  if (child == 0) run_child(UniqueFd(pair[1]), ready[1], true);
  ::close(pair[1]);
  ::close(ready[1]);
  char byte;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);
  std::string dir = "/tmp/roost-port-test." + std::to_string(getpid());
  mkdir(dir.c_str(), 0700);
  std::string api = dir + "/slirp.sock";
  pid_t slirp = fork();
  if (slirp == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    execl("/usr/bin/slirp4netns", "slirp4netns", "--configure", "--mtu=65520", "--api-socket", api.c_str(),
          std::to_string(child).c_str(), "tap0", (char*)nullptr);
    _exit(127);
  }
  for (int i = 0; i < 200 && access(api.c_str(), F_OK) != 0; i++) usleep(10000);
  PortDriverOptions options;
  options.driver = "slirp4netns";
  options.slirp4netns_api_socket = api;
  options.child_ip = "10.0.2.100";
  EventLoop loop;
  auto driver = make_port_driver(options, loop, UniqueFd(pair[0]));
  EXPECT_EQ(driver->protos(), (std::vector<std::string>{"tcp", "tcp4", "udp", "udp4"}));
  EXPECT_TRUE(driver->disallow_loopback_child_ip());

  // slirp4netns accepts on the host whether or not anything listens inside, so a connection that
  // is accepted shows that the forward exists, and a refused one that it is gone.
  int port = free_port(SOCK_STREAM, "127.0.0.1");
  driver->add(7, PortSpec{"tcp4", "127.0.0.1", port, kRefusedPort, ""});
  EXPECT_NO_THROW(connect_tcp("127.0.0.1", port));
  try {
    driver->add(8, PortSpec{"tcp6", "::1", port + 1, 80, ""});
    ADD_FAILURE() << "tcp6 was accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "unsupported protocol \"tcp6\"");
  }
  try {
    driver->add(9, PortSpec{"tcp", "127.0.0.1", port, 80, "::1"});
    ADD_FAILURE() << "an IPv6 child IP was accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "unsupported IP (v6?): ::1");
  }
  try {
    driver->add(10, PortSpec{"tcp", "127.0.0.1", port, 80, ""});  // the same host port again
    ADD_FAILURE() << "a second forward of one port was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("reply.Error: map[desc:", 0), 0u) << e.what();
  }
  driver->remove(7);
  EXPECT_THROW(connect_tcp("127.0.0.1", port), SysError);
  EXPECT_THROW(driver->remove(7), Error);

  kill(slirp, SIGKILL);
  waitpid(slirp, nullptr, 0);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  unlink(api.c_str());
  rmdir(dir.c_str());
}

TEST(ImplicitPortDriver, AcceptsTheStartSpecsAndRefusesChanges) {
  PortDriverOptions options;
  options.driver = "implicit";
  PortSpec start{"tcp", "127.0.0.1", 8080, 80, ""};
  options.publish_at_start = {start};
  EventLoop loop;
  auto driver = make_port_driver(options, loop, UniqueFd());
  EXPECT_TRUE(driver->protos().empty());
  EXPECT_NO_THROW(driver->add(1, start));
  EXPECT_THROW(driver->add(2, start), Error);  // pasta was given it once
  EXPECT_THROW(driver->add(3, PortSpec{"tcp", "127.0.0.1", 8081, 80, ""}), Error);
  EXPECT_THROW(driver->remove(1), Error);
}

std::string choice_error(const std::string& driver, const std::string& net, size_t publish) {
  PortDriverOptions o;
  o.driver = driver;
  try {
    check_port_driver_choice(o, net, publish);
  } catch (const Error& e) {
    return e.what();
  }
  return "(ok)";
}

TEST(PortDriverChoice, RootlesskitsRules) {
  EXPECT_EQ(choice_error("none", "host", 0), "(ok)");
  EXPECT_EQ(choice_error("none", "slirp4netns", 1), "port driver \"none\" does not support publishing ports");
  EXPECT_EQ(choice_error("builtin", "host", 0), "port driver requires non-host network");
  EXPECT_EQ(choice_error("builtin", "pasta", 1), "(ok)");
  EXPECT_EQ(choice_error("slirp4netns", "pasta", 0), "port driver requires slirp4netns network");
  EXPECT_EQ(choice_error("implicit", "slirp4netns", 0), "port driver requires pasta network");
  EXPECT_EQ(choice_error("socat", "slirp4netns", 0), "unknown port driver: socat");
  EventLoop loop;
  PortDriverOptions none;
  EXPECT_EQ(make_port_driver(none, loop, UniqueFd()), nullptr);
}

}  // namespace
}  // namespace roost::ns
