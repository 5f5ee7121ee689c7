#!/usr/bin/env bats
# create / start / state / kill / delete / run and their state transitions.

load helpers

@test "create leaves a created container whose process has not run the program" {
  mount_out
  set_cmd 'echo ran >> /out/marker; sleep 100'
  create_ctr c1
  rrun state c1
  assert_success
  echo "$output" | jq -e '.status == "created"' || fail "status should be created"
  local pid
  pid=$(echo "$output" | jq -r .pid)
  pid_alive "$pid" || fail "process $pid of the created container does not exist"
  sleep 0.3
  [ ! -e "$OUT/marker" ] || fail "the program ran before start"
  ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'sleep 100' || fail "pid $pid already is the user program"
}

@test "create then start runs the process once" {
  mount_out
  set_cmd 'echo ran >> /out/marker'
  create_ctr c1
  rrun start c1
  assert_success
  wait_status c1 stopped
  [ "$(cat "$OUT/marker")" = ran ] || { echo "marker: $(cat "$OUT/marker" 2>&1)"; false; }
}

@test "start fails on a running and on a stopped container" {
  mount_out
  set_cmd 'touch /out/started; while [ ! -e /out/go ]; do sleep 0.05; done'
  create_ctr c1
  rrun start c1
  assert_success
  wait_status c1 running
  wait_file "$OUT/started"
  rrun start c1
  assert_error
  status_is c1 running || fail "second start changed the status"
  touch "$OUT/go"
  wait_status c1 stopped
  rrun start c1
  assert_error
  [ "$(ls "$OUT")" = "$(printf 'go\nstarted')" ]
}

@test "a second create with the same id fails with already exists and keeps the first" {
  update_config '.process.args = ["sleep", "100"]'
  create_ctr dup
  local pid
  pid=$(state_field dup pid)
  rrun create --bundle "$BUNDLE" dup
  assert_error "already exists"
  status_is dup created || fail "first container not created any more"
  [ "$(state_field dup pid)" = "$pid" ] || fail "pid of the first container changed"
  pid_alive "$pid" || fail "first container's process died"
}

@test "kill on a created container stops it and delete removes it" {
  update_config '.process.args = ["sleep", "100"]'
  create_ctr c1
  local pid
  pid=$(state_field c1 pid)
  rrun kill c1 KILL
  assert_success
  wait_status c1 stopped
  wait_until 5 pid_gone "$pid"
  rrun delete c1
  assert_success
  assert_clean
}

@test "kill sends SIGTERM by default" {
  mount_out
  set_cmd 'trap "echo got-term > /out/sig; exit 0" TERM; touch /out/ready; while :; do sleep 0.05; done'
  run_detached c1
  wait_file "$OUT/ready"
  rrun kill c1
  assert_success
  wait_status c1 stopped
  [ "$(cat "$OUT/sig")" = got-term ] || fail "container did not get SIGTERM"
}

@test "kill accepts KILL, SIGKILL and 9" {
  update_config '.process.args = ["sleep", "100"]'
  local sig
  for sig in KILL SIGKILL 9; do
    run_detached "c$sig"
    wait_status "c$sig" running
    rrun kill "c$sig" "$sig"
    assert_success
    wait_status "c$sig" stopped
  done
}

@test "kill with an unknown signal fails and leaves the container running" {
  update_config '.process.args = ["sleep", "100"]'
  run_detached c1
  rrun kill c1 SIGFOO
  assert_error
  status_is c1 running || fail "container not running after a bad kill"
}

@test "kill --all stops the container" {
  set_cmd 'sleep 100 & sleep 100 & wait'
  run_detached c1
  wait_status c1 running
  rrun kill --all c1 KILL
  assert_success
  wait_status c1 stopped
}

@test "delete of a running container fails without --force and --force kills it" {
  update_config '.process.args = ["sleep", "100"]'
  run_detached c1
  local pid
  pid=$(state_field c1 pid)
  rrun delete c1
  assert_error
  status_is c1 running || fail "container not running after a refused delete"
  pid_alive "$pid" || fail "process killed by a refused delete"
  rrun delete --force c1
  assert_success
  wait_until 5 pid_gone "$pid" || fail "process $pid still alive after delete --force"
  rrun state c1
  assert_error
  assert_clean
}

