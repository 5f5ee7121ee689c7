#include "ns/parent.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "idmap/idmap_writer.hpp"
#include "ns/api/api_server.hpp"
#include "ns/cgroup_evacuation.hpp"
#include "ns/command.hpp"
#include "ns/net/network_driver.hpp"
#include "ns/ns_channel.hpp"
#include "ns/port/port_manager.hpp"
#include "ns/state_dir.hpp"
#include "util/error.hpp"
#include "util/event_loop.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/process.hpp"

extern char** environ;

namespace roost::ns {
namespace {

// The child as a process of ours: killed and reaped if it is still there when we leave.
struct ChildProcess {
  pid_t pid = -1;
  UniqueFd pidfd;
  bool reaped = false;
  ~ChildProcess() {
    if (pid <= 0 || reaped) return;
    ::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
    siginfo_t info;
    while (::waitid(P_PIDFD, static_cast<id_t>(pidfd.get()), &info, WEXITED) < 0 && errno == EINTR) {
    }
  }
  void signal(int sig) const { ::syscall(SYS_pidfd_send_signal, pidfd.get(), sig, nullptr, 0); }
  // The exit code once it has exited (128+N for signal N).
  int wait() {
    siginfo_t info{};
    while (::waitid(P_PIDFD, static_cast<id_t>(pidfd.get()), &info, WEXITED) < 0 && errno == EINTR) {
    }
    reaped = true;
    if (info.si_code == CLD_EXITED) return info.si_status;
    return 128 + info.si_status;
  }
};

bool terminating(int sig) { return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT; }

class NsParent {
 public:
  NsParent(const NsOptions& opts, const std::vector<std::string>& argv) : opts_(opts), argv_(argv) {}
  int run();
  // The exit code of a run that failed: 128+N when signal N interrupted the set-up, else 1.
  int failure_code() const { return exit_code_ ? exit_code_ : 1; }

 private:
  void prepare();
  void spawn_child();
  [[noreturn]] void child_before_exec(int sync_fd, int port_fd, char** argv, char** envp);
  std::vector<std::string> child_environment(int sync_fd, int port_fd) const;
  void map_ids();
  nlohmann::json await(const std::string& type);
  void start_network();
  void start_ports_and_api();
  void on_signals();
  void on_sync_message();

  NsOptions opts_;
  std::vector<std::string> argv_;
  bool fix_listen_pid_ = false;
  std::unique_ptr<StateDir> state_;
  std::unique_ptr<NetworkDriver> network_;
  idmap::IdMapPlan ids_;
  EventLoop loop_;
  UniqueFd signals_;
  NsChannel sync_;
  UniqueFd port_parent_;
  ChildProcess child_;
  ChildNetwork net_;
  std::unique_ptr<PortManager> ports_;
  std::unique_ptr<ApiServer> api_;
  int exit_code_ = 0;
};

void warn_about_propagation(const std::string& mode) {
  if (mode.find("private") != std::string::npos) return;
  try {
    for (const auto& line : split(read_file("/proc/self/mountinfo"), '\n')) {
      auto fields = split(line, ' ');
      if (fields.size() < 7 || fields[4] != "/") continue;
      std::string optional;
      for (size_t i = 6; i < fields.size() && fields[i] != "-"; ++i) optional += (optional.empty() ? "" : " ") + fields[i];
      if (optional.find("shared") == std::string::npos)
        log::warn("the host's / is mounted as \"" + optional + "\": propagation " + mode +
                  " of the child's / reaches nothing on the host");
    }
  } catch (const Error&) {
  }
}

void NsParent::prepare() {
  // Sockets systemd passed (LISTEN_FDS, from fd 3 on) go through to the command; a gap among
  // them is filled first, so that no descriptor of ours can take its number.
  const char* listen_fds = ::getenv("LISTEN_FDS");
  const char* listen_pid = ::getenv("LISTEN_PID");
  if (listen_fds && listen_pid && std::atoi(listen_fds) > 0) {
    fill_preserved_fd_gaps(std::atoi(listen_fds));
    fix_listen_pid_ = std::atoi(listen_pid) == ::getpid();
  }
  for (const auto& w : ns_option_warnings(opts_)) log::warn(w);
  warn_about_propagation(opts_.propagation);
  network_ = make_network_driver(opts_.network);
  network_->check();
  ids_ = idmap::plan_caller_id_maps(opts_.subid_source == "static"    ? idmap::SubIdSource::Static
                                    : opts_.subid_source == "dynamic" ? idmap::SubIdSource::Dynamic
                                                                      : idmap::SubIdSource::Auto);
  state_ = std::make_unique<StateDir>(opts_.state_dir);
  // Every signal waits in the signalfd from now on; the child starts with them blocked too.
  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, nullptr);
  signals_ = UniqueFd(::signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signals_) throw_errno("signalfd");
}

std::vector<std::string> NsParent::child_environment(int sync_fd, int port_fd) const {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string var = *e;
    if (starts_with(var, "ROOTLESSKIT_STATE_DIR=") || starts_with(var, "ROOTLESSKIT_PARENT_EUID=") ||
        starts_with(var, "ROOTLESSKIT_PARENT_EGID=") || starts_with(var, std::string(kChildMarker) + "="))
      continue;
    env.push_back(std::move(var));
  }
  env.push_back("ROOTLESSKIT_STATE_DIR=" + state_->path());
  env.push_back("ROOTLESSKIT_PARENT_EUID=" + std::to_string(::geteuid()));
  env.push_back("ROOTLESSKIT_PARENT_EGID=" + std::to_string(::getegid()));
  env.push_back(std::string(kChildMarker) + "=" + std::to_string(sync_fd) + "," + std::to_string(port_fd) + "," +
                (fix_listen_pid_ ? "1" : "0"));
  return env;
}

