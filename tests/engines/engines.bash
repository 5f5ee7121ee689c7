# Common helpers for the engine tests: podman, containerd and Docker driving an OCI runtime.
#
# Environment:
#   ENGINE_RUNTIME   the OCI runtime the engine is told to use (default: the repo's build of
#                    roost-runtime); the same tests run against runc and crun for comparison
#   ENGINE_RESULTS   if set, a file each test appends "engine<TAB>scenario<TAB>runtime<TAB>ok|FAIL" to,
#                    from which tests/engines/report makes docs/ENGINES.md
#   ENGINE_IMAGE_TAR the busybox rootfs tarball (default: built with scripts/make-bundle)

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# wait_for, show, free_tcp_port, pid_gone: the shared helpers.
source "$REPO/tests/lib/common.bash"
ENGINE_RUNTIME=${ENGINE_RUNTIME:-$REPO/build/roost-runtime}
RUNTIME_NAME=$(basename "$ENGINE_RUNTIME")
: "${BATS_TEST_TIMEOUT:=180}"
export BATS_TEST_TIMEOUT

# The engine's name in the results table; each .bats file sets it.
ENGINE=${ENGINE:-unknown}

# Builds the busybox rootfs tarball once per file into $IMAGE_TAR.
engine_setup_file() {
  IMAGE_TAR=${ENGINE_IMAGE_TAR:-}
  if [ -z "$IMAGE_TAR" ]; then
    "$REPO/scripts/make-bundle" "$BATS_FILE_TMPDIR/bundle" "$REPO/build/roost-runtime" >/dev/null
    IMAGE_TAR=$BATS_FILE_TMPDIR/bundle/rootfs.tar
  fi
  export IMAGE_TAR
  # Subordinate ids (container root under --uidmap) must reach the engine's storage in here.
  chmod a+x "$BATS_RUN_TMPDIR" "$BATS_FILE_TMPDIR/.." 2>/dev/null || true
  chmod 755 "$BATS_FILE_TMPDIR"
}

# Appends this test's result to $ENGINE_RESULTS (call from teardown).
record_result() {
  [ -n "${ENGINE_RESULTS:-}" ] || return 0
  local result=FAIL
  [ "${BATS_TEST_COMPLETED:-}" = 1 ] && result=ok
  printf '%s\t%s\t%s\t%s\n' "$ENGINE" "$BATS_TEST_DESCRIPTION" "$RUNTIME_NAME" "$result" >>"$ENGINE_RESULTS"
}

# A free TCP port on 127.0.0.1.
free_port() { free_tcp_port; }

# http_get PORT [PATH]: the body of http://127.0.0.1:PORT/PATH, through bash's /dev/tcp (Debian's
# static busybox wget crashes on the host, and curl is not always installed).
http_get() {
  local port=$1 path=${2:-} response
  exec 5<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET /%s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&5
  response=$(timeout 5 cat <&5) || { exec 5<&-; return 1; }
  exec 5<&-
  [[ "$response" == "HTTP/1."?" 200"* ]] || return 1
  # The body follows the first empty line.
  printf '%s\n' "$response" | tr -d '\r' | sed '1,/^$/d'
}


# in_pty ROWS COLS STATUS COMMAND: runs COMMAND (a shell string) under a real pseudo-terminal of
# that size (script(1)) and checks that it exits with STATUS, that the container saw a pty and
# that the size reached it (the container prints `tty` and `stty size`).
in_pty() {
  local rows=$1 cols=$2 want=$3
  run script -qec "stty rows $rows cols $cols; $4" /dev/null
  show
  [ "$status" -eq "$want" ] || return 1
  [[ "$output" == */dev/pts/* ]] || { echo "no pty in the container"; return 1; }
  [[ "$output" == *"$rows $cols"* ]] || { echo "window size $rows $cols did not arrive"; return 1; }
}
