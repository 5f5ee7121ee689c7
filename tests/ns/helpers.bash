# Shared helpers for the `roost ns` integration tests (bats). Every tests/ns/*.bats loads it.
#
# The same test files run against roost and against Debian's real rootlesskit 1.1 (the reference):
#   NS_IMPL   roost (default) | rootlesskit
#   NS_BIN    the program started as the fake root. Default: $REPO/build/rootlesskit (roost's
#             symlink, so roost answers as `rootlesskit`) or /usr/bin/rootlesskit. If its basename
#             is `roost`, the helpers call it as `roost ns ...`.
#   NS_CTL    the API client (default: Debian's /usr/bin/rootlessctl, for both implementations)
# Run as an unprivileged user (roost-test has subuid ranges; roost-nosub gets a one-id map):
#   runuser -u roost-test -- env XDG_RUNTIME_DIR=/run/user/1001 HOME=/tmp NS_IMPL=rootlesskit bats tests/ns
#
# What a test gets:
#   ns_start [FLAGS...] -- CMD...   starts the fake root in the background with its own state dir
#                       ($NS_STATE, under $BATS_TEST_TMPDIR), waits for child_pid (= ready), and sets
#                       NS_PID (the parent), NS_CHILD (child_pid), NS_LOG (its stdout+stderr).
#                       Without `--` the command is `sleep infinity`.
#   ns_run [FLAGS...] -- CMD...     runs it in the foreground (use with `run`; own state dir too).
#   ns_enter CMD...     runs CMD inside the instance's user, mount and network namespaces (nsenter).
#   ns_bg NAME CMD...   ns_enter in the background, output in $BATS_TEST_TMPDIR/NAME.log.
#   host_bg NAME CMD... a host-side background process (a client, a blocker), marked like the rest.
#   ns_ctl ARGS...      the API client against $NS_STATE/api.sock.
#   ns_port VAR         sets VAR to a free TCP+UDP port in 18000-18999 (recorded: teardown checks
#                       that nothing listens on it any more).
#   ns_wait_listen tcp|udp PORT [inside|host]   waits until something listens there.
#   ns_lacks FEATURE    skips the test when the implementation lacks it (rootlesskit 1.1: pasta,
#                       net-none, detach-netns, source-ip).
#   ns_teardown         (call from teardown) stops the instance (SIGTERM, then SIGKILL), kills what
#                       the test started, and FAILS the test if anything is left: a process carrying
#                       the test's marker or living in the instance's user namespace, the state dir, a
#                       mount under the test's tmp dir, or a listener on a port the test used.
#
# Leftovers are found by a marker: every process the helpers start gets NS_TEST_MARKER=<test tmp
# dir> in its environment (inherited by slirp4netns, pasta, dockerd, ...), and the user namespace of
# child_pid is recorded so that processes which drop the environment (containers) are found too.

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# wait_for, show: the shared helpers.
source "$REPO/tests/lib/common.bash"
NS_IMPL=${NS_IMPL:-roost}
case $NS_IMPL in
  roost) NS_BIN=${NS_BIN:-$REPO/build/rootlesskit} ;;
  rootlesskit) NS_BIN=${NS_BIN:-/usr/bin/rootlesskit} ;;
  *) echo "NS_IMPL must be roost or rootlesskit, not $NS_IMPL" >&2; return 1 ;;
esac
NS_CTL=${NS_CTL:-/usr/bin/rootlessctl}
: "${BATS_TEST_TIMEOUT:=120}"
export BATS_TEST_TIMEOUT NS_IMPL NS_BIN

# The argv prefix that starts the fake root.
ns_argv() {
  NS_ARGV=("$NS_BIN")
  [ "$(basename "$NS_BIN")" = roost ] && NS_ARGV+=(ns)
  return 0
}

# Fails (with the reason on fd 3) unless the chosen program exists; call from setup_file.
ns_require_bin() {
  if [ ! -x "$NS_BIN" ]; then
    echo "# NS_BIN=$NS_BIN is not executable (NS_IMPL=$NS_IMPL): build roost or set NS_BIN" >&3
    return 1
  fi
  if [ "$(id -u)" = 0 ]; then
    echo "# tests/ns run as an unprivileged user (runuser -u roost-test ...)" >&3
    return 1
  fi
}

# ns_lacks FEATURE: skip when the implementation under test does not have FEATURE.
ns_lacks() {
  [ "$NS_IMPL" = rootlesskit ] || return 0
  case $1 in
    pasta) skip "rootlesskit 1.1 has no --net=pasta (added in v2)" ;;
    net-none) skip "rootlesskit 1.1 has no --net=none (added in v2)" ;;
    detach-netns) skip "rootlesskit 1.1 has no --detach-netns (added in v2)" ;;
    source-ip) skip "rootlesskit 1.1's builtin driver loses the client address (always 127.0.0.1)" ;;
    *) return 0 ;;
  esac
}

