#!/usr/bin/env bats
# containerd 1.6 (Debian 12), as root, with ENGINE_RUNTIME as the runc binary of its runc v2 shim
# (`ctr run --runc-binary`). The test starts its own containerd on its own socket, root and state
# dirs, in a namespace of its own, and stops it afterwards.

ENGINE=containerd
load engines

setup_file() {
  [ "$(id -u)" = 0 ] || skip "containerd runs as root"
  engine_setup_file
  export CTD=$BATS_FILE_TMPDIR/containerd
  export CTD_NS=roost-test-$$
  mkdir -p "$CTD"
  cat >"$CTD/config.toml" <<TOML
version = 2
root = "$CTD/root"
state = "$CTD/state"
[grpc]
  address = "$CTD/containerd.sock"
[ttrpc]
  address = "$CTD/containerd.sock.ttrpc"
[debug]
  address = "$CTD/debug.sock"
[plugins."io.containerd.grpc.v1.cri"]
  disable_cgroup = true
TOML
  containerd --config "$CTD/config.toml" >"$CTD/log" 2>&1 3>&- &
  echo $! >"$CTD/pid"
  wait_for 20 ctr_ version
  "$REPO/tests/engines/make-oci-archive" "$IMAGE_TAR" docker.io/library/roostbb:latest "$CTD/image.tar"
  ctr_ image import "$CTD/image.tar" >/dev/null
}

teardown_file() {
  [ -n "${CTD:-}" ] || return 0
  local id
  for id in $(ctr_ task ls -q 2>/dev/null); do ctr_ task delete --force "$id" >/dev/null 2>&1 || true; done
  for id in $(ctr_ container ls -q 2>/dev/null); do ctr_ container rm "$id" >/dev/null 2>&1 || true; done
  kill "$(cat "$CTD/pid")" 2>/dev/null || true
  wait_for 20 pid_gone "$(cat "$CTD/pid")" || kill -9 "$(cat "$CTD/pid")" 2>/dev/null || true
  # The namespace's parent cgroup, which containerd names after the namespace.
  rmdir "/sys/fs/cgroup/unified/$CTD_NS" "/sys/fs/cgroup/$CTD_NS" 2>/dev/null || true
  umount -R "$CTD/root" 2>/dev/null || true
  rm -rf "$CTD"
}

teardown() {
  record_result
  local id
  for id in $(ctr_ task ls -q 2>/dev/null); do ctr_ task delete --force "$id" >/dev/null 2>&1 || true; done
  for id in $(ctr_ container ls -q 2>/dev/null); do ctr_ container rm "$id" >/dev/null 2>&1 || true; done
}

ctr_() { timeout -k 5 60 ctr --address "$CTD/containerd.sock" --namespace "$CTD_NS" "$@" 3>&-; }
ctr_run() { ctr_ run --runc-binary "$ENGINE_RUNTIME" "$@"; }
IMAGE=docker.io/library/roostbb:latest

@test "ctr run to completion, with its exit code" {
  run ctr_run --rm "$IMAGE" done1 sh -c 'echo ran to completion; exit 3'
  show
  [ "$status" -eq 3 ]
  [ "$output" = "ran to completion" ]
}

@test "ctr run -t under a real pty" {
  in_pty 29 91 5 "ctr --address '$CTD/containerd.sock' --namespace '$CTD_NS' run --rm -t --runc-binary '$ENGINE_RUNTIME' $IMAGE tty1 sh -c 'tty; sleep 0.5; stty size; exit 5'"
}

@test "ctr task exec" {
  run ctr_run -d "$IMAGE" exec1 sleep 300
  show
  [ "$status" -eq 0 ]
  run ctr_ task exec --exec-id e1 exec1 sh -c 'echo exec works; exit 4'
  show
  [ "$status" -eq 4 ]
  [ "$output" = "exec works" ]
}

@test "ctr task pause and resume" {
  ctr_run -d "$IMAGE" pause1 sleep 300
  run ctr_ task pause pause1
  show
  [ "$status" -eq 0 ]
  run ctr_ task ls
  [[ "$output" == *PAUSED* ]]
  run ctr_ task resume pause1
  [ "$status" -eq 0 ]
  run ctr_ task ls
  [[ "$output" == *RUNNING* ]]
}

@test "ctr task kill and ctr task delete" {
  ctr_run -d "$IMAGE" kill1 sleep 300
  run ctr_ task kill --signal SIGKILL kill1
  show
  [ "$status" -eq 0 ]
  wait_for 10 sh -c "ctr --address '$CTD/containerd.sock' --namespace '$CTD_NS' task ls | grep -q 'kill1.*STOPPED'"
  run ctr_ task delete kill1
  show
  [ "$status" -eq 0 ]
  [[ "$output" == *137* ]]
}

@test "ctr task delete --force leaves no process, mount, state or cgroup" {
  ctr_run -d "$IMAGE" doomed sleep 300
  local pid
  pid=$(ctr_ task ls | awk '$1 == "doomed" {print $2}')
  [ -n "$pid" ] && [ -d "/proc/$pid" ]
  local cgroup
  cgroup=$(awk -F: '$1 == 0 {print $3}' "/proc/$pid/cgroup")
  [ -e "/run/containerd/runc/$CTD_NS/doomed" ]
  run ctr_ task delete --force doomed
  show
  [ "$status" -eq 0 ]
  wait_for 10 pid_gone "$pid"
  run grep -c "/$CTD_NS/doomed" /proc/self/mountinfo
  [ "$output" = 0 ]
  [ ! -e "/run/containerd/runc/$CTD_NS/doomed" ]
  if [ "$RUNTIME_NAME" = roost-runtime ] || [ "$RUNTIME_NAME" = roost-runtime-dev ]; then
    # roost-runtime placed it in a cgroup v2 group of its own, and removed it.
    [ "$cgroup" = "/$CTD_NS/doomed" ]
    [ ! -e "/sys/fs/cgroup/unified$cgroup" ] && [ ! -e "/sys/fs/cgroup$cgroup" ]
  fi
}
