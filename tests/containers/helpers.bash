# Helpers of the engine's tests (tests/containers/*.bats): roost run, create, start, ps, logs, exec,
# stop, kill, rm, wait, inspect, port, rename and volumes, against the real binaries (build/roost,
# roost-monitor, roost-runtime), with rootless podman 4.3 (runc) as the oracle where it has the
# scenario.
#
# Run as root (scripts/test --only containers): a file runs roost and podman as
#   CTR_USER   roost-test (subuid ranges, the default) or roost-nosub (none: a one-id map)
# and, as root, checks what the user cannot see: every process on the machine (leaks), owners of
# files, a small tmpfs for the full-disk case.
#
# What a file gets (containers_setup_file [podman], in setup_file):
#   CTR_WORK        this file's directory under /tmp (0755); its store is CTR_WORK/root (ROOST_ROOT)
#                   and CTR_WORK/run (ROOST_RUNROOT), owned by CTR_USER
#   CTR_HOST        a directory of CTR_USER's for bind mounts (CTR_WORK/host)
#   with "podman":  podman's own storage in CTR_WORK/podman with the built-in busybox image
#                   (the same OCI layout roost uses) as localhost/busybox:latest
# What a test gets:
#   roost_ ARGS...        roost as CTR_USER on this file's store (use with `run`)
#   pm ARGS...            podman as CTR_USER (runc, cgroupfs, file events) on its own storage
#   agree ARGS...         runs `roost ARGS` and `podman ARGS` (run --separate-stderr), fails unless
#                         exit code and stdout are the same; leaves roost's in status/output/stderr
#   as_user CMD...        CMD as CTR_USER in the test's environment
#   one_error [REGEX]     $status is 125 and stderr is one line "Error: ..." (matching REGEX)
#   ctr_teardown          (from teardown) fails the test if a process, mount or container record
#                         of this file's store is left, then removes them so the next test starts clean
#   host_uid ID           the uid on the host of uid ID inside (subuid+ID-1, the user for 0, squashed
#                         to the user without a range)
#   squashed              true when CTR_USER has no subordinate ids

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
source "$REPO/tests/lib/common.bash"
ROOST=${ROOST:-$REPO/build/roost}
CTR_USER=${CTR_USER:-roost-test}
: "${BATS_TEST_TIMEOUT:=90}"
export BATS_TEST_TIMEOUT ROOST CTR_USER
# Each roost or podman command gets this long; a hang is a failure, not a stuck suite.
CMD_TIMEOUT=${CMD_TIMEOUT:-40}

containers_setup_file() {
  if [ "$(id -u)" != 0 ]; then
    echo "# tests/containers run as root (scripts/test --only containers); they run roost as \$CTR_USER" >&3
    return 1
  fi
  case $CTR_USER in
    roost-test|roost-nosub) ;;
    *) echo "# CTR_USER must be roost-test or roost-nosub, not $CTR_USER" >&3; return 1 ;;
  esac
  [ -x "$ROOST" ] || { echo "# $ROOST is not built" >&3; return 1; }
  # Short: a container's control socket path (run/containers/<64 hex>/ctl.sock) must fit in
  # sun_path's 108 bytes here; a test of its own (faults.bats) covers a long run root.
  # Lower-case (hex): podman names an image pulled from an OCI layout after its path, and a name
  # must be lower-case (mktemp's X's are not).
  CTR_WORK=/tmp/rc.$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
  mkdir -m 755 "$CTR_WORK" || return 1
  mkdir -p "$CTR_WORK/home" "$CTR_WORK/host" "$CTR_WORK/root" "$CTR_WORK/run"
  chown "$CTR_USER:" "$CTR_WORK/home" "$CTR_WORK/host" "$CTR_WORK/root" "$CTR_WORK/run"
  chmod 700 "$CTR_WORK/root" "$CTR_WORK/run"
  export CTR_WORK CTR_HOST=$CTR_WORK/host
  export CTR_UID=$(id -u "$CTR_USER") CTR_GID=$(id -g "$CTR_USER")
  export CTR_SUBUID=$(awk -F: -v u="$CTR_USER" '$1 == u {print $2; exit}' /etc/subuid)
  if [ "${1:-}" = podman ]; then
    podman_setup || return 1
  fi
}

