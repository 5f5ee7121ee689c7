#include "oci/spec.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "oci/json_fields.hpp"
#include "oci/json_text.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::oci {
namespace {

using json = nlohmann::json;
using fields::array_at;
using fields::get_to;
using fields::is_empty_value;
using fields::object_at;

// A field the runtime-spec defines but roost-runtime does not implement: refusing it is honest,
// ignoring it would run the container without what the user asked for.
void reject_unimplemented(const json& obj, const std::vector<std::string>& keys, const std::string& where) {
  for (const auto& key : keys) {
    auto it = obj.find(key);
    if (it != obj.end() && !is_empty_value(*it))
      throw Error("config.json: " + where + "." + key + " is not supported by roost-runtime yet");
  }
}

std::vector<IdMapping> parse_mappings(const json& obj, const char* key, const std::string& where) {
  std::vector<IdMapping> out;
  for (const auto& m : array_at(obj, key, where)) {
    IdMapping im;
    std::string here = where + "." + key;
    if (!m.contains("containerID") || !m.contains("hostID") || !m.contains("size"))
      throw Error("config.json: " + here + ": each mapping needs containerID, hostID and size");
    get_to(m, "containerID", im.container_id, here);
    get_to(m, "hostID", im.host_id, here);
    get_to(m, "size", im.size, here);
    if (im.size == 0) throw Error("config.json: " + here + ": size must be > 0");
    out.push_back(im);
  }
  return out;
}

std::vector<Hook> parse_hooks(const json& hooks, const char* key) {
  std::vector<Hook> out;
  std::string where = std::string("hooks.") + key;
  for (const auto& h : array_at(hooks, key, "hooks")) {
    Hook hook;
    get_to(h, "path", hook.path, where);
    get_to(h, "args", hook.args, where);
    get_to(h, "env", hook.env, where);
    if (h.contains("timeout")) {
      int t = 0;
      get_to(h, "timeout", t, where);
      if (t <= 0) throw Error("config.json: " + where + ".timeout: must be greater than zero");
      hook.timeout = t;
    }
    if (hook.path.empty() || hook.path[0] != '/') throw Error("config.json: " + where + ".path: must be absolute");
    out.push_back(std::move(hook));
  }
  return out;
}

Process parse_process_json(const json& p) {
  const std::string where = "process";
  if (!p.is_object()) throw Error("config.json: process: must be an object");
  reject_unimplemented(p, {"apparmorProfile", "selinuxLabel", "ioPriority", "scheduler", "execCPUAffinity"}, where);
  Process proc;
  get_to(p, "terminal", proc.terminal, where);
  const json& cs = object_at(p, "consoleSize", where);
  if (!cs.empty()) {
    ConsoleSize size;
    get_to(cs, "height", size.height, where + ".consoleSize");
    get_to(cs, "width", size.width, where + ".consoleSize");
    proc.console_size = size;
  }
  const json& user = object_at(p, "user", where);
  get_to(user, "uid", proc.user.uid, where + ".user");
  get_to(user, "gid", proc.user.gid, where + ".user");
  if (user.contains("umask") && !user["umask"].is_null()) {
    mode_t umask = 0;
    get_to(user, "umask", umask, where + ".user");
    proc.user.umask = umask;
  }
  get_to(user, "additionalGids", proc.user.additional_gids, where + ".user");
  if (user.contains("username") && !is_empty_value(user["username"]))
    throw Error("config.json: process.user.username is for Windows containers");
  get_to(p, "args", proc.args, where);
  if (proc.args.empty()) throw Error("config.json: process.args: must name the program to run");
  get_to(p, "env", proc.env, where);
  get_to(p, "cwd", proc.cwd, where);
  if (proc.cwd.empty() || proc.cwd[0] != '/') throw Error("config.json: process.cwd: must be an absolute path");
  const json& caps = object_at(p, "capabilities", where);
  if (p.contains("capabilities") && !p["capabilities"].is_null()) {
    Capabilities c;
    std::string cw = where + ".capabilities";
    get_to(caps, "bounding", c.bounding, cw);
    get_to(caps, "effective", c.effective, cw);
    get_to(caps, "inheritable", c.inheritable, cw);
    get_to(caps, "permitted", c.permitted, cw);
    get_to(caps, "ambient", c.ambient, cw);
    proc.capabilities = std::move(c);
  }
  for (const auto& r : array_at(p, "rlimits", where)) {
    Rlimit rl;
    get_to(r, "type", rl.type, where + ".rlimits");
    get_to(r, "soft", rl.soft, where + ".rlimits");
    get_to(r, "hard", rl.hard, where + ".rlimits");
    if (rl.soft > rl.hard) throw Error("config.json: process.rlimits: " + rl.type + " soft limit is above the hard limit");
    proc.rlimits.push_back(rl);
  }
  get_to(p, "noNewPrivileges", proc.no_new_privileges, where);
  if (p.contains("oomScoreAdj") && !p["oomScoreAdj"].is_null()) {
    int adj = 0;
    get_to(p, "oomScoreAdj", adj, where);
    if (adj < -1000 || adj > 1000) throw Error("config.json: process.oomScoreAdj: must be within -1000..1000");
    proc.oom_score_adj = adj;
  }
  return proc;
}

json parse_json_text(const std::string& text) {
  try {
    return parse_json_compacted(text);
  } catch (const json::exception& e) {
    // Not only parse_error: a number too large for a double ("1e9999") is an out_of_range
    // (found by fuzz/fuzz_spec).
    throw Error(std::string("config.json: malformed JSON: ") + e.what());
  }
}

// The document without linux.seccomp's value (its text goes to `seccomp_json`) when it can be cut
// out (split_out_member); otherwise, or if the rest does not parse, the whole, as parse_json_text.
json parse_json_text_deferring_seccomp(const std::string& text, std::optional<std::string>& seccomp_json) {
  // Compacted once: a config without the member (split refused) is parsed from the same text.
  const std::string compact = without_insignificant_whitespace(text);
  try {
    if (auto split = split_out_member(compact, "linux", "seccomp")) {
      json doc = json::parse(split->rest);
      seccomp_json = std::move(split->value);
      return doc;
    }
    return json::parse(compact);
  } catch (const json::exception&) {
    // The whole text's own error, with its line and column.
  }
  return parse_json_text(text);
}

Seccomp parse_seccomp(const json& sc) {
  const std::string where = "linux.seccomp";
  Seccomp out;
  get_to(sc, "defaultAction", out.default_action, where);
  if (out.default_action.empty()) throw Error("config.json: linux.seccomp.defaultAction: missing");
  if (sc.contains("defaultErrnoRet") && !sc["defaultErrnoRet"].is_null()) {
    unsigned v = 0;
    get_to(sc, "defaultErrnoRet", v, where);
    out.default_errno_ret = v;
  }
  get_to(sc, "architectures", out.architectures, where);
  get_to(sc, "flags", out.flags, where);
  get_to(sc, "listenerPath", out.listener_path, where);
  get_to(sc, "listenerMetadata", out.listener_metadata, where);
  for (const auto& r : array_at(sc, "syscalls", where)) {
    SeccompSyscall rule;
    const std::string rw = where + ".syscalls[]";
    get_to(r, "names", rule.names, rw);
    get_to(r, "action", rule.action, rw);
    if (rule.names.empty()) throw Error("config.json: " + rw + ".names: must name at least one syscall");
    if (rule.action.empty()) throw Error("config.json: " + rw + ".action: missing");
    if (r.contains("errnoRet") && !r["errnoRet"].is_null()) {
      unsigned v = 0;
      get_to(r, "errnoRet", v, rw);
      rule.errno_ret = v;
    }
    for (const auto& a : array_at(r, "args", rw)) {
      SeccompArg arg;
      get_to(a, "index", arg.index, rw + ".args[]");
      get_to(a, "value", arg.value, rw + ".args[]");
      get_to(a, "valueTwo", arg.value_two, rw + ".args[]");
      get_to(a, "op", arg.op, rw + ".args[]");
      if (arg.index > 5) throw Error("config.json: " + rw + ".args[].index: " + std::to_string(arg.index) + " is not 0..5");
      rule.args.push_back(arg);
    }
    out.syscalls.push_back(std::move(rule));
  }
  return out;
}

}  // namespace

