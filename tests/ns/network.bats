#!/usr/bin/env bats
# roost ns's network drivers (slirp4netns, pasta, none) seen from the command: addresses, routes,
# MTU, resolv.conf, the host's loopback at the gateway (and its refusal with
# --disable-host-loopback), --detach-netns, --ipv6, and one-line errors that leave nothing behind.
# Fixed ports: 21500-21599 (this file's range). Run as an unprivileged user (see helpers.bash).

load helpers

setup_file() { ns_require_bin; }
setup() { ns_init_test; }
teardown() { ns_teardown; }

# A host server on 127.0.0.1:PORT that answers every connection with "hello-from-host".
host_server() {
  host_bg "server-$1" socat "TCP-LISTEN:$1,bind=127.0.0.1,reuseaddr,fork" SYSTEM:'echo hello-from-host'
  NS_PORTS+=("$1")
  wait_for 5 sh -c "ss -Hlnt 'sport = :$1' | grep -q ."
}

# Inside the namespace: one line from the host server through the driver's gateway, or an error.
probe='socat -T 3 - TCP:$GW:$PORT,connect-timeout=3 </dev/null 2>&1'

@test "slirp4netns: tap0 10.0.2.100/24, default route via 10.0.2.2, MTU 65520, DNS 10.0.2.3, host loopback at 10.0.2.2" {
  host_server 21500
  run ns_run --net=slirp4netns -- sh -c "ip -4 -o addr show tap0; ip route; cat /sys/class/net/tap0/mtu; cat /etc/resolv.conf; GW=10.0.2.2 PORT=21500; $probe"
  show
  [ "$status" -eq 0 ]
  [[ "$output" == *"inet 10.0.2.100/24"* ]]
  [[ "$output" == *"default via 10.0.2.2 dev tap0"* ]]
  [[ "$output" == *$'\n65520\n'* ]]
  [[ "$output" == *"nameserver 10.0.2.3"* ]]
  [[ "$output" == *"hello-from-host"* ]]
}

@test "slirp4netns: roost makes tap0 persistent before slirp4netns attaches to it (slirp4netns's exit then removes no device)" {
  [ "$NS_IMPL" = roost ] || skip "roost's own way: rootlesskit lets slirp4netns make tap0"
  run ns_run --net=slirp4netns --disable-host-loopback -- ip -d link show tap0
  show
  [ "$status" -eq 0 ]
  [[ "$output" == *"persist on"* ]]
  [[ "$output" == *LOWER_UP* ]]  # slirp4netns holds it: the carrier is on
}

@test "slirp4netns --disable-host-loopback: 10.0.2.2 refuses the host's loopback" {
  host_server 21501
  run ns_run --net=slirp4netns --disable-host-loopback -- sh -c "ip route; GW=10.0.2.2 PORT=21501; $probe"
  show
  [[ "$output" == *"default via 10.0.2.2 dev tap0"* ]]
  [[ "$output" != *"hello-from-host"* ]]
  # libslirp answers the refused connect with an ICMP "network unreachable"
  [[ "$output" == *"Network is unreachable"* ]] || [[ "$output" == *"refused"* ]]
}

@test "slirp4netns --cidr=10.5.0.0/16 --mtu=1400 --ifname=eth5: rootlesskit's +100/+2/+3 arithmetic" {
  host_server 21502
  run ns_run --net=slirp4netns --cidr=10.5.0.0/16 --mtu=1400 --ifname=eth5 -- \
    sh -c "ip -4 -o addr show eth5; ip route; cat /sys/class/net/eth5/mtu; cat /etc/resolv.conf; GW=10.5.0.2 PORT=21502; $probe"
  show
  [ "$status" -eq 0 ]
  [[ "$output" == *"inet 10.5.0.100/16"* ]]
  [[ "$output" == *"default via 10.5.0.2 dev eth5"* ]]
  [[ "$output" == *$'\n1400\n'* ]]
  [[ "$output" == *"nameserver 10.5.0.3"* ]]
  [[ "$output" == *"hello-from-host"* ]]
}