containers_teardown_file() {
  [ -n "${CTR_WORK:-}" ] || return 0
  if [ -n "${PODMAN_STORE:-}" ]; then
    pm rm --all --force --time 0 >/dev/null 2>&1 || true
    # Image layers belong to subordinate ids: only inside podman's user namespace can they go.
    pm unshare rm -rf "$PODMAN_STORE" "$PODMAN_RUNROOT" >/dev/null 2>&1 || true
    # podman's pause process keeps its user namespace alive between commands; stop it.
    pm system migrate >/dev/null 2>&1 || true
  fi
  local pause
  pause=$(roost_pause_pid)
  [ -z "$pause" ] || kill -KILL "$pause" 2>/dev/null || true
  kill_leftovers
  # Upper dirs and volumes hold subordinate ids: root removes them.
  chmod -R u+rwX "$CTR_WORK" 2>/dev/null
  rm -rf "$CTR_WORK"
}

squashed() { [ -z "$CTR_SUBUID" ]; }

host_uid() {
  if [ "$1" = 0 ] || squashed; then echo "$CTR_UID"; else echo $((CTR_SUBUID + $1 - 1)); fi
}

# The environment roost runs in: what a login gives, the file's store (CTR_ROOT and CTR_RUNROOT,
# when a test sets them, replace its data and run roots; they must start with $CTR_WORK/root
# and $CTR_WORK/run), and a marker that every roost
# process (the monitor, slirp4netns, pasta) inherits, so that leftovers can be found.
user_env() {
  USER_ENV=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
            HOME="$CTR_WORK/home" USER="$CTR_USER" LOGNAME="$CTR_USER" TMPDIR=/tmp
            XDG_RUNTIME_DIR="/run/user/$CTR_UID"
            ROOST_ROOT="${CTR_ROOT:-$CTR_WORK/root}" ROOST_RUNROOT="${CTR_RUNROOT:-$CTR_WORK/run}"
            ROOST_TEST_MARKER="$CTR_WORK")
}

as_user() {
  user_env
  runuser -u "$CTR_USER" -- "${USER_ENV[@]}" "$@"
}

roost_() {
  user_env
  timeout -k 5 "$CMD_TIMEOUT" runuser -u "$CTR_USER" -- "${USER_ENV[@]}" "$ROOST" "$@"
}

# podman with this file's storage and runc (the reference runtime: crun refuses this hybrid host).
pm() {
  timeout -k 5 "$CMD_TIMEOUT" runuser -u "$CTR_USER" -- env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    HOME="$CTR_WORK/home" XDG_RUNTIME_DIR="/run/user/$CTR_UID" TMPDIR=/tmp \
    podman --root "$PODMAN_STORE" --runroot "$PODMAN_RUNROOT" --storage-driver overlay \
    --cgroup-manager cgroupfs --events-backend file --runtime runc "$@"
}

podman_setup() {
  export PODMAN_STORE=$CTR_WORK/podman/storage PODMAN_RUNROOT=$CTR_WORK/podman/run
  mkdir -p "$CTR_WORK/podman"
  chown "$CTR_USER:" "$CTR_WORK/podman"
  # The built-in image's OCI layout (the one roost serves as busybox), readable by the user.
  local layout
  layout=$(builtin_layout) || return 1
  local id
  # A copy at a lower-case path (the test copy's directory is mktemp's, mixed case): podman derives
  # the pulled image's name from the layout's path.
  cp -a "$layout" "$CTR_WORK/podman/busybox-layout" && chmod -R a+rX "$CTR_WORK/podman/busybox-layout" || return 1
  id=$(pm pull -q "oci:$CTR_WORK/podman/busybox-layout") || { echo "# podman could not load $layout" >&3; return 1; }
  pm tag "$id" localhost/busybox:latest || return 1
  # "busybox" must resolve to it: without it podman would try docker.io (no traffic off loopback).
  pm image exists localhost/busybox:latest || { echo "# podman has no localhost/busybox" >&3; return 1; }
}

# agree ARGS...: the same command line through roost and podman: same exit code, same stdout.
agree() {
  run --separate-stderr pm "$@"
  local pm_status=$status pm_output=$output pm_stderr=$stderr
  run --separate-stderr roost_ "$@"
  if [ "$status" != "$pm_status" ] || [ "$output" != "$pm_output" ]; then
    echo "roost and podman disagree on: $*"
    echo "--- podman: status $pm_status"; echo "$pm_output"; echo "--- podman stderr:"; echo "$pm_stderr"
    echo "--- roost: status $status"; echo "$output"; echo "--- roost stderr:"; echo "$stderr"
    return 1
  fi
}

show_all() {
  echo "--- command: $BATS_RUN_COMMAND"
  echo "--- status: $status"
  echo "--- stdout:"
  echo "$output"
  echo "--- stderr:"
  echo "${stderr:-}"
}

