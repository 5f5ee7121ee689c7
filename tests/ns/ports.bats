#!/usr/bin/env bats
# The one port-driver suite, run against every port driver. The driver comes from the file's
# name: ports-DRIVER.bats are symlinks to this file (bats 1.8 cannot make tests in a loop, so the
# matrix is the set of symlinks), and ports.bats itself is the builtin driver; NS_PORT_DRIVER
# overrides. Drivers:
#   builtin       --net=slirp4netns --port-driver=builtin
#   builtin-none  --net=none --port-driver=builtin       (rootlesskit >= 2 and roost)
#   slirp4netns   --net=slirp4netns --port-driver=slirp4netns (slirp4netns' hostfwd API; without
#                 --disable-host-loopback: with it, slirp4netns drops UDP answers to forwarded
#                 clients, which it shows as coming from 10.0.2.2, seen with rootlesskit 1.1)
#   implicit      --net=pasta --port-driver=implicit    (pasta forwards; no port API)
# Servers run inside the namespaces (socat through nsenter), clients on the host's loopback.

load helpers

name=$(basename "$BATS_TEST_FILENAME" .bats)
DRIVER=${NS_PORT_DRIVER:-${name#ports-}}
[ "$DRIVER" = ports ] && DRIVER=builtin
BATS_TEST_NAME_PREFIX="ports[$DRIVER] "
case $DRIVER in
  builtin) NET=(--net=slirp4netns --disable-host-loopback --port-driver=builtin); PROTOS="tcp4 tcp6 udp4 udp6"; API=yes ;;
  builtin-none) NET=(--net=none --port-driver=builtin); PROTOS="tcp4 tcp6 udp4 udp6"; API=yes ;;
  slirp4netns) NET=(--net=slirp4netns --port-driver=slirp4netns); PROTOS="tcp4 udp4"; API=yes ;;
  # (IPv6 ports need --ipv6: without it pasta runs --ipv4-only, as in rootlesskit v2)
  implicit) NET=(--net=pasta --ipv6 --disable-host-loopback --port-driver=implicit); PROTOS="tcp4 tcp6 udp4 udp6"; API=no ;;
  *) echo "unknown port driver $DRIVER" >&2; exit 1 ;;
esac

setup_file() {
  ns_require_bin
  export BIG=$BATS_FILE_TMPDIR/big
  head -c $((48 << 20)) /dev/urandom >"$BIG"
  sha256sum <"$BIG" | cut -d' ' -f1 >"$BIG.sha256"
}

setup() {
  ns_init_test
  case $DRIVER in
    builtin-none) ns_lacks net-none ;;
    implicit) ns_lacks pasta ;;
  esac
}

teardown() { ns_teardown; }

# The port the server listens on inside: pasta forwards a port to the same number.
child_port() { if [ "$DRIVER" = implicit ]; then echo "$1"; else echo 80; fi; }

# The bind error: slirp4netns says only that add_hostfwd failed, pasta that it could not bind.
in_use_error() {
  [[ "$output" == *"address already in use"* ]] && return 0
  case $DRIVER in
    slirp4netns) [[ "$output" == *"add_hostfwd"*"failed"* ]] ;;
    implicit) [[ "$output" == *"Failed to bind"*"$P"* ]] ;;
    *) return 1 ;;
  esac
}

needs_proto() {
  [[ " $PROTOS " == *" $1 "* ]] || skip "the $DRIVER driver has no $1"
}
needs_api() {
  [ "$API" = yes ] || skip "the $DRIVER driver has no port API (pasta forwards what listens)"
}

# socat address words per protocol.
listen_addr() {  # listen_addr PROTO PORT: a forking server that answers "LINE from PEER"
  case $1 in
    tcp4) echo "TCP4-LISTEN:$2,reuseaddr,fork" ;;
    tcp6) echo "TCP6-LISTEN:$2,reuseaddr,fork,ipv6only=1" ;;
    udp4) echo "UDP4-RECVFROM:$2,reuseaddr,fork" ;;
    udp6) echo "UDP6-RECVFROM:$2,reuseaddr,fork,ipv6only=1" ;;
  esac
}
host_ip() { case $1 in *6) echo "::1" ;; *) echo 127.0.0.1 ;; esac; }
spec() {  # spec PROTO PARENTPORT CHILDPORT: rootlesskit's -p syntax
  case $1 in
    # pasta forwards to the same port and cannot be given a child address.
    *6) if [ "$DRIVER" = implicit ]; then echo "[::1]:$2:$3/$1"; else
          # rootlesskit's builtin driver dials 127.0.0.1 inside unless told: name ::1 for IPv6.
          echo "[::1]:$2:[::1]:$3/$1"; fi ;;
    *) echo "127.0.0.1:$2:$3/${1%4}" ;;
  esac
}

