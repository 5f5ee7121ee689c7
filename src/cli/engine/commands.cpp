#include <cstdio>
#include <iostream>

#include "cli/engine/command.hpp"

namespace roost::cli {

std::span<const EngineCommand* const> engine_commands() {
  static const EngineCommand* const kAll[] = {
      &kRunCommand,         &kCreateCommand,      &kStartCommand,        &kPsCommand,
      &kLogsCommand,        &kExecCommand,        &kStopCommand,         &kKillCommand,
      &kRmCommand,          &kWaitCommand,        &kPortCommand,         &kInspectCommand,
      &kRenameCommand,
      &kPullCommand,        &kImagesCommand,      &kLoadCommand,         &kSaveCommand,
      &kTagCommand,         &kRmiCommand,         &kImageInspectCommand, &kImageMountCommand,
      &kImageUmountCommand, &kLoginCommand,       &kLogoutCommand,       &kSystemDfCommand,
      &kSystemPruneCommand, &kSystemResetCommand, &kInfoCommand,         &kUnshareCommand,     &kCheckCommand,       &kVersionCommand,
      &kNetworkCreateCommand, &kNetworkLsCommand, &kNetworkInspectCommand, &kNetworkRmCommand,
  };
  return kAll;
}

void print_out(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

bool confirm(const std::string& prompt) {
  std::fprintf(stderr, "%s [y/N] ", prompt.c_str());
  std::fflush(stderr);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "Yes";
}

}  // namespace roost::cli
