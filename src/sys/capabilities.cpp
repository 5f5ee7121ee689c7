#include "sys/capabilities.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <memory>

#include "util/error.hpp"

namespace roost {
namespace {

cap_value_t cap_from_name_or_throw(const std::string& name) {
  cap_value_t value;
  // cap_from_name also takes lower-case names and "all"; the spec names them CAP_*.
  if (name.rfind("CAP_", 0) != 0 || cap_from_name(name.c_str(), &value) != 0 || value > CAP_LAST_CAP ||
      !CAP_IS_SUPPORTED(value))
    throw Error("unknown capability \"" + name + "\"");
  return value;
}

std::vector<cap_value_t> to_values(const std::vector<std::string>& names) {
  std::vector<cap_value_t> out;
  out.reserve(names.size());
  for (const auto& n : names) out.push_back(cap_from_name_or_throw(n));
  return out;
}

bool contains(const std::vector<cap_value_t>& set, cap_value_t v) {
  for (auto c : set)
    if (c == v) return true;
  return false;
}

}  // namespace

std::vector<std::string> capability_names() {
  std::vector<std::string> out;
  for (cap_value_t v = 0; v <= cap_max_bits() - 1; ++v) {
    if (!CAP_IS_SUPPORTED(v)) continue;
    char* name = cap_to_name(v);
    if (!name) continue;
    std::string upper = name;
    cap_free(name);
    for (auto& ch : upper) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
    // Capabilities newer than libcap come back as plain numbers; the spec cannot name them.
    if (upper.rfind("CAP_", 0) == 0) out.push_back(upper);
  }
  return out;
}

void validate_capabilities(const oci::Capabilities& caps) {
  for (const auto* set : {&caps.bounding, &caps.effective, &caps.inheritable, &caps.permitted, &caps.ambient})
    to_values(*set);
}

void drop_bounding_set(const oci::Capabilities& caps) {
  auto keep = to_values(caps.bounding);
  for (cap_value_t v = 0; v < cap_max_bits(); ++v) {
    if (contains(keep, v)) continue;
    if (prctl(PR_CAPBSET_DROP, v, 0, 0, 0) < 0 && errno != EINVAL)
      throw_errno("drop capability " + std::to_string(v) + " from the bounding set");
  }
}

namespace {

using CapState = std::unique_ptr<std::remove_pointer_t<cap_t>, decltype(&cap_free)>;

bool permits(cap_t state, cap_value_t v) {
  cap_flag_value_t value = CAP_CLEAR;
  return cap_get_flag(state, v, CAP_PERMITTED, &value) == 0 && value == CAP_SET;
}

bool holds_permitted(cap_value_t v) {
  CapState now(cap_get_proc(), cap_free);
  return now && permits(now.get(), v);
}

}  // namespace

void raise_sys_admin() {
  CapState now(cap_get_proc(), cap_free);
  if (!now) throw_errno("read the process capabilities");
  cap_value_t admin = CAP_SYS_ADMIN;
  if (!permits(now.get(), admin)) return;  // the filter's load says what is missing
  if (cap_set_flag(now.get(), CAP_EFFECTIVE, 1, &admin, CAP_SET) < 0 || cap_set_proc(now.get()) < 0)
    throw_errno("keep CAP_SYS_ADMIN for the seccomp filter (noNewPrivileges is unset)");
}

void apply_process_capabilities(const oci::Capabilities& caps, bool keep_sys_admin) {
  const bool add_admin = keep_sys_admin && holds_permitted(CAP_SYS_ADMIN);
  CapState state(cap_init(), cap_free);
  if (!state) throw_errno("cap_init");
  auto set_flag = [&](const std::vector<std::string>& names, cap_flag_t flag) {
    auto values = to_values(names);
    if (!values.empty() && cap_set_flag(state.get(), flag, static_cast<int>(values.size()), values.data(), CAP_SET) < 0)
      throw_errno("cap_set_flag");
  };
  set_flag(caps.effective, CAP_EFFECTIVE);
  set_flag(caps.permitted, CAP_PERMITTED);
  set_flag(caps.inheritable, CAP_INHERITABLE);
  if (add_admin) {
    cap_value_t admin = CAP_SYS_ADMIN;
    if (cap_set_flag(state.get(), CAP_EFFECTIVE, 1, &admin, CAP_SET) < 0 ||
        cap_set_flag(state.get(), CAP_PERMITTED, 1, &admin, CAP_SET) < 0)
      throw_errno("cap_set_flag");
  }
  if (cap_set_proc(state.get()) < 0) throw_errno("set process capabilities");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) throw_errno("clear ambient capabilities");
  for (auto v : to_values(caps.ambient)) {
    // The kernel requires an ambient capability to be permitted and inheritable; like runc, an
    // ambient capability that cannot be raised is not an error.
    (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, v, 0, 0);
  }
}

}  // namespace roost
