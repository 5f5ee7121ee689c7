#!/usr/bin/env bats
# One user namespace per user (the pause process, store/userns_session) and user-defined networks:
# roost network create|ls|inspect|rm, and containers on one network reaching each other by name
# (monitor/user_network). Run as root (scripts/test --only containers): roost runs as CTR_USER;
# root looks into the rootless network namespace (nsenter) for what must be gone.

load helpers

setup_file() { containers_setup_file; }

teardown_file() {
  stop_pause
  containers_teardown_file
}

# The user's pause process (helpers' roost_pause_pid: no test's leftover), while it lives.
pause_pid() {
  local pid
  pid=$(roost_pause_pid)
  [ -z "$pid" ] || gone "$pid" || echo "$pid"
  return 0
}
stop_pause() {
  local pause
  pause=$(pause_pid)
  [ -z "$pause" ] || kill -KILL "$pause" 2>/dev/null || true
}

teardown() {
  local ids
  ids=$(roost_ ps -a -q 2>/dev/null)
  [ -z "$ids" ] || roost_ rm -f $ids >/dev/null 2>&1 || true
  local n
  for n in $(roost_ network ls -q 2>/dev/null); do roost_ network rm "$n" >/dev/null 2>&1 || true; done
  ctr_teardown
}

# in_rootless_netns CMD...: CMD (as root) in the user's rootless network namespace.
in_rootless_netns() {
  local pause
  pause=$(pause_pid)
  [ -n "$pause" ] || { echo "no pause process"; return 1; }
  nsenter -t "$pause" -n "$@"
}

userns_of() { roost_ unshare readlink /proc/self/ns/user; }

# gone PID: no such process, or a zombie (this machine's init may be slow to reap orphans).
gone() { [ ! -d "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

@test "userns: two commands share one user namespace, kept by one pause process" {
  stop_pause
  run userns_of
  [ "$status" -eq 0 ]
  local first=$output
  [[ "$first" == user:* ]]
  local pause
  pause=$(pause_pid)
  [ -n "$pause" ]
  [ "$(readlink "/proc/$pause/ns/user")" = "$first" ]
  # Its own session, deaf to SIGHUP and SIGINT, with no fd of the command that made it.
  [ "$(ps -o sid= -p "$pause" | tr -d ' ')" = "$pause" ]
  kill -HUP "$pause"; kill -INT "$pause"
  sleep 0.2
  [ -d "/proc/$pause" ]
  [ "$(ls "/proc/$pause/fd" | wc -l)" -eq 3 ]
  run userns_of
  [ "$output" = "$first" ]
  [ "$(pause_pid)" = "$pause" ]
  # A pid file naming a live process that is not it (another start time) is replaced.
  echo "$$ 1" >"$CTR_WORK/run/pause.pid"
  run userns_of
  [ "$status" -eq 0 ]
  [ "$output" != "$first" ]
  [ -n "$(pause_pid)" ] && [ "$(pause_pid)" != "$$" ]
  kill -KILL "$pause"
}

@test "userns: a dead pause process is replaced; system reset stops it" {
  run userns_of
  local first=$output pause
  pause=$(pause_pid)
  kill -KILL "$pause"
  wait_for 5 gone "$pause"
  run userns_of
  [ "$status" -eq 0 ]
  [ "$output" != "$first" ]
  pause=$(pause_pid)
  [ -n "$pause" ]
  run roost_ system reset -f
  [ "$status" -eq 0 ]
  wait_for 5 gone "$pause"
  [ -z "$(pause_pid)" ]
}

@test "network: create, ls, inspect, rm, as podman shows them" {
  run --separate-stderr roost_ network create
  [ "$status" -eq 0 ]
  [ "$output" = roost1 ]
  run --separate-stderr roost_ network create --subnet 10.99.7.0/24 --gateway 10.99.7.254 --label app=web --internal web
  [ "$status" -eq 0 ]
  [ "$output" = web ]
  run --separate-stderr roost_ network ls
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "NETWORK ID    NAME        DRIVER" ]
  [[ "${lines[1]}" =~ ^[0-9a-f]{12}\ \ roost1\ +bridge$ ]]
  [[ "${lines[2]}" =~ ^[0-9a-f]{12}\ \ web\ +bridge$ ]]
  run roost_ network ls -q
  [ "$output" = "$(printf 'roost1\nweb')" ]
  run roost_ network ls --format '{{.Name}} {{.NetworkInterface}}'
  [ "$output" = "$(printf 'roost1 roost1\nweb roost2')" ]
  run --separate-stderr roost_ network inspect web
  [ "$status" -eq 0 ]
  [ "$(jq -r '.[0].name' <<<"$output")" = web ]
  [[ "$(jq -r '.[0].id' <<<"$output")" =~ ^[0-9a-f]{64}$ ]]
  [ "$(jq -r '.[0].driver' <<<"$output")" = bridge ]
  [ "$(jq -r '.[0].network_interface' <<<"$output")" = roost2 ]
  [ "$(jq -c '.[0].subnets' <<<"$output")" = '[{"subnet":"10.99.7.0/24","gateway":"10.99.7.254"}]' ]
  [ "$(jq -r '.[0].internal' <<<"$output")" = true ]
  [ "$(jq -r '.[0].ipv6_enabled' <<<"$output")" = false ]
  [ "$(jq -c '.[0].ipam_options' <<<"$output")" = '{"driver":"host-local"}' ]
  [ "$(jq -c '.[0].labels' <<<"$output")" = '{"app":"web"}' ]
  run roost_ network inspect --format '{{.name}}' roost1
  [ "$output" = roost1 ]
  [ "$(roost_ network inspect roost1 | jq -c '.[0].subnets')" = '[{"subnet":"10.89.0.0/24","gateway":"10.89.0.1"}]' ]

  run --separate-stderr roost_ network create web
  one_error 'network name web already used'
  run --separate-stderr roost_ network create --subnet 10.99.0.0/16 other
  one_error 'subnet 10.99.0.0/16 is already used by network web'
  run --separate-stderr roost_ network create --subnet 10.98.0.0/24 --gateway 10.97.0.1 other
  one_error 'not a host address'
  run --separate-stderr roost_ network inspect nosuch
  one_error 'unable to find network with name or ID nosuch'

  run --separate-stderr roost_ network rm web roost1
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'web\nroost1')" ]
  run roost_ network ls -q
  [ -z "$output" ]
  run --separate-stderr roost_ network rm web
  one_error 'unable to find network with name or ID web'
}

