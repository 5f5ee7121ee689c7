#!/usr/bin/env bats
# roost check on this host, for real, as whoever runs it: roost-test (a subuid range), roost-nosub
# (none) and root (scripts/test runs tests/check with the integration suite in each mode). Nothing
# of the host is changed: the scenarios that need another host are the unit tests' fake trees
# (tests/unit/host_check_test.cpp); here only what the caller owns is varied (XDG_RUNTIME_DIR).

setup() {
  ROOST=${ROOST:-$BATS_TEST_DIRNAME/../../build/roost}
  [ -x "$ROOST" ] || { echo "no roost binary at $ROOST (build it: cmake --build --preset default --target roost)"; false; }
  # The live overlay test mounts below the store's root: a scratch one per test.
  STORE=$BATS_TEST_TMPDIR/store
  # The integration suite's modes (scripts/test sets ROOST_TEST_MODE), else guessed the same way.
  if [ -n "${ROOST_TEST_MODE:-}" ]; then
    MODE=$ROOST_TEST_MODE
  elif [ "$(id -u)" = 0 ]; then
    MODE=root
  elif grep -q "^\($(id -un)\|$(id -u)\):" /etc/subuid 2>/dev/null; then
    MODE=subuid
  else
    MODE=oneid
  fi
}

check() { run "$ROOST" --root "$STORE" --runroot "$BATS_TEST_TMPDIR/run" check "$@"; }

# The text line of one check.
line_of() { printf '%s\n' "$output" | grep -E "^  (ok    |warn  |FAIL  )$1: " ; }

@test "check: one line per check, and the exit status says whether any failed" {
  check
  printf '%s\n' "$output"
  [ "${#lines[@]}" -eq 16 ]
  for name in kernel "user namespaces" subuid subgid newuidmap newgidmap cgroups overlayfs /dev/fuse \
              fuse-overlayfs /dev/net/tun slirp4netns pasta "unprivileged ports" ping XDG_RUNTIME_DIR; do
    line_of "$name" >/dev/null || { echo "no line for $name"; false; }
  done
  if printf '%s\n' "$output" | grep -q '^  FAIL  '; then [ "$status" -eq 1 ]; else [ "$status" -eq 0 ]; fi
}

@test "check: subuid and subgid as the caller has them" {
  check
  case $MODE in
    subuid)
      line_of subuid | grep -qE "^  ok    subuid: $(id -un) has [0-9]+-[0-9]+ \([0-9]+ ids\) in /etc/subuid$"
      line_of subgid | grep -q "^  ok    subgid: $(id -un) has "
      ;;
    oneid)
      [ "$status" -eq 1 ]
      l=$(line_of subuid)
      echo "$l"
      [[ $l =~ ^\ \ FAIL\ \ subuid:\ no\ range\ for\ $(id -un)\ in\ /etc/subuid\ .*:\ run\ as\ root:\ usermod\ --add-subuids\ ([0-9]+)-([0-9]+)\ --add-subgids\ ([0-9]+)-([0-9]+)\ $(id -un)$ ]]
      start=${BASH_REMATCH[1]} end=${BASH_REMATCH[2]}
      [ "${BASH_REMATCH[3]}-${BASH_REMATCH[4]}" = "$start-$end" ]
      [ $((end - start + 1)) -eq 65536 ]
      # The range it suggests is free in both files.
      awk -F: -v s="$start" -v e="$end" 'NF == 3 && $2 <= e && $2 + $3 - 1 >= s { print "overlaps " $0; bad = 1 } END { exit bad }' \
        /etc/subuid /etc/subgid
      line_of subgid | grep -q "^  FAIL  subgid: no range for $(id -un) in /etc/subgid"
      ;;
    root)
      line_of subuid | grep -q "^  ok    subuid: not needed as root"
      ;;
  esac
}

