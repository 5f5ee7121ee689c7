#!/usr/bin/env bats
# rootlesskit's REST API as roost serves it (ns::ApiServer over a PortManager with a fake port
# driver that records its calls: the subject is the API, not forwarding), driven by Debian's
# unchanged clients: rootlessctl, curl, rootlesskit-docker-proxy, and roost's own `ns ctl`
# (build/tests/helpers/roost-ns-ctl until ns-core's roost program has `roost ns ctl`).
# fixtures/rootlesskit-1.1/*.out are the same sessions recorded against Debian's rootlesskit 1.1.0
# (--net=slirp4netns --port-driver=builtin --state-dir=/tmp/rk, child pid 14274; slirp4netns-ports/:
# --port-driver=slirp4netns --state-dir=/tmp/rk3, child pid 8068).

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# Another build's helpers: ROOST_TEST_HELPERS=$PWD/build-sanitize/tests/helpers bats tests/ns/api.bats
HELPERS=${ROOST_TEST_HELPERS:-$ROOT/build/tests/helpers}
FIXTURES=$BATS_TEST_DIRNAME/fixtures/rootlesskit-1.1
# The recorded privileged-port error; the fake driver fails port 80 with it, as the builtin
# driver's bind does, so the API's passing-through and escaping (\u003e) can be compared.
PRIVILEGED="cannot expose privileged port 80, you can add 'net.ipv4.ip_unprivileged_port_start=80' to /etc/sysctl.conf (currently 1024), or set CAP_NET_BIND_SERVICE on rootlesskit binary, or choose a larger port number (>= 1024): listen tcp 127.0.0.1:80: bind: permission denied"

setup() {
  [ -x "$HELPERS/roost-ns-api-server" ] || fail "build first: $HELPERS/roost-ns-api-server is missing"
  DIR=$(mktemp -d /tmp/roost-api.XXXXXX)
  SOCK=$DIR/api.sock
  LOG=$DIR/driver.log
  SERVER_PID=
}

teardown() {
  local stopped=0 report
  stop_server || stopped=$?
  # A sanitizer build's report (ROOST_TEST_HELPERS) fails the test.
  report=$(grep -E -A20 "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$DIR/server.err" 2> /dev/null)
  rm -rf "$DIR"
  [ -z "$report" ] || fail "the API server's sanitizer report: $report"
  return $stopped
}

fail() { echo "$*" >&2; return 1; }

start_server() {
  "$HELPERS/roost-ns-api-server" "$SOCK" "$LOG" "$@" 2> "$DIR/server.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do [ -S "$SOCK" ] && return 0; sleep 0.02; done
  fail "the API server did not start: $(cat "$DIR/server.err")"
}

# SIGTERM; a server that does not stop within 2 s is killed (and the test it ran in fails).
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  local pid=$SERVER_PID stopped=
  SERVER_PID=
  kill "$pid" 2> /dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || { stopped=1; break; }; sleep 0.02; done
  [ -n "$stopped" ] || kill -9 "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  [ -n "$stopped" ] || fail "the API server ignored SIGTERM"
}

start_recorded_server() {
  start_server --net slirp4netns --state-dir /tmp/rk --child-pid 14274 --fail-port "80:$PRIVILEGED"
}

# Go ranges over a map for the port list, so its order is random: each list element and each
# `[rc=N]` on a line of its own, then all lines sorted. Every byte is still compared.
normalize() {
  sed 's/\[rc=\([0-9]*\)\]$/\n[rc=\1]/' "$1" | sed 's/},{"id"/}\n{"id"/g; s/^\[{"id"/{"id"/; s/}\]$/}/' | sort
}

# Replays the recorded sessions (curl, raw bytes, then ctl with $1) and compares each with the fixture.
replay_sessions() {
  local ctl=$1 name
  for name in curl raw ctl; do
    (cd "$FIXTURES" && SOCK=$SOCK CTL=$ctl bash -c ". ./$name.sh") > "$DIR/$name.out" 2>&1
    diff <(normalize "$FIXTURES/$name.out") <(normalize "$DIR/$name.out") ||
      fail "$name session differs from rootlesskit's (< rootlesskit, > roost)"
  done
}

fd_count() { ls "/proc/$SERVER_PID/fd" | wc -l; }

# The server closes a hung-up connection when it sees it: wait until its fd count is $1 again.
wait_fd_count() {
  for _ in $(seq 100); do [ "$(fd_count)" -eq "$1" ] && return 0; sleep 0.02; done
  fail "the server holds $(fd_count) fds, $1 before: $(ls -l /proc/$SERVER_PID/fd)"
}

