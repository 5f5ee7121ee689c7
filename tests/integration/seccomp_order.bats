#!/usr/bin/env bats
# The seccomp filter is the last thing the runtime does before execve: a deny-by-default profile
# that allows only what the container's programs need (busybox echo and sleep) runs them, with and
# without noNewPrivileges, for run, create+start and exec. Without noNewPrivileges the filter
# needs CAP_SYS_ADMIN, so the runtime must not change user, drop capabilities, close descriptors or
# reset signals after it: the profile allows none of setresuid, setgroups, capset, close_range,
# fcntl, chdir or rt_sigaction.

load helpers

# What busybox's echo and sleep call (strace -f busybox echo ok; busybox sleep 0.1), and nothing else.
PROGRAM_SYSCALLS='["execve", "arch_prctl", "brk", "mprotect", "getrandom", "getuid", "prctl", "prlimit64",
  "readlink", "rseq", "set_robust_list", "set_tid_address", "write", "clock_nanosleep", "nanosleep",
  "exit", "exit_group"]'

# strict_profile NO_NEW_PRIVS (true|false): deny by default with EPERM, allow PROGRAM_SYSCALLS.
strict_profile() {
  update_config --argjson nnp "$1" --argjson allow "$PROGRAM_SYSCALLS" '
    .process.noNewPrivileges = $nnp
    | .linux.seccomp = {defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
        architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        syscalls: [{names: $allow, action: "SCMP_ACT_ALLOW"}]}'
}

# run_strict NNP: `run` of echo under the strict profile prints its line and exits 0.
run_strict() {
  strict_profile "$1"
  update_config '.process.args = ["echo", "ran under the profile"]'
  run_ctr c1
  assert_success
  assert_output_equals "ran under the profile"
  [ -z "$stderr" ] || fail "unexpected output on stderr"
  assert_clean
}

# create_start_strict NNP: create + start of echo; the program's own output is in c1.stdout.
create_start_strict() {
  strict_profile "$1"
  update_config '.process.args = ["echo", "started under the profile"]'
  create_ctr c1
  rrun start c1
  assert_success
  wait_status c1 stopped
  local out err
  out=$(cat "$BATS_TEST_TMPDIR/c1.stdout")
  err=$(cat "$BATS_TEST_TMPDIR/c1.stderr")
  [ "$out" = "started under the profile" ] || fail "the program did not run: stdout '$out', stderr '$err'"
  [ -z "$err" ] || fail "the container wrote to stderr: $err"
  rrun delete c1
  assert_success
}

# exec_strict NNP: the init sleeps under the profile, exec runs echo under it too.
exec_strict() {
  strict_profile "$1"
  update_config '.process.args = ["sleep", "30"]'
  run_detached c1
  wait_status c1 running
  rrun exec c1 echo exec under the profile
  assert_success
  assert_output_equals "exec under the profile"
  [ -z "$stderr" ] || fail "unexpected output on stderr"
  rrun kill c1 KILL
  wait_status c1 stopped
  rrun delete c1
  assert_success
}

@test "deny-by-default profile without noNewPrivileges: run" { run_strict false; }
@test "deny-by-default profile with noNewPrivileges: run" { run_strict true; }
@test "deny-by-default profile without noNewPrivileges: create + start" { create_start_strict false; }
@test "deny-by-default profile with noNewPrivileges: create + start" { create_start_strict true; }
@test "deny-by-default profile without noNewPrivileges: exec" { exec_strict false; }
@test "deny-by-default profile with noNewPrivileges: exec" { exec_strict true; }

# A user other than root where one is mapped (root in a one-id map): the sets below are the same for
# both, root's being bounded by the bounding set and the inheritable one.
plain_user() { if [ "$ROOST_TEST_MODE" = oneid ]; then echo 0; else echo 1; fi; }

@test "without noNewPrivileges the program does not keep CAP_SYS_ADMIN the filter's load needed" {
  update_config '.process.noNewPrivileges = false
    | .process.capabilities = {bounding: ["CAP_CHOWN"], effective: ["CAP_CHOWN"], permitted: ["CAP_CHOWN"]}
    | .process.user = {uid: '"$(plain_user)"', gid: '"$(plain_user)"'}'
  update_config '.process.args = ["grep", "^Cap\\(Eff\\|Prm\\|Bnd\\)", "/proc/self/status"]'
  run_ctr c1
  assert_success
  # Neither keeps CAP_SYS_ADMIN: the bounding set is CAP_CHOWN alone.
  local want=0000000000000000
  [ "$(plain_user)" = 1 ] || want=0000000000000001
  [[ "$output" == *"CapPrm:"*"$want"* ]] || fail "permitted set is not $want"
  [[ "$output" == *"CapEff:"*"$want"* ]] || fail "effective set is not $want"
  [[ "$output" == *"CapBnd:"*"0000000000000001"* ]] || fail "bounding set is not CAP_CHOWN alone"
}

@test "without noNewPrivileges an ambient set is kept, and CAP_SYS_ADMIN is not added to it" {
  update_config '.process.noNewPrivileges = false
    | .process.capabilities = {bounding: ["CAP_CHOWN"], effective: ["CAP_CHOWN"], permitted: ["CAP_CHOWN"],
        inheritable: ["CAP_CHOWN"], ambient: ["CAP_CHOWN"]}
    | .process.user = {uid: '"$(plain_user)"', gid: '"$(plain_user)"'}'
  update_config '.process.args = ["grep", "^Cap\\(Eff\\|Prm\\|Amb\\)", "/proc/self/status"]'
  run_ctr c1
  assert_success
  [[ "$output" == *"CapPrm:"*"0000000000000001"* ]] || fail "permitted set is not CAP_CHOWN"
  [[ "$output" == *"CapEff:"*"0000000000000001"* ]] || fail "effective set is not CAP_CHOWN"
  [[ "$output" == *"CapAmb:"*"0000000000000001"* ]] || fail "ambient set is not CAP_CHOWN"
}