# The per-test marker and bookkeeping (the bats `run` subshell cannot add to them: start things
# and take ports in the test's own shell).
ns_init_test() {
  [ "${NS_MARKER:-}" = "$BATS_TEST_TMPDIR" ] && return 0
  NS_MARKER=$BATS_TEST_TMPDIR
  NS_PORTS=()
  NS_BG_PIDS=()
  NS_USERNS=""
  NS_PID=""
}

# ns_start [FLAGS...] [-- CMD...]
ns_start() {
  ns_init_test
  local flags=() cmd=(sleep infinity)
  while [ $# -gt 0 ]; do
    if [ "$1" = -- ]; then shift; cmd=("$@"); break; fi
    flags+=("$1"); shift
  done
  ns_argv
  NS_STATE=$BATS_TEST_TMPDIR/state
  NS_LOG=$BATS_TEST_TMPDIR/ns.log
  local try
  for try in 1 2; do
    env NS_TEST_MARKER="$NS_MARKER" "${NS_ARGV[@]}" --state-dir="$NS_STATE" "${flags[@]}" "${cmd[@]}" \
      </dev/null >"$NS_LOG" 2>&1 3>&- &
    NS_PID=$!
    ns_wait_ready 20 && break
    kill -0 "$NS_PID" 2>/dev/null && break
    wait "$NS_PID" 2>/dev/null
    ns_hit_rk_race "$NS_LOG" || break
  done
  ns_wait_ready 0 || { echo "--- ${NS_ARGV[*]} ${flags[*]} ${cmd[*]} did not get ready; its log:"; cat "$NS_LOG"; return 1; }
  NS_CHILD=$(cat "$NS_STATE/child_pid")
  NS_USERNS=$(readlink "/proc/$NS_CHILD/ns/user")
}

# Waits until child_pid is written, as long as the parent lives.
ns_wait_ready() {
  local deadline=$((SECONDS + $1))
  until [ -s "$NS_STATE/child_pid" ] && [ -S "$NS_STATE/api.sock" ]; do
    kill -0 "$NS_PID" 2>/dev/null || return 1
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.05
  done
}

# ns_run [FLAGS...] -- CMD...: the fake root in the foreground (for `run`), 30 s at most.
ns_run() {
  ns_init_test
  local flags=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  ns_argv
  NS_STATE=$BATS_TEST_TMPDIR/state-run
  local out=$BATS_TEST_TMPDIR/ns-run.out rc try
  for try in 1 2; do
    rc=0
    env NS_TEST_MARKER="$NS_MARKER" timeout -k 5 30 "${NS_ARGV[@]}" --state-dir="$NS_STATE" "${flags[@]}" "$@" \
      >"$out" 2>&1 3>&- || rc=$?
    ns_hit_rk_race "$out" || break
  done
  cat "$out"
  return $rc
}

# rootlesskit 1.1's builtin driver can dial .bp.sock before its child listens (seen under load:
# "dial unix .../.bp.sock: connect: no such file or directory"); for the reference only, such a
# start is tried once more.
ns_hit_rk_race() {
  [ "$NS_IMPL" = rootlesskit ] && grep -q '\.bp\.sock: connect: no such file or directory' "$1"
}

ns_enter() {
  ns_init_test
  env NS_TEST_MARKER="$NS_MARKER" nsenter -U -m -n --preserve-credentials -t "$NS_CHILD" -- "$@"
}

ns_bg() {
  ns_init_test
  local name=$1; shift
  ns_spawn "$name" nsenter -U -m -n --preserve-credentials -t "$NS_CHILD" -- "$@"
}

# ns_spawn NAME CMD...: CMD in the background, marked, not a job of the test's shell (so killing it
# prints no "Killed" notice); its pid goes to NS_BG_PIDS. It leads a process group of its own
# (setsid: no fork, the subshell is not a group leader) so that teardown also ends what it forked:
# a `socat ...,fork` server's child for a connection whose peer went with the network driver
# would otherwise wait forever.
ns_spawn() {
  local name=$1 pid; shift
  pid=$( (exec setsid env NS_TEST_MARKER="$NS_MARKER" "$@") </dev/null >"${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/$name.log" 2>&1 3>&- &
         echo $!)
  NS_BG_PIDS+=("$pid")
}

host_bg() {
  ns_init_test
  ns_spawn "$@"
}

ns_ctl() {
  timeout 20 "$NS_CTL" --socket "$NS_STATE/api.sock" "$@"
}

# A port in 18000-18999 nobody listens on (TCP or UDP, any address), not yet taken by this test.
ns_free_port() {
  local port used
  used=$(ss -Hlntua | awk '{print $5}' | sed 's/.*://' | sort -u)
  for port in $(shuf -i 18000-18999 -n 200); do
    grep -qx "$port" <<<"$used" && continue
    [[ " ${NS_PORTS[*]} " == *" $port "* ]] && continue
    echo "$port"
    return 0
  done
  return 1
}
# ns_free_port in the caller's shell (a $(...) subshell would lose the record): ns_port VAR.
ns_port() {
  ns_init_test
  local p
  p=$(ns_free_port) || return 1
  NS_PORTS+=("$p")
  printf -v "$1" %s "$p"
}

# ns_wait_listen tcp|udp PORT [inside|host]
ns_wait_listen() {
  ns_init_test
  local proto=$1 port=$2 where=${3:-inside} flag=-lnt deadline=$((SECONDS + 10))
  [ "$proto" = udp ] && flag=-lnu
  local ss=(ss -H "$flag" "sport = :$port")
  [ "$where" = inside ] && ss=(ns_enter "${ss[@]}")
  until [ -n "$("${ss[@]}" 2>/dev/null)" ]; do
    [ $SECONDS -lt $deadline ] || { echo "nothing listens on $proto $port ($where)"; return 1; }
    sleep 0.05
  done
}

# Pids of processes carrying this test's marker or living in the instance's user namespace.
ns_leftovers() {
  {
    grep -lzxF "NS_TEST_MARKER=$NS_MARKER" /proc/[0-9]*/environ 2>/dev/null
    if [ -n "$NS_USERNS" ]; then
      # find -lname takes a glob: the brackets of "user:[NNN]" must be escaped.
      find /proc/[0-9]*/ns/user -maxdepth 0 -lname "$(sed 's/[][]/\\&/g' <<<"$NS_USERNS")" 2>/dev/null
    fi
  } | cut -d/ -f3 | sort -u | grep -vx "$$" | while read -r pid; do
    # A zombie is gone already (its parent has yet to reap it).
    grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null || echo "$pid"
  done
}

ns_describe() {
  local pid
  for pid in "$@"; do echo "  $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"; done
}

ns_teardown() {
  ns_init_test
  local problems=() left pid deadline port state
  # Clients and servers the test started itself are ours to end (first: an nsenter-ed server
  # outlives the instance by design).
  for pid in "${NS_BG_PIDS[@]}"; do kill -KILL -- "-$pid" "$pid" 2>/dev/null; done
  if [ -n "${NS_PID:-}" ] && kill -0 "$NS_PID" 2>/dev/null; then
    kill -TERM "$NS_PID" 2>/dev/null
    deadline=$((SECONDS + 10))
    while kill -0 "$NS_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
    kill -0 "$NS_PID" 2>/dev/null && problems+=("the fake root (pid $NS_PID) ignored SIGTERM for 10 s")
  fi
  # Only our own jobs: a bare `wait` would also wait for bats' timeout watchdog.
  [ -n "$NS_PID" ] && wait "$NS_PID" 2>/dev/null
  deadline=$((SECONDS + 5))
  left=$(ns_leftovers)
  while [ -n "$left" ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; left=$(ns_leftovers); done
  if [ -n "$left" ]; then
    problems+=("processes left behind:" "$(ns_describe $left)")
    kill -KILL $left 2>/dev/null || true
  fi
  for state in "$BATS_TEST_TMPDIR/state" "$BATS_TEST_TMPDIR/state-run"; do
    # Known in the reference: rootlesskit 1.1 leaves `lock` and `.bp-ready.pipe` in a state dir it
    # was given when it fails during set-up (a malformed -p, say). Tolerated for it only.
    if [ "$NS_IMPL" = rootlesskit ] && [ -d "$state" ] && [ -z "$(ls -A "$state" | grep -vx 'lock\|.bp-ready.pipe')" ]; then
      rm -rf "$state"
    fi
    [ -e "$state" ] && problems+=("state dir left behind: $state ($(ls -A "$state" | tr '\n' ' '))")
  done
  grep -F "$BATS_TEST_TMPDIR" /proc/self/mountinfo >/dev/null && problems+=("mounts left under $BATS_TEST_TMPDIR")
  for port in "${NS_PORTS[@]}"; do
    [ -n "$(ss -Hlntu "sport = :$port")" ] && problems+=("port $port still has a listener")
  done
  if [ ${#problems[@]} -gt 0 ]; then
    printf '%s\n' "teardown found:" "${problems[@]}"
    [ -n "${NS_LOG:-}" ] && { echo "--- fake root log:"; cat "$NS_LOG"; }
    return 1
  fi
}