@test "delete of a stopped container succeeds and removes its state" {
  update_config '.process.args = ["true"]'
  run_detached c1
  wait_status c1 stopped
  rrun delete c1
  assert_success
  rrun state c1
  assert_error
  assert_clean
}

@test "delete of a created container kills its process" {
  update_config '.process.args = ["sleep", "100"]'
  create_ctr c1
  local pid
  pid=$(state_field c1 pid)
  rrun delete c1
  assert_success
  wait_until 5 pid_gone "$pid" || fail "process $pid still alive"
  assert_clean
}

@test "run exits with the container's exit code and deletes the container" {
  set_cmd 'echo hello; exit 7'
  run_ctr c1
  [ "$status" -eq 7 ] || fail "expected exit status 7"
  assert_output_equals hello
  assert_clean
}

@test "run --detach returns with the container running and writes --pid-file" {
  update_config '.process.args = ["sleep", "100"]'
  run_detached c1 --pid-file "$BATS_TEST_TMPDIR/pidfile"
  status_is c1 running || fail "not running after run --detach"
  local pid
  pid=$(state_field c1 pid)
  [ "$(cat "$BATS_TEST_TMPDIR/pidfile")" = "$pid" ] || fail "pid file $(cat "$BATS_TEST_TMPDIR/pidfile") != state pid $pid"
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q '^sleep 100' || fail "pid $pid is not the container program"
}

@test "run --start-gate (roost's): created at once, started on the gate's byte '1'; EOF deletes it and fails" {
  mount_out
  set_cmd 'ls /proc/self/fd > /out/fds; echo ran >> /out/marker'
  mkfifo "$BATS_TEST_TMPDIR/gate"
  # The runtime's end: the fifo as its fd 5 (bats keeps 3 for itself), opened once a writer is.
  rt run --detach --bundle "$BUNDLE" --start-gate 5 c1 5<"$BATS_TEST_TMPDIR/gate" </dev/null \
    >"$BATS_TEST_TMPDIR/c1.out" 2>"$BATS_TEST_TMPDIR/c1.err" &
  local runner=$!
  exec 6>"$BATS_TEST_TMPDIR/gate"
  wait_status c1 created
  sleep 0.3
  [ ! -e "$OUT/marker" ] || { exec 6>&-; fail "the program ran before the gate opened"; }
  printf 1 >&6
  exec 6>&-
  wait "$runner" || fail "run --start-gate failed: $(cat "$BATS_TEST_TMPDIR/c1.err")"
  wait_status c1 stopped
  [ "$(cat "$OUT/marker")" = ran ] || fail "marker: $(cat "$OUT/marker" 2>&1)"
  # The gate is the runtime's, never the program's: stdio and ls's own directory fd only.
  [ "$(tr '\n' ' ' <"$OUT/fds")" = "0 1 2 3 " ] || fail "the program's fds: $(cat "$OUT/fds")"
  rrun delete c1
  assert_success
  # A gate that closes without the byte: the container is deleted, run fails, nothing ran.
  rm -f "$OUT/marker"
  rrun run --detach --bundle "$BUNDLE" --start-gate 5 c2 5</dev/null
  assert_error
  [[ "$stderr" == *"was not started"* ]] || fail "stderr: $stderr"
  [ ! -e "$OUT/marker" ] || fail "the program ran"
  rrun state c2
  assert_error
  assert_clean
}

