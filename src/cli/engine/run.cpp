// roost run [flags] IMAGE [CMD...]: create + start. In the foreground the caller's stdio is
// relayed over the attach connection the monitor had before the container started, and roost
// exits with the container's code; -d prints the full ID.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <optional>
#include <thread>

#include <fcntl.h>

#include "cli/engine/command.hpp"
#include "cli/engine/container_flags.hpp"
#include "engine/container_context.hpp"
#include "engine/container_create.hpp"
#include "engine/container_remove.hpp"
#include "engine/container_start.hpp"
#include "monitor/ctl_client.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::cli {
namespace {

engine::CreateRequest request;
bool detach = false;
std::string cidfile;

void add_options(CLI::App& cmd) {
  add_container_flags(cmd, request);
  cmd.add_flag("-d,--detach", detach, "run in the background and print the container's ID");
  cmd.add_option("--cidfile", cidfile, "write the container's ID to this file");
}

// podman's --sig-proxy (on by default): SIGINT, SIGTERM and SIGHUP sent to a foreground roost run
// go to the container (through its monitor) instead of ending roost while the container runs on.
// A thread waits for them (blocked in every other thread), so nothing unsafe runs in a handler.
class SignalProxy {
 public:
  explicit SignalProxy(std::string ctl_socket) : ctl_socket_(std::move(ctl_socket)) {
    sigemptyset(&set_);
    for (int s : {SIGINT, SIGTERM, SIGHUP, kStop}) sigaddset(&set_, s);
    pthread_sigmask(SIG_BLOCK, &set_, &old_mask_);
    thread_ = std::thread([this] {
      for (;;) {
        int signal = 0;
        if (sigwait(&set_, &signal) != 0 || signal == kStop) return;
        try {
          monitor::kill(ctl_socket_, signal);
        } catch (const Error&) {
          // The container has exited meanwhile: nothing to forward to.
        }
      }
    });
  }
  ~SignalProxy() {
    pthread_kill(thread_.native_handle(), kStop);
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }

 private:
  static constexpr int kStop = SIGUSR2;  // ends the waiting thread
  std::string ctl_socket_;
  sigset_t set_, old_mask_;
  std::thread thread_;
};

int run(const engine::GlobalOptions& global, CLI::App& cmd) {
  finish_container_request(cmd, request);
  if (!cidfile.empty() && path_exists(cidfile)) throw Error("container id file exists. Ensure another container is not using it or delete " + cidfile);
  ctr::ContainerStore containers = engine::open_containers(global);
  const ctr::ContainerConfig config = engine::create_container(global, containers, request);
  if (!cidfile.empty()) write_file(cidfile, config.id, O_WRONLY | O_CREAT | O_EXCL, 0644);
  engine::StartResult started;
  try {
    started = engine::start_container(containers, config.id, {!detach, !detach && request.interactive});
  } catch (const Error& e) {
    std::fprintf(stderr, "Error: %s\n", e.what());
    // A --rm container that never ran is removed here when its monitor never got to it. A monitor
    // that answered with the error removes it itself, maybe at this very moment: what it has
    // removed already, or is removing, is not a second error (one line, the start's).
    if (request.auto_remove) {
      try {
        if (containers.resolve(config.id)) engine::remove_container(containers, config.id, true, false);
      } catch (const Error&) {
      }
    }
    const auto* start = dynamic_cast<const engine::StartError*>(&e);
    return start ? start->exit_code() : 125;
  }
  if (detach) {
    print_out(config.id + "\n");
    return 0;
  }
  SignalProxy proxy(containers.paths(config.id).ctl_socket().string());
  const int code = monitor::attach_relay(std::move(started.attach), request.interactive, request.tty);
  if (code >= 0) return code;
  // The connection ended without an exit frame: the monitor died; the state says what it knew.
  // Where it knew nothing, say so: 125 alone would look like the container's own code.
  if (!containers.resolve(config.id)) {
    std::fprintf(stderr, "Error: the container's monitor ended without sending its exit code, and the container is removed\n");
    return 125;
  }
  const std::optional<int> exit_code = engine::current_state(containers, config.id).exit_code;
  if (!exit_code) std::fprintf(stderr, "Error: the container's monitor ended without recording an exit code\n");
  return exit_code.value_or(125);
}

}  // namespace

const EngineCommand kRunCommand{nullptr, "run", "run a command in a new container", add_options, run};

}  // namespace roost::cli
