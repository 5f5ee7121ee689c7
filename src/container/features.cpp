#include "container/features.hpp"

#include <nlohmann/json.hpp>

#include "oci/spec.hpp"
#include "sys/capabilities.hpp"
#include "sys/seccomp.hpp"

namespace roost {

using json = nlohmann::ordered_json;

std::string features_json() {
  json namespaces = json::array();
  for (const auto& t : oci::supported_namespace_types()) namespaces.push_back(t);
  json doc = {
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", "1.2.0"},
      {"hooks", {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}},
      {"mountOptions",
       {"async",    "atime",      "bind",       "defaults",   "dev",       "diratime",  "dirsync",    "exec",
        "iversion", "lazytime",   "loud",       "mand",       "noatime",   "nodev",     "nodiratime", "noexec",
        "noiversion", "nolazytime", "nomand",   "norelatime", "nostrictatime", "nosuid", "nosymfollow",
        "private",  "rbind",      "relatime",   "remount",    "ro",        "rprivate",  "rshared",    "rslave",
        "runbindable", "rw",      "shared",     "silent",     "slave",     "strictatime", "suid",     "symfollow",
        "sync",     "tmpcopyup", "unbindable"}},
      {"linux",
       {{"namespaces", namespaces},
        {"capabilities", capability_names()},
        // cgroup v2 groups on cgroupfs; --systemd-cgroup paths are laid out without asking systemd.
        {"cgroup", {{"v1", false}, {"v2", true}, {"systemd", false}, {"systemdUser", false}, {"rdma", false}}},
        {"seccomp",
         {{"enabled", true},
          {"actions", seccomp_actions()},
          {"operators", seccomp_operators()},
          {"archs", seccomp_architectures()},
          {"knownFlags", {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                          "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"}},
          {"supportedFlags", seccomp_flags()}}},
        {"apparmor", {{"enabled", false}}},
        {"selinux", {{"enabled", false}}},
        {"intelRdt", {{"enabled", false}}},
        {"mountExtensions", {{"idmap", {{"enabled", false}}}}}}},
      {"annotations",
       {{"org.opencontainers.runc.checkpoint.enabled", "false"}, {"io.github.roost.runtime.rootless", "true"}}}};
  return doc.dump(2) + "\n";
}

}  // namespace roost
