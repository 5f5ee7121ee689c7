# Helpers of the image tests (tests/images/*.bats): roost's pull, images, load, save, tag, rmi,
# image inspect, login, system df/prune/reset against real registries (tests/images/registry's
# registry-fixture: Debian's docker-registry on 127.0.0.1), real images (fixtures/make-images,
# built with umoci at test time) and real peers (umoci, skopeo, podman) as the oracles.
#
# Run as root (scripts/test --only images): the files build the images as root and run roost as
#   IMG_USER   roost-test (subuid ranges, the default), roost-nosub (none: a one-id map, ids
#              squashed) or root (no user namespace; the escape tests run so too)
# ROOST (default build/roost), IMG_CACHE (a directory where make-images' output is kept between
# files and runs: scripts/test sets it so that the images are built once).
#
# What a file gets (from images_setup_file, in setup_file):
#   IMG_WORK          a directory of this file's (0755, so the test users reach their stores)
#   IMAGES            the OCI layout of the test images (make-images' default sets)
#   registry_start KIND NAME   starts a registry-fixture registry of KIND (anon-http, anon-tls,
#                     htpasswd, token) and exports NAME_REGISTRY, NAME_SCHEME, NAME_CERT_DIR,
#                     NAME_USER, NAME_PASS, NAME_DIR (registry.log: its access log; data: storage)
#   push NAME TAG [REPO]       pushes $IMAGES:TAG to NAME's registry as REPO (default roost/TAG):latest
#   registry_stop_all (from teardown_file)
# What a test gets:
#   new_store         a fresh store ($STORE: --root $STORE/root, --runroot $STORE/run, HOME, XDG_*)
#                     owned by IMG_USER; roost_ uses it
#   roost_ ARGS...    roost as IMG_USER on the test's store (use with `run`, `run --separate-stderr`)
#   pull_flags NAME   the roost flags to reach NAME's registry (--tls-verify=false or --cert-dir,
#                     --creds): set in PULL_FLAGS
#   host_uid ID       the uid a file of image uid ID has on disk for IMG_USER (subuid+ID-1, the
#                     user for 0, all squashed to the user without a range, ID itself as root)
#   inside_uid ID     the uid seen inside roost's user namespace (ID; 0 when squashed)
#   one_error         checks $status is 125 and stderr is exactly one line "Error: ..."
#   store_teardown    (from teardown) fails the test if a roost process of its store is left,
#                     then removes the store

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
source "$REPO/tests/lib/common.bash"
ROOST=${ROOST:-$REPO/build/roost}
FIXTURES=$REPO/tests/images/fixtures
REGFIX=$REPO/tests/images/registry/registry-fixture
IMG_USER=${IMG_USER:-roost-test}
: "${BATS_TEST_TIMEOUT:=120}"
export BATS_TEST_TIMEOUT ROOST FIXTURES REGFIX IMG_USER

images_setup_file() {
  if [ "$(id -u)" != 0 ]; then
    echo "# tests/images run as root (scripts/test --only images); they run roost as \$IMG_USER" >&3
    return 1
  fi
  case $IMG_USER in
    roost-test|roost-nosub|root) ;;
    *) echo "# IMG_USER must be roost-test, roost-nosub or root, not $IMG_USER" >&3; return 1 ;;
  esac
  IMG_WORK=$(mktemp -d /tmp/roost-images.XXXXXX)
  chmod 755 "$IMG_WORK"
  export IMG_WORK
  local sets=("$@")
  [ ${#sets[@]} -gt 0 ] || sets=(multi multiarch evil small stress)
  # The images are the same for every file: built once into IMG_CACHE when it is set.
  local cache=${IMG_CACHE:-$IMG_WORK/images}
  local key
  key=$(cat "$FIXTURES/make-images" "$FIXTURES/layer-tar" | sha256sum | cut -c1-16)-$(IFS=-; echo "${sets[*]}")
  if [ ! -e "$cache/$key/done" ]; then
    rm -rf "${cache:?}/$key"
    mkdir -p "$cache/$key"
    "$FIXTURES/make-images" "$cache/$key" "${sets[@]}" >/dev/null || return 1
    touch "$cache/$key/done"
  fi
  chmod a+rx "$cache" "$cache/$key"
  export IMAGES=$cache/$key/oci
  export IMG_REGISTRIES=""
}

# registry_start KIND NAME
registry_start() {
  local kind=$1 name=$2 dir=$IMG_WORK/registry-$2 var
  "$REGFIX" start "$kind" "$dir" >/dev/null || return 1
  export IMG_REGISTRIES="$IMG_REGISTRIES $dir"
  # The fixture's env file, read in a subshell so its USER does not clobber ours.
  for var in REGISTRY SCHEME CERT_DIR USER PASS; do
    # shellcheck disable=SC1091
    export "${name}_$var=$(source "$dir/env"; eval "echo \"\${$var:-}\"")"
  done
  export "${name}_DIR=$dir"
  # The test users read the CA.
  chmod -R a+rX "$dir/certs.d"
}