@test "check: a user namespace is made for real, mapped as the caller's ranges say" {
  check
  l=$(line_of "user namespaces")
  echo "$l"
  case $MODE in
    subuid) [[ $l == "  ok    user namespaces: allowed "*"; one was made and mapped: 0:$(id -u):1,1:"* ]] ;;
    oneid) [[ $l == "  ok    user namespaces: allowed "*"; one was made and mapped: 0:$(id -u):1" ]] ;;
    root) [[ $l == "  ok    user namespaces: allowed"* ]] ;;
  esac
  # The limit it names is the host's.
  [[ $l == *"(user.max_user_namespaces=$(cat /proc/sys/user/max_user_namespaces))"* ]]
}

@test "check: the overlay test mounts for real and leaves no file or mount" {
  # Real root tests in a new mount namespace only; anyone else in a new user namespace too.
  in=" in a user namespace"
  [ $MODE != root ] || in=""
  check
  l=$(line_of overlayfs)
  echo "$l"
  [[ $l == "  ok    overlayfs: the kernel's overlay mounts$in, whiteouts and opaque directories right (test mount in $STORE/storage)" ]] ||
    [[ $l == "  warn  overlayfs: the kernel's overlay fails"*"fuse-overlayfs is used"* ]]
  l=$(line_of fuse-overlayfs)
  echo "$l"
  if command -v fuse-overlayfs >/dev/null; then
    [[ $l == "  ok    fuse-overlayfs: $(command -v fuse-overlayfs) ($(fuse-overlayfs --version 2>&1 | grep '^fuse-overlayfs.*version')), mounts$in" ]]
  else
    [[ $l == "  warn  fuse-overlayfs: not installed"* ]]
  fi
  # The store did not exist: its directories, made for the test mount, are gone again.
  [ ! -e "$STORE" ]
  ! grep -q "$STORE" /proc/self/mountinfo
}

@test "check: device, helper and cgroup lines tell what this host has" {
  check
  mode=$(stat -c %a /dev/net/tun)
  line_of /dev/net/tun | grep -q "^  ok    /dev/net/tun: character device 10:200, mode 0$mode, opens read-write"
  if [ "$(stat -c %U /usr/bin/newuidmap)" = root ] && [[ $(stat -c %A /usr/bin/newuidmap) == ???s* ]]; then
    line_of newuidmap | grep -q "^  ok    newuidmap: /usr/bin/newuidmap, setuid root$"
  fi
  if command -v slirp4netns >/dev/null; then
    line_of slirp4netns | grep -qF "ok    slirp4netns: $(command -v slirp4netns): $(slirp4netns --version | head -1)"
  fi
  case $(stat -f -c %T /sys/fs/cgroup) in
    cgroup2fs) line_of cgroups | grep -q "cgroups: v2, your cgroup $(sed -n 's/^0:://p' /proc/self/cgroup) " ;;
    *)
      if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
        # A hybrid host says honestly that limits are unavailable, and why.
        line_of cgroups | grep -q "^  warn  cgroups: hybrid: the v1 hierarchies hold .*--memory, --cpus and --pids-limit are unavailable"
      else
        line_of cgroups | grep -q "^  warn  cgroups: v1 only"
      fi
      ;;
  esac
  range=$(tr '\t' ' ' </proc/sys/net/ipv4/ping_group_range)
  [ $MODE = root ] || line_of ping | grep -qE "ping: (gid [0-9]+ is in net.ipv4.ping_group_range|your gid $(id -g) is outside net.ipv4.ping_group_range \($range\))"
}