const std::vector<std::string>& supported_namespace_types() {
  static const std::vector<std::string> types = {"user", "mount", "pid", "ipc", "uts", "network", "cgroup"};
  return types;
}

const Namespace* Spec::find_namespace(const std::string& type) const {
  for (const auto& ns : linux.namespaces)
    if (ns.type == type) return &ns;
  return nullptr;
}

Process parse_process(const std::string& json_text) { return parse_process_json(parse_json_text(json_text)); }

Seccomp parse_seccomp_json(const std::string& json_text) {
  json sc;
  try {
    sc = json::parse(json_text);
  } catch (const json::exception& e) {
    throw Error(std::string("config.json: linux.seccomp: malformed JSON: ") + e.what());
  }
  if (!sc.is_object()) throw Error("config.json: linux.seccomp: must be an object");
  return parse_seccomp(sc);
}

std::optional<Seccomp> seccomp_profile(const Linux& lx) {
  if (lx.seccomp) return lx.seccomp;
  if (lx.seccomp_json) return parse_seccomp_json(*lx.seccomp_json);
  return std::nullopt;
}

namespace {

Mount parse_mount(const json& m) {
  Mount mount;
  reject_unimplemented(m, {"uidMappings", "gidMappings"}, "mounts[]");
  get_to(m, "destination", mount.destination, "mounts[]");
  get_to(m, "type", mount.type, "mounts[]");
  get_to(m, "source", mount.source, "mounts[]");
  get_to(m, "options", mount.options, "mounts[]");
  if (mount.destination.empty()) throw Error("config.json: mounts[]: destination missing");
  // runtime-spec 1.1 allows a relative destination, meaning relative to "/".
  if (mount.destination[0] != '/') mount.destination = "/" + mount.destination;
  return mount;
}

Hooks parse_all_hooks(const json& hooks) {
  Hooks out;
  out.prestart = parse_hooks(hooks, "prestart");
  out.create_runtime = parse_hooks(hooks, "createRuntime");
  out.create_container = parse_hooks(hooks, "createContainer");
  out.start_container = parse_hooks(hooks, "startContainer");
  out.poststart = parse_hooks(hooks, "poststart");
  out.poststop = parse_hooks(hooks, "poststop");
  return out;
}

// `listed` so far, for the check that no type is listed twice.
Namespace parse_namespace(const json& n, const std::vector<Namespace>& listed) {
  Namespace ns;
  get_to(n, "type", ns.type, "linux.namespaces[]");
  get_to(n, "path", ns.path, "linux.namespaces[]");
  const auto& types = supported_namespace_types();
  if (std::find(types.begin(), types.end(), ns.type) == types.end())
    throw Error("config.json: linux.namespaces: unknown or unsupported namespace type \"" + ns.type + "\"");
  for (const auto& other : listed)
    if (other.type == ns.type) throw Error("config.json: linux.namespaces: \"" + ns.type + "\" is listed twice");
  if (!ns.path.empty() && ns.path[0] != '/')
    throw Error("config.json: linux.namespaces: path of \"" + ns.type + "\" must be absolute");
  return ns;
}

// An optional number: absent and null both leave `out` empty.
template <typename T>
void get_optional_to(const json& obj, const char* key, std::optional<T>& out, const std::string& where) {
  if (!obj.contains(key) || obj[key].is_null()) return;
  T value = 0;
  get_to(obj, key, value, where);
  out = value;
}

Device parse_device(const json& d) {
  Device dev;
  std::string where = "linux.devices[]";
  get_to(d, "type", dev.type, where);
  get_to(d, "path", dev.path, where);
  get_to(d, "major", dev.major, where);
  get_to(d, "minor", dev.minor, where);
  get_optional_to(d, "fileMode", dev.file_mode, where);
  get_optional_to(d, "uid", dev.uid, where);
  get_optional_to(d, "gid", dev.gid, where);
  if (dev.path.empty() || dev.path[0] != '/') throw Error("config.json: " + where + ".path: must be absolute");
  if (dev.type != "c" && dev.type != "b" && dev.type != "u" && dev.type != "p")
    throw Error("config.json: " + where + ".type: \"" + dev.type + "\" is not one of c, b, u, p");
  return dev;
}

Linux parse_linux(const json& lx) {
  Linux out;
  reject_unimplemented(lx,
                       {"intelRdt", "personality", "timeOffsets", "mountLabel", "memoryPolicy", "netDevices"},
                       "linux");
  out.resources = parse_resources(object_at(lx, "resources", "linux"));
  for (const auto& n : array_at(lx, "namespaces", "linux")) out.namespaces.push_back(parse_namespace(n, out.namespaces));
  out.uid_mappings = parse_mappings(lx, "uidMappings", "linux");
  out.gid_mappings = parse_mappings(lx, "gidMappings", "linux");
  get_to(lx, "sysctl", out.sysctl, "linux");
  for (const auto& d : array_at(lx, "devices", "linux")) out.devices.push_back(parse_device(d));
  get_to(lx, "maskedPaths", out.masked_paths, "linux");
  get_to(lx, "readonlyPaths", out.readonly_paths, "linux");
  get_to(lx, "rootfsPropagation", out.rootfs_propagation, "linux");
  static const std::vector<std::string> propagations = {"",        "private",  "rprivate", "shared",    "rshared",
                                                        "slave",   "rslave",   "unbindable", "runbindable"};
  if (std::find(propagations.begin(), propagations.end(), out.rootfs_propagation) == propagations.end())
    throw Error("config.json: linux.rootfsPropagation: unknown value \"" + out.rootfs_propagation + "\"");
  get_to(lx, "cgroupsPath", out.cgroups_path, "linux");
  if (lx.contains("seccomp") && !lx["seccomp"].is_null()) {
    if (!lx["seccomp"].is_object()) throw Error("config.json: linux.seccomp: must be an object");
    out.seccomp = parse_seccomp(lx["seccomp"]);
  }
  return out;
}

// What one part of config.json asks of another.
void check_consistency(const Spec& spec) {
  if ((!spec.linux.uid_mappings.empty() || !spec.linux.gid_mappings.empty()) && !spec.has_namespace("user"))
    throw Error("config.json: linux.uidMappings/gidMappings are given but there is no user namespace");
  if (!spec.hostname.empty() && !spec.has_namespace("uts"))
    throw Error("config.json: hostname is set but there is no uts namespace");
  if (!spec.domainname.empty() && !spec.has_namespace("uts"))
    throw Error("config.json: domainname is set but there is no uts namespace");
}

}  // namespace