# one_error [REGEX]: after `run --separate-stderr`: exit 125 and one line "Error: ..." on stderr.
one_error() {
  if [ "$status" != 125 ]; then
    echo "expected exit 125, got $status"; show_all; return 1
  fi
  local lines
  lines=$(grep -cv '^$' <<<"$stderr" || true)
  if [ "$lines" != 1 ] || [[ "$stderr" != "Error: "* ]]; then
    echo "expected one line 'Error: ...' on stderr"; show_all; return 1
  fi
  if [ -n "${1:-}" ] && ! grep -qiE -- "$1" <<<"$stderr"; then
    echo "the error does not match /$1/"; show_all; return 1
  fi
}

# Pids of processes of this file's store (not podman's: its storage is elsewhere): roost and what
# it started carry the marker or name the store on their command line; a container's processes have its overlay (whose upper dir is in
# the store) in their mount table. Zombies do not count.
# roost's pause process (store/userns_session) keeps the user's namespace between commands by
# design: it is no test's leftover, and goes with the file (containers_teardown_file).
roost_pause_pid() {
  local pid rest
  read -r pid rest <"$CTR_WORK/run/pause.pid" 2>/dev/null || return 0
  grep -qzxF "ROOST_TEST_MARKER=$CTR_WORK" "/proc/$pid/environ" 2>/dev/null && echo "$pid"
  return 0
}

store_processes() {
  local pid others=() pause
  pause=$(roost_pause_pid)
  # Mount tables of the processes in other mount namespaces than ours (ours is checked apart).
  for pid in /proc/[0-9]*; do
    [ "$pid/ns/mnt" -ef /proc/self/ns/mnt ] || others+=("$pid/mountinfo")
  done
  for pid in $( { grep -lzxF "ROOST_TEST_MARKER=$CTR_WORK" /proc/[0-9]*/environ 2>/dev/null
                  grep -lF -e "$CTR_WORK/root" -e "$CTR_WORK/run" /proc/[0-9]*/cmdline 2>/dev/null
                  [ ${#others[@]} -eq 0 ] || grep -lF "$CTR_WORK/root" "${others[@]}" 2>/dev/null
                } | cut -d/ -f3 | sort -un); do
    [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] || [ "$pid" = "$pause" ] && continue
    grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && continue
    [ -d "/proc/$pid" ] && echo "$pid"
  done
  return 0
}

kill_leftovers() {
  local left
  left=$(store_processes)
  [ -z "$left" ] || kill -KILL $left 2>/dev/null || true
}

# The containers' records and run-time dirs left in the store (none once every container is gone).
store_containers() {
  local d
  for d in "$CTR_WORK/root/containers"/* "$CTR_WORK/run/containers"/* "$CTR_WORK/root/containers/names"/*; do
    [ -e "$d" ] || continue
    case ${d##*/} in containers.lock|names) continue ;; esac
    echo "$d"
  done
}

