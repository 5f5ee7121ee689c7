// roost-runtime pause ID and resume ID: the container's own cgroup v2 freezer.
#include "cli/runtime/command.hpp"

namespace roost::cli {
namespace {

std::string id;

void add_options(CLI::App& cmd) { cmd.add_option("id", id)->required(); }

int pause(const Runtime& rt, CLI::App&) {
  pause_container(rt, id);
  return 0;
}

int resume(const Runtime& rt, CLI::App&) {
  resume_container(rt, id);
  return 0;
}

}  // namespace

const Command kPauseCommand{"pause", "freeze a container's processes (cgroup v2 freezer)", add_options, pause};
const Command kResumeCommand{"resume", "thaw a paused container", add_options, resume};

}  // namespace roost::cli
