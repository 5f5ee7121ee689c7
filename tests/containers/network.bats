#!/usr/bin/env bats
# A container's network: none, host, slirp4netns (the default) and pasta; published ports (TCP,
# UDP, -P) answered from the host with the client's address kept; the host's loopback reachable
# only when asked for. Traffic goes only to 127.0.0.0/8 and into the containers' namespaces.

load helpers

setup_file() {
  containers_setup_file podman
  make_image_archive "$CTR_WORK/exposed.tar" localhost/exposed:latest '{"ExposedPorts":{"80/tcp":{}}}'
  roost_ load -q -i "$CTR_WORK/exposed.tar" >/dev/null
  pm load -q -i "$CTR_WORK/exposed.tar" >/dev/null
  export WWW=$(www_dir)
  # A UDP server for the container (busybox has none), static, bound in read-only.
  mkdir -p "$CTR_WORK/bin"
  cc -static -O2 -o "$CTR_WORK/bin/udp-recv" "$BATS_TEST_DIRNAME/fixtures/udp-recv.c"
  chmod -R a+rX "$CTR_WORK/bin"
}

teardown_file() { containers_teardown_file; }

teardown() {
  pm rm --all --force --time 0 >/dev/null 2>&1 || true
  [ -z "${SERVER_PID:-}" ] || { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; }
  ctr_teardown
}

# host_server PORT: a TCP server on the host's 127.0.0.1:PORT answering "hello-from-host".
host_server() {
  socat "TCP-LISTEN:$1,bind=127.0.0.1,reuseaddr,fork" SYSTEM:'echo hello-from-host' &
  SERVER_PID=$!
  wait_for 5 eval "(exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null"
}

HTTPD=(busybox httpd -f -vv -p 80 -h /www)

@test "--network none: only lo" {
  agree run --rm --network none busybox ls /sys/class/net
  [ "$output" = lo ]
}

@test "--network host: the host's interfaces" {
  agree run --rm --network host busybox ls /sys/class/net
  [ "$output" = "$(ls /sys/class/net)" ]
}

@test "slirp4netns (the default): tap0 10.0.2.100/24, default route via 10.0.2.2, DNS 10.0.2.3" {
  agree run --rm busybox sh -c 'ip -o -4 addr show tap0 | awk "{print \$4}"; ip route | awk "/^default/ {print \$3}"; grep -c "^nameserver 10.0.2.3" /etc/resolv.conf'
  [ "$output" = "$(printf '10.0.2.100/24\n10.0.2.2\n1')" ]
}

@test "slirp4netns: tap0 is made persistent before slirp4netns attaches (its exit then removes no device)" {
  # roost's own: podman lets slirp4netns make the device. IFF_PERSIST is 0x800 in tun_flags.
  run roost_ run --rm busybox cat /sys/class/net/tap0/tun_flags /sys/class/net/tap0/carrier
  [ "$status" -eq 0 ]
  [ $(( ${lines[0]} & 0x800 )) -ne 0 ]
  [ "${lines[1]}" = 1 ]
}

@test "slirp4netns: the host's loopback (10.0.2.2) is unreachable by default, as podman's" {
  port=$(free_tcp_port)
  host_server "$port"
  agree run --rm busybox sh -c "nc -w 2 10.0.2.2 $port </dev/null || echo refused"
  [ "$output" = refused ]
}

@test "slirp4netns:allow_host_loopback=true: 10.0.2.2 reaches the host's 127.0.0.1" {
  port=$(free_tcp_port)
  host_server "$port"
  agree run --rm --network slirp4netns:allow_host_loopback=true busybox nc -w 2 10.0.2.2 "$port"
  [ "$output" = hello-from-host ]
}

