# Common helpers for the roost-runtime integration tests (bats).
#
# Environment:
#   ROOST_RUNTIME    the runtime binary (default: $REPO/build/roost-runtime)
#   ROOST_TEST_MODE  subuid | oneid | root (default: guessed from the caller: root if uid 0,
#                    subuid if the caller has an /etc/subuid range, oneid otherwise)
#
# Every test gets its own state dir ($STATE, passed as --root), its own bundle ($BUNDLE, with a
# private copy of the busybox rootfs built once per file) and a marker ($MARKER) that is put into
# the environment of every runtime invocation and of the container process, so that leftover
# processes of this test can be found (and killed) by their environment.

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
ROOST_RUNTIME=${ROOST_RUNTIME:-$REPO/build/roost-runtime}
export ROOST_RUNTIME
# Guards against a hung runtime: each runtime invocation gets this many seconds.
RT_TIMEOUT=${RT_TIMEOUT:-30}
# And each test this many (bats >= 1.7 honours it).
: "${BATS_TEST_TIMEOUT:=120}"
export BATS_TEST_TIMEOUT

if [ -z "${ROOST_TEST_MODE:-}" ]; then
  if [ "$(id -u)" = 0 ]; then
    ROOST_TEST_MODE=root
  elif grep -q "^$(id -un):" /etc/subuid 2>/dev/null || grep -q "^$(id -u):" /etc/subuid 2>/dev/null; then
    ROOST_TEST_MODE=subuid
  else
    ROOST_TEST_MODE=oneid
  fi
fi
export ROOST_TEST_MODE
MY_UID=$(id -u)
MY_GID=$(id -g)
# First subordinate uid/gid range of the caller ("start count"), empty without one.
SUBUID_RANGE=$(awk -F: -v u="$(id -un)" -v n="$MY_UID" '$1==u||$1==n {print $2" "$3; exit}' /etc/subuid 2>/dev/null)
SUBGID_RANGE=$(awk -F: -v u="$(id -un)" -v n="$MY_UID" '$1==u||$1==n {print $2" "$3; exit}' /etc/subgid 2>/dev/null)

# ---------------------------------------------------------------------------------------------
# Per-file and per-test setup.

# Builds the shared bundle ($BASE_BUNDLE: rootfs + the runtime's `spec --rootless` config) once per
# file. Call from setup_file.
common_setup_file() {
  export BASE_BUNDLE="$BATS_FILE_TMPDIR/base"
  if [ ! -x "$ROOST_RUNTIME" ]; then
    echo "# runtime $ROOST_RUNTIME is not built (set ROOST_RUNTIME)" >&3
    return 1
  fi
  if ! "$REPO/scripts/make-bundle" "$BASE_BUNDLE" "$ROOST_RUNTIME" >/dev/null 2>"$BATS_FILE_TMPDIR/make-bundle.err"; then
    echo "# scripts/make-bundle failed: $(head -c 300 "$BATS_FILE_TMPDIR/make-bundle.err")" >&3
    return 1
  fi
  rm -f "$BASE_BUNDLE/rootfs.tar"
  # Ids mapped into containers (subordinate ids, or mapped ids as root) must reach the bundles.
  chmod a+x "$BATS_RUN_TMPDIR" "$BATS_FILE_TMPDIR/.." "$BATS_RUN_TMPDIR/test" 2>/dev/null || true
  chmod 755 "$BATS_FILE_TMPDIR" "$BASE_BUNDLE"
  # The per-test starting config: the shared rootfs by absolute path, and as root no user namespace
  # (containers run as real root unless a test adds one).
  jq --arg r "$BASE_BUNDLE/rootfs" --arg mode "$ROOST_TEST_MODE" '
    .root.path = $r
    | if $mode == "root" then .linux.namespaces |= map(select(.type != "user")) else . end' \
    "$BASE_BUNDLE/config.json" >"$BASE_BUNDLE/test-config.json"
}