@test "network: rm is refused while a container uses it; -f removes the container" {
  roost_ network create busy >/dev/null
  roost_ create --name user1 --network busy busybox true >/dev/null
  run --separate-stderr roost_ network rm busy
  one_error 'network busy is being used by container'
  run --separate-stderr roost_ network rm -f busy
  [ "$status" -eq 0 ]
  [ "$output" = busy ]
  run roost_ ps -a -q
  [ -z "$output" ]
}

@test "network: run refuses a network that does not exist" {
  run --separate-stderr roost_ run --rm --network nosuch busybox true
  one_error 'nosuch'
}

@test "network: two containers on one network reach each other by name and short id" {
  local www
  www=$(www_dir)
  roost_ network create appnet >/dev/null
  roost_ run -d --name web --network appnet -v "$www:/www" busybox httpd -f -p 80 -h /www >/dev/null
  local id
  id=$(ctr_id web)
  # The server's address, and its line in a newcomer's /etc/hosts.
  run roost_ run --rm --network appnet busybox sh -c 'cat /etc/hosts; ip -4 -o addr show eth0; ip route'
  [ "$status" -eq 0 ]
  grep -qE "^10\.89\.0\.2[[:space:]]+web ${id:0:12}$" <<<"$output"
  grep -qE '^10\.89\.0\.3[[:space:]]' <<<"$output"
  grep -q 'inet 10.89.0.3/24' <<<"$output"
  grep -q 'default via 10.89.0.1 dev eth0' <<<"$output"
  run roost_ run --rm --network appnet busybox wget -qO- http://web:80/
  [ "$status" -eq 0 ]
  [ "$output" = page-ok ]
  run roost_ run --rm --network appnet busybox wget -qO- "http://${id:0:12}/"
  [ "$status" -eq 0 ]
  [ "$output" = page-ok ]
  # The client that came and went is no longer in the server's hosts file.
  run roost_ exec web cat /etc/hosts
  [ "$status" -eq 0 ]
  grep -qE '^10\.89\.0\.2[[:space:]]+web ' <<<"$output"
  ! grep -qE '^10\.89\.0\.3[[:space:]]' <<<"$output"
  # A container on no network of theirs has no name for it (its resolver, 127.0.0.1, answers
  # nothing: no query leaves the host). busybox's wget -T crashes (Debian 1.35): timeout instead.
  run roost_ run --rm --dns 127.0.0.1 busybox timeout 5 wget -qO- http://web:80/
  [ "$status" -ne 0 ]
  [[ "$output" == *"bad address 'web"* ]]
}