// Between clone and exec: only what must happen before the re-exec, then the exec.
void NsParent::child_before_exec(int sync_fd, int port_fd, char** argv, char** envp) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  char buf[256];
  ssize_t got;
  while ((got = ::recv(sync_fd, buf, sizeof buf, 0)) < 0 && errno == EINTR) {
  }
  if (got <= 0) _exit(1);  // the parent died or gave up before mapping our ids
  ::fcntl(sync_fd, F_SETFD, 0);
  ::fcntl(port_fd, F_SETFD, 0);
  ::execve("/proc/self/exe", argv, envp);
  std::string msg = std::string("{\"type\":\"error\",\"message\":\"exec /proc/self/exe: ") + std::strerror(errno) + "\"}";
  (void)!::send(sync_fd, msg.data(), msg.size(), MSG_NOSIGNAL);
  _exit(1);
}

void NsParent::spawn_child() {
  auto [sync_parent, sync_child] = seqpacket_pair();
  auto [port_parent, port_child] = seqpacket_pair();
  std::vector<std::string> env = child_environment(sync_child.get(), port_child.get());
  std::vector<char*> argv, envp;
  for (auto& a : argv_) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  uint64_t flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_PIDFD;
  if (opts_.pidns) flags |= CLONE_NEWPID;
  if (network_->needs_netns() && !opts_.network.detach_netns) flags |= CLONE_NEWNET;
  if (opts_.cgroupns) flags |= CLONE_NEWCGROUP;
  if (opts_.utsns) flags |= CLONE_NEWUTS;
  if (opts_.ipcns) flags |= CLONE_NEWIPC;
  int pidfd = -1;
  struct clone_args args{};
  args.flags = flags;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) throw_errno("clone the child into new namespaces");
  if (pid == 0) {
    ::close(sync_parent.get());
    ::close(port_parent.get());
    child_before_exec(sync_child.get(), port_child.get(), argv.data(), envp.data());
  }
  child_.pid = static_cast<pid_t>(pid);
  child_.pidfd = UniqueFd(pidfd);
  sync_ = NsChannel(std::move(sync_parent));
  port_parent_ = std::move(port_parent);
}

void NsParent::map_ids() {
  idmap::write_id_maps(child_.pid, ids_);
  sync_.send("ids_mapped");
}

