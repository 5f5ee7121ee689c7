#!/usr/bin/env bats
# run's flags that the other files do not reach (long forms, --stop-timeout, --restart always,
# --userns=host, :z, --mount type=bind|volume) and the attached forms of start and exec, each
# against rootless podman 4.3 where podman has the case. Run as root: roost and podman run as
# CTR_USER.

load helpers

setup_file() { containers_setup_file podman; }
teardown_file() { containers_teardown_file; }

teardown() {
  pm rm --all --force --time 0 >/dev/null 2>&1 || true
  pm volume rm --all --force >/dev/null 2>&1 || true
  ctr_teardown
}

@test "run --workdir and --user (the long forms of -w and -u)" {
  agree run --rm --workdir /tmp --user 0:12 busybox sh -c 'pwd; id -u; id -g'
  [ "$output" = "/tmp
0
12" ]
}

@test "run --stop-timeout: stop without -t waits that long, then SIGKILL (137)" {
  for e in pm roost_; do
    $e run -d --name st --stop-timeout 1 busybox sh -c 'trap "" TERM; echo started; while :; do sleep 0.1; done' >/dev/null
  done
  wait_for 10 eval 'roost_ logs st | grep -q started'
  agree inspect --format '{{.Config.StopTimeout}}' st
  [ "$output" = 1 ]
  start=$SECONDS
  run roost_ stop st
  [ "$status" -eq 0 ] && [ "$output" = st ]
  # One second of grace, not the default ten.
  [ $((SECONDS - start)) -lt 6 ]
  pm stop st >/dev/null
  agree inspect --format '{{.State.Status}} {{.State.ExitCode}}' st
  [ "$output" = "exited 137" ]
  agree rm st
}

@test "run --restart always: restarted after an exit 0 too; stop ends it for good" {
  for e in pm roost_; do
    $e run -d --name ra --restart always busybox sh -c 'echo ran; sleep 0.2' >/dev/null
  done
  wait_for 30 eval '[ "$(roost_ inspect --format "{{.RestartCount}}" ra)" -ge 2 ]'
  wait_for 30 eval '[ "$(pm inspect --format "{{.RestartCount}}" ra)" -ge 2 ]'
  agree inspect --format '{{.HostConfig.RestartPolicy.Name}}' ra
  [ "$output" = always ]
  for e in pm roost_; do
    $e stop -t 1 ra >/dev/null
  done
  count=$(roost_ inspect --format '{{.RestartCount}}' ra)
  sleep 1.5
  run roost_ inspect --format '{{.State.Status}} {{.RestartCount}}' ra
  [ "$output" = "exited $count" ]
  # (podman 4.3 is no oracle here: its container is often running again after the stop, as its
  # restart races the stop's cleanup.)
  roost_ rm ra >/dev/null
}

@test "run --userns=host: the container is in the user's own namespace (the same maps as podman's)" {
  agree run --rm --userns=host busybox sh -c 'cat /proc/self/uid_map; cat /proc/self/gid_map'
  [ -n "$output" ]
}

@test "run -v DIR:/d:z and --mount type=bind: the directory is there (z is SELinux's, a no-op here)" {
  dir=$CTR_HOST/zdir
  mkdir -p "$dir" && echo there >"$dir/f" && chown -R "$CTR_USER:" "$dir"
  agree run --rm -v "$dir:/d:z" busybox cat /d/f
  [ "$output" = there ]
  agree run --rm --mount "type=bind,source=$dir,destination=/d,readonly" busybox sh -c 'cat /d/f; touch /d/g 2>/dev/null || echo read-only'
  [ "$output" = "there
read-only" ]
}

@test "run --mount type=volume: a named volume made on first use, kept after the container" {
  agree run --rm --mount type=volume,source=mvol,destination=/v busybox sh -c 'echo kept >/v/f'
  agree run --rm --mount type=volume,source=mvol,target=/w busybox cat /w/f
  [ "$output" = kept ]
  agree volume ls -q
  [ "$output" = mvol ]
  agree volume rm mvol
}

@test "start -ai: piped stdin reaches a created container, its output and exit code come back" {
  both_create() { pm create -i --name sai busybox sh -c 'read line; echo "got $line"; exit 4' >/dev/null &&
                  roost_ create -i --name sai busybox sh -c 'read line; echo "got $line"; exit 4' >/dev/null; }
  both_create
  run piped hello pm start -ai sai
  pm_status=$status pm_output=$output
  run piped hello roost_ start -ai sai
  [ "$status" = "$pm_status" ] && [ "$output" = "$pm_output" ]
  [ "$status" -eq 4 ] && [ "$output" = "got hello" ]
  agree rm sai
}

@test "exec -it under a real pty: the process has a terminal of the caller's size" {
  roost_ run -d --name ext busybox sleep 1000 >/dev/null
  in_pty 23 81 6 "$(user_cmd "$ROOST" exec -it ext sh -c 'tty; stty size; exit 6')"
  roost_ rm -f ext >/dev/null
}