@test "network: -p publishes a port of a container on a user network; it still reaches the others by name" {
  local www port
  www=$(www_dir)
  port=$(free_tcp_port)
  roost_ network create pubnet >/dev/null
  roost_ run -d --name backend --network pubnet -v "$www:/www" busybox httpd -f -p 80 -h /www >/dev/null
  roost_ run -d --name front --network pubnet -p "127.0.0.1:$port:8080" busybox \
    sh -c 'mkdir /w && wget -qO /w/index.html http://backend/ && httpd -f -vv -p 8080 -h /w' >/dev/null
  wait_for 10 http_get "$port"
  # The page the front end fetched from the back end by name, served to the host through -p.
  [ "$(http_get "$port" index.html 127.0.0.5)" = page-ok ]
  run roost_ port front
  [ "$output" = "8080/tcp -> 127.0.0.1:$port" ]
  # The client's own address reached the server.
  wait_for 5 eval 'roost_ logs front 2>&1 | grep -q "127\.0\.0\.5\]:[0-9]*: url:/index.html"'
  roost_ rm -f front backend >/dev/null
  # The port is free again.
  ! http_get "$port" >/dev/null 2>&1
}

@test "network: nothing is left after rm: no veth, no bridge, no lease, no process" {
  roost_ network create tidy >/dev/null
  roost_ run -d --name a --network tidy busybox sleep 1000 >/dev/null
  roost_ run -d --name b --network tidy busybox sleep 1000 >/dev/null
  run in_rootless_netns ip -o link show type veth
  echo "$output"
  [ "$(grep -c . <<<"$output")" -eq 2 ]
  run in_rootless_netns ip -o link show master roost1
  [ "$(grep -c . <<<"$output")" -eq 2 ]
  [ "$(ls "$CTR_WORK/run/networks/tidy" | wc -l)" -eq 2 ]
  roost_ rm -f a b >/dev/null
  run in_rootless_netns ip -o link show type veth
  [ -z "$output" ]
  [ "$(ls "$CTR_WORK/run/networks/tidy" | wc -l)" -eq 0 ]
  run in_rootless_netns ip link show roost1
  [ "$status" -eq 0 ]
  roost_ network rm tidy >/dev/null
  run in_rootless_netns ip link show roost1
  [ "$status" -ne 0 ]
  [ ! -e "$CTR_WORK/run/networks/tidy" ]
  [ ! -e "$CTR_WORK/root/networks/tidy.json" ]
  [ -z "$(store_processes)" ]
}

# host_address: this host's first global IPv4 address (local delivery: no traffic leaves the host).
host_address() { ip -4 -o addr show scope global | awk '{ sub("/.*", "", $4); print $4; exit }'; }

# outbound_processes: the user's slirp4netns processes serving the rootless network namespace.
outbound_processes() { pgrep -u "$CTR_USER" -f "slirp4netns .*--netns-type=path /proc/self/fd/4 tap0" || true; }

