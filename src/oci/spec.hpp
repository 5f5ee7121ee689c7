// The OCI runtime-spec config.json model: plain structs, parsed and validated in one place.
// Fields roost-runtime does not implement yet are rejected by parse_spec with an error that names them;
// properties the spec does not define are ignored, as config.md requires.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "oci/resources.hpp"

namespace roost::oci {

struct IdMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
  bool operator==(const IdMapping&) const = default;
};

struct User {
  uid_t uid = 0;
  gid_t gid = 0;
  std::optional<mode_t> umask;
  std::vector<gid_t> additional_gids;
};

struct Capabilities {
  std::vector<std::string> bounding, effective, inheritable, permitted, ambient;
};

struct Rlimit {
  std::string type;  // "RLIMIT_NOFILE"
  uint64_t soft = 0;
  uint64_t hard = 0;
};

struct ConsoleSize {
  unsigned height = 0;
  unsigned width = 0;
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> console_size;
  User user;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd = "/";
  std::optional<Capabilities> capabilities;
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;
  std::optional<int> oom_score_adj;
};

struct Mount {
  std::string destination;
  std::string type;
  std::string source;
  std::vector<std::string> options;
};

struct Hook {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<int> timeout;  // seconds
};

struct Hooks {
  std::vector<Hook> prestart, create_runtime, create_container, start_container, poststart, poststop;
};

struct Namespace {
  std::string type;  // "user", "mount", ...
  std::string path;  // empty: create a new one
};

struct Device {
  std::string type;  // "c", "b", "u", "p"
  std::string path;
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<mode_t> file_mode;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
};

struct SeccompArg {
  unsigned index = 0;
  uint64_t value = 0;
  uint64_t value_two = 0;
  std::string op;  // "SCMP_CMP_EQ", ...
};

struct SeccompSyscall {
  std::vector<std::string> names;
  std::string action;  // "SCMP_ACT_ERRNO", ...
  std::optional<unsigned> errno_ret;
  std::vector<SeccompArg> args;
};

struct Seccomp {
  std::string default_action;
  std::optional<unsigned> default_errno_ret;
  std::vector<std::string> architectures;  // "SCMP_ARCH_X86_64", ...
  std::vector<std::string> flags;          // "SECCOMP_FILTER_FLAG_LOG", ...
  std::string listener_path;
  std::string listener_metadata;
  std::vector<SeccompSyscall> syscalls;
};

struct Linux {
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uid_mappings, gid_mappings;
  std::map<std::string, std::string> sysctl;
  std::vector<Device> devices;
  std::vector<std::string> masked_paths, readonly_paths;
  std::string rootfs_propagation;
  std::string cgroups_path;
  Resources resources;
  std::optional<Seccomp> seccomp;
  // linux.seccomp's compacted JSON text instead of `seccomp`, when parse_spec was asked to defer
  // it (SeccompParse::Deferred): the profile is most of a config (11 of 13 KB of spec's), and
  // create and exec need its compiled program, which the seccomp cache finds by this text.
  std::optional<std::string> seccomp_json;
};

struct Spec {
  std::string oci_version;
  std::string root_path;
  bool root_readonly = false;
  std::optional<Process> process;
  std::string hostname;
  std::string domainname;
  std::vector<Mount> mounts;
  Hooks hooks;
  std::map<std::string, std::string> annotations;
  Linux linux;

  const Namespace* find_namespace(const std::string& type) const;
  bool has_namespace(const std::string& type) const { return find_namespace(type) != nullptr; }
};

// Now: linux.seccomp is parsed and checked with the rest. Deferred: its text is kept in
// Linux::seccomp_json, unparsed (parse_seccomp_json reads it, with the same checks), wherever that
// can be done without changing what the document means (json_text.hpp, split_out_member).
enum class SeccompParse { Now, Deferred };

// Parses config.json text; throws roost::Error naming the offending field.
Spec parse_spec(const std::string& json_text, SeccompParse seccomp = SeccompParse::Now);
// linux.seccomp from its JSON text, as parse_spec checks it.
Seccomp parse_seccomp_json(const std::string& json_text);
// The profile, parsed or from the deferred text; nullopt when the config has none.
std::optional<Seccomp> seccomp_profile(const Linux& lx);
// Parses a hooks or process fragment the same way (used for state records and, later, exec).
Process parse_process(const std::string& json_text);
// Reads <bundle>/config.json.
Spec load_spec(const std::string& bundle_dir);

// The namespace types the runtime-spec defines and roost-runtime implements.
const std::vector<std::string>& supported_namespace_types();

}  // namespace roost::oci