registry_stop_all() {
  local dir
  for dir in ${IMG_REGISTRIES:-}; do "$REGFIX" stop --purge "$dir"; done
}

images_teardown_file() {
  registry_stop_all
  [ -n "${IMG_WORK:-}" ] && rm -rf "$IMG_WORK"
}

reg() {  # reg NAME FIELD: the exported NAME_FIELD
  local v="${1}_$2"
  echo "${!v}"
}

# skopeo's flags for a destination or source (dest|src) in NAME's registry.
skopeo_flags() {
  local side=$1 name=$2
  SKOPEO_FLAGS=()
  if [ "$(reg "$name" SCHEME)" = http ]; then
    SKOPEO_FLAGS+=("--$side-tls-verify=false")
  else
    SKOPEO_FLAGS+=("--$side-cert-dir" "$(reg "$name" CERT_DIR)")
  fi
  [ -n "$(reg "$name" USER)" ] && SKOPEO_FLAGS+=("--$side-creds" "$(reg "$name" USER):$(reg "$name" PASS)")
  return 0
}

# push NAME TAG [REPO]
push() {
  local name=$1 tag=$2 repo=${3:-roost/$2}
  skopeo_flags dest "$name"
  skopeo copy -q --all "${SKOPEO_FLAGS[@]}" "oci:$IMAGES:$tag" "docker://$(reg "$name" REGISTRY)/$repo:latest" >/dev/null
}

# The digest of a tag of the layout (its manifest, or index for multiarch).
layout_digest() {
  python3 - "$IMAGES" "$1" <<'PY'
import json, sys
for m in json.load(open(sys.argv[1] + "/index.json"))["manifests"]:
    if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == sys.argv[2]:
        print(m["digest"])
PY
}

# The image ID (the config's digest, hex) of a tag of the layout.
layout_image_id() {
  python3 - "$IMAGES" "$1" <<'PY'
import json, sys
layout, tag = sys.argv[1:]
for m in json.load(open(layout + "/index.json"))["manifests"]:
    if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag:
        manifest = json.load(open(layout + "/blobs/sha256/" + m["digest"][7:]))
        print(manifest["config"]["digest"][7:])
PY
}

# pull_flags NAME: PULL_FLAGS for roost to reach NAME's registry (credentials included).
pull_flags() {
  local name=$1
  PULL_FLAGS=()
  if [ "$(reg "$name" SCHEME)" = http ]; then
    PULL_FLAGS+=(--tls-verify=false)
  else
    PULL_FLAGS+=(--cert-dir "$(reg "$name" CERT_DIR)")
  fi
  [ -n "$(reg "$name" USER)" ] && PULL_FLAGS+=(--creds "$(reg "$name" USER):$(reg "$name" PASS)")
  return 0
}

user_uid() { id -u "$IMG_USER"; }

new_store() {
  STORE=$(mktemp -d "$IMG_WORK/store.XXXXXX")
  mkdir -p "$STORE/home" "$STORE/config" "$STORE/data"
  chown -R "$IMG_USER:" "$STORE"
  chmod 700 "$STORE"
  ROOST_ROOT=$STORE/root
  ROOST_RUNROOT=$STORE/run
}

# The environment roost runs in: only what a login would give, plus the test's store.
user_env() {
  USER_ENV=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
            HOME="$STORE/home" USER="$IMG_USER" LOGNAME="$IMG_USER"
            XDG_CONFIG_HOME="$STORE/config" XDG_DATA_HOME="$STORE/data"
            ROOST_TEST_MARKER="$STORE")
  if [ "$IMG_USER" != root ]; then
    USER_ENV+=(XDG_RUNTIME_DIR="/run/user/$(user_uid)")
  else
    USER_ENV+=(XDG_RUNTIME_DIR="$STORE/xdg-run")
  fi
}

# as_user CMD...: CMD as IMG_USER in the test's environment.
as_user() {
  user_env
  runuser -u "$IMG_USER" -- "${USER_ENV[@]}" "$@"
}

roost_() {
  [ -n "${STORE:-}" ] || { echo "roost_: call new_store first"; return 1; }
  as_user "$ROOST" --root "$ROOST_ROOT" --runroot "$ROOST_RUNROOT" "$@"
}

# The image's ids as the store holds them.
host_uid() {
  case $IMG_USER in
    root) echo "$1" ;;
    roost-nosub) user_uid ;;
    *)
      if [ "$1" = 0 ]; then user_uid; else
        echo $(( $(awk -F: -v u="$IMG_USER" '$1 == u {print $2; exit}' /etc/subuid) + $1 - 1 ))
      fi ;;
  esac
}
inside_uid() {
  if [ "$IMG_USER" = roost-nosub ]; then echo 0; else echo "$1"; fi
}
squashed() { [ "$IMG_USER" = roost-nosub ]; }

