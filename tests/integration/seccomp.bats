#!/usr/bin/env bats
# linux.seccomp: the filter is installed for the container's program, every action and operator
# has an effect a test can see, and a filter without no_new_privs still loads.

load helpers

# A writable /tmp, so that only the filter can make mkdir fail.
setup() {
  common_setup
  add_mount /tmp tmpfs tmpfs
}


# seccomp_profile DEFAULT RULES_JSON: sets linux.seccomp.
seccomp_profile() {
  update_config --arg d "$1" --argjson r "$2" \
    '.linux.seccomp = {defaultAction: $d, architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], syscalls: $r}'
}

@test "control: without a seccomp profile mkdir works" {
  set_cmd 'mkdir /tmp/d && echo made'
  run_ctr c1
  assert_success
  assert_equal "$output" made
}

@test "SCMP_ACT_ERRNO with errnoRet makes the syscall fail with that errno" {
  # 38 is ENOSYS: busybox prints "Function not implemented".
  seccomp_profile SCMP_ACT_ALLOW '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]'
  set_cmd 'mkdir /tmp/d 2>&1; echo rc=$?'
  run_ctr c1
  assert_success
  [[ "$output" == *"Function not implemented"* ]] || fail "mkdir was not refused with ENOSYS: $output"
  [[ "$output" == *"rc=1"* ]] || fail "mkdir did not fail"
}

@test "SCMP_ACT_ERRNO without errnoRet is EPERM" {
  seccomp_profile SCMP_ACT_ALLOW '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
  set_cmd 'mkdir /tmp/d 2>&1; true'
  run_ctr c1
  assert_success
  [[ "$output" == *"Operation not permitted"* ]] || fail "expected EPERM: $output"
}

@test "defaultAction applies to syscalls no rule names, and defaultErrnoRet sets its errno" {
  # Deny by default, allow what busybox sh needs except mkdir.
  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: []}'
  update_config '.linux.seccomp.defaultAction = "SCMP_ACT_ERRNO" | .linux.seccomp.defaultErrnoRet = 38
    | .linux.seccomp.syscalls = [{names: ["read","write","writev","openat","open","close","fstat","newfstatat","stat","lstat",
        "execve","brk","mmap","munmap","mprotect","arch_prctl","set_tid_address","exit","exit_group","rt_sigaction",
        "rt_sigprocmask","rt_sigreturn","getpid","getppid","getuid","geteuid","getgid","getegid","ioctl","fcntl","dup2",
        "dup3","wait4","clone","fork","vfork","uname","getcwd","chdir","lseek","prlimit64","getrlimit","statx","readlink",
        "access","faccessat","faccessat2","poll","ppoll","pselect6","select","sigaltstack","set_robust_list","rseq",
        "getrandom","futex","sysinfo","clock_gettime","gettimeofday","nanosleep","clock_nanosleep"], action: "SCMP_ACT_ALLOW"}]'
  set_cmd 'echo alive; mkdir /tmp/d 2>&1; true'
  run_ctr c1
  assert_success
  [[ "$output" == *alive* ]] || fail "the allowed syscalls were not allowed: $output"
  [[ "$output" == *"Function not implemented"* ]] || fail "mkdir did not get defaultErrnoRet ENOSYS: $output"
}

@test "argument comparisons: only the matching call is refused" {
  # personality(0xffffffff) queries; busybox setarch is not present, so use the umask syscall:
  # umask(022) allowed, umask(077) refused (SCMP_CMP_EQ on argument 0).
  seccomp_profile SCMP_ACT_ALLOW '[{"names": ["umask"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
    "args": [{"index": 0, "value": 63, "op": "SCMP_CMP_EQ"}]}]'
  set_cmd 'umask 022 && echo ok022; umask 077; umask'
  run_ctr c1
  assert_success
  [[ "$output" == *ok022* ]] || fail "umask 022 should pass: $output"
  # The refused umask(077) leaves the mask at 0022.
  [[ "$(tail -n1 <<<"$output")" == 0022 ]] || fail "umask(077) was not refused: $output"
}

