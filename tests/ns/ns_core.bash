# Helpers of tests/ns/process.bats and options.bats (roost ns's process model and options). Run
# as root: each test runs roost ns as an unprivileged user through setpriv, which execs, so that
# $! is roost ns's own parent process.
#
#   NS_USER   roost-test (subuid ranges, the default), roost-nosub (one-id map) or root

bats_require_minimum_version 1.5.0
REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# roost (dynamic) execs roost-ns (static) for `roost ns`; rootlesskit is a symlink to roost-ns.
ROOST=${ROOST:-$REPO/build/roost}
ROOST_NS="$(dirname "$ROOST")/roost-ns"
RK="$(dirname "$ROOST")/rootlesskit"
NS_USER=${NS_USER:-roost-test}
: "${BATS_TEST_TIMEOUT:=60}"
export BATS_TEST_TIMEOUT

ns_setup() {
  [ "$(id -u)" = 0 ] || skip "needs root (to run roost ns as the test users)"
  [ -x "$ROOST" ] || skip "$ROOST is not built"
  # A directory of this test's own the test users can write: state dirs and TMPDIR go here.
  T=$(mktemp -d /tmp/roost-ns-test.XXXXXX)
  chmod 0777 "$T"
  MARK="roost-ns-test-$BATS_TEST_NUMBER-$$"
}

# Kills whatever this test left running (found by the marker in its environment), then removes
# its directory.
ns_teardown() {
  [ -n "${MARK:-}" ] || return 0
  local pid
  for pid in $(grep -l -a "ROOST_NS_TEST_MARK=$MARK" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3); do
    kill -9 "$pid" 2>/dev/null || true
  done
  sleep 0.1
  [ -z "${T:-}" ] || rm -rf "$T"
}

# as USER CMD...: CMD as USER (exec'd, no process in between), with a clean HOME/XDG_RUNTIME_DIR.
as() {
  local user=$1
  shift
  if [ "$user" = root ]; then
    env ROOST_NS_TEST_MARK="$MARK" TMPDIR="$T" "$@"
  else
    setpriv --reuid="$user" --regid="$user" --init-groups \
      env HOME=/tmp XDG_RUNTIME_DIR="/run/user/$(id -u "$user")" TMPDIR="$T" ROOST_NS_TEST_MARK="$MARK" "$@"
  fi
}

# ns ARGS...: rootlesskit (roost's) as $NS_USER.
ns() { as "$NS_USER" "$RK" "$@"; }

# ns_bg ARGS...: the same in the background, with NS_PID the pid of roost ns's parent itself.
ns_bg() {
  (exec setpriv --reuid="$NS_USER" --regid="$NS_USER" --init-groups \
    env HOME=/tmp XDG_RUNTIME_DIR="/run/user/$(id -u "$NS_USER")" TMPDIR="$T" ROOST_NS_TEST_MARK="$MARK" "$RK" "$@") &
  NS_PID=$!
}

# The processes still carrying this test's marker (none once roost ns is done).
leftovers() { grep -l -a "ROOST_NS_TEST_MARK=$MARK" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | grep -vx "$$" || true; }

# Waits up to 5 s for FILE to exist.
wait_for_file() {
  local i
  for i in $(seq 50); do
    [ -e "$1" ] && return 0
    sleep 0.1
  done
  echo "timed out waiting for $1" >&2
  return 1
}

# Waits up to 5 s for process PID to be gone (or a zombie no one reaps yet).
wait_gone() {
  local i
  for i in $(seq 50); do
    [ -e "/proc/$1" ] || return 0
    grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
