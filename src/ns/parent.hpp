// The parent half of roost ns: it stays in the host's namespaces, clones the child into new ones,
// maps its ids, starts the network and port drivers for it, serves the REST API, forwards signals,
// and exits with the child's code, leaving nothing behind.
//
//  parent (host namespaces)                        child (new user+mount[+net,pid,...] ns)
//  state dir + lock; signals blocked -> signalfd
//  clone3(NEWUSER|NEWNS|...) ────────────────────► waits for ids_mapped
//  newuidmap & newgidmap at once ── ids_mapped ──► execs /proc/self/exe (uid 0, all caps;
//                                                    environ has ROOTLESSKIT_*)
//                                  ◄─ userns_ready  [--detach-netns: $STATE/netns made]
//  evacuate cgroup2; network driver start
//                                  ── network ───► propagation, copy-up, /sys, /proc, lo + dev,
//                                                    resolv.conf/hosts; port driver child half
//                                  ◄─ child_ready
//  port driver, -p ports, api.sock, child_pid
//                                  ── start ─────► forks + execs the command, forwards signals,
//  forwards signals; waits on the child's pidfd     reaps (--pidns), exits with its code
//  stops drivers, removes the state dir, exits with the child's code
#pragma once

#include <string>
#include <vector>

#include "ns/options.hpp"

namespace roost::ns {

// `argv` is the whole command line, as the child is to be re-executed with it.
int run_ns_parent(const NsOptions& opts, const std::vector<std::string>& argv);

}  // namespace roost::ns