# The lines a pull or load may print before it fails.
PROGRESS_LINES='^(Trying to pull |Getting image source signatures|Copying (blob|config) |Writing manifest|Storing signatures|Loading |Loaded image)'

# one_error [PATTERN [usage]]: after `run --separate-stderr`: exit 125, one line "Error: ..." on
# stderr (the last; only progress lines before it) (matching the extended regex PATTERN, case-insensitive, when given), and not an "unknown
# command/option" error (unless the second argument is "usage": the case is a usage error).
one_error() {
  if [ "$status" != 125 ]; then
    echo "expected exit 125, got $status"; show_all; return 1
  fi
  # Progress lines may come first (podman's "Trying to pull ...", "Copying blob ..."); then one
  # line "Error: ...", the last, and nothing else.
  local errors others last
  errors=$(grep -c '^Error: ' <<<"$stderr" || true)
  # Without subordinate ids roost says once that it squashes the ids: a notice, not an error.
  local notice='^$'
  squashed && notice='subordinate id|subuid'
  others=$(grep -v '^Error: ' <<<"$stderr" | grep -vE "$PROGRESS_LINES|^$" | grep -vcE "$notice" || true)
  last=$(tail -n1 <<<"$stderr")
  if [ "$errors" != 1 ] || [ "$others" != 0 ] || [[ "$last" != "Error: "* ]]; then
    echo "expected one line 'Error: ...' on stderr (after progress lines), got $errors and $others other lines"
    show_all; return 1
  fi
  # An error test must not pass on a command roost lacks.
  if grep -qE 'unknown command|unknown option|unrecognized|not implemented' <<<"$stderr" && [ "${2:-}" != usage ]; then
    echo "the error is about the command line, not the case under test"; show_all; return 1
  fi
  if [ -n "${1:-}" ] && ! grep -qiE -- "$1" <<<"$stderr"; then
    echo "the error does not match /$1/"; show_all; return 1
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

# Pids of processes started for this test's store (roost and what it forked keep the marker).
store_leftovers() {
  grep -lzxF "ROOST_TEST_MARKER=$STORE" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 |
    while read -r pid; do
      grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null || echo "$pid"
    done
}

store_teardown() {
  [ -n "${STORE:-}" ] || return 0
  local left problems=() pause rest
  # The user's pause process (store/userns_session) outlives every command by design: it goes
  # with the store (when the pid file names a process of this store's).
  if read -r pause rest <"$STORE/run/pause.pid" 2>/dev/null &&
     grep -qzxF "ROOST_TEST_MARKER=$STORE" "/proc/$pause/environ" 2>/dev/null; then
    kill -KILL "$pause" 2>/dev/null || true
  fi
  wait_for 5 eval '[ -z "$(store_leftovers)" ]' || true
  left=$(store_leftovers)
  if [ -n "$left" ]; then
    problems+=("roost processes left: $(for p in $left; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done)")
    kill -KILL $left 2>/dev/null || true
  fi
  grep -F "$STORE" /proc/self/mountinfo >/dev/null && problems+=("mounts left under $STORE")
  # Layers hold subordinate ids and maybe read-only dirs: root removes them.
  chmod -R u+rwX "$STORE" 2>/dev/null
  rm -rf "$STORE"
  STORE=""
  if [ ${#problems[@]} -gt 0 ]; then printf '%s\n' "teardown found:" "${problems[@]}"; return 1; fi
}

# The directories of the store that hold unpacked layers: whatever the store's layout, a layer's
# tree is a directory whose files came from a layer; the tests look for a file of a known image
# below $ROOST_ROOT, so they need no knowledge of the layout.
find_in_store() {  # find_in_store NAME: paths under the store root whose last part is NAME
  find "$ROOST_ROOT" -name "$1" 2>/dev/null
}

# The number of files and directories under the store root (to see that nothing was added).
store_count() { find "$ROOST_ROOT" 2>/dev/null | wc -l; }

# The IDs of the images in the store, sorted (roost images -q --no-trunc).
store_ids() { roost_ images -q --no-trunc | sort -u; }

# proxies_stop DIR: ends the cut-proxy.py instances `registry-fixture proxy DIR` started for a test
# (their pid files hold their process groups: setsid), and drops their logs and PROXY lines.
proxies_stop() {
  local dir=$1 f pid
  for f in "$dir"/proxy.*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    wait_for 5 pid_gone "$pid" || kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$f" "${f%.pid}.log" "${f%.pid}.port" "${f%.pid}.out"
  done
  [ -f "$dir/env" ] && sed -i '/^PROXY/d' "$dir/env"
  return 0
}
