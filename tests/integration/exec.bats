#!/usr/bin/env bats
# exec: another process in a running container, in all its namespaces, with its limits.

load helpers

# start_sleeper ID: a detached container that stays running.
start_sleeper() {
  set_cmd 'echo $$ > /dev/null; exec sleep 60'
  run_detached "$1"
  assert_success
  wait_status "$1" running
}

@test "exec runs in the container's namespaces and returns the exit code" {
  start_sleeper c1
  rrun exec c1 sh -c 'hostname; cat /proc/1/cmdline | tr "\0" " "; echo; id -u; exit 7'
  assert_equal "$status" 7 "exit code" || fail "stderr: $stderr"
  assert_equal "${lines[0]}" roost hostname || fail hostname
  [[ "${lines[1]}" == "sleep 60"* ]] || fail "pid 1 in the exec's pid namespace is not the container's init: ${lines[1]}"
  assert_equal "${lines[2]}" 0 uid || fail uid
}

@test "exec shares the container's user namespace (same uid_map)" {
  require_mode subuid oneid
  start_sleeper c1
  local pid
  pid=$(state_field c1 pid)
  rrun exec c1 cat /proc/self/uid_map
  assert_success
  assert_equal "$(normalize_map <<<"$output")" "$(normalize_map </proc/$pid/uid_map)" uid_map
}

@test "exec -e, --cwd and -- pass environment, directory and arguments" {
  start_sleeper c1
  rrun exec -e FOO=bar -e PATH=/bin --cwd /proc c1 -- sh -c 'echo $FOO $PATH; pwd'
  assert_success
  assert_equal "${lines[0]}" "bar /bin" env || fail env
  assert_equal "${lines[1]}" /proc cwd
}

@test "exec -u uid:gid sets the user, strictly parsed" {
  require_mode subuid root
  start_sleeper c1
  rrun exec -u 1:1 c1 sh -c 'id -u; id -g'
  assert_success
  assert_equal "$(echo $output)" "1 1" "uid gid"
  rrun exec -u 1x c1 true
  assert_error 'user|uid'
  rrun exec -u 1:abc c1 true
  assert_error 'gid'
}

@test "exec --cap adds a capability but never to the inheritable set" {
  start_sleeper c1
  rrun exec --cap CAP_SYS_ADMIN c1 grep -E '^Cap(Inh|Eff|Bnd)' /proc/self/status
  assert_success
  local inh eff
  inh=$(awk '/^CapInh/ {print $2}' <<<"$output")
  eff=$(awk '/^CapEff/ {print $2}' <<<"$output")
  assert_equal "$inh" 0000000000000000 CapInh || return 1
  # CAP_SYS_ADMIN is bit 21.
  (( (16#$eff >> 21) & 1 )) || fail "CAP_SYS_ADMIN not effective: $eff"
}

@test "exec applies the container's no_new_privs, rlimits and seccomp filter" {
  update_config '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 77, hard: 77}]
    | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir","mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]}'
  add_mount /tmp tmpfs tmpfs
  start_sleeper c1
  rrun exec c1 sh -c 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; ulimit -n; mkdir /tmp/x 2>&1; true'
  assert_success
  [[ "$output" == *"NoNewPrivs:"*1* ]] || fail "no_new_privs not set: $output"
  [[ "$output" == *"Seccomp:"*2* ]] || fail "no seccomp filter: $output"
  [[ "$output" == *77* ]] || fail "rlimit not applied: $output"
  [[ "$output" == *"Function not implemented"* ]] || fail "the container's filter is not applied: $output"
}

@test "exec --process runs a runtime-spec process file" {
  start_sleeper c1
  cat > "$BATS_TEST_TMPDIR/process.json" <<'JSON'
{"args": ["sh", "-c", "echo from-file $X; exit 3"], "env": ["X=y", "PATH=/bin"], "cwd": "/"}
JSON
  rrun exec --process "$BATS_TEST_TMPDIR/process.json" c1
  assert_equal "$status" 3 "exit code" || fail "stderr: $stderr"
  assert_equal "$output" "from-file y" output
}

@test "exec --detach returns at once and --pid-file names the process" {
  start_sleeper c1
  rrun exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" c1 sleep 30
  assert_success
  local pid
  pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
  pid_alive "$pid" || fail "exec'd process $pid is not alive"
  grep -q 'sleep' "/proc/$pid/cmdline" || fail "pid file does not name the sleep"
}

@test "exec into an unknown or stopped container fails, a bad process file fails, the container is unharmed" {
  rrun exec nosuch true
  assert_error 'does not exist'
  start_sleeper c1
  echo '{not json' > "$BATS_TEST_TMPDIR/bad.json"
  rrun exec --process "$BATS_TEST_TMPDIR/bad.json" c1
  assert_error 'JSON|json'
  rrun exec c1 /no/such/program
  assert_error '"/no/such/program": no such file or directory'
  rrun exec --console-socket "$BATS_TEST_TMPDIR/nosock" -t c1 true
  assert_error 'console'
  # A path that refuses the connection (nothing listens: connect() gets ECONNREFUSED).
  touch "$BATS_TEST_TMPDIR/refusing.sock"
  rrun exec --console-socket "$BATS_TEST_TMPDIR/refusing.sock" -t c1 true
  assert_error 'console'
  assert_equal "$(state_field c1 status)" running "container after failed execs"
  rrun kill c1 KILL
  wait_status c1 stopped
  rrun exec c1 true
  assert_error 'stopped|exited|not running'
}

@test "ps lists the container's processes as table and JSON" {
  start_sleeper c1
  rrun exec --detach c1 sleep 40
  assert_success
  local init
  init=$(state_field c1 pid)
  rrun ps --format json c1
  assert_success
  jq -e --argjson p "$init" 'length == 2 and (index($p) != null)' <<<"$output" >/dev/null || fail "ps json: $output"
  rrun ps c1
  assert_success
  [[ "${lines[0]}" == PID* ]] || fail "no header: ${lines[0]}"
  grep -q "^$init .*sleep 60" <<<"$output" || fail "init missing from the table: $output"
  grep -q "sleep 40" <<<"$output" || fail "exec'd process missing: $output"
}