# Per-test setup: $STATE, $BUNDLE (config.json from the base, root.path pointing at the shared,
# read-only rootfs; call private_rootfs to get a writable copy), $OUT (a host directory the tests
# bind-mount at /out to get results out of the container; see mount_out), $MARKER.
common_setup() {
  STATE="$BATS_TEST_TMPDIR/state"
  BUNDLE="$BATS_TEST_TMPDIR/bundle"
  OUT="$BATS_TEST_TMPDIR/out"
  MARKER="roost-test-${BATS_ROOT_PID:-$$}-${BATS_SUITE_TEST_NUMBER:-0}-$RANDOM"
  mkdir -p "$BUNDLE" "$OUT"
  chmod 777 "$OUT"
  chmod 755 "$BATS_TEST_TMPDIR"
  # The container's environment carries the marker too, so a container process can be found.
  jq --arg m "ROOST_TEST_MARKER=$MARKER" '.process.env += [$m]' "$BASE_BUNDLE/test-config.json" >"$BUNDLE/config.json"
}

# private_rootfs: gives the test its own copy of the rootfs at $BUNDLE/rootfs (root.path "rootfs").
private_rootfs() {
  cp -a "$BASE_BUNDLE/rootfs" "$BUNDLE/rootfs"
  update_config '.root.path = "rootfs"'
}

# Force-deletes whatever the test left behind and kills processes carrying its marker.
common_teardown() {
  local id pid
  if [ -n "${STATE:-}" ] && [ -d "$STATE" ]; then
    for id in $(rt list -q 2>/dev/null); do
      rt delete --force "$id" >/dev/null 2>&1 || true
    done
  fi
  if [ -n "${MARKER:-}" ]; then
    for pid in $(marker_pids); do
      kill -9 "$pid" 2>/dev/null || true
    done
  fi
}

# Tests files use these names directly.
setup_file() { common_setup_file; }
setup() { common_setup; }
teardown() { common_teardown; }

# ---------------------------------------------------------------------------------------------
# Running the runtime.

# rt ARGS...: the runtime with this test's state dir. Plain stdio (use for quick commands).
# fd 3 (bats' own output channel) is closed for the runtime: a leftover process holding it would make
# bats wait forever. rt_fd3 keeps whatever the caller put on fd 3 (for --preserve-fds).
rt() {
  timeout -k 5 "$RT_TIMEOUT" env ROOST_TEST_MARKER="$MARKER" "$ROOST_RUNTIME" --root "$STATE" "$@" 3>&-
}
rt_fd3() {
  timeout -k 5 "$RT_TIMEOUT" env ROOST_TEST_MARKER="$MARKER" "$ROOST_RUNTIME" --root "$STATE" "$@"
}

# rrun ARGS...: like bats' `run rt ARGS...`, but stdout and stderr go through files, so a container
# process that keeps the runtime's stdio open cannot block the test. Sets $status, $output (stdout),
# $stderr, $lines, $stderr_lines and $last_cmd. Extra fds (3>file) pass through to the runtime.
rrun() {
  local f="$BATS_TEST_TMPDIR/rrun.$RANDOM"
  last_cmd="$ROOST_RUNTIME --root $STATE $*"
  status=0
  rt "$@" </dev/null >"$f.out" 2>"$f.err" || status=$?
  output=$(cat "$f.out")
  stderr=$(cat "$f.err")
  mapfile -t lines <"$f.out"
  mapfile -t stderr_lines <"$f.err"
  rm -f "$f.out" "$f.err"
  return 0
}

# Shows the last command and what it printed (goes to the test's output, printed on failure).
show() {
  echo "--- command: ${last_cmd:-$BATS_RUN_COMMAND}"
  echo "--- status: $status"
  echo "--- stdout:"
  printf '%s\n' "$output"
  echo "--- stderr:"
  printf '%s\n' "${stderr:-}"
  echo "---"
}

fail() {
  echo "FAIL: $*"
  show
  return 1
}

assert_success() {
  [ "$status" -eq 0 ] || fail "expected exit status 0, got $status"
}

assert_failure() {
  [ "$status" -ne 0 ] || fail "expected a non-zero exit status"
}