@test "curl, raw HTTP and rootlessctl get the bytes rootlesskit 1.1 gave (Date and list order aside)" {
  command -v rootlessctl > /dev/null || skip "rootlessctl is not installed"
  start_recorded_server
  replay_sessions rootlessctl
}

@test "roost ns ctl prints what rootlessctl printed against rootlesskit 1.1" {
  start_recorded_server
  replay_sessions "$HELPERS/roost-ns-ctl"
}

@test "info of a slirp4netns port driver (disallowLoopbackChildIP) as rootlesskit 1.1 gave it, to curl, rootlessctl and ctl" {
  start_server --net slirp4netns --port-driver slirp4netns --state-dir /tmp/rk3 --child-pid 8068
  local want=$FIXTURES/slirp4netns-ports
  diff "$want/info.http" <(curl -sS --unix-socket "$SOCK" -i http://rootlesskit/v1/info | sed 's/^Date: [^\r]*/Date: X/') ||
    fail "GET /v1/info differs (< rootlesskit, > roost)"
  local ctl
  for ctl in rootlessctl "$HELPERS/roost-ns-ctl"; do
    command -v "$ctl" > /dev/null || continue
    diff "$want/info.txt" <("$ctl" --socket "$SOCK" info) || fail "$ctl info differs"
    diff "$want/info.json" <("$ctl" --socket "$SOCK" info --json) || fail "$ctl info --json differs"
  done
}

@test "an out-of-range port is named as Go's %q names it (rootlesskit 1.1: U+11170 and U+FFFD written raw)" {
  start_server
  run curl -sS --unix-socket "$SOCK" -X POST -d '{"proto":"tcp","parentPort":70000,"childPort":80}' http://rootlesskit/v1/ports
  [ "$output" = "{\"message\":\"invalid ParentPort: '$(printf '\xf0\x91\x85\xb0')'\"}" ] || fail "70000: $output"
  local port
  for port in -5 1099511627776; do  # not a rune at all: the replacement character
    run curl -sS --unix-socket "$SOCK" -X POST -d "{\"proto\":\"tcp\",\"parentPort\":$port,\"childPort\":80}" http://rootlesskit/v1/ports
    [ "$output" = "{\"message\":\"invalid ParentPort: '$(printf '\xef\xbf\xbd')'\"}" ] || fail "$port: $output"
  done
}

@test "the port driver is called for exactly the ports the API accepted, specs as posted" {
  start_server
  "$HELPERS/roost-ns-ctl" --socket "$SOCK" add-ports 127.0.0.1:20100:80/tcp '[::1]:20101:[::1]:81/tcp6'
  run "$HELPERS/roost-ns-ctl" --socket "$SOCK" add-ports 127.0.0.1:20100:82/tcp
  [ "$status" -eq 1 ] && [ "$output" = "error: conflict with ID 1" ] || fail "conflict: $status $output"
  "$HELPERS/roost-ns-ctl" --socket "$SOCK" remove-ports 1
  diff - "$LOG" <<'EOF2'
add 1 {"proto":"tcp","parentIP":"127.0.0.1","parentPort":20100,"childPort":80}
add 2 {"proto":"tcp6","parentIP":"::1","parentPort":20101,"childPort":81,"childIP":"::1"}
remove 1
EOF2
}

@test "rootlesskit-docker-proxy publishes its port through the API and removes it on SIGINT" {
  command -v rootlesskit-docker-proxy > /dev/null || skip "rootlesskit-docker-proxy is not installed"
  PATH=/usr/sbin:/sbin:$PATH command -v docker-proxy > /dev/null || skip "docker-proxy is not installed"
  start_server --net slirp4netns
  mkfifo "$DIR/ready"
  ROOTLESSKIT_STATE_DIR=$DIR PATH=/usr/sbin:/sbin:$PATH rootlesskit-docker-proxy -proto tcp -host-ip 127.0.0.1 \
    -host-port 20110 -container-ip 127.0.0.1 -container-port 20111 3> "$DIR/ready" 2> "$DIR/proxy.err" &
  local proxy=$!
  local ready
  ready=$(head -c 2 "$DIR/ready")
  [ "$ready" = "0" ] || { kill -INT $proxy; fail "the proxy said: $ready $(cat "$DIR/proxy.err")"; }
  run "$HELPERS/roost-ns-ctl" --socket "$SOCK" list-ports --json
  [ "$output" = '{"id":1,"spec":{"proto":"tcp4","parentIP":"127.0.0.1","parentPort":20110,"childPort":20110,"childIP":"127.0.0.1"}}' ] ||
    { kill -INT $proxy; fail "ports while the proxy runs: $output"; }
  kill -INT $proxy
  wait $proxy || fail "the proxy failed: $(cat "$DIR/proxy.err")"
  run "$HELPERS/roost-ns-ctl" --socket "$SOCK" list-ports --json
  [ "$status" -eq 0 ] && [ "$output" = "" ] || fail "ports after the proxy stopped: $output"
  [ "$(tail -1 "$LOG")" = "remove 1" ] || fail "driver log: $(cat "$LOG")"
}

@test "the API socket is mode 0600: another user cannot connect" {
  start_server
  [ "$(stat -c %a "$SOCK")" = 600 ] || fail "mode $(stat -c %a "$SOCK")"
  [ "$(id -u)" -eq 0 ] && id roost-nosub > /dev/null 2>&1 || skip "needs root and the roost-nosub user"
  chmod 755 "$DIR"
  run runuser -u roost-nosub -- curl -sS --unix-socket "$SOCK" http://rootlesskit/v1/info
  [ "$status" -ne 0 ] || fail "roost-nosub reached the API: $output"
}

@test "without a port driver: info has networkDriver but no portDriver, ports answer as rootlesskit's" {
  start_server --no-port-driver --state-dir /tmp/rk2 --child-pid 10452
  run curl -sS --unix-socket "$SOCK" http://rootlesskit/v1/info
  [ "$output" = '{"apiVersion":"1.1.1","version":"1.1.0","stateDir":"/tmp/rk2","childPID":10452,"networkDriver":{"driver":"host"}}' ] ||
    fail "info: $output"
  run curl -sS --unix-socket "$SOCK" -X DELETE http://rootlesskit/v1/ports/1
  [ "$output" = '{"message":"no PortDriver is available"}' ] || fail "delete: $output"
  run "$HELPERS/roost-ns-ctl" --socket "$SOCK" list-ports
  [ "$status" -eq 1 ] && [ "$output" = "error: no PortDriver is available" ] || fail "list-ports: $status $output"
  run "$HELPERS/roost-ns-ctl" --socket "$SOCK" info
  [ "$output" = "$(printf -- '- REST API version: 1.1.1\n- Implementation version: 1.1.0\n- State Directory: /tmp/rk2\n- Child PID: 10452\n- Network Driver: host\n  - DNS: []')" ] ||
    fail "info text: $output"
}

@test "garbage, oversize and cut-off requests get an error or a close, and leave no fd behind" {
  start_server
  local before
  before=$(fd_count)
  run curl -sS --unix-socket "$SOCK" -X POST -d 'not json' http://rootlesskit/v1/ports
  [ "$output" = "{\"message\":\"invalid character 'o' in literal null (expecting 'u')\"}" ] || fail "not JSON: $output"
  run curl -sS --unix-socket "$SOCK" -X DELETE http://rootlesskit/v1/ports/x1
  [ "$output" = '{"message":"bad id x1: strconv.Atoi: parsing \"x1\": invalid syntax"}' ] || fail "bad id: $output"
  run bash -c "head -c 100000 /dev/urandom | socat -t 2 - UNIX-CONNECT:$SOCK"  # not HTTP at all
  run bash -c "{ printf 'GET /v1/info HTTP/1.1\r\nHost: x\r\nX: '; head -c 100000 /dev/zero | tr '\\\\0' a; } | socat -t 2 - UNIX-CONNECT:$SOCK"
  [[ "$output" == "HTTP/1.1 431 Request Header Fields Too Large"* ]] || fail "oversize header: $output"
  run bash -c "printf 'POST /v1/ports HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n{' | socat -t 2 - UNIX-CONNECT:$SOCK"
  [[ "$output" == "HTTP/1.1 413 Request Entity Too Large"* ]] || fail "oversize body: $output"
  local i
  for i in $(seq 30); do  # hang up mid-request, in the header and in the body
    printf 'POST /v1/ports HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n{"proto"' | socat -t 0 - UNIX-CONNECT:"$SOCK" &
    printf 'GET /v1/in' | socat -t 0 - UNIX-CONNECT:"$SOCK" &
  done
  wait_jobs_except_server
  run curl -sS --unix-socket "$SOCK" http://rootlesskit/v1/ports
  [ "$output" = null ] || fail "the server no longer answers: $output"
  wait_fd_count "$before"
}

# CPU time (user + system, in clock ticks) the server has used.
server_cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }

@test "out of fds: clients are refused without the server spinning, and served again after" {
  command -v prlimit > /dev/null || skip "prlimit is not installed"
  "$HELPERS/roost-ns-api-server" "$SOCK" "$LOG" 2> "$DIR/server.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.02; done
  prlimit --pid "$SERVER_PID" --nofile=$(( $(fd_count) + 3 ))
  local holders=() i
  for i in $(seq 8); do  # more idle connections than the server has fds for
    sleep 3 | socat -t 3 - UNIX-CONNECT:"$SOCK" > /dev/null 2>&1 &
    holders+=($!)
  done
  sleep 0.5
  local before
  before=$(server_cpu_ticks)
  sleep 1
  [ $(( $(server_cpu_ticks) - before )) -le 10 ] || fail "the server spun: $(( $(server_cpu_ticks) - before )) ticks in 1 s"
  for i in "${holders[@]}"; do wait "$i" || true; done
  run curl -sS --unix-socket "$SOCK" http://rootlesskit/v1/ports
  [ "$output" = null ] || fail "not served after the connections closed: $output"
}

# Waits for every background job of the test but the server.
wait_jobs_except_server() {
  local pid
  for pid in $(jobs -p); do [ "$pid" = "$SERVER_PID" ] || wait "$pid" || true; done
}