@test "slirp4netns --ipv6: the kernel takes an fd00::/64 address from slirp4netns; resolv.conf stays IPv4" {
  run ns_run --net=slirp4netns --ipv6 -- sh -c 'for i in $(seq 50); do ip -6 -o addr show tap0 scope global | grep -q fd00: && break; sleep 0.1; done; ip -6 -o addr show tap0 scope global; cat /etc/resolv.conf'
  show
  [ "$status" -eq 0 ]
  [[ "$output" == *"inet6 fd00::"*"/64"* ]]
  # as rootlesskit 1.1: 10.0.2.3 only (slirp4netns's fd00::3 is not written)
  [[ "$output" == *"nameserver 10.0.2.3"* ]]
  [[ "$output" != *"nameserver fd00::3"* ]]
}

@test "slirp4netns with --slirp4netns-sandbox=true --slirp4netns-seccomp=true still serves the host loopback" {
  host_server 21503
  run ns_run --net=slirp4netns --slirp4netns-sandbox=true --slirp4netns-seccomp=true -- sh -c "GW=10.0.2.2 PORT=21503; $probe"
  show
  [ "$status" -eq 0 ]
  [[ "$output" == *"hello-from-host"* ]]
}

@test "slirp4netns --detach-netns: the command keeps the host's network, \$STATE/netns has tap0" {
  ns_lacks detach-netns
  host_server 21504
  host_netns=$(readlink /proc/self/ns/net)
  run ns_run --net=slirp4netns --detach-netns -- sh -c "readlink /proc/self/ns/net; nsenter -n\$ROOTLESSKIT_STATE_DIR/netns sh -c 'ip -4 -o addr show tap0; GW=10.0.2.2 PORT=21504; $probe'"
  show
  [ "$status" -eq 0 ]
  [[ "$output" == *"$host_netns"* ]]
  [[ "$output" == *"inet 10.0.2.100/24"* ]]
  [[ "$output" == *"hello-from-host"* ]]
}

@test "slirp4netns's API socket answers at \$STATE/.s4nn.sock while the command runs" {
  # rootlesskit 1.1 gives slirp4netns an API socket only for its port driver; roost always does
  if [ "$NS_IMPL" = rootlesskit ]; then ns_start --net=slirp4netns --port-driver=slirp4netns; else ns_start --net=slirp4netns; fi
  [ -S "$NS_STATE/.s4nn.sock" ]
  run socat -T 3 - "UNIX-CONNECT:$NS_STATE/.s4nn.sock" <<<'{"execute": "list_hostfwd"}'
  show
  [[ "$output" == *'"entries"'* ]]
}

@test "pasta: tap0 10.0.2.100/24 configured by pasta, MTU, DNS 10.0.2.3, host loopback at 10.0.2.2" {
  ns_lacks pasta
  host_server 21505
  run ns_run --net=pasta --mtu=9000 -- sh -c "ip -4 -o addr show tap0; ip route; cat /sys/class/net/tap0/mtu; cat /etc/resolv.conf; GW=10.0.2.2 PORT=21505; $probe"
  show
  [ "$status" -eq 0 ]
  [[ "$output" == *"inet 10.0.2.100/24"* ]]
  [[ "$output" == *"default via 10.0.2.2 dev tap0"* ]]
  [[ "$output" == *$'\n9000\n'* ]]
  [[ "$output" == *"nameserver 10.0.2.3"* ]]
  [[ "$output" == *"hello-from-host"* ]]
}