@test "network: the way out: a container on a user network reaches the host's address; an internal one cannot; it stops with the last container" {
  local host www port server gateway helper
  host=$(host_address)
  [ -n "$host" ] || skip "this host has no global IPv4 address to reach"
  www=$(www_dir)
  port=$(free_tcp_port)
  roost_ network create outnet >/dev/null
  roost_ network create --internal closednet >/dev/null
  # An internal network's container first: its bridge exists when the way out turns forwarding
  # on, which (from 0, as on most hosts) sets every device's flag, the bridge's too.
  roost_ run -d --name inner --network closednet --cap-add NET_ADMIN busybox sleep 1000 >/dev/null
  [ -z "$(outbound_processes)" ]
  in_rootless_netns sysctl -qw net.ipv4.ip_forward=0
  roost_ run -d --name keeper --network outnet busybox sleep 1000 >/dev/null
  # One slirp4netns for the namespace, its tap configured and masqueraded there.
  helper=$(outbound_processes)
  [ "$(wc -l <<<"$helper")" -eq 1 ]
  run in_rootless_netns ip -4 -o addr show tap0
  [[ "$output" == *"inet 10.0.2.100/24"* ]]
  run in_rootless_netns iptables -t nat -S POSTROUTING
  [[ "$output" == *"-A POSTROUTING -o tap0 -j MASQUERADE"* ]]
  run in_rootless_netns cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/roost1/forwarding \
    /proc/sys/net/ipv4/conf/roost2/forwarding
  [ "$output" = "$(printf '1\n1\n0')" ]
  python3 -m http.server --bind "$host" --directory "$www" "$port" >/dev/null 2>&1 &
  server=$!
  wait_for 10 curl -fsS --max-time 2 -o /dev/null "http://$host:$port/"
  # (wget not the container's pid 1, which timeout's SIGTERM could not end; busybox's wget -T
  # crashes, Debian's 1.35)
  run roost_ run --rm --network outnet busybox sh -c "timeout 10 wget -qO- http://$host:$port/; exit \$?"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = page-ok ]
  # The second container shared the first one's helper.
  [ "$(outbound_processes)" = "$helper" ]
  # An internal network's bridge forwards nothing, even to a container that adds its own route.
  gateway=$(roost_ network inspect closednet | jq -r '.[0].subnets[0].gateway')
  run roost_ exec inner sh -c "ip route add default via $gateway || exit 9; timeout 3 wget -qO- http://$host:$port/; echo wget=\$?"
  kill "$server"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" =~ wget=[1-9] ]]
  [[ "$output" != *page-ok* ]]
  # The last container on a network with a way out gone, so is slirp4netns with its record and
  # tap (the internal network's container needs none).
  roost_ rm -f keeper >/dev/null
  [ -z "$(outbound_processes)" ]
  [ ! -e "$CTR_WORK/run/networks/.outbound" ]
  run in_rootless_netns ip link show tap0
  [ "$status" -ne 0 ]
  roost_ rm -f inner >/dev/null
  [ -z "$(store_processes)" ]
}

@test "network: kill -9 of a monitor on a user network: rm -f gives back its lease, veth and way out" {
  roost_ network create killnet >/dev/null
  roost_ run -d --name victim --network killnet busybox sleep 1000 >/dev/null
  local id monitor
  id=$(ctr_id victim)
  monitor=$(pgrep -f "roost-monitor .*$CTR_WORK/run/.*$id" | head -1)
  [ -n "$monitor" ]
  kill -KILL "$monitor"
  wait_for 5 gone "$monitor"
  # What the monitor would have given back at its end is still held.
  [ -e "$CTR_WORK/run/networks/killnet/$id.json" ]
  [ "$(outbound_processes | wc -l)" -eq 1 ]
  run roost_ rm -f victim
  [ "$status" -eq 0 ]
  [ ! -e "$CTR_WORK/run/networks/killnet/$id.json" ]
  run in_rootless_netns ip -o link show type veth
  [ -z "$output" ]
  [ -z "$(outbound_processes)" ]
  [ -z "$(store_processes)" ]
}

@test "network: a way out left by a pause process that died is replaced by the next container's" {
  roost_ network create phoenix >/dev/null
  roost_ run -d --name first --network phoenix busybox sleep 1000 >/dev/null
  local old new
  old=$(outbound_processes)
  [ -n "$old" ]
  # The user's namespace ends under a running container; the next command makes a new one.
  kill -KILL "$(pause_pid)"
  roost_ run -d --name second --network phoenix busybox sleep 1000 >/dev/null
  # The old one served a namespace no one can reach: replaced, not reused.
  wait_for 5 gone "$old"
  new=$(outbound_processes)
  [ "$(wc -l <<<"$new")" -eq 1 ]
  [ "$new" != "$old" ]
  run in_rootless_netns ip -4 -o addr show tap0
  [[ "$output" == *"inet 10.0.2.100/24"* ]]
  roost_ rm -f first second >/dev/null
  [ -z "$(outbound_processes)" ]
}
