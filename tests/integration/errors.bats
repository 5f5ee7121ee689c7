#!/usr/bin/env bats
# Bad input: every failure exits non-zero with one "roost-runtime: " line on stderr and leaves
# neither state nor a process behind.

load helpers

# create_fails [REGEX]: create must fail cleanly (error line matching REGEX if given).
create_fails() {
  rrun create --bundle "$BUNDLE" c1
  assert_error "${1:-}" || return 1
  assert_clean || return 1
  # run fails the same way.
  rrun run --bundle "$BUNDLE" c2
  assert_error "${1:-}" || return 1
  assert_clean
}

@test "missing config.json" {
  rm "$BUNDLE/config.json"
  create_fails 'config\.json'
}

@test "malformed config.json" {
  echo '{"ociVersion": "1.0.2", "process": ' >"$BUNDLE/config.json"
  create_fails
}

@test "config.json that is not an object" {
  echo '[1, 2]' >"$BUNDLE/config.json"
  create_fails
}

@test "missing rootfs directory" {
  update_config '.root.path = "does-not-exist"'
  create_fails
}

@test "bundle directory that does not exist" {
  rrun create --bundle "$BATS_TEST_TMPDIR/no-such-bundle" c1
  assert_error
  assert_clean
}

@test "unknown namespace type" {
  update_config '.linux.namespaces += [{type: "foo"}]'
  create_fails 'foo|namespace'
}

@test "a seccomp profile with an unknown action is rejected" {
  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_MAYBE"}]}'
  create_fails 'seccomp.*SCMP_ACT_MAYBE'
}

@test "a seccomp profile with an unknown operator is rejected" {
  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
    syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO", args: [{index: 0, value: 1, op: "SCMP_CMP_ODD"}]}]}'
  create_fails 'SCMP_CMP_ODD'
}

@test "a seccomp errnoRet on an action that returns no errno is rejected" {
  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_KILL_PROCESS", errnoRet: 1}]}'
  create_fails 'errno return is only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE'
}

@test "seccomp notify without listenerPath is refused: nobody would answer" {
  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}'
  create_fails 'SCMP_ACT_NOTIFY needs listenerPath'
}

@test "seccomp notify as the default action, or for sendmsg, is refused" {
  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_NOTIFY", listenerPath: "/run/agent.sock"}'
  create_fails 'default action'
  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/run/agent.sock",
    syscalls: [{names: ["sendmsg"], action: "SCMP_ACT_NOTIFY"}]}'
  create_fails 'sendmsg'
}

@test "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV without a notify rule is refused" {
  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}'
  create_fails 'WAIT_KILLABLE_RECV needs an SCMP_ACT_NOTIFY rule'
}

@test "overlapping id mappings" {
  update_config 'if any(.linux.namespaces[]; .type == "user") then . else .linux.namespaces += [{type: "user"}] end'
  update_config --argjson u "$MY_UID" --argjson g "$MY_GID" \
    '.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 0, hostID: $u, size: 1}]
     | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}]'
  create_fails
}

@test "a program that does not exist" {
  update_config '.process.args = ["/no/such/program"]'
  # Whether create or start reports it, run must fail and clean up.
  rrun run --bundle "$BUNDLE" c1
  assert_failure
  [[ "$stderr" == *"roost-runtime: "* ]] || fail "no roost-runtime: error"
  assert_clean
}

# Engines read the kernel's words in the error (podman: 127 for "no such file or directory" and
# "executable file not found", 126 for "permission denied"), as runc writes them.
program_error() {
  update_config --argjson a "$1" '.process.args = $a'
  rrun run --bundle "$BUNDLE" c1
  assert_error "$2"
  assert_clean
}

@test "a program that does not exist: no such file or directory" {
  program_error '["/no/such/program"]' '"/no/such/program": no such file or directory'
}

@test "a name not found in PATH: executable file not found" {
  program_error '["nosuchcommand"]' '"nosuchcommand": executable file not found in'
}

@test "a directory or a file without an execute bit: permission denied" {
  program_error '["/etc"]' '"/etc": permission denied'
  program_error '["/etc/passwd"]' '"/etc/passwd": permission denied'
}

@test "a path through a file: not a directory" {
  program_error '["/etc/passwd/x"]' '"/etc/passwd/x": not a directory'
}

@test "a mount with an unknown filesystem type" {
  add_mount /mnt no-such-fs none
  create_fails
}

@test "a file system option the kernel refuses: the error carries the kernel's own reason" {
  # New file systems are configured through fsopen/fsconfig, whose fs context tells what was wrong.
  add_mount /mnt tmpfs tmpfs size=banana
  create_fails "mount tmpfs on /mnt: EINVAL.*the kernel says: tmpfs: Bad value for 'size'"
}

@test "a bind mount whose source does not exist" {
  add_mount /mnt bind "$BATS_TEST_TMPDIR/missing-source" bind
  create_fails
}

@test "a mount destination that escapes through .. is not mounted outside the rootfs" {
  # /../../x resolves to /x inside the rootfs (never to a host path); either an error or a mount at /x.
  add_mount /../../escape-target tmpfs tmpfs size=1m
  update_config '.process.args = ["true"]'
  rrun run --bundle "$BUNDLE" c1
  [ ! -e "$(dirname "$BASE_BUNDLE")/escape-target" ] || fail "mount point created outside the rootfs"
  [ ! -e "$BATS_TEST_TMPDIR/escape-target" ] || fail "mount point created outside the rootfs"
  assert_clean
}

@test "an unsupported ociVersion" {
  update_config '.ociVersion = "2.0.0"'
  create_fails
}

@test "state, start, kill and delete of an unknown container fail" {
  local cmd
  for cmd in state start kill delete; do
    rrun "$cmd" no-such-container
    assert_error || return 1
  done
}

@test "a container id with a path separator is rejected" {
  update_config '.process.args = ["sleep", "100"]'
  rrun create --bundle "$BUNDLE" ../escape
  assert_error
  [ ! -e "$BATS_TEST_TMPDIR/escape" ] || fail "state written outside the state dir"
  assert_clean
}

@test "a failed create leaves the state dir usable" {
  echo 'not json' >"$BUNDLE/config.json.bad"
  cp "$BUNDLE/config.json" "$BUNDLE/config.json.good"
  mv "$BUNDLE/config.json.bad" "$BUNDLE/config.json"
  rrun create --bundle "$BUNDLE" c1
  assert_error
  mv "$BUNDLE/config.json.good" "$BUNDLE/config.json"
  update_config '.process.args = ["true"]'
  run_ctr c1
  assert_success
  assert_clean
}
