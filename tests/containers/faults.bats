#!/usr/bin/env bats
# Faults: a monitor or a `roost run` killed with -9, a container flooding its log, two runs racing
# for one name, rm -f during a start, a full disk. After each, `roost ps` tells the truth and
# `roost rm -f` leaves nothing: no process, mount, network namespace or record (ctr_teardown).

load helpers

setup_file() { containers_setup_file; }
teardown_file() { containers_teardown_file; }

teardown() {
  [ -z "${RUNNER:-}" ] || { kill -KILL "$RUNNER" 2>/dev/null; wait "$RUNNER" 2>/dev/null; RUNNER=; }
  if [ -n "${SMALL:-}" ]; then
    CTR_ROOT=$SMALL roost_ rm --all --force >/dev/null 2>&1 || true
    CTR_ROOT=$SMALL kill_leftovers
    wait_for 5 eval '[ -z "$(CTR_ROOT=$SMALL store_processes)" ]' || true
    umount "$SMALL" 2>/dev/null || umount -l "$SMALL"
    rmdir "$SMALL"
    SMALL=
  fi
  ctr_teardown
}

# monitor_of NAME: the pid of the container's roost-monitor.
monitor_of() {
  local id
  id=$(ctr_id "$1") || return 1
  pgrep -f "roost-monitor .*$CTR_WORK/run/.*$id" | head -1
}

@test "kill -9 of a monitor: ps tells the truth, rm -f cleans up" {
  roost_ run -d --name orphan busybox sleep 1000 >/dev/null
  pid=$(roost_ inspect --format '{{.State.Pid}}' orphan)
  monitor=$(monitor_of orphan)
  [ -n "$monitor" ]
  kill -KILL "$monitor"
  wait_for 5 pid_gone "$monitor"
  # ps says what is: running while the init lives, exited once it is gone.
  run ps_states
  show
  [ "$status" -eq 0 ]
  if pid_gone "$pid"; then [ "$output" = "orphan exited" ]; else [ "$output" = "orphan running" ]; fi
  run roost_ rm -f orphan
  show
  [ "$status" -eq 0 ]
  pid_gone "$pid"
  run roost_ ps -a -q
  [ "$output" = "" ]
}

@test "kill -9 of a monitor, then the container's init dies: ps says exited" {
  roost_ run -d --name orphan2 busybox sleep 1000 >/dev/null
  pid=$(roost_ inspect --format '{{.State.Pid}}' orphan2)
  kill -KILL "$(monitor_of orphan2)"
  kill -KILL "$pid"
  wait_for 5 pid_gone "$pid"
  run roost_ inspect --format '{{.State.Status}}' orphan2
  [ "$output" = exited ]
  run roost_ rm orphan2
  [ "$status" -eq 0 ]
}

@test "kill -9 of a foreground roost run: the container runs on (as podman's), rm -f ends it" {
  user_env
  runuser -u "$CTR_USER" -- "${USER_ENV[@]}" "$ROOST" run --name fg busybox sleep 1000 >/dev/null 2>&1 &
  RUNNER=$!
  wait_for 20 eval '[ "$(ctr_status fg 2>/dev/null)" = running ]'
  # runuser's child is roost: kill it, not runuser.
  client=$(pgrep -P "$RUNNER" | head -1)
  kill -KILL "${client:-$RUNNER}"
  wait "$RUNNER" 2>/dev/null || true
  RUNNER=
  run ps_states
  [ "$output" = "fg running" ]
  run roost_ rm -f fg
  [ "$status" -eq 0 ]
}

@test "kill -9 of roost run at any moment of its start: what is left, ps shows and rm -f removes" {
  user_env
  for delay in 0.005 0.01 0.012 0.015 0.02 0.04 0.08 0.2 0.4; do
    runuser -u "$CTR_USER" -- "${USER_ENV[@]}" "$ROOST" run -d --name "cut" busybox sleep 1000 >/dev/null 2>&1 &
    RUNNER=$!
    sleep "$delay"
    pkill -KILL -P "$RUNNER" 2>/dev/null || true
    wait "$RUNNER" 2>/dev/null || true
    RUNNER=
    # Whatever is left is a container ps shows (or nothing at all), and rm -f removes it.
    run roost_ ps -a --format '{{.Names}}'
    [ "$status" -eq 0 ]
    [ -z "$output" ] || [ "$output" = cut ]
    if [ "$output" = cut ]; then
      run roost_ rm -f cut
      [ "$status" -eq 0 ]
    fi
    wait_for 5 eval '[ -z "$(store_processes)" ]'
    [ -z "$(store_containers)" ]
  done
}

