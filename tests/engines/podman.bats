#!/usr/bin/env bats
# Rootless podman 4.3 (Debian 12) with ENGINE_RUNTIME as its OCI runtime. Runs as the unprivileged
# test user, with podman's storage in this file's temp dir, cgroupfs as cgroup manager and file
# events, and an image imported from the busybox rootfs tarball (no network needed).

ENGINE=podman
load engines

setup_file() {
  engine_setup_file
  export HOME=$BATS_FILE_TMPDIR/home
  mkdir -p "$HOME"
  [ -n "${XDG_RUNTIME_DIR:-}" ] || export XDG_RUNTIME_DIR=/run/user/$(id -u)
  export PODMAN_STORE=$BATS_FILE_TMPDIR/storage PODMAN_RUNROOT=$BATS_FILE_TMPDIR/runroot
  pm import "$IMAGE_TAR" localhost/roostbb >/dev/null
}

teardown_file() {
  pm rm --all --force --time 0 >/dev/null 2>&1 || true
  # Image layers belong to subordinate ids: only inside podman's user namespace can they go.
  pm unshare rm -rf "$PODMAN_STORE" "$PODMAN_RUNROOT" 2>/dev/null || true
  # podman's pause process keeps its user namespace alive between commands; stop it.
  pm system migrate >/dev/null 2>&1 || true
}

teardown() {
  record_result
  pm rm --all --force --time 0 >/dev/null 2>&1 || true
}

# pm ARGS...: podman with this file's storage and the runtime under test.
pm() {
  timeout -k 5 60 podman --root "$PODMAN_STORE" --runroot "$PODMAN_RUNROOT" --storage-driver overlay \
    --cgroup-manager cgroupfs --events-backend file --runtime "$ENGINE_RUNTIME" "$@"
}

@test "run --rm IMAGE echo" {
  run pm run --rm localhost/roostbb echo hello from the container
  show
  [ "$status" -eq 0 ]
  [ "$output" = "hello from the container" ]
}

@test "exit code of the container process (sh -c 'exit 3')" {
  run pm run --rm localhost/roostbb sh -c 'exit 3'
  show
  [ "$status" -eq 3 ]
}

@test "run -d, exec, logs, stop, rm" {
  run pm run -d --name web localhost/roostbb sh -c 'echo started; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done'
  show
  [ "$status" -eq 0 ]
  run pm exec web sh -c 'echo exec works; exit 4'
  show
  [ "$status" -eq 4 ]
  [ "$output" = "exec works" ]
  wait_for 10 sh -c "podman --root '$PODMAN_STORE' --runroot '$PODMAN_RUNROOT' --storage-driver overlay logs web 2>/dev/null | grep -q started"
  run pm stop --time 10 web
  show
  [ "$status" -eq 0 ]
  run pm logs web
  [[ "$output" == *bye* ]]
  run pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' web
  show
  [ "$output" = "exited 0" ]
  run pm rm web
  [ "$status" -eq 0 ]
}

@test "run -it under a real pty" {
  in_pty 31 97 7 "podman --root '$PODMAN_STORE' --runroot '$PODMAN_RUNROOT' --storage-driver overlay --cgroup-manager cgroupfs --events-backend file --runtime '$ENGINE_RUNTIME' run --rm -it localhost/roostbb sh -c 'sleep 0.5; tty; stty size; exit 7'"
}

@test "--user 1000:1000" {
  run pm run --rm --user 1000:1000 localhost/roostbb id
  show
  [ "$status" -eq 0 ]
  [[ "$output" == "uid=1000(1000) gid=1000(1000)"* ]]
}

@test "-v HOSTDIR:/data read and write, owned by the user on the host" {
  local data=$BATS_TEST_TMPDIR/data
  mkdir -p "$data"
  echo "from the host" >"$data/in"
  run pm run --rm -v "$data:/data" localhost/roostbb sh -c 'cat /data/in; echo "from the container" > /data/out'
  show
  [ "$status" -eq 0 ]
  [ "$output" = "from the host" ]
  [ "$(cat "$data/out")" = "from the container" ]
  # Container root is the user on the host.
  [ "$(stat -c %u "$data/out")" = "$(id -u)" ]
}