# assert_output_equals EXPECTED: stdout is exactly EXPECTED.
assert_output_equals() {
  [ "$output" = "$1" ] || fail "expected stdout to be exactly: '$1'"
}

# assert_output_contains STR: stdout contains STR.
assert_output_contains() {
  [[ "$output" == *"$1"* ]] || fail "expected stdout to contain: '$1'"
}

# assert_output_not_contains STR
assert_output_not_contains() {
  [[ "$output" != *"$1"* ]] || fail "expected stdout not to contain: '$1'"
}

# assert_error [REGEX]: the command failed with exactly one stderr line starting "roost-runtime: "
# (matching the extended REGEX, case-insensitively, if given).
assert_error() {
  assert_failure || return 1
  [ "${#stderr_lines[@]}" -eq 1 ] || fail "expected exactly one line on stderr, got ${#stderr_lines[@]}" || return 1
  [[ "${stderr_lines[0]}" == "roost-runtime: "* ]] || fail "expected stderr to start with 'roost-runtime: '" || return 1
  if [ -n "${1:-}" ]; then
    grep -Eqi -- "$1" <<<"${stderr_lines[0]}" || fail "expected the error to match /$1/"
  fi
}

# assert_equal ACTUAL EXPECTED [WHAT]
assert_equal() {
  [ "$1" = "$2" ] || { echo "FAIL: ${3:-value}: expected '$2', got '$1'"; return 1; }
}

# ---------------------------------------------------------------------------------------------
# Editing config.json.

# update_config [jq options] FILTER: edits $BUNDLE/config.json (or $CONFIG if set) in place.
update_config() {
  local f=${CONFIG:-$BUNDLE/config.json}
  jq "$@" "$f" >"$f.new" || { echo "update_config: jq $* failed" >&2; rm -f "$f.new"; return 1; }
  mv "$f.new" "$f"
}

# set_cmd SCRIPT: the container runs `sh -c SCRIPT`.
set_cmd() {
  update_config --arg s "$1" '.process.args = ["sh", "-c", $s]'
}

# add_mount DEST TYPE SOURCE [OPTION...]
add_mount() {
  local dest=$1 type=$2 src=$3
  shift 3
  local opts
  opts=$(printf '%s\n' "$@" | jq -R . | jq -s 'map(select(. != ""))')
  update_config --arg d "$dest" --arg t "$type" --arg s "$src" --argjson o "$opts" \
    '.mounts += [{destination: $d, type: $t, source: $s, options: $o}]'
}

# mount_out: bind-mounts $OUT (host) read-write at /out in the container.
mount_out() {
  add_mount /out bind "$OUT" rbind rw
}

# ---------------------------------------------------------------------------------------------
# Waiting and state.

# wait_until TIMEOUT_SECONDS COMMAND...: polls COMMAND every 0.05s.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "wait_until: timed out waiting for: $*"
      return 1
    fi
    sleep 0.05
  done
}

# state_field ID FIELD: prints .FIELD of `state ID` (empty if state fails).
state_field() {
  rt state "$1" 2>/dev/null | jq -r ".$2"
}

status_is() { [ "$(state_field "$1" status)" = "$2" ]; }

# wait_status ID STATUS [TIMEOUT]
wait_status() {
  wait_until "${3:-10}" status_is "$1" "$2" || {
    echo "container $1: wanted status $2, state is:"
    rt state "$1" 2>&1
    return 1
  }
}

# wait_file PATH [TIMEOUT]
wait_file() {
  wait_until "${2:-10}" test -e "$1"
}

# create_ctr ID [create options...]: creates container ID from $BUNDLE; the container's stdio goes
# to $BATS_TEST_TMPDIR/ID.stdout / .stderr. Fails (showing the output) if create fails.
create_ctr() {
  local id=$1
  shift
  last_cmd="$ROOST_RUNTIME --root $STATE create --bundle $BUNDLE $* $id"
  status=0
  rt create --bundle "$BUNDLE" "$@" "$id" </dev/null >"$BATS_TEST_TMPDIR/$id.stdout" 2>"$BATS_TEST_TMPDIR/$id.stderr" || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/$id.stdout")
  stderr=$(cat "$BATS_TEST_TMPDIR/$id.stderr")
  [ "$status" -eq 0 ] || fail "create $id failed"
}

