#include "container/hooks.hpp"

#include "util/error.hpp"
#include "util/process.hpp"

namespace roost {

void run_hooks(const std::vector<oci::Hook>& hooks, const std::string& phase, const std::string& state_json) {
  for (const auto& hook : hooks) {
    ProgramSpec spec;
    spec.path = hook.path;
    spec.argv = hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
    spec.env = &hook.env;
    spec.input = state_json;
    spec.timeout_seconds = hook.timeout.value_or(0);
    ProgramResult r;
    try {
      r = run_program(spec);
    } catch (const Error& e) {
      throw Error(phase + " hook " + hook.path + ": " + e.what());
    }
    if (!r.succeeded())
      throw Error(phase + " hook " + hook.path + " " + r.describe() +
                  (r.timed_out ? " after " + std::to_string(*hook.timeout) + "s" : ""));
  }
}

}  // namespace roost
