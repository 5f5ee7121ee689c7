#include "store/store_paths.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::store {
namespace {

std::string env(const char* name) {
  const char* v = ::getenv(name);
  return v ? v : "";
}

// An XDG variable counts only when it is an absolute path (the base directory spec says relative
// values are to be ignored).
std::string absolute_env(const char* name) {
  std::string v = env(name);
  return !v.empty() && v[0] == '/' ? v : "";
}

// The host uid behind this process: its own outside any user namespace; inside one where it is
// root (`roost unshare`), the outside id its uid 0 maps to, so the paths stay the user's.
uid_t host_uid() {
  const uid_t euid = ::geteuid();
  if (euid != 0) return euid;
  try {
    unsigned long inside = 0, outside = 0, count = 0;
    for (const auto& line : split(read_file("/proc/self/uid_map"), '\n'))
      if (std::sscanf(line.c_str(), "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0)
        return static_cast<uid_t>(outside);
  } catch (const Error&) {
  }
  return 0;
}

std::string home_of(uid_t uid) {
  std::string home = absolute_env("HOME");
  if (!home.empty()) return home;
  struct passwd pw, *res = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res && res->pw_dir && res->pw_dir[0] == '/')
    return res->pw_dir;
  throw Error("cannot find the home directory of uid " + std::to_string(uid) +
              ": set HOME, XDG_DATA_HOME or ROOST_ROOT");
}

}  // namespace

StorePaths StorePaths::for_current_user() {
  StorePaths p;
  const uid_t uid = host_uid();
  if (uid == 0) {
    p.data_root = "/var/lib/roost";
    p.run_root = "/run/roost";
  } else {
    std::string data = absolute_env("XDG_DATA_HOME");
    p.data_root = data.empty() ? std::filesystem::path(home_of(uid)) / ".local/share/roost"
                               : std::filesystem::path(data) / "roost";
    std::string run = absolute_env("XDG_RUNTIME_DIR");
    if (run.empty()) {
      // pam_systemd's directory when there is one (a login session), else one in /tmp. Its owner
      // is compared as this process sees ids: inside `roost unshare` the user is 0.
      const std::string user_run = "/run/user/" + std::to_string(uid);
      struct stat st;
      if (::stat(user_run.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == ::geteuid())
        run = user_run;
    }
    p.run_root = run.empty() ? std::filesystem::path("/tmp/roost-" + std::to_string(uid))
                             : std::filesystem::path(run) / "roost";
  }
  if (std::string root = env("ROOST_ROOT"); !root.empty()) p.data_root = std::filesystem::absolute(root);
  if (std::string runroot = env("ROOST_RUNROOT"); !runroot.empty())
    p.run_root = std::filesystem::absolute(runroot);
  return p;
}

}  // namespace roost::store