@test "check --format json: one object per check, the same verdicts as the text" {
  check
  text=$output
  check --format json
  printf '%s\n' "$output" | jq -e 'type == "array" and length == 16 and
    all(.[]; (keys == ["detail", "fix", "fix_as_root", "name", "status"]) and (.status | test("^(ok|warn|fail)$")))'
  subuid=$(printf '%s\n' "$output" | jq -r '.[] | select(.name == "subuid") | .status')
  case $MODE in
    oneid)
      [ "$subuid" = fail ] && [ "$status" -eq 1 ]
      fix=$(printf '%s\n' "$output" | jq -r '.[] | select(.name == "subuid") | .fix')
      [[ $fix == "usermod --add-subuids "* ]]
      printf '%s\n' "$text" | grep -qF "run as root: $fix"
      ;;
    *) [ "$subuid" = ok ] ;;
  esac
  # Each check's status in JSON is the text line's word.
  printf '%s\n' "$output" | jq -r '.[] | "\(.status) \(.name)"' | while read -r st name; do
    word=$(printf '%s\n' "$text" | grep -E "^  [a-zA-Z]+ +$name: " | awk '{print tolower($1)}')
    [ "$word" = "$st" ] || { echo "$name: $st in json, $word in text"; false; }
  done
}

@test "check: XDG_RUNTIME_DIR unset, missing, open to others, someone else's" {
  [ $MODE != root ] || skip "root does not use XDG_RUNTIME_DIR"
  XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg
  mkdir -m 0755 "$XDG_RUNTIME_DIR"
  export XDG_RUNTIME_DIR
  check
  line_of XDG_RUNTIME_DIR | grep -qF "warn  XDG_RUNTIME_DIR: $XDG_RUNTIME_DIR has mode 0755, not 0700: other users can reach roost's run-time state: run: chmod 0700 $XDG_RUNTIME_DIR"
  chmod 0700 "$XDG_RUNTIME_DIR"
  check
  line_of XDG_RUNTIME_DIR | grep -qF "ok    XDG_RUNTIME_DIR: $XDG_RUNTIME_DIR (yours, mode 0700)"

  XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/none check
  [ "$status" -eq 1 ]
  line_of XDG_RUNTIME_DIR | grep -q "^  FAIL  XDG_RUNTIME_DIR: $BATS_TEST_TMPDIR/none does not exist"
  XDG_RUNTIME_DIR=/ check
  [ "$status" -eq 1 ]
  line_of XDG_RUNTIME_DIR | grep -q "^  FAIL  XDG_RUNTIME_DIR: / belongs to uid 0, not to you"
  env -u XDG_RUNTIME_DIR "$ROOST" --root "$STORE" --runroot "$BATS_TEST_TMPDIR/run" check >"$BATS_TEST_TMPDIR/out" || true
  grep -q "^  warn  XDG_RUNTIME_DIR: unset: roost keeps its run-time state in /tmp/roost-$(id -u)" "$BATS_TEST_TMPDIR/out"
}

@test "check: a format it does not have is one error" {
  check --format yaml
  [ "$status" -eq 125 ]
  [ "$output" = "Error: --format yaml: the one format is json (the default is text lines)" ]
}

@test "check: roost-runtime gives the same subuid advice when a container needs a range (one-id mode)" {
  [ $MODE = oneid ] || skip "only without a subuid range"
  check
  fix=$(line_of subuid | sed 's/.*: run as root: //')
  RUNTIME=${ROOST_RUNTIME:-$BATS_TEST_DIRNAME/../../build/roost-runtime}
  [ -x "$RUNTIME" ] || skip "no roost-runtime"
  "$BATS_TEST_DIRNAME/../../scripts/make-bundle" "$BATS_TEST_TMPDIR/bundle" "$RUNTIME" >/dev/null
  jq '.process.user.uid = 1000 | .process.args = ["true"]' "$BATS_TEST_TMPDIR/bundle/config.json" >"$BATS_TEST_TMPDIR/c.json"
  mv "$BATS_TEST_TMPDIR/c.json" "$BATS_TEST_TMPDIR/bundle/config.json"
  run "$RUNTIME" --root "$BATS_TEST_TMPDIR/state" run --bundle "$BATS_TEST_TMPDIR/bundle" check-advice
  echo "$output"
  [ "$status" -ne 0 ]
  [[ $output == *"process.user.uid 1000 is not mapped in the container's user namespace (only 0 is: add an /etc/subuid and /etc/subgid range: run as root: $fix)"* ]]
}