@test "SCMP_CMP_MASKED_EQ compares under a mask" {
  # Refuse umask with any of the group bits (mask 070) set to 070.
  seccomp_profile SCMP_ACT_ALLOW '[{"names": ["umask"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
    "args": [{"index": 0, "value": 56, "valueTwo": 56, "op": "SCMP_CMP_MASKED_EQ"}]}]'
  set_cmd 'umask 027; umask; umask 077; umask'
  run_ctr c1
  assert_success
  assert_equal "$(tr '\n' ' ' <<<"$output")" "0027 0027 " "umask after 027 then 077"
}

@test "SCMP_ACT_KILL_PROCESS kills the program" {
  seccomp_profile SCMP_ACT_ALLOW '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]'
  # mkdir is the container's process itself (in a shell only the forked child would die).
  update_config '.process.args = ["mkdir", "/tmp/d"]'
  run_ctr c1
  # Killed by SIGSYS (31): run reports 128+31.
  assert_equal "$status" 159 "exit status" || fail "output: $output"
}

@test "unknown syscall names are skipped and the rest of the profile applies" {
  seccomp_profile SCMP_ACT_ALLOW '[{"names": ["no_such_syscall_here", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]'
  set_cmd 'mkdir /tmp/d 2>&1; true'
  run_ctr c1
  assert_success
  [[ "$output" == *"Function not implemented"* ]] || fail "the known names were not filtered: $output"
}

@test "a filter loads without noNewPrivileges" {
  update_config '.process.noNewPrivileges = false'
  seccomp_profile SCMP_ACT_ALLOW '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]'
  set_cmd 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; mkdir /tmp/d 2>&1; true'
  run_ctr c1
  assert_success
  [[ "$output" == *"Seccomp:"*2* ]] || fail "no filter installed: $output"
  [[ "$output" == *"NoNewPrivs:"*0* ]] || fail "no_new_privs was set: $output"
  [[ "$output" == *"Function not implemented"* ]] || fail "mkdir was not filtered: $output"
}

# The default profile of `spec` (what every other test runs with): deny by default, the dangerous
# syscalls refused with EPERM, ordinary programs unaffected.

@test "default profile: spec writes a deny-by-default profile and the container runs under it" {
  jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO" and (.linux.seccomp.syscalls | length) > 10' "$BUNDLE/config.json" >/dev/null ||
    fail "spec wrote no default profile"
  set_cmd 'grep "^Seccomp:" /proc/self/status; ls / >/dev/null && cat /proc/self/status >/dev/null && echo "$(echo piped | cat)" && mkdir /tmp/d && echo ok'
  run_ctr c1
  assert_success
  [[ "$output" == *"Seccomp:"*2* ]] || fail "no filter installed: $output"
  [[ "$output" == *piped*ok* ]] || fail "ordinary commands failed under the default profile: $output"
}

@test "default profile: new user namespaces, mount and chroot are refused with EPERM" {
  # CAP_SYS_ADMIN and CAP_SYS_CHROOT are granted so that only the filter can refuse.
  update_config '.process.capabilities = {bounding: ["CAP_SYS_ADMIN","CAP_SYS_CHROOT"],
    effective: ["CAP_SYS_ADMIN","CAP_SYS_CHROOT"], permitted: ["CAP_SYS_ADMIN","CAP_SYS_CHROOT"]}'
  set_cmd 'unshare -U true 2>&1; echo "unshare=$?"; mount -t tmpfs none /tmp 2>&1; echo "mount=$?"; chroot / true 2>&1; echo "chroot=$?"'
  run_ctr c1
  assert_success
  [[ "$output" == *"unshare("*"Operation not permitted"*"unshare=1"* ]] || fail "unshare -U was not refused with EPERM: $output"
  # busybox mount reports EPERM as "permission denied".
  [[ "$output" == *"mount: permission denied"*"mount=1"* ]] || fail "mount was not refused with EPERM: $output"
  [[ "$output" == *"chroot: can't change root"*"Operation not permitted"*"chroot=1"* ]] || fail "chroot was not refused with EPERM: $output"
}

