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
  # A container on no network of theirs cannot reach it.
  run roost_ run --rm busybox wget -T 2 -qO- http://web:80/
  [ "$status" -ne 0 ]
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