@test "--uidmap and --gidmap" {
  # Container ids 0-999 onto ids 1-1000 of podman's namespace, i.e. the first subordinate ids.
  run pm run -d --name mapped --uidmap 0:1:1000 --gidmap 0:1:1000 localhost/roostbb sleep 60
  show
  [ "$status" -eq 0 ]
  run pm exec mapped cat /proc/self/uid_map
  show
  [ "$(echo $output)" = "0 1 1000" ]
  local pid first
  pid=$(pm inspect --format '{{.State.Pid}}' mapped)
  first=$(awk -F: -v u="$(id -un)" '$1==u {print $2; exit}' /etc/subuid)
  [ "$(awk '/^Uid:/ {print $2}' /proc/$pid/status)" = "$first" ]
}

@test "--userns=keep-id" {
  run pm run --rm --userns=keep-id localhost/roostbb id -u
  show
  [ "$status" -eq 0 ]
  [ "$output" = "$(id -u)" ]
}

@test "-e, -w and --hostname" {
  run pm run --rm -e GREETING=hi -w /tmp --hostname podbox localhost/roostbb sh -c 'echo "$GREETING $(pwd) $(hostname)"'
  show
  [ "$status" -eq 0 ]
  [ "$output" = "hi /tmp podbox" ]
}

@test "--read-only" {
  run pm run --rm --read-only localhost/roostbb sh -c 'touch /etc/x 2>&1; echo rc=$?'
  show
  [[ "$output" == *"Read-only file system"* ]]
  [[ "$output" == *"rc=1"* ]]
}

@test "--cap-drop all" {
  run pm run --rm --cap-drop all localhost/roostbb grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status
  show
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | awk '{print $2}' | sort -u)" = "0000000000000000" ]
}

@test "--security-opt no-new-privileges" {
  run pm run --rm --security-opt no-new-privileges localhost/roostbb grep NoNewPrivs /proc/self/status
  show
  [ "$(echo $output)" = "NoNewPrivs: 1" ]
}

@test "-p 127.0.0.1:PORT:80 with busybox httpd" {
  local port
  port=$(free_port)
  run pm run -d --name httpd -p "127.0.0.1:$port:80" localhost/roostbb sh -c 'mkdir -p /www && echo served by busybox > /www/index.html && exec httpd -f -p 80 -h /www'
  show
  [ "$status" -eq 0 ]
  wait_for 15 http_get "$port" >/dev/null
  run http_get "$port"
  show
  [ "$output" = "served by busybox" ]
}

@test "rm -f of a running container leaves no process, mount or state" {
  run pm run -d --name doomed localhost/roostbb sleep 300
  show
  [ "$status" -eq 0 ]
  local id pid
  id=$(pm inspect --format '{{.Id}}' doomed)
  pid=$(pm inspect --format '{{.State.Pid}}' doomed)
  [ -d "/proc/$pid" ]
  # The runtime's state (runc, crun and roost-runtime keep it in $XDG_RUNTIME_DIR/<name>).
  [ -e "$XDG_RUNTIME_DIR/$RUNTIME_NAME/$id" ]
  run pm rm -f --time 0 doomed
  show
  [ "$status" -eq 0 ]
  wait_for 10 pid_gone "$pid"
  # No mount of the container's left in podman's mount namespace, no runtime state left.
  run pm unshare grep -c "$id" /proc/self/mountinfo
  [ "$output" = 0 ]
  [ ! -e "$XDG_RUNTIME_DIR/$RUNTIME_NAME/$id" ]
  run pm ps -a --format '{{.ID}}'
  [ -z "$output" ]
}

# podman turns the runtime's error text into its exit code: 127 for "executable file not found" or
# "no such file or directory", 126 for "permission denied".
@test "a command that does not exist exits 127, one that cannot be executed 126" {
  run -127 pm run --rm localhost/roostbb /no/such/command
  show
  [ "$status" -eq 127 ]
  run -127 pm run --rm localhost/roostbb nosuchcommand
  show
  [ "$status" -eq 127 ]
  run pm run --rm localhost/roostbb /etc
  show
  [ "$status" -eq 126 ]
  run pm run -d --name target localhost/roostbb sleep 300
  show
  [ "$status" -eq 0 ]
  run -127 pm exec target /no/such/command
  show
  [ "$status" -eq 127 ]
  run pm exec target /etc
  show
  [ "$status" -eq 126 ]
}

@test "run --timeout: the container is killed, run returns 255 and the container is exited" {
  run pm run --name timed --timeout 2 localhost/roostbb sleep 30
  show
  [ "$status" -eq 255 ]
  run pm inspect --format '{{.State.Status}}' timed
  show
  [ "$output" = exited ]
}
