#include "sys/namespaces.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>

#include "util/error.hpp"

namespace roost {

void enter_netns(const std::string& path) {
  UniqueFd ns(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns) throw_errno("open the network namespace " + path);
  if (::setns(ns.get(), CLONE_NEWNET) < 0) throw_errno("join the network namespace " + path);
}

void unshare_netns_bound_at(const std::string& path, const std::function<void()>& prepare) {
  if (::unshare(CLONE_NEWNET) < 0) throw_errno("unshare a network namespace");
  if (prepare) prepare();
  if (::mount("/proc/self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) < 0)
    throw_errno("bind the network namespace on " + path);
}

int namespace_clone_flag(const std::string& type) {
  if (type == "user") return CLONE_NEWUSER;
  if (type == "mount") return CLONE_NEWNS;
  if (type == "pid") return CLONE_NEWPID;
  if (type == "ipc") return CLONE_NEWIPC;
  if (type == "uts") return CLONE_NEWUTS;
  if (type == "network") return CLONE_NEWNET;
  if (type == "cgroup") return CLONE_NEWCGROUP;
  throw Error("unknown namespace type \"" + type + "\"");
}

std::string namespace_proc_name(const std::string& type) {
  if (type == "network") return "net";
  if (type == "mount") return "mnt";
  return type;
}

bool NamespacePlan::new_user() const { return new_flags & CLONE_NEWUSER; }

bool NamespacePlan::joins_user() const { return !joins.empty() && joins.front().flag == CLONE_NEWUSER; }

NamespacePlan plan_namespaces(const oci::Spec& spec) {
  NamespacePlan plan;
  for (const auto& ns : spec.linux.namespaces) {
    int flag = namespace_clone_flag(ns.type);
    if (ns.path.empty()) {
      plan.new_flags |= flag;
      continue;
    }
    JoinedNamespace joined{ns.type, flag, UniqueFd(::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC))};
    if (!joined.fd) throw_errno("open " + ns.type + " namespace " + ns.path);
    int actual = ::ioctl(joined.fd.get(), NS_GET_NSTYPE);
    if (actual < 0) throw Error(ns.path + " is not a namespace file");
    if (actual != flag) throw Error(ns.path + " is not a " + ns.type + " namespace");
    // Joining the user namespace first gives the rights needed to join the ones it owns.
    if (flag == CLONE_NEWUSER)
      plan.joins.insert(plan.joins.begin(), std::move(joined));
    else
      plan.joins.push_back(std::move(joined));
  }
  return plan;
}

void join_namespaces(const NamespacePlan& plan) {
  for (const auto& ns : plan.joins)
    if (::setns(ns.fd.get(), ns.flag) < 0) throw_errno("join " + ns.type + " namespace");
}

}  // namespace roost