# Called from each file's teardown: a test leaves no process, mount or container of its own.
ctr_teardown() {
  local problems=() left log=${CTR_RUNROOT:-$CTR_WORK/run}/monitor.log
  # What the monitors logged during the test (roost's RUNROOT/monitor.log), shown when the test
  # fails and emptied for the next one.
  if [ -s "$log" ]; then
    echo "--- $log:"; cat "$log"; : >"$log"
  fi
  wait_for 5 eval '[ -z "$(store_processes)" ]' || true
  left=$(store_processes)
  if [ -n "$left" ]; then
    problems+=("processes left: $(for p in $left; do printf '[%s] ' "$p"; tr '\0' ' ' <"/proc/$p/cmdline"; echo; done)")
  fi
  if grep -qF "$CTR_WORK/root" /proc/self/mountinfo; then
    problems+=("mounts left: $(grep -F "$CTR_WORK/root" /proc/self/mountinfo | cut -d' ' -f5)")
  fi
  wait_for 5 eval '[ -z "$(store_containers)" ]' || true
  left=$(store_containers)
  [ -z "$left" ] || problems+=("containers left: $left")
  if [ ${#problems[@]} -gt 0 ]; then
    # Clean up for the next test: roost's own removal first, then by force.
    roost_ rm --all --force >/dev/null 2>&1 || true
    kill_leftovers
    local d
    for d in $(store_containers); do chmod -R u+rwX "$d" 2>/dev/null; rm -rf "$d"; done
    printf '%s\n' "teardown found:" "${problems[@]}"
    return 1
  fi
}

# The id of a container by name, from roost inspect.
ctr_id() { roost_ inspect --format '{{.Id}}' "$1"; }

# ps_states: "NAME STATE" per container of `roost ps -a --format json` (podman's lower-case State).
ps_states() {
  local json
  json=$(roost_ ps -a --format json) || return 1
  jq -r '.[] | .Names[0] + " " + .State' <<<"$json"
}

# ctr_status NAME: {{.State.Status}} of a container.
ctr_status() { roost_ inspect --format '{{.State.Status}}' "$1"; }

# http_get PORT [PATH] [SOURCE]: the body of http://127.0.0.1:PORT/PATH from SOURCE (a loopback
# address the client binds to, default 127.0.0.1), via curl.
http_get() {
  curl -fsS --max-time 5 --interface "${3:-127.0.0.1}" "http://127.0.0.1:$1/${2:-}"
}

# www_dir: a directory of CTR_USER's with index.html ("page-ok"), for busybox httpd -h.
www_dir() {
  local dir=$CTR_HOST/www
  mkdir -p "$dir"
  echo page-ok >"$dir/index.html"
  chown -R "$CTR_USER:" "$dir"
  echo "$dir"
}

# builtin_layout: the built-in image's OCI layout beside roost.
builtin_layout() {
  local layout
  for layout in "$(dirname "$ROOST")/share/roost/busybox" "$(dirname "$ROOST")/../share/roost/busybox"; do
    [ -f "$layout/index.json" ] && { echo "$layout"; return 0; }
  done
  echo "no built-in busybox layout beside $ROOST" >&2
  return 1
}

# make_image_archive OUT NAME CONFIG: an oci-archive of the built-in image with CONFIG (a JSON
# object) merged into its config's "config" (Entrypoint, Cmd, Env, ExposedPorts, ...), named NAME,
# readable by CTR_USER: roost load and podman load take the same file.
make_image_archive() {
  local out=$1 name=$2 patch=$3 layout
  layout=$(builtin_layout) || return 1
  python3 - "$layout" "$out" "$name" "$patch" <<'PY' || return 1
import hashlib, io, json, sys, tarfile
layout, out, name, patch = sys.argv[1:]
def blob(digest):
    return open(f"{layout}/blobs/sha256/{digest[7:]}", "rb").read()
index = json.load(open(f"{layout}/index.json"))
manifest = json.loads(blob(index["manifests"][0]["digest"]))
config = json.loads(blob(manifest["config"]["digest"]))
config.setdefault("config", {}).update(json.loads(patch))
new = {}
def add(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    new[digest] = data
    return digest, len(data)
cdata = json.dumps(config, sort_keys=True).encode()
manifest["config"]["digest"], manifest["config"]["size"] = add(cdata)
mdata = json.dumps(manifest, sort_keys=True).encode()
mdigest, msize = add(mdata)
out_index = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": mdigest, "size": msize, "annotations": {"org.opencontainers.image.ref.name": name}}]}
def put(tar, path, data):
    info = tarfile.TarInfo(path)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
with tarfile.open(out, "w") as tar:
    put(tar, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    put(tar, "index.json", json.dumps(out_index).encode())
    for layer in manifest["layers"]:
        put(tar, "blobs/sha256/" + layer["digest"][7:], blob(layer["digest"]))
    for digest, data in new.items():
        put(tar, "blobs/sha256/" + digest[7:], data)
PY
  chmod 644 "$out"
}

# piped INPUT CMD...: CMD with INPUT (and a newline) on its stdin.
piped() {
  local input=$1
  shift
  printf '%s\n' "$input" | "$@"
}

# user_cmd CMD...: a shell command line that runs CMD as CTR_USER in the test's environment (for
# script(1), which takes a string).
user_cmd() {
  user_env
  printf '%q ' runuser -u "$CTR_USER" -- "${USER_ENV[@]}" "$@"
}

# in_pty ROWS COLS STATUS COMMAND: COMMAND (a shell string) under a real pseudo-terminal of that
# size (script(1)); it exits with STATUS, the container saw a pty and the size reached it (the
# container prints `tty` and `stty size`).
in_pty() {
  local rows=$1 cols=$2 want=$3
  run script -qec "stty rows $rows cols $cols; $4" /dev/null
  show
  [ "$status" -eq "$want" ] || return 1
  [[ "$output" == */dev/pts/* ]] || { echo "no pty in the container"; return 1; }
  [[ "$output" == *"$rows $cols"* ]] || { echo "window size $rows $cols did not arrive"; return 1; }
}