# SCMP_ACT_NOTIFY: the runtime hands each filter's notification fd to the agent at listenerPath
# (tests/helpers/roost_seccomp_agent.cpp), which refuses every notified call with EHOSTUNREACH
# (113, "No route to host"): an errno mkdir never returns by itself, so seeing it proves the
# agent answered.

AGENT=${ROOST_SECCOMP_AGENT:-$(dirname "$ROOST_RUNTIME")/tests/helpers/roost-seccomp-agent}

# start_agent: the agent on $BATS_TEST_TMPDIR/agent.sock, logging to $AGENT_LOG.
start_agent() {
  [ -x "$AGENT" ] || skip "the agent $AGENT is not built"
  AGENT_SOCK="$BATS_TEST_TMPDIR/agent.sock"
  AGENT_LOG="$BATS_TEST_TMPDIR/agent.log"
  "$AGENT" "$AGENT_SOCK" "$AGENT_LOG" 113 </dev/null >"$BATS_TEST_TMPDIR/agent.out" 2>&1 3>&- &
  AGENT_PID=$!
  wait_file "$AGENT_SOCK" || fail "the agent did not start: $(cat "$BATS_TEST_TMPDIR/agent.out")"
}

# notify_profile [EXTRA_JQ]: mkdir and mkdirat notified, listenerPath the agent, with metadata.
notify_profile() {
  update_config --arg p "$BATS_TEST_TMPDIR/agent.sock" \
    '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p, listenerMetadata: "test-metadata",
      architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
      syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}'
}

# agent_states: the process states the agent received, one JSON document a line.
agent_states() { sed -n 's/^state //p' "$AGENT_LOG"; }
# agent_has_states N: the agent has logged N states (it logs a connection after reading it whole,
# which may be a moment after the runtime has moved on).
agent_has_states() { [ "$(agent_states | wc -l)" = "$1" ]; }

teardown() {
  [ -z "${AGENT_PID:-}" ] || kill "$AGENT_PID" 2>/dev/null || true
  common_teardown
}

@test "SCMP_ACT_NOTIFY: the agent gets the process state with the fd and answers the notified calls" {
  start_agent
  notify_profile
  set_cmd 'mkdir /tmp/d 2>&1; echo rc=$?; [ -d /tmp/d ] && echo exists; echo alive'
  create_ctr c1
  local pid
  pid=$(state_field c1 pid)
  # The fd was handed over during create, before the program runs.
  wait_until 5 agent_has_states 1 || fail "the agent got $(agent_states | wc -l) states during create: $(cat "$AGENT_LOG")"
  agent_states | jq -e --argjson pid "$pid" --arg b "$BUNDLE" '
    .ociVersion != null and .fds == ["seccompFd"] and .pid == $pid and .metadata == "test-metadata"
    and .state.id == "c1" and .state.status == "creating" and .state.pid == $pid and .state.bundle == $b' >/dev/null ||
    fail "unexpected process state (pid $pid): $(cat "$AGENT_LOG")"
  rrun start c1
  assert_success
  wait_status c1 stopped
  local out
  out=$(cat "$BATS_TEST_TMPDIR/c1.stdout")
  [[ "$out" == *"No route to host"*"rc=1"*alive* ]] || fail "mkdir was not answered by the agent: $out"
  [[ "$out" != *exists* ]] || fail "the notified mkdir ran: $out"
  # 83 is mkdir, 258 mkdirat on x86_64.
  grep -Eq '^call (83|258) ' "$AGENT_LOG" || fail "the agent saw no mkdir: $(cat "$AGENT_LOG")"
}