# start_answering_server PROTO PORT: inside, every connection/datagram gets "LINE from PEERADDR".
start_answering_server() {
  ns_bg "server-$1" socat "$(listen_addr "$1" "$2")" SYSTEM:'read -r l; echo "$l from $SOCAT_PEERADDR"'
  ns_wait_listen "${1%[46]}" "$2"
}

# ask PROTO PORT [SOURCE]: sends one line from the host, prints the answer.
ask() {
  local proto=$1 port=$2 ip bind=""
  ip=$(host_ip "$proto")
  [ "${proto: -1}" = 6 ] && ip="[$ip]"
  [ -n "${3:-}" ] && bind=",bind=$3"
  if [ "${proto%[46]}" = udp ]; then
    # UDP has no end: a helper sends, waits for one answer and ends the exchange by exiting.
    timeout 10 socat -t 0.2 "${proto^^}:$ip:$port$bind" \
      SYSTEM:'echo hello; head -n 1 >&2' 2>&1
  else
    echo hello | timeout 10 socat -t 5 -T 5 - "${proto^^}:$ip:$port$bind"
  fi
}

published_works() {  # published_works PROTO: -p at start, the answer comes back
  needs_proto "$1"
  ns_port P
  local cp=$(child_port "$P")
  ns_start "${NET[@]}" -p "$(spec "$1" "$P" "$cp")"
  start_answering_server "$1" "$cp"
  run ask "$1" "$P"
  show
  [ "$status" -eq 0 ]
  [[ "$output" == "hello from "* ]]
}

@test "tcp4 published with -p at start answers from the host" { published_works tcp4; }
@test "tcp6 published with -p at start answers from the host" { published_works tcp6; }
@test "udp4 published with -p at start answers from the host" { published_works udp4; }
@test "udp6 published with -p at start answers from the host" { published_works udp6; }

api_add_list_remove() {  # PROTO
  needs_api
  needs_proto "$1"
  ns_port P
  ns_start "${NET[@]}"
  start_answering_server "$1" 80
  run ns_ctl add-ports "$(spec "$1" "$P" 80)"
  show
  [ "$status" -eq 0 ]
  local id=$output
  [[ "$id" =~ ^[0-9]+$ ]]
  run ns_ctl list-ports
  show
  [[ "$output" == *" $P "* ]]
  run ask "$1" "$P"
  show
  [[ "$output" == "hello from "* ]]
  run ns_ctl remove-ports "$id"
  show
  [ "$status" -eq 0 ]
  run ns_ctl list-ports
  [[ "$output" != *" $P "* ]]
  # Gone from the host: nothing listens on the parent port any more.
  [ -z "$(ss -Hlntu "sport = :$P")" ]
  if [ "${1%[46]}" = tcp ]; then
    run ask "$1" "$P"
    [ "$status" -ne 0 ]
  fi
}

@test "tcp4 added, listed and removed through rootlessctl" { api_add_list_remove tcp4; }
@test "tcp6 added, listed and removed through rootlessctl" { api_add_list_remove tcp6; }
@test "udp4 added, listed and removed through rootlessctl" { api_add_list_remove udp4; }
@test "udp6 added, listed and removed through rootlessctl" { api_add_list_remove udp6; }

@test "48 MiB each way over a published TCP port arrive intact (sha256)" {
  ns_port P
  local cp=$(child_port "$P") want
  want=$(cat "$BIG.sha256")
  ns_start "${NET[@]}" -p "$(spec tcp4 "$P" "$cp")"
  # Host -> inside: the server writes what it gets to a file.
  ns_bg upload socat -u "TCP4-LISTEN:$cp,reuseaddr" "CREATE:$BATS_TEST_TMPDIR/received"
  ns_wait_listen tcp "$cp"
  timeout 60 socat -u "FILE:$BIG" "TCP4:127.0.0.1:$P"
  wait_for 30 eval '[ -z "$(ns_enter ss -Hlnt "sport = :$cp")" ] && ! kill -0 ${NS_BG_PIDS[-1]} 2>/dev/null'
  [ "$(sha256sum <"$BATS_TEST_TMPDIR/received" | cut -d' ' -f1)" = "$want" ]
  # Inside -> host.
  ns_bg download socat -u "FILE:$BIG" "TCP4-LISTEN:$cp,reuseaddr"
  ns_wait_listen tcp "$cp"
  [ "$(timeout 60 socat -u "TCP4:127.0.0.1:$P" - | sha256sum | cut -d' ' -f1)" = "$want" ]
}