// Waits for the child's next message, which must be `type`; signals that end a run end the
// set-up, others wait for the command.
nlohmann::json NsParent::await(const std::string& type) {
  for (;;) {
    struct pollfd fds[2] = {{sync_.fd(), POLLIN, 0}, {signals_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo info;
      while (::read(signals_.get(), &info, sizeof info) == sizeof info) {
        int sig = static_cast<int>(info.ssi_signo);
        if (terminating(sig)) {
          exit_code_ = 128 + sig;
          throw Error(std::string("interrupted by ") + sigabbrev_np(sig) + " during set-up");
        }
        if (sig != SIGCHLD) child_.signal(sig);
      }
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP))) continue;
    auto msg = sync_.receive();
    if (!msg) throw Error("the child exited during set-up (exit code " + std::to_string(child_.wait()) + ")");
    if ((*msg)["type"] == "error") throw Error(msg->value("message", "the child failed"));
    if ((*msg)["type"] != type) throw Error("expected " + type + " from the child, got " + (*msg)["type"].get<std::string>());
    return *msg;
  }
}

void NsParent::start_network() {
  if (!opts_.evacuate_cgroup2.empty()) evacuate_cgroup2(opts_.evacuate_cgroup2);
  NetnsTarget target;
  target.child_pid = child_.pid;
  target.userns_path = "/proc/" + std::to_string(child_.pid) + "/ns/user";
  if (opts_.network.detach_netns) target.netns_path = "/proc/" + std::to_string(child_.pid) + "/root" + state_->file("netns");
  net_ = network_->start(target, state_->path());
  if (net_.driver.empty()) net_.driver = opts_.network.driver;
  sync_.send("network", {{"network", to_json(net_)}});
}

void NsParent::start_ports_and_api() {
  std::unique_ptr<PortDriver> driver;
  if (opts_.port.driver != "none") {
    PortDriverOptions options = opts_.port;
    options.slirp4netns_api_socket = network_->api_socket();
    options.child_ip = net_.ip;
    driver = make_port_driver(options, loop_, std::move(port_parent_));
  }
  port_parent_.reset();
  ports_ = std::make_unique<PortManager>(std::move(driver));
  for (const auto& spec : opts_.publish) ports_->add(spec);
  ApiInfo info;
  info.version = kRootlesskitVersion;
  info.state_dir = state_->path();
  info.child_pid = child_.pid;
  info.network = net_;
  api_ = std::make_unique<ApiServer>(loop_, state_->file("api.sock"), info, *ports_);
  state_->write_child_pid(child_.pid);
}

void NsParent::on_signals() {
  struct signalfd_siginfo info;
  while (::read(signals_.get(), &info, sizeof info) == sizeof info) {
    int sig = static_cast<int>(info.ssi_signo);
    if (sig != SIGCHLD && sig != SIGPIPE && sig != SIGURG) child_.signal(sig);
  }
}

void NsParent::on_sync_message() {
  std::optional<nlohmann::json> msg;
  try {
    msg = sync_.receive();
  } catch (const Error&) {
  }
  if (!msg) {
    loop_.remove(sync_.fd());  // the child is going; its pidfd says when it is gone
    return;
  }
  if ((*msg)["type"] == "error") std::fprintf(stderr, "%s: %s\n", log::program_name().c_str(), msg->value("message", "").c_str());
}

int NsParent::run() {
  prepare();
  spawn_child();
  log::debug("child " + std::to_string(child_.pid) + " cloned, state dir " + state_->path());
  map_ids();
  await("userns_ready");
  start_network();
  log::debug("network " + net_.driver + (net_.ip.empty() ? "" : " " + net_.ip) + " started");
  await("child_ready");
  start_ports_and_api();
  log::debug("ports published, api.sock and child_pid written: starting the command");
  sync_.send("start");
  loop_.add(signals_.get(), EPOLLIN, [this](uint32_t) { on_signals(); });
  loop_.add(sync_.fd(), EPOLLIN, [this](uint32_t) { on_sync_message(); });
  loop_.add(child_.pidfd.get(), EPOLLIN, [this](uint32_t) {
    exit_code_ = child_.wait();
    loop_.stop();
  });
  if (int helper = network_->helper_exit_fd(); helper >= 0) {
    loop_.add(helper, EPOLLIN, [this, helper](uint32_t) {
      log::warn("the network helper (" + opts_.network.driver + ") exited: the namespace has no way out now");
      loop_.remove(helper);
    });
  }
  loop_.run();
  return exit_code_;
}

}  // namespace

int run_ns_parent(const NsOptions& opts, const std::vector<std::string>& argv) {
  NsParent parent(opts, argv);
  try {
    return parent.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", log::program_name().c_str(), e.what());
    return parent.failure_code();
  }
}

}  // namespace roost::ns