@test "the container outlives create's caller, and a subreaper caller reaps it with its exit status" {
  # As conmon and containerd-shim do: the caller becomes a child subreaper, create returns, the
  # container's init is reparented to the caller, which waits for it after start.
  set_cmd 'sleep 0.3; exit 42'
  cat >"$BATS_TEST_TMPDIR/reaper.py" <<'PY'
import ctypes, json, os, subprocess, sys
rt, state, bundle = sys.argv[1:4]
PR_SET_CHILD_SUBREAPER = 36
ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
# create runs in a short-lived shell of its own, which exits before the container starts.
subprocess.run(["sh", "-c", 'exec "$0" --root "$1" create --bundle "$2" c1', rt, state, bundle], check=True,
               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
pid = json.loads(subprocess.run([rt, "--root", state, "state", "c1"], check=True, capture_output=True).stdout)["pid"]
subprocess.run([rt, "--root", state, "start", "c1"], check=True)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
PY
  run timeout 30 env ROOST_TEST_MARKER="$MARKER" python3 "$BATS_TEST_TMPDIR/reaper.py" "$ROOST_RUNTIME" "$STATE" "$BUNDLE" 3>&-
  [ "$status" -eq 0 ] || fail "reaper failed: $output"
  assert_output_equals 42
  wait_status c1 stopped
}

@test "create --pid-file writes the container's pid" {
  update_config '.process.args = ["sleep", "100"]'
  create_ctr c1 --pid-file "$BATS_TEST_TMPDIR/pidfile"
  [ "$(cat "$BATS_TEST_TMPDIR/pidfile")" = "$(state_field c1 pid)" ] || fail "pid file does not match state"
}

@test "a container whose program exits is reported stopped" {
  update_config '.process.args = ["true"]'
  run_detached c1
  wait_status c1 stopped
  rrun list --format json
  echo "$output" | jq -e '.[] | select(.id == "c1") | .status == "stopped"'
}

@test "create --preserve-fds passes extra file descriptors" {
  set_cmd 'echo via-fd3 >&3'
  local f="$BATS_TEST_TMPDIR/fd3"
  : >"$f"
  last_cmd="create --preserve-fds 1 (fd 3 -> $f)"
  rt_fd3 create --bundle "$BUNDLE" --preserve-fds 1 c1 3>>"$f" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err" ||
    fail "create failed: $(cat "$BATS_TEST_TMPDIR/err")"
  rrun start c1
  assert_success
  wait_status c1 stopped
  [ "$(cat "$f")" = via-fd3 ] || fail "fd 3 content: $(cat "$f")"
}

@test "create accepts --no-pivot and --no-new-keyring" {
  set_cmd 'echo ok-no-pivot'
  run_ctr c1 --no-pivot --no-new-keyring
  assert_success
  assert_output_equals ok-no-pivot
}

@test "concurrent state, kill and delete --force do not corrupt the state" {
  update_config '.process.args = ["sleep", "100"]'
  run_detached c1
  run_detached c2
  local pid1 i pids=()
  pid1=$(state_field c1 pid)
  for i in 1 2 3 4 5; do
    rt state c1 >"$BATS_TEST_TMPDIR/state.$i" 2>&1 </dev/null &
    pids+=($!)
    rt kill c1 KILL >/dev/null 2>&1 </dev/null &
    pids+=($!)
  done
  rt delete --force c1 >"$BATS_TEST_TMPDIR/delete.out" 2>&1 </dev/null &
  pids+=($!)
  # (a bare `wait` would also wait for bats' timeout watchdog)
  wait "${pids[@]}" || true
  # Whatever succeeded printed valid state; the container ends up gone.
  for i in 1 2 3 4 5; do
    if jq -e . "$BATS_TEST_TMPDIR/state.$i" >/dev/null 2>&1; then
      jq -e '.id == "c1"' "$BATS_TEST_TMPDIR/state.$i" >/dev/null || fail "bad state output $(cat "$BATS_TEST_TMPDIR/state.$i")"
    fi
  done
  rt delete --force c1 >/dev/null 2>&1 || true
  wait_until 5 pid_gone "$pid1" || fail "c1 process survived"
  rrun list -q
  assert_success
  assert_output_equals c2
  status_is c2 running || fail "c2 affected"
  # The id can be reused.
  run_detached c1
  status_is c1 running || fail "c1 cannot be re-created"
}