# run_ctr ID [run options...]: `run --bundle $BUNDLE ID` through rrun (sets $status/$output/...).
run_ctr() {
  local id=$1
  shift
  rrun run --bundle "$BUNDLE" "$@" "$id"
}

# run_detached ID [run options]: `run --detach` with the container's stdio in files.
run_detached() {
  local id=$1
  shift
  last_cmd="$ROOST_RUNTIME --root $STATE run --detach --bundle $BUNDLE $* $id"
  status=0
  rt run --detach --bundle "$BUNDLE" "$@" "$id" </dev/null >"$BATS_TEST_TMPDIR/$id.stdout" 2>"$BATS_TEST_TMPDIR/$id.stderr" || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/$id.stdout")
  stderr=$(cat "$BATS_TEST_TMPDIR/$id.stderr")
  [ "$status" -eq 0 ] || fail "run --detach $id failed"
}

# ---------------------------------------------------------------------------------------------
# Processes.

# marker_pids: pids of processes (other than this shell's) whose environment has this test's marker.
marker_pids() {
  local f p
  for f in $(grep -lsxzF "ROOST_TEST_MARKER=$MARKER" /proc/[0-9]*/environ 2>/dev/null); do
    p=${f#/proc/}
    p=${p%/environ}
    [ "$p" = "$$" ] || [ "$p" = "$BASHPID" ] || echo "$p"
  done
}

no_marker_pids() { [ -z "$(marker_pids)" ]; }

# assert_no_process: no process of this test is left (runtime or container).
assert_no_process() {
  local pids
  pids=$(marker_pids)
  if [ -n "$pids" ]; then
    echo "FAIL: stray processes left behind:"
    local p
    for p in $pids; do echo "  $p: $(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null)"; done
    return 1
  fi
}

# assert_no_state: `list -q` prints nothing.
assert_no_state() {
  local ids
  ids=$(rt list -q 2>&1) || { echo "FAIL: list -q failed: $ids"; return 1; }
  [ -z "$ids" ] || { echo "FAIL: containers left in state: $ids"; return 1; }
}

# assert_clean: nothing left, neither state nor process.
assert_clean() {
  local rc=0
  assert_no_state || rc=1
  # Give an exiting process a moment to be reaped.
  wait_until 3 no_marker_pids >/dev/null || true
  assert_no_process || rc=1
  return $rc
}

pid_alive() {
  [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

pid_gone() { ! pid_alive "$1"; }

# ---------------------------------------------------------------------------------------------
# Modes.

# require_mode MODE...: skips the test unless the current mode is one of MODE (subuid, oneid, root;
# rootless means subuid or oneid).
require_mode() {
  local m
  for m in "$@"; do
    [ "$m" = "$ROOST_TEST_MODE" ] && return 0
    [ "$m" = rootless ] && [ "$ROOST_TEST_MODE" != root ] && return 0
  done
  skip "only in mode(s) $*; this run is $ROOST_TEST_MODE"
}

is_rootless() { [ "$ROOST_TEST_MODE" != root ]; }

# normalize_map: "  0  1000  1" lines -> "0 1000 1"
normalize_map() { awk '{print $1" "$2" "$3}'; }

# The expected default uid_map/gid_map of a container with a user namespace and no mappings.
expected_default_uid_map() {
  echo "0 $MY_UID 1"
  if [ "$ROOST_TEST_MODE" = subuid ]; then
    echo "1 ${SUBUID_RANGE% *} ${SUBUID_RANGE#* }"
  fi
}
expected_default_gid_map() {
  echo "0 $MY_GID 1"
  if [ "$ROOST_TEST_MODE" = subuid ]; then
    echo "1 ${SUBGID_RANGE% *} ${SUBGID_RANGE#* }"
  fi
}
