#include <cstdio>

#include "cli/runtime/command.hpp"

namespace roost::cli {

std::span<const Command* const> commands() {
  static const Command* const kAll[] = {
      &kSpecCommand,  &kCreateCommand, &kRunCommand,   &kExecCommand,   &kStartCommand,
      &kStateCommand, &kKillCommand,   &kDeleteCommand, &kListCommand,  &kPsCommand,
      &kPauseCommand, &kResumeCommand, &kUpdateCommand, &kFeaturesCommand,
  };
  return kAll;
}

void write_out(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

}  // namespace roost::cli
