// The advice roost gives for the host problems that stop rootless use, in one place: `roost check`
// prints it as a fix, and the commands that hit the same problem (entering the user namespace,
// planning id maps) put the same words in their errors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "idmap/subid.hpp"

namespace roost::idmap {

// A problem's one-line fix: the command, and whether it must run as root.
struct HostFix {
  std::string command;
  bool as_root = false;
  bool empty() const { return command.empty(); }
  // "run as root: COMMAND" or "run: COMMAND" ("" when there is no command).
  std::string text() const;
};

// Why an unprivileged user may not create user namespaces, from the sysctls under proc_sys
// (/proc/sys on the host): kernel.unprivileged_userns_clone=0 (Debian's older kernels),
// user.max_user_namespaces=0, kernel.apparmor_restrict_unprivileged_userns=1 (Ubuntu 23.10 on).
// `why` is empty when none of them says no.
struct UsernsBlock {
  std::string why;  // "kernel.unprivileged_userns_clone=0: user namespaces are disabled for unprivileged users"
  HostFix fix;
};
UsernsBlock userns_block(const std::filesystem::path& proc_sys = "/proc/sys");

// The fix for a sysctl: set it now and keep it across reboots (/etc/sysctl.d/).
HostFix sysctl_fix(const std::string& key, const std::string& value);

// newuidmap/newgidmap are Debian's uidmap package.
HostFix uidmap_install_fix();

// A range of `count` ids that no line of /etc/subuid or /etc/subgid (their texts) uses yet, the
// lowest start from 100000 up (useradd's SUB_UID_MIN) past every range in use.
SubIdRange free_subid_range(const std::string& subuid_text, const std::string& subgid_text,
                            uint32_t count = 65536);
// "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 NAME" for a free range read
// from etc (/etc on the host).
HostFix subid_range_fix(const std::string& user_name, const std::filesystem::path& etc = "/etc");

}  // namespace roost::idmap