@test "slirp4netns:cidr=,mtu=: the container's address, DNS forwarder and MTU follow them" {
  agree run --rm --network slirp4netns:cidr=10.0.3.0/24,mtu=1400 busybox \
    sh -c 'ip -4 -o addr show tap0 | awk "{print \$4}"; cat /sys/class/net/tap0/mtu; grep -m1 nameserver /etc/resolv.conf'
  [ "$output" = "10.0.3.100/24
1400
nameserver 10.0.3.3" ]
}

@test "slirp4netns:port_handler=slirp4netns: -p through slirp4netns's own forwarder" {
  port=$(free_tcp_port)
  roost_ run -d --name web --network slirp4netns:port_handler=slirp4netns -p "127.0.0.1:$port:80" -v "$WWW:/www:ro" "${HTTPD[@]}" >/dev/null
  wait_for 10 http_get "$port"
  [ "$(http_get "$port" index.html)" = page-ok ]
  # slirp4netns's forwarder shows every client as its gateway (the builtin one keeps the address).
  wait_for 5 eval 'roost_ logs web 2>&1 | grep -q "10\.0\.2\.2\]:[0-9]*: url:/index.html"'
  roost_ rm -f web
}

@test "--network with options it cannot apply: one line each, nothing created" {
  run --separate-stderr roost_ run --rm --network slirp4netns:frobnicate=1 busybox true
  one_error 'unknown option for slirp4netns: "frobnicate"'
  run --separate-stderr roost_ run --rm --network slirp4netns:mtu=10 busybox true
  one_error 'mtu'
  run --separate-stderr roost_ run --rm --network none:x=1 busybox true
  one_error 'network none takes no options'
  run --separate-stderr roost_ run --rm --network pasta:-T,8080 busybox true
  one_error 'no options to pasta'
  run roost_ ps -a -q
  [ -z "$output" ]
}

@test "-p 127.0.0.1:PORT:80: busybox httpd answers from the host, and sees the client's own address" {
  port=$(free_tcp_port)
  roost_ run -d --name web -p "127.0.0.1:$port:80" -v "$WWW:/www:ro" "${HTTPD[@]}" >/dev/null
  wait_for 10 http_get "$port"
  [ "$(http_get "$port" index.html 127.0.0.5)" = page-ok ]
  # The builtin forwarder keeps the client's address (podman's rootlessport shows the
  # container's own 10.0.2.100 instead).
  wait_for 5 eval 'roost_ logs web 2>&1 | grep -q "127\.0\.0\.5\]:[0-9]*: url:/index.html"'
  run roost_ logs web
  ! grep -q '10\.0\.2\.' <<<"$output"
  roost_ rm -f web
  # The port is free again.
  ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

@test "-p 127.0.0.1:PORT:5000/udp: a datagram from the host reaches the container, with its source address" {
  port=$(free_tcp_port)
  roost_ run -d --name udp -p "127.0.0.1:$port:5000/udp" -v "$CTR_WORK/bin:/hostbin:ro" busybox /hostbin/udp-recv 5000 >/dev/null
  for _ in $(seq 50); do
    reply=$(echo ping-udp | timeout 1 socat - "UDP:127.0.0.1:$port,bind=127.0.0.6" 2>/dev/null || true)
    [ "$reply" = ack ] && break
    sleep 0.2
  done
  [ "$reply" = ack ]
  run roost_ logs udp
  show
  [[ "$output" == *"127.0.0.6 ping-udp"* ]]
  roost_ rm -f udp
}

@test "-P publishes the image's exposed ports on free host ports" {
  for e in pm roost_; do $e run -d --name pub -P -v "$WWW:/www:ro" localhost/exposed "${HTTPD[@]:1}" >/dev/null; done
  run roost_ port pub
  show
  [[ "$output" =~ ^80/tcp\ -\>\ 0\.0\.0\.0:([0-9]+)$ ]]
  port=${BASH_REMATCH[1]}
  wait_for 10 http_get "$port"
  [ "$(http_get "$port")" = page-ok ]
  run pm port pub
  [[ "$output" =~ ^80/tcp\ -\>\ 0\.0\.0\.0:[0-9]+$ ]]
  roost_ rm -f pub
}

@test "--network pasta: ports answered from the host" {
  command -v pasta >/dev/null || skip "no pasta"
  port=$(free_tcp_port)
  # podman 4.3 has no pasta network: roost alone.
  roost_ run -d --name pweb --network pasta -p "127.0.0.1:$port:80" -v "$WWW:/www:ro" "${HTTPD[@]}" >/dev/null
  wait_for 10 http_get "$port"
  [ "$(http_get "$port")" = page-ok ]
  run roost_ run --rm --network pasta busybox sh -c 'ls /sys/class/net | grep -vc "^lo$"'
  [ "$output" -ge 1 ]
  roost_ rm -f pweb
}
