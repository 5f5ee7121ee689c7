// The --help text of roost ns. nerdctl's containerd-rootless.sh decides whether to pass
// --detach-netns by grepping this text for the word, so every flag is named here.
#include "ns/options.hpp"

namespace roost::ns {

std::string ns_help_text(const std::string& program) {
  return "Usage: " + program + R"( [FLAGS] COMMAND [ARGS...]

A rootless "fake root" (rootlesskit-compatible): runs COMMAND as uid 0 in new user and mount
namespaces (and network, pid, cgroup, uts, ipc ones on request), with rootlesskit's state
directory and REST API. Flags take -flag or --flag, -flag=value or -flag value; they end at
the first word that is not a flag.

Misc:
  --debug                        debug messages (default: false)
  --help, -h                     show this help
  --version, -v                  print the version
  --print-semver major|minor|patch   print one part of the rootlesskit version it answers as
State:
  --state-dir DIR                state directory (default: a new one under $TMPDIR, removed at exit)
Network:
  --net DRIVER                   host, none, slirp4netns, pasta (vpnkit, lxc-user-nic and
                                 gvisor-tap-vsock are refused) (default: "host")
  --mtu N                        MTU for a non-host network (0: 65520 for slirp4netns and pasta, 1500 otherwise)
  --cidr CIDR                    network for slirp4netns and pasta (default: 10.0.2.0/24)
  --ifname NAME                  interface name in the namespace (default: tap0)
  --disable-host-loopback        no connections to the host's 127.0.0.1 from inside (default: false)
  --ipv6                         IPv6 routing for slirp4netns and pasta (default: false)
  --detach-netns                 keep the new network namespace at $STATE/netns; COMMAND stays in
                                 the host's network namespace (default: false)
  --slirp4netns-binary PATH      (default: "slirp4netns")
  --slirp4netns-sandbox MODE     auto, true, false (default: "false")
  --slirp4netns-seccomp MODE     auto, true, false (default: "false")
  --pasta-binary PATH            (default: "pasta")
  --vpnkit-binary PATH           (default: "vpnkit")
  --lxc-user-nic-binary PATH
  --lxc-user-nic-bridge NAME     (default: "lxcbr0")
Port:
  --port-driver DRIVER           none, builtin, slirp4netns, implicit (pasta) (default: "none")
  --publish SPEC, -p SPEC        publish a port: [PARENTIP:]PARENTPORT[:CHILDIP]:CHILDPORT/PROTO,
                                 e.g. 127.0.0.1:8080:80/tcp (repeatable)
  --source-ip-transparent        builtin: the server sees the client's address (default: true)
Mount:
  --copy-up DIR                  a writable tmpfs over DIR with links to its entries (repeatable)
  --copy-up-mode MODE            tmpfs+symlink (default: "tmpfs+symlink")
  --propagation MODE             propagation of / : rprivate, private, rslave, slave, rshared, shared
                                 (default: "rprivate")
Process:
  --pidns                        a new PID namespace; COMMAND's parent is its pid 1 (default: false)
  --cgroupns                     a new cgroup namespace (default: false)
  --utsns                        a new UTS namespace (default: false)
  --ipcns                        a new IPC namespace (default: false)
  --reaper MODE                  reap orphans; needs --pidns: auto, true, false (default: "auto")
  --evacuate-cgroup2 NAME        move the processes of the current cgroup v2 group into NAME and
                                 enable its controllers; needs --pidns and --cgroupns
SubID:
  --subid-source SOURCE          auto, dynamic (getsubids, $GETSUBIDS), static (/etc/subuid, /etc/subgid)
                                 (default: "auto")
)";
}

}  // namespace roost::ns