@test "a port removed while another request is half sent: both answered, ids not reused" {
  start_server
  "$HELPERS/roost-ns-ctl" --socket "$SOCK" add-ports 127.0.0.1:20120:80/tcp > /dev/null
  mkfifo "$DIR/in"
  socat -t 2 - UNIX-CONNECT:"$SOCK" < "$DIR/in" > "$DIR/answer" &
  local client=$!
  exec 7> "$DIR/in"
  local body='{"proto":"tcp","parentPort":20121,"childPort":80}'
  printf 'POST /v1/ports HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n{"proto":' ${#body} >&7
  run "$HELPERS/roost-ns-ctl" --socket "$SOCK" remove-ports 1
  [ "$output" = 1 ] || { exec 7>&-; fail "remove while a request is open: $output"; }
  printf '%s' "${body#\{\"proto\":}" >&7
  exec 7>&-
  wait $client
  grep -q '^{"id":2,"spec":{"proto":"tcp","parentPort":20121,"childPort":80}}$' <(tr -d '\r' < "$DIR/answer") ||
    fail "the half-sent request's answer: $(cat "$DIR/answer")"
  run "$HELPERS/roost-ns-ctl" --socket "$SOCK" remove-ports 1
  [ "$output" = "error: unknown id: 1" ] || fail "second remove: $output"
}

@test "roost ns ctl: its socket from ROOTLESSKIT_STATE_DIR, errors as rootlessctl's, usage errors exit 2" {
  start_server
  run env ROOTLESSKIT_STATE_DIR="$DIR" "$HELPERS/roost-ns-ctl" add-ports 127.0.0.1:20130:80/tcp
  [ "$status" -eq 0 ] && [ "$output" = 1 ] || fail "default socket: $status $output"
  run env -u ROOTLESSKIT_STATE_DIR "$HELPERS/roost-ns-ctl" info
  [ "$status" -eq 1 ] && [ "$output" = 'error: please specify --socket or set $ROOTLESSKIT_STATE_DIR' ] || fail "no socket: $output"
  run "$HELPERS/roost-ns-ctl" --socket "$DIR/none.sock" info
  [ "$status" -eq 1 ] && [ "$output" = "error: stat $DIR/none.sock: no such file or directory" ] || fail "missing socket: $output"
  run "$HELPERS/roost-ns-ctl" --socket "$SOCK" add-ports 127.0.0.1:20131:80/tcp bogus
  [ "$status" -eq 1 ] && [ "$output" = 'error: missing proto in PortSpec string: "bogus"' ] || fail "bad spec: $output"
  run "$HELPERS/roost-ns-ctl" --socket "$SOCK" list-ports --json
  [ "$output" = '{"id":1,"spec":{"proto":"tcp","parentIP":"127.0.0.1","parentPort":20130,"childPort":80}}' ] ||
    fail "a bad spec after a good one added the good one: $output"
  run "$HELPERS/roost-ns-ctl" --socket "$SOCK" frobnicate
  [ "$status" -eq 2 ] || fail "usage error: $status $output"
  run "$HELPERS/roost-ns-ctl" --help
  [ "$status" -eq 0 ] && [[ "$output" == *"remove-ports ID..."* ]] || fail "help: $status $output"
}
