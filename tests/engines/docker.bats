#!/usr/bin/env bats
# Docker (Debian 12's docker.io 20.10), as root, with ENGINE_RUNTIME added as the runtime "roost"
# (`dockerd --add-runtime`). The test starts its own dockerd on its own socket, data root and exec
# root (no iptables, no bridge: this machine has neither to spare) and stops it by its pid.

ENGINE=docker
load engines

setup_file() {
  [ "$(id -u)" = 0 ] || skip "dockerd runs as root"
  engine_setup_file
  export DK=$BATS_FILE_TMPDIR/docker
  mkdir -p "$DK"
  dockerd --data-root "$DK/data" --exec-root "$DK/exec" -H "unix://$DK/docker.sock" --pidfile "$DK/docker.pid" \
    --iptables=false --ip6tables=false --bridge=none --add-runtime "roost=$ENGINE_RUNTIME" >"$DK/log" 2>&1 3>&- &
  echo $! >"$DK/pid"
  wait_for 30 docker_ version >/dev/null
  docker_ import "$IMAGE_TAR" roostbb >/dev/null
}

teardown_file() {
  [ -n "${DK:-}" ] || return 0
  docker_ rm -f $(docker_ ps -aq 2>/dev/null) >/dev/null 2>&1 || true
  kill "$(cat "$DK/pid")" 2>/dev/null || true
  wait_for 30 pid_gone "$(cat "$DK/pid")" || kill -9 "$(cat "$DK/pid")" 2>/dev/null || true
  rmdir /sys/fs/cgroup/unified/docker /sys/fs/cgroup/docker 2>/dev/null || true
  umount -R "$DK/data" "$DK/exec" 2>/dev/null || true
  rm -rf "$DK"
}

teardown() {
  record_result
  docker_ rm -f $(docker_ ps -aq 2>/dev/null) >/dev/null 2>&1 || true
}

# Debian's own client (a newer one may sit earlier in PATH).
docker_() { timeout -k 5 60 /usr/bin/docker -H "unix://$DK/docker.sock" "$@" 3>&-; }

@test "docker run --rm with the runtime added by --add-runtime" {
  run docker_ run --rm --runtime roost roostbb sh -c 'echo hello from docker; exit 3'
  show
  [ "$status" -eq 3 ]
  [ "$output" = "hello from docker" ]
}

@test "docker run -it under a real pty" {
  in_pty 27 88 6 "/usr/bin/docker -H 'unix://$DK/docker.sock' run --rm -it --runtime roost roostbb sh -c 'tty; sleep 0.5; stty size; exit 6'"
}

@test "docker exec" {
  docker_ run -d --name exec1 --runtime roost roostbb sleep 300
  run docker_ exec exec1 sh -c 'echo exec works; exit 2'
  show
  [ "$status" -eq 2 ]
  [ "$output" = "exec works" ]
}

@test "docker stop" {
  docker_ run -d --name stop1 --runtime roost roostbb sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
  run docker_ stop --time 10 stop1
  show
  [ "$status" -eq 0 ]
  run docker_ inspect --format '{{.State.Status}} {{.State.ExitCode}}' stop1
  show
  [ "$output" = "exited 0" ]
}

@test "docker pause and unpause" {
  docker_ run -d --name pause1 --runtime roost roostbb sleep 300
  run docker_ pause pause1
  show
  [ "$status" -eq 0 ]
  [ "$(docker_ inspect --format '{{.State.Status}}' pause1)" = paused ]
  docker_ unpause pause1
  [ "$(docker_ inspect --format '{{.State.Status}}' pause1)" = running ]
}

@test "docker rm -f of a running container leaves no process or state" {
  docker_ run -d --name doomed --runtime roost roostbb sleep 300
  local id pid
  id=$(docker_ inspect --format '{{.Id}}' doomed)
  pid=$(docker_ inspect --format '{{.State.Pid}}' doomed)
  [ -d "/proc/$pid" ]
  # The runtime's state for the container (docker gives it --root EXEC-ROOT/runtime-runc/moby).
  [ -e "$DK/exec/runtime-runc/moby/$id" ]
  run docker_ rm -f doomed
  show
  [ "$status" -eq 0 ]
  wait_for 10 pid_gone "$pid"
  [ ! -e "$DK/exec/runtime-runc/moby/$id" ]
  run grep -c "$id" /proc/self/mountinfo
  [ "$output" = 0 ]
}
