#include "ns/child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <cstdlib>

#include "ns/child_mounts.hpp"
#include "ns/command.hpp"
#include "ns/copy_up.hpp"
#include "ns/detached_netns.hpp"
#include "ns/net/driver_checks.hpp"
#include "ns/net/network_driver.hpp"
#include "ns/ns_channel.hpp"
#include "ns/port/port_driver.hpp"
#include "util/error.hpp"
#include "util/event_loop.hpp"
#include "util/log.hpp"

namespace roost::ns {
namespace {

class NsChild {
 public:
  explicit NsChild(const NsOptions& opts) : opts_(opts) {}
  int run();

 private:
  void attach_to_parent();
  void prepare_user_namespace();
  ChildNetwork await_network();
  bool set_up_mounts();
  void set_up_network(const ChildNetwork& net, bool etc_copied_up);
  void start_port_child(const ChildNetwork& net);
  void on_sync_message();
  void on_signals();
  void launch_command();
  void reap();

  NsOptions opts_;
  std::string state_dir_;
  std::string detached_netns_;  // $STATE/netns with --detach-netns
  NsChannel sync_;
  UniqueFd port_channel_;
  bool fix_listen_pid_ = false;
  EventLoop loop_;
  UniqueFd signals_;
  std::vector<int> pending_signals_;
  pid_t command_ = -1;
  pid_t port_helper_ = -1;
  int exit_code_ = 0;
};

// Forwarded to the command: all but these (rootlesskit's sigproxy leaves out the same three).
bool forwarded(int sig) { return sig != SIGCHLD && sig != SIGPIPE && sig != SIGURG; }

void NsChild::attach_to_parent() {
  const char* marker = ::getenv(kChildMarker);
  int sync_fd = -1, port_fd = -1, fix = 0;
  if (!marker || std::sscanf(marker, "%d,%d,%d", &sync_fd, &port_fd, &fix) != 3)
    throw Error(std::string("malformed ") + kChildMarker);
  for (int fd : {sync_fd, port_fd}) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  sync_ = NsChannel(UniqueFd(sync_fd));
  port_channel_ = UniqueFd(port_fd);
  fix_listen_pid_ = fix != 0;
  const char* state = ::getenv("ROOTLESSKIT_STATE_DIR");
  if (!state || !*state) throw Error("ROOTLESSKIT_STATE_DIR is not set");
  state_dir_ = state;
  // The exec kept the death signal, but a parent that died before it would go unnoticed: its
  // end of the channel is closed then.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  struct pollfd p = {sync_.fd(), POLLRDHUP, 0};
  if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLRDHUP))) _exit(1);
  sigset_t all;
  sigfillset(&all);
  signals_ = UniqueFd(::signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signals_) throw_errno("signalfd");
}

// Before the parent hears of us, so before it starts slirp4netns, which must find its tap made.
void NsChild::prepare_user_namespace() {
  if (!opts_.network.detach_netns) {
    precreate_helper_tap(opts_.network);
    return;
  }
  detached_netns_ = state_dir_ + "/netns";
  create_detached_netns(detached_netns_, [this] { precreate_helper_tap(opts_.network); });
}

ChildNetwork NsChild::await_network() {
  auto msg = sync_.receive();
  if (!msg) _exit(1);  // the parent is gone
  if ((*msg)["type"] != "network") throw Error("expected the network message, got " + (*msg)["type"].get<std::string>());
  return child_network_from_json(msg->at("network").get<std::string>());
}

// Returns whether /etc was copied up.
bool NsChild::set_up_mounts() {
  set_root_propagation(opts_.propagation);
  bool etc = false;
  for (std::string dir : opts_.copy_up) {
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    copy_up(dir);
    etc = etc || dir == "/etc";
  }
  const bool new_netns = opts_.network.driver != "host" && detached_netns_.empty();
  const bool cgroup2 = !opts_.evacuate_cgroup2.empty();
  if (new_netns) mount_fresh_sysfs(cgroup2);
  else if (cgroup2) mount_cgroup2_only();
  if (opts_.pidns) mount_fresh_proc();
  return etc;
}

void NsChild::set_up_network(const ChildNetwork& net, bool etc_copied_up) {
  if (!detached_netns_.empty())
    run_in_netns(detached_netns_, [&] { configure_child_network(net); });
  else if (opts_.network.driver != "host")
    configure_child_network(net);
  if (opts_.network.driver == "host") return;
  write_network_files(state_dir_, net.dns);
  if (detached_netns_.empty()) bind_network_files(state_dir_, etc_copied_up);
}

