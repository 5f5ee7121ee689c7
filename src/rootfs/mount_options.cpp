#include "rootfs/mount_options.hpp"

#include <sys/mount.h>

#include <cctype>
#include <string_view>

#include "util/error.hpp"

namespace roost {
namespace {

struct FlagOption {
  std::string_view name;
  bool clear;
  unsigned long flag;
};

constexpr FlagOption kFlagOptions[] = {
    {"defaults", false, 0},         {"ro", false, MS_RDONLY},         {"rw", true, MS_RDONLY},
    {"suid", true, MS_NOSUID},      {"nosuid", false, MS_NOSUID},     {"dev", true, MS_NODEV},
    {"nodev", false, MS_NODEV},     {"exec", true, MS_NOEXEC},        {"noexec", false, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS}, {"async", true, MS_SYNCHRONOUS}, {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT}, {"mand", false, MS_MANDLOCK},     {"nomand", true, MS_MANDLOCK},
    {"atime", true, MS_NOATIME},    {"noatime", false, MS_NOATIME},   {"diratime", true, MS_NODIRATIME},
    {"nodiratime", false, MS_NODIRATIME}, {"bind", false, MS_BIND},   {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME}, {"norelatime", true, MS_RELATIME}, {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME}, {"lazytime", false, MS_LAZYTIME}, {"nolazytime", true, MS_LAZYTIME},
    {"silent", false, MS_SILENT},   {"loud", true, MS_SILENT},        {"iversion", false, MS_I_VERSION},
    {"noiversion", true, MS_I_VERSION}, {"nosymfollow", false, MS_NOSYMFOLLOW}, {"symfollow", true, MS_NOSYMFOLLOW},
};

struct PropagationOption {
  std::string_view name;
  unsigned long flag;
};

constexpr PropagationOption kPropagationOptions[] = {
    {"private", MS_PRIVATE},         {"rprivate", MS_PRIVATE | MS_REC}, {"shared", MS_SHARED},
    {"rshared", MS_SHARED | MS_REC}, {"slave", MS_SLAVE},               {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE},   {"runbindable", MS_UNBINDABLE | MS_REC},
};

}  // namespace

bool MountOptions::bind() const { return flags & MS_BIND; }
bool MountOptions::recursive_bind() const { return (flags & MS_BIND) && (flags & MS_REC); }

MountOptions parse_mount_options(const std::vector<std::string>& options) {
  MountOptions out;
  for (const auto& opt : options) {
    bool known = false;
    for (const auto& f : kFlagOptions) {
      if (f.name != opt) continue;
      known = true;
      if (f.clear) {
        out.flags &= ~f.flag;
        out.clear_flags |= f.flag;
      } else {
        out.flags |= f.flag;
        out.clear_flags &= ~f.flag;
      }
    }
    for (const auto& p : kPropagationOptions) {
      if (p.name != opt) continue;
      known = true;
      out.propagation = p.flag;
    }
    if (known) continue;
    if (opt == "idmap" || opt == "ridmap") throw Error("mount option \"" + opt + "\" (idmapped mounts) is not supported yet");
    if (opt.empty()) continue;
    if (opt == "tmpcopyup") {
      out.copy_up = true;
      continue;
    }
    if (!out.data.empty()) out.data += ',';
    out.data += opt;
  }
  return out;
}

std::vector<std::string> split_fs_options(const std::string& type, const std::string& data) {
  std::vector<std::string> out;
  std::string current;
  bool quoted = false;
  for (size_t i = 0; i <= data.size(); ++i) {
    const char c = i < data.size() ? data[i] : ',';
    if (c == '"') {
      quoted = !quoted;
      continue;
    }
    const bool continues = i + 1 < data.size() && type == "tmpfs" && std::isdigit(static_cast<unsigned char>(data[i + 1]));
    if (c == ',' && !quoted && !continues) {
      if (!current.empty()) out.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  return out;
}

}  // namespace roost
