#include <cstdio>
#include <iostream>

#include "cli/engine/command.hpp"
#include "engine/container_context.hpp"
#include "engine/inspect.hpp"
#include "engine/template.hpp"
#include "util/error.hpp"

namespace roost::cli {

std::span<const EngineCommand* const> engine_commands() {
  static const EngineCommand* const kAll[] = {
      &kRunCommand,         &kCreateCommand,      &kStartCommand,        &kPsCommand,
      &kLogsCommand,        &kExecCommand,        &kStopCommand,         &kKillCommand,
      &kRmCommand,          &kWaitCommand,        &kPortCommand,         &kInspectCommand,
      &kRenameCommand,      &kContainerInspectCommand,
      &kVolumeCreateCommand, &kVolumeLsCommand, &kVolumeInspectCommand, &kVolumeRmCommand, &kVolumePruneCommand, &kCpCommand,
      &kPullCommand,        &kImagesCommand,      &kLoadCommand,         &kSaveCommand,
      &kTagCommand,         &kRmiCommand,         &kImageInspectCommand, &kImageMountCommand,
      &kImageUmountCommand, &kLoginCommand,       &kLogoutCommand,       &kSystemDfCommand,
      &kSystemPruneCommand, &kSystemResetCommand, &kInfoCommand,         &kUnshareCommand,     &kCheckCommand,       &kVersionCommand,
      &kNetworkCreateCommand, &kNetworkLsCommand, &kNetworkInspectCommand, &kNetworkRmCommand,
  };
  return kAll;
}

std::span<const CommandAlias> command_aliases() {
  static const CommandAlias kAll[] = {
      {"container", "run", &kRunCommand},     {"container", "create", &kCreateCommand},
      {"container", "start", &kStartCommand}, {"container", "ps", &kPsCommand},
      {"container", "ls", &kPsCommand},       {"container", "list", &kPsCommand},
      {"container", "logs", &kLogsCommand},   {"container", "exec", &kExecCommand},
      {"container", "stop", &kStopCommand},   {"container", "kill", &kKillCommand},
      {"container", "rm", &kRmCommand},       {"container", "wait", &kWaitCommand},
      {"container", "port", &kPortCommand},   {"container", "rename", &kRenameCommand},
      {"container", "cp", &kCpCommand},       {"image", "ls", &kImagesCommand},
      {"image", "list", &kImagesCommand},     {"image", "pull", &kPullCommand},
      {"image", "load", &kLoadCommand},       {"image", "save", &kSaveCommand},
      {"image", "tag", &kTagCommand},         {"image", "rm", &kRmiCommand},
      {"volume", "list", &kVolumeLsCommand},  {"network", "list", &kNetworkLsCommand},
  };
  return kAll;
}

int for_each_container(ctr::ContainerStore& containers, const std::vector<std::string>& names,
                       const std::function<void(const std::string& id)>& act) {
  int rc = 0;
  for (const std::string& name : names) {
    try {
      act(engine::require_container(containers, name));
      print_out(name + "\n");
    } catch (const Error& e) {
      std::fprintf(stderr, "Error: %s\n", e.what());
      rc = 125;
    }
  }
  return rc;
}

int print_inspected(const std::vector<nlohmann::ordered_json>& items, const std::vector<std::string>& errors,
                    const std::string& format) {
  if (!format.empty() && format != "json") {
    const engine::Template tmpl(format);
    for (const auto& item : items) print_out(tmpl.render(nlohmann::json(item)));
  } else {
    print_out(engine::inspect_output(items));
  }
  for (size_t i = 0; i + 1 < errors.size(); ++i) std::fprintf(stderr, "Error: %s\n", errors[i].c_str());
  if (!errors.empty()) throw Error(errors.back());
  return 0;
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