source_seen() {  # PROTO: the server sees the client's own address, 127.0.0.2
  case $DRIVER in
    builtin|builtin-none) ns_lacks source-ip ;;
    slirp4netns) skip "slirp4netns shows loopback clients as its gateway 10.0.2.2" ;;
    implicit) skip "pasta shows loopback clients as its gateway" ;;
  esac
  ns_port P
  ns_start "${NET[@]}" -p "$(spec "$1" "$P" 80)"
  start_answering_server "$1" 80
  run ask "$1" "$P" 127.0.0.2
  show
  [ "$output" = "hello from 127.0.0.2" ]
}

@test "a TCP client's source address (127.0.0.2) reaches the server" { source_seen tcp4; }
@test "a UDP client's source address (127.0.0.2) reaches the server" { source_seen udp4; }

@test "a port removed while a connection runs: new connections refused, nothing left" {
  needs_api
  ns_port P
  ns_start "${NET[@]}"
  ns_bg echo socat TCP4-LISTEN:80,reuseaddr,fork EXEC:cat
  ns_wait_listen tcp 80
  local id
  id=$(ns_ctl add-ports "$(spec tcp4 "$P" 80)")
  coproc CLIENT { exec env NS_TEST_MARKER="$NS_MARKER" socat - "TCP4:127.0.0.1:$P"; }
  NS_BG_PIDS+=("$CLIENT_PID")
  local line
  echo one >&"${CLIENT[1]}"
  read -r -t 10 line <&"${CLIENT[0]}"
  [ "$line" = one ]
  run ns_ctl remove-ports "$id"
  show
  [ "$status" -eq 0 ]
  run ask tcp4 "$P"
  show
  [ "$status" -ne 0 ]
  # The running connection either goes on or is closed: it must not hang (rootlesskit 1.1 closes it).
  echo two >&"${CLIENT[1]}" 2>/dev/null || true
  line=""
  local rc=0
  read -r -t 10 line <&"${CLIENT[0]}" || rc=$?
  echo "after the removal the connection read '$line' (rc $rc)"
  [ $rc -le 128 ]
  [ $rc -ne 0 ] || [ "$line" = two ]
  # A second instance of the port can be added again at once.
  run ns_ctl add-ports "$(spec tcp4 "$P" 80)"
  show
  [ "$status" -eq 0 ]
}

@test "-p on a port already in use on the host: one error, non-zero exit, nothing left" {
  ns_port P
  host_bg blocker socat TCP4-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork EXEC:cat
  ns_wait_listen tcp "$P" host
  run ns_run "${NET[@]}" -p "$(spec tcp4 "$P" "$(child_port "$P")")" -- true
  show
  [ "$status" -ne 0 ]
  in_use_error
}

@test "add-ports of a port already in use fails and the instance keeps working" {
  needs_api
  ns_port P
  ns_port Q
  host_bg blocker socat TCP4-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork EXEC:cat
  ns_wait_listen tcp "$P" host
  ns_start "${NET[@]}"
  run ns_ctl add-ports "$(spec tcp4 "$P" 80)"
  show
  [ "$status" -ne 0 ]
  in_use_error
  start_answering_server tcp4 80
  ns_ctl add-ports "$(spec tcp4 "$Q" 80)"
  run ask tcp4 "$Q"
  show
  [[ "$output" == "hello from "* ]]
  # The same parent address twice is a conflict.
  run ns_ctl add-ports "$(spec tcp4 "$Q" 81)"
  show
  [ "$status" -ne 0 ]
}

@test "a malformed -p spec: the spec named in one error line, non-zero exit" {
  local bad
  for bad in "127.0.0.1:x:80/tcp" "127.0.0.1:18001:80/bogus" "nonsense"; do
    run ns_run "${NET[@]}" -p "$bad" -- true
    show
    [ "$status" -ne 0 ]
    [ "$(grep -cF "$bad" <<<"$output")" -ge 1 ]
  done
}

@test "a privileged port: rootlesskit's message and advice" {
  case $DRIVER in
    builtin|builtin-none) ;;
    *) skip "the $DRIVER driver binds outside this program (its own error)" ;;
  esac
  [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" -gt 80 ] || skip "ports below 1024 are not privileged here"
  run ns_run "${NET[@]}" -p 127.0.0.1:80:80/tcp -- true
  show
  [ "$status" -ne 0 ]
  [[ "$output" == *"cannot expose privileged port 80, you can add 'net.ipv4.ip_unprivileged_port_start=80' to /etc/sysctl.conf"* ]]
  [[ "$output" == *"or choose a larger port number (>= 1024)"* ]]
  # Called as `rootlesskit`, the advice also names the file capability.
  if [ "$(basename "$NS_BIN")" = rootlesskit ]; then
    [[ "$output" == *"or set CAP_NET_BIND_SERVICE on rootlesskit binary"* ]]
  fi
}