void NsChild::start_port_child(const ChildNetwork& net) {
  if (opts_.port.driver == "none") {
    port_channel_.reset();
    return;
  }
  PortDriverOptions options = opts_.port;
  options.child_ip = net.ip;
  if (detached_netns_.empty()) {
    serve_port_driver_child(options, loop_, std::move(port_channel_));
    return;
  }
  // In the detached namespace, sockets must be made by a process that is in it.
  int channel = port_channel_.get();
  port_helper_ = spawn_in_netns(detached_netns_, [options, channel] {
    EventLoop loop;
    serve_port_driver_child(options, loop, UniqueFd(::dup(channel)));
    loop.run();
  });
  port_channel_.reset();
}

void NsChild::launch_command() {
  CommandSpec spec;
  spec.argv = opts_.command;
  spec.new_session = opts_.reap();
  spec.fix_listen_pid = fix_listen_pid_;
  try {
    command_ = start_command(spec);
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: %s\n", log::program_name().c_str(), e.what());
    exit_code_ = 127;
    loop_.stop();
    return;
  }
  for (int sig : pending_signals_) ::kill(command_, sig);
  pending_signals_.clear();
}

void NsChild::on_sync_message() {
  auto msg = sync_.receive();
  if (!msg) {  // the parent died: the death signal is on its way, go first
    if (command_ > 0) ::kill(command_, SIGKILL);
    _exit(1);
  }
  if ((*msg)["type"] == "start" && command_ < 0) launch_command();
}

void NsChild::reap() {
  int status;
  pid_t pid;
  // The reaper collects every orphan; otherwise only the command is ours to wait for.
  const pid_t which = opts_.reap() ? -1 : command_;
  if (which == -1 || which > 0) {
    while ((pid = ::waitpid(which, &status, WNOHANG)) > 0) {
      if (pid == command_) {
        exit_code_ = exit_code_of(status);
        command_ = 0;
        loop_.stop();
      }
      if (which != -1) break;
    }
  }
}

void NsChild::on_signals() {
  struct signalfd_siginfo info;
  while (::read(signals_.get(), &info, sizeof info) == sizeof info) {
    int sig = static_cast<int>(info.ssi_signo);
    if (sig == SIGCHLD) continue;
    if (!forwarded(sig)) continue;
    if (command_ > 0) ::kill(command_, sig);
    else if (command_ < 0) pending_signals_.push_back(sig);
  }
  reap();
}

int NsChild::run() {
  attach_to_parent();
  try {
    prepare_user_namespace();
    sync_.send("userns_ready");
    // The mounts (copy-up, /sys, /proc) need nothing of the network: made while the parent
    // starts its helper (slirp4netns takes ~10 ms to get ready), unless the parent looks into
    // the child's tree meanwhile (--detach-netns: the netns file under the state dir) or moves
    // it between cgroups first (--evacuate-cgroup2). A failure is told after the network
    // message, where the parent listens for it.
    const bool mounts_first = detached_netns_.empty() && opts_.evacuate_cgroup2.empty();
    bool etc = false;
    std::exception_ptr mount_error;
    if (mounts_first) {
      try {
        etc = set_up_mounts();
      } catch (...) {
        mount_error = std::current_exception();
      }
    }
    ChildNetwork net = await_network();
    if (mount_error) std::rethrow_exception(mount_error);
    if (!mounts_first) etc = set_up_mounts();
    set_up_network(net, etc);
    start_port_child(net);
    sync_.send("child_ready");
  } catch (const std::exception& e) {
    try {
      sync_.send("error", {{"message", e.what()}});
    } catch (const Error&) {
    }
    return 1;
  }
  loop_.add(sync_.fd(), EPOLLIN, [this](uint32_t) { on_sync_message(); });
  loop_.add(signals_.get(), EPOLLIN, [this](uint32_t) { on_signals(); });
  loop_.run();
  if (port_helper_ > 0) ::kill(port_helper_, SIGKILL);
  return exit_code_;
}

}  // namespace

bool is_ns_child() { return ::getenv(kChildMarker) != nullptr; }

int run_ns_child(const NsOptions& opts) {
  try {
    return NsChild(opts).run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", log::program_name().c_str(), e.what());
    return 1;
  }
}

}  // namespace roost::ns