@test "a container flooding its log: it ends in bounded time, logs reads it" {
  start=$SECONDS
  run roost_ run -d --name flood busybox sh -c 'yes 0123456789abcdefghijklmnopqrstuvwxyz | head -n 300000; echo last-line'
  [ "$status" -eq 0 ]
  run roost_ wait flood
  [ "$output" = 0 ]
  [ $((SECONDS - start)) -lt 30 ]
  run roost_ logs --tail 1 flood
  [ "$output" = last-line ]
  roost_ rm flood
}

@test "a foreground run whose output floods: every line arrives" {
  run roost_ run --rm busybox sh -c 'seq 1 100000'
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 100000 ]
  [ "${lines[99999]}" = 100000 ]
}

@test "two roost run --name x at once: exactly one wins, the other is 125" {
  user_env
  out=$CTR_WORK/race
  for i in 1 2; do
    runuser -u "$CTR_USER" -- "${USER_ENV[@]}" "$ROOST" run -d --name racer busybox sleep 1000 >"$out.a" 2>&1 &
    a=$!
    runuser -u "$CTR_USER" -- "${USER_ENV[@]}" "$ROOST" run -d --name racer busybox sleep 1000 >"$out.b" 2>&1 &
    b=$!
    sa=0 sb=0
    wait "$a" || sa=$?
    wait "$b" || sb=$?
    echo "round $i: $sa $sb"; cat "$out.a" "$out.b"
    [ $((sa == 0)) -ne $((sb == 0)) ]
    [ "$sa" = 125 ] || [ "$sb" = 125 ]
    grep -q 'already in use' "$out.a" "$out.b"
    run ps_states
    [ "$output" = "racer running" ]
    roost_ rm -f racer >/dev/null
  done
  rm -f "$out.a" "$out.b"
}

@test "rm -f of a container being started: nothing is left either way" {
  user_env
  for delay in 0 0.05 0.2; do
    roost_ create --name starting busybox sleep 1000 >/dev/null
    runuser -u "$CTR_USER" -- "${USER_ENV[@]}" "$ROOST" start starting >/dev/null 2>&1 &
    RUNNER=$!
    sleep "$delay"
    run roost_ rm -f starting
    [ "$status" -eq 0 ]
    wait "$RUNNER" || true
    RUNNER=
    run roost_ ps -a -q
    [ "$output" = "" ]
    wait_for 5 eval '[ -z "$(store_processes)" ]'
    [ -z "$(store_containers)" ]
  done
}

@test "a full disk: the container sees ENOSPC; a run that cannot write its files is 125; nothing is left" {
  SMALL=$CTR_WORK/root-small
  mkdir -p "$SMALL"
  mount -t tmpfs -o size=24m,mode=0700 roost-test-small "$SMALL"
  chown "$CTR_USER:" "$SMALL"
  export CTR_ROOT=$SMALL
  # The container's writes go to its upper dir on the full disk.
  run --separate-stderr roost_ run --rm busybox dd if=/dev/zero of=/big bs=1M count=64
  show_all
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"No space left on device"* ]]
  # With no byte left, roost cannot write a container's record: one error, no container.
  dd if=/dev/zero of="$SMALL/filler" bs=1M count=64 2>/dev/null || true
  run --separate-stderr roost_ run --rm busybox true
  one_error
  rm -f "$SMALL/filler"
  run roost_ ps -a -q
  [ "$output" = "" ]
  # And roost works again once there is room.
  run roost_ run --rm busybox echo room-again
  [ "$output" = room-again ]
  unset CTR_ROOT
}

@test "a run root whose control socket path is longer than sun_path (108 bytes): run works" {
  # podman's conmon reaches its sockets through /proc/self/fd; a user's XDG_RUNTIME_DIR may be deep.
  export CTR_RUNROOT=$CTR_WORK/run/a-deep-runtime-directory-of-some-user/that-goes-on/and-on
  install -d -o "$CTR_USER" -m 0700 "$CTR_WORK/run/a-deep-runtime-directory-of-some-user"
  run roost_ run --rm busybox echo deep
  show
  [ "$output" = deep ]
  run roost_ run -d --name deep busybox sleep 1000
  [ "$status" -eq 0 ]
  run roost_ stop -t 1 deep
  [ "$status" -eq 0 ]
  run roost_ rm deep
  [ "$status" -eq 0 ]
  # This run root has a pause process of its own (the user's namespace is kept per run root);
  # the file's teardown knows only the default one's.
  local pause_pid rest
  read -r pause_pid rest <"$CTR_RUNROOT/pause.pid" && kill -KILL "$pause_pid"
  unset CTR_RUNROOT
  rm -rf "$CTR_WORK/run/a-deep-runtime-directory-of-some-user"
}