@test "SCMP_ACT_NOTIFY: exec hands the new process's fd to the agent, with its pid" {
  start_agent
  notify_profile
  set_cmd 'sleep 60'
  run_detached c1
  rrun exec --pid-file "$BATS_TEST_TMPDIR/exec.pid" c1 sh -c 'mkdir /tmp/e 2>&1; echo rc=$?'
  assert_success
  [[ "$output" == *"No route to host"*"rc=1"* ]] || fail "mkdir in exec was not answered by the agent: $output"
  wait_until 5 agent_has_states 2 || fail "expected a state for create and one for exec: $(cat "$AGENT_LOG")"
  agent_states | tail -n1 | jq -e --argjson pid "$(cat "$BATS_TEST_TMPDIR/exec.pid")" --argjson init "$(state_field c1 pid)" '
    .pid == $pid and .state.pid == $init and .state.status == "running" and .fds == ["seccompFd"]' >/dev/null ||
    fail "unexpected process state for exec: $(agent_states | tail -n1)"
}

@test "SCMP_ACT_NOTIFY with no agent listening: create fails naming listenerPath and leaves nothing" {
  notify_profile
  rrun create --bundle "$BUNDLE" c1
  assert_failure
  assert_error "listenerPath $BATS_TEST_TMPDIR/agent.sock.*connect"
  assert_clean
}

@test "SCMP_ACT_NOTIFY: exec fails when the agent has gone, and its process does not run" {
  start_agent
  notify_profile
  mount_out
  set_cmd 'sleep 60'
  run_detached c1
  kill "$AGENT_PID"
  wait "$AGENT_PID" 2>/dev/null || true
  rrun exec c1 sh -c 'echo ran >/out/ran'
  assert_error "listenerPath.*connect"
  [ ! -e "$OUT/ran" ] || fail "the exec'd program ran without its agent"
  status_is c1 running || fail "the container did not survive: $(rt state c1)"
  [ "$(marker_pids | wc -l)" = 1 ] || fail "a process besides the init is left: $(marker_pids)"
}

@test "SCMP_ACT_NOTIFY: the rest of the profile still waits for the last step (the runtime's own calls pass)" {
  # With or without noNewPrivileges the profile goes in after the switch to the process user; only
  # the notify rules are in place before. A profile refusing what that switch calls (setgroups,
  # setresuid, capset, prctl, close_range) works, and still notifies mkdir.
  start_agent
  local nnp
  for nnp in true false; do
    notify_profile
    update_config --argjson nnp "$nnp" '.process.noNewPrivileges = $nnp | .process.user = {uid: 0, gid: 0} |
      .linux.seccomp.syscalls += [{names: ["setgroups", "setresuid", "setresgid", "capset", "prctl", "close_range"],
        action: "SCMP_ACT_ERRNO", errnoRet: 1}]'
    set_cmd 'mkdir /tmp/d 2>&1; echo rc=$?'
    run_ctr "c-$nnp"
    assert_success
    [[ "$output" == *"No route to host"*"rc=1"* ]] || fail "noNewPrivileges $nnp: mkdir was not answered by the agent: $output"
  done
}

@test "SCMP_ACT_NOTIFY on a call the runtime makes before execve: the error names the step" {
  start_agent
  notify_profile
  update_config '.linux.seccomp.syscalls = [{names: ["close_range"], action: "SCMP_ACT_NOTIFY"}]'
  update_config '.process.args = ["true"]'
  run_ctr c1
  assert_failure
  [[ "$stderr" == *"close_range"*"No route to host"* ]] || fail "the error does not name the step and the agent's answer"
  assert_clean
}

@test "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV loads with a listener" {
  rt features | jq -e '.linux.seccomp.supportedFlags | index("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")' >/dev/null ||
    skip "this kernel has no SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux 5.19)"
  start_agent
  notify_profile
  update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'
  set_cmd 'mkdir /tmp/d 2>&1; echo rc=$?'
  run_ctr c1
  assert_success
  [[ "$output" == *"No route to host"*"rc=1"* ]] || fail "mkdir was not answered by the agent: $output"
}
