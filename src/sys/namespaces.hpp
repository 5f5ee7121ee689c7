// Namespace types, their clone flags, and the plan of which to create and which to join by path.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "util/unique_fd.hpp"

namespace roost {

// Moves the calling process into the network namespace at `path` (/proc/PID/ns/net, a bound
// netns file); throws naming it.
void enter_netns(const std::string& path);

// Moves the calling process into a new network namespace, runs `prepare` in it (when given), and
// keeps the namespace by a bind mount of it on `path` (an existing file), in the caller's mount
// namespace. For a forked child: the caller stays in its own namespace.
void unshare_netns_bound_at(const std::string& path, const std::function<void()>& prepare = {});

// CLONE_NEWUSER for "user", ...; throws for an unknown type.
int namespace_clone_flag(const std::string& type);
// The /proc/PID/ns/ file name of a type: "network" is "net", "mount" is "mnt".
std::string namespace_proc_name(const std::string& type);

struct JoinedNamespace {
  std::string type;
  int flag = 0;
  UniqueFd fd;
};

struct NamespacePlan {
  int new_flags = 0;                    // namespaces to create
  std::vector<JoinedNamespace> joins;   // namespaces to join, the user namespace first
  bool new_user() const;
  bool joins_user() const;
  bool in_user_namespace() const { return new_user() || joins_user(); }
};

// Opens the paths of joined namespaces now, so that a wrong path fails before anything is started,
// and checks each is a namespace of the stated type.
NamespacePlan plan_namespaces(const oci::Spec& spec);

// In the child: setns() into every joined namespace, in plan order.
void join_namespaces(const NamespacePlan& plan);

}  // namespace roost
