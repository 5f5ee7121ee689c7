// roost-runtime pause ID and resume ID: the container's own cgroup v2 freezer.
#include "cli/runtime/command.hpp"

namespace roost::cli {
namespace {

std::string id;

void add_options(OptionParser& cmd) { cmd.argument("id", id, "container id"); }

int pause(const Runtime& rt) {
  pause_container(rt, id);
  return 0;
}

int resume(const Runtime& rt) {
  resume_container(rt, id);
  return 0;
}

}  // namespace

const Command kPauseCommand{"pause", "freeze a container's processes (cgroup v2 freezer)", add_options, pause};
const Command kResumeCommand{"resume", "thaw a paused container", add_options, resume};

}  // namespace roost::cli