Spec parse_spec(const std::string& json_text, SeccompParse seccomp) {
  std::optional<std::string> seccomp_json;
  json doc = seccomp == SeccompParse::Deferred ? parse_json_text_deferring_seccomp(json_text, seccomp_json)
                                                : parse_json_text(json_text);
  if (!doc.is_object()) throw Error("config.json: top level must be an object");
  Spec spec;
  get_to(doc, "ociVersion", spec.oci_version, "");
  if (spec.oci_version.empty()) throw Error("config.json: ociVersion: missing");
  if (!starts_with(spec.oci_version, "1.")) throw Error("config.json: ociVersion " + spec.oci_version + " is not 1.x");

  const json& root = object_at(doc, "root", "");
  get_to(root, "path", spec.root_path, "root");
  get_to(root, "readonly", spec.root_readonly, "root");
  if (spec.root_path.empty()) throw Error("config.json: root.path: missing");

  if (doc.contains("process") && !doc["process"].is_null()) spec.process = parse_process_json(doc["process"]);
  get_to(doc, "hostname", spec.hostname, "");
  get_to(doc, "domainname", spec.domainname, "");
  get_to(doc, "annotations", spec.annotations, "");
  for (const auto& m : array_at(doc, "mounts", "")) spec.mounts.push_back(parse_mount(m));
  spec.hooks = parse_all_hooks(object_at(doc, "hooks", ""));
  spec.linux = parse_linux(object_at(doc, "linux", ""));
  spec.linux.seccomp_json = std::move(seccomp_json);  // where the document now has null
  check_consistency(spec);
  return spec;
}

Spec load_spec(const std::string& bundle_dir) {
  std::string path = bundle_dir + "/config.json";
  std::string text;
  try {
    text = read_file(path);
  } catch (const SysError& e) {
    if (e.err() == ENOENT) throw Error("bundle " + bundle_dir + " has no config.json");
    throw;
  }
  return parse_spec(text);
}

}  // namespace roost::oci