@test "pasta --detach-netns --cidr=10.7.0.0/24: pasta serves \$STATE/netns" {
  ns_lacks pasta
  host_server 21506
  run ns_run --net=pasta --detach-netns --cidr=10.7.0.0/24 -- sh -c "nsenter -n\$ROOTLESSKIT_STATE_DIR/netns sh -c 'ip -4 -o addr show tap0; GW=10.7.0.2 PORT=21506; $probe'"
  show
  [ "$status" -eq 0 ]
  [[ "$output" == *"inet 10.7.0.100/24"* ]]
  [[ "$output" == *"hello-from-host"* ]]
}

@test "pasta --ipv6: pasta copies the host's IPv6 address and default route (this pasta has no separate one)" {
  ns_lacks pasta
  host6=$(ip -6 -o addr show scope global | awk '{print $4}' | head -1)
  [ -n "$host6" ] || skip "the host has no global IPv6 address"
  run ns_run --net=pasta --ipv6 -- sh -c 'ip -6 -o addr show tap0 scope global; ip -6 route show default'
  show
  [ "$status" -eq 0 ]
  [[ "$output" == *"inet6 $host6"* ]]
  [[ "$output" == *"default via"*"dev tap0"* ]]
  run ns_run --net=pasta -- sh -c 'ip -6 -o addr show tap0 scope global'
  show
  [ "$status" -eq 0 ]
  [[ "$output" != *"inet6"* ]]  # without --ipv6: IPv4 only
}

@test "none: a network namespace with lo only" {
  ns_lacks net-none
  run ns_run --net=none -- sh -c 'ip -o link | cut -d: -f2; ip -4 -o addr'
  show
  [ "$status" -eq 0 ]
  [[ "$output" == *"lo"* ]]
  [[ "$output" != *"tap0"* ]]
  [[ "$output" == *"inet 127.0.0.1/8"* ]]
}

# An error: one line (besides rootlesskit's warning about --disable-host-loopback), non-zero exit,
# no helper left (teardown also looks for leftovers).
one_line_error() {
  show
  [ "$status" -ne 0 ]
  local errors
  errors=$(grep -v 'disable-host-loopback is highly recommended' <<<"$output")
  [ "$(wc -l <<<"$errors")" -eq 1 ]
  [[ "$errors" == *"$1"* ]]
  ! pgrep -u "$(id -u)" -f "$BATS_TEST_TMPDIR/state-run" >/dev/null
  # rootlesskit 1.1 leaves its given state dir with the lock file after an early error
  if [ "$NS_IMPL" = rootlesskit ]; then rm -rf "$BATS_TEST_TMPDIR/state-run"; fi
}

@test "errors: an unknown --net is one line and nothing starts" {
  run ns_run --net=bogus true
  one_line_error "unknown network mode: bogus"
}

@test "errors: a missing slirp4netns binary is one line saying what to install" {
  [ "$NS_IMPL" = roost ] || skip "rootlesskit's message differs"
  run ns_run --net=slirp4netns --slirp4netns-binary=/nonexistent true
  one_line_error "install the Debian package slirp4netns"
}

@test "errors: a missing pasta binary is one line saying what to install" {
  ns_lacks pasta
  [ "$NS_IMPL" = roost ] || skip "rootlesskit's message differs"
  run ns_run --net=pasta --pasta-binary=/nonexistent true
  one_line_error "install the Debian package passt"
}

@test "errors: --cidr that is not a network address, or too small for the child" {
  run ns_run --net=slirp4netns --cidr=10.0.2.100/24 true
  one_line_error "cidr must be like 10.0.2.0/24, not like 10.0.2.100/24"
  [ "$NS_IMPL" = roost ] || return 0
  run ns_run --net=slirp4netns --cidr=10.0.2.0/30 true
  one_line_error "prefix length of 1 to 25"
}

@test "errors: vpnkit, lxc-user-nic and gvisor-tap-vsock say what is missing" {
  [ "$NS_IMPL" = roost ] || skip "rootlesskit 1.1 has these drivers"
  for net in vpnkit lxc-user-nic gvisor-tap-vsock; do
    run ns_run --net=$net true
    one_line_error "--net=$net is not available"
  done
}
