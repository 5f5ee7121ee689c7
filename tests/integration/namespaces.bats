#!/usr/bin/env bats
# linux.namespaces (new ones, shared ones, joining by path) and linux.sysctl.

load helpers

@test "each configured namespace is new: differs from the host's" {
  local types="pid net ipc uts mnt cgroup"
  is_rootless && types="$types user"
  local t script=""
  for t in $types; do script="$script echo $t \$(readlink /proc/self/ns/$t);"; done
  set_cmd "$script"
  run_ctr c1
  assert_success
  local host ctr
  for t in $types; do
    host=$(readlink "/proc/self/ns/$t")
    ctr=$(awk -v t="$t" '$1 == t {print $2}' <<<"$output")
    [ -n "$ctr" ] || fail "no $t namespace reported"
    [ "$ctr" != "$host" ] || fail "$t namespace is the host's ($host)"
  done
}

@test "the container process is pid 1 of its pid namespace" {
  set_cmd 'echo $$'
  run_ctr c1
  assert_success
  assert_output_equals 1
}

@test "a namespace type not listed is shared with the host" {
  # Without an ipc namespace, the container stays in the host's (mqueue needs its own, drop it).
  update_config '.linux.namespaces |= map(select(.type != "ipc")) | .mounts |= map(select(.type != "mqueue"))
    | .process.args = ["readlink", "/proc/self/ns/ipc"]'
  run_ctr c1
  assert_success
  assert_output_equals "$(readlink /proc/self/ns/ipc)"
}

@test "a second container joins the first one's namespaces by path" {
  update_config '.hostname = "alpha-host" | .process.args = ["sleep", "100"]'
  run_detached first
  local pid
  pid=$(state_field first pid)
  # second: same rootfs, joins uts, network and ipc (and, rootless, the user namespace first).
  local second="$BATS_TEST_TMPDIR/second"
  mkdir "$second"
  local joins='[]'
  is_rootless && joins='[{"type":"user","path":"/proc/'"$pid"'/ns/user"}]'
  jq --argjson joins "$joins" --arg p "/proc/$pid/ns" '
    del(.hostname)
    | .linux.namespaces = $joins + [{type: "uts", path: ($p + "/uts")}, {type: "network", path: ($p + "/net")},
        {type: "ipc", path: ($p + "/ipc")}, {type: "pid"}, {type: "mount"}]
    | .process.args = ["sh", "-c", "hostname; readlink /proc/self/ns/net; readlink /proc/self/ns/ipc; readlink /proc/self/ns/uts"]' \
    "$BUNDLE/config.json" >"$second/config.json"
  rrun run --bundle "$second" second
  assert_success
  assert_equal "${lines[0]}" alpha-host hostname || fail "hostname of the joined uts namespace"
  assert_equal "${lines[1]}" "$(readlink "/proc/$pid/ns/net")" net || fail "net namespace not joined"
  assert_equal "${lines[2]}" "$(readlink "/proc/$pid/ns/ipc")" ipc || fail "ipc namespace not joined"
  assert_equal "${lines[3]}" "$(readlink "/proc/$pid/ns/uts")" uts || fail "uts namespace not joined"
  status_is first running || fail "first container disturbed"
}

@test "joining a namespace path that does not exist fails cleanly" {
  update_config '.linux.namespaces |= map(if .type == "uts" then .path = "/proc/999999999/ns/uts" else . end) | del(.hostname)'
  rrun create --bundle "$BUNDLE" c1
  assert_error
  assert_clean
}

@test "a new network namespace has only a loopback interface" {
  set_cmd 'ls /sys/class/net'
  run_ctr c1
  assert_success
  assert_output_equals lo
}

@test "sysctl values are set in the container's namespaces" {
  update_config '.linux.sysctl = {"net.ipv4.ping_group_range": "0 0", "kernel.msgmax": "4096"}'
  set_cmd 'cat /proc/sys/net/ipv4/ping_group_range /proc/sys/kernel/msgmax'
  run_ctr c1
  assert_success
  [ "$(echo "${lines[0]}" | awk '{print $1" "$2}')" = "0 0" ] || fail "ping_group_range not set"
  assert_equal "${lines[1]}" 4096 "kernel.msgmax" || fail msgmax
  # The host's values are untouched.
  [ "$(awk '{print $1" "$2}' /proc/sys/net/ipv4/ping_group_range)" != "0 0" ] || [ "$(cat /proc/sys/kernel/msgmax)" != 4096 ] ||
    fail "host sysctls changed"
}

@test "as root of a user namespace the caller made (as under podman), state goes to XDG_RUNTIME_DIR and devices are bound" {
  require_mode subuid oneid
  command -v unshare >/dev/null || skip "unshare(1) is not installed"
  update_config '.linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)'
  set_cmd 'cat /proc/self/uid_map; head -c 4 /dev/zero | wc -c'
  local xdg="$BATS_TEST_TMPDIR/xdg"
  mkdir -p "$xdg"
  status=0
  output=$(unshare --user --map-root-user env XDG_RUNTIME_DIR="$xdg" "$ROOST_RUNTIME" run --bundle "$BUNDLE" c1 2>&1) || status=$?
  echo "$output"
  assert_equal "$status" 0 "exit status" || return 1
  assert_equal "$(head -n1 <<<"$output" | normalize_map)" "0 $MY_UID 1" "uid_map of the caller's namespace" || return 1
  assert_equal "$(tail -n1 <<<"$output" | tr -d ' ')" 4 "/dev/zero works" || return 1
  [ -d "$xdg/roost-runtime" ] || fail "the state did not go under XDG_RUNTIME_DIR"
}
