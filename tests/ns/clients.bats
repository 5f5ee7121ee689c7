#!/usr/bin/env bats
# Real clients against a running instance: Debian's rootlessctl over api.sock, and nsenter into
# child_pid (what dockerd-rootless-setuptool.sh and nerdctl do).

load helpers

setup_file() { ns_require_bin; }
teardown() { ns_teardown; }

@test "rootlessctl info, add-ports, list-ports and remove-ports against a running instance" {
  ns_port P
  ns_port Q
  ns_start --net=slirp4netns --disable-host-loopback --port-driver=builtin
  run ns_ctl info
  show
  [ "$status" -eq 0 ]
  [[ "$output" == *"REST API version: 1.1.1"* ]]
  [[ "$output" == *"State Directory: $NS_STATE"* ]]
  [[ "$output" == *"Child PID: $NS_CHILD"* ]]
  run ns_ctl list-ports
  show
  [ "$(wc -l <<<"$output")" -eq 1 ]   # the header only
  run ns_ctl add-ports "127.0.0.1:$P:80/tcp" "127.0.0.1:$Q:81/udp"
  show
  [ "$output" = "$(printf '1\n2')" ]
  run ns_ctl list-ports --json
  show
  [ "$(jq -sc 'sort_by(.id) | map([.id, .spec.proto, .spec.parentIP, .spec.parentPort, .spec.childPort])' <<<"$output")" = \
    "[[1,\"tcp\",\"127.0.0.1\",$P,80],[2,\"udp\",\"127.0.0.1\",$Q,81]]" ]
  run ns_ctl remove-ports 1
  show
  [ "$output" = 1 ]
  run ns_ctl list-ports --json
  [ "$(jq -sc 'map(.id)' <<<"$output")" = "[2]" ]
  run ns_ctl remove-ports 1
  show
  [ "$status" -ne 0 ]
  [[ "$output" == *"unknown id"* ]]
}

@test "nsenter -U -m -n --preserve-credentials -t child_pid reaches the namespaces" {
  ns_start --net=slirp4netns --disable-host-loopback
  run nsenter -U -m -n --preserve-credentials -t "$(cat "$NS_STATE/child_pid")" \
    sh -c 'id -u; readlink /proc/self/ns/user /proc/self/ns/mnt /proc/self/ns/net; ip -o -4 addr show tap0'
  show
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = "$(readlink "/proc/$NS_CHILD/ns/user")" ]
  [ "${lines[2]}" = "$(readlink "/proc/$NS_CHILD/ns/mnt")" ]
  [ "${lines[3]}" = "$(readlink "/proc/$NS_CHILD/ns/net")" ]
  [ "${lines[1]}" != "$(readlink /proc/self/ns/user)" ]
  [[ "${lines[4]}" == *"10.0.2.100/24"* ]]
}

@test "the child_pid process carries ROOTLESSKIT_STATE_DIR and _PARENT_EUID/EGID in its environ" {
  ns_start
  run sh -c "tr '\0' '\n' </proc/$NS_CHILD/environ | grep ^ROOTLESSKIT_ | sort"
  show
  [ "$output" = "$(printf 'ROOTLESSKIT_PARENT_EGID=%s\nROOTLESSKIT_PARENT_EUID=%s\nROOTLESSKIT_STATE_DIR=%s' "$(id -g)" "$(id -u)" "$NS_STATE")" ]
}
