#!/usr/bin/env bats
# Rootless Docker on the fake root under test: Debian's unchanged dockerd-rootless.sh, run as the
# (unprivileged) caller with NS_BIN as the only `rootlesskit` on PATH. PATH is one temp dir of
# symlinks to everything in /usr/sbin and /usr/bin except rootlesskit and docker-rootlesskit (this
# host has merged /usr, so /bin and /usr/bin cannot be on PATH themselves), plus `rootlesskit` ->
# NS_BIN. Debian's rootlesskit-docker-proxy stays: Docker 20.10 publishes ports through it and it
# talks to the fake root's api.sock. dockerd gets its own data root, exec root, pidfile, socket,
# XDG_RUNTIME_DIR, HOME and TMPDIR (so the fake root's default state dir is ours too), and
# --iptables=false: docker-proxy then carries published ports.

load helpers

SCRIPT=/usr/share/docker.io/contrib/dockerd-rootless.sh

setup_file() {
  ns_require_bin
  export DK=$BATS_FILE_TMPDIR/dk
  mkdir -p "$DK"/{bin,xdg,home,tmp,rootfs/bin,rootfs/www}
  chmod 700 "$DK/xdg"
  make_path "$DK/bin"
  make_image_tar "$DK/rootfs" "$DK/image.tar"
  # The daemon is the file's one instance: its marker is the file's tmp dir.
  export NS_MARKER=$BATS_FILE_TMPDIR
  NS_BG_PIDS=()
  ns_spawn dockerd env -i PATH="$DK/bin" HOME="$DK/home" XDG_RUNTIME_DIR="$DK/xdg" TMPDIR="$DK/tmp" \
    "$SCRIPT" --data-root "$DK/data" --exec-root "$DK/exec" -H "unix://$DK/docker.sock" \
    --pidfile "$DK/docker.pid" --iptables=false --ip6tables=false
  export DOCKERD_PID=${NS_BG_PIDS[0]}
  if ! wait_for 60 docker_ version; then
    echo "# dockerd did not answer; its log:" >&3
    sed 's/^/# /' "$BATS_FILE_TMPDIR/dockerd.log" | tail -n 40 >&3
    return 1
  fi
  export STATE_DIR
  STATE_DIR=$(dirname "$(find "$DK/tmp" -maxdepth 2 -name child_pid | head -n 1)")
  export NS_USERNS
  NS_USERNS=$(readlink "/proc/$(cat "$STATE_DIR/child_pid")/ns/user")
  docker_ import "$DK/image.tar" roostbb >/dev/null
}

teardown_file() {
  [ -n "${DOCKERD_PID:-}" ] || return 0
  if kill -TERM "$DOCKERD_PID" 2>/dev/null; then
    wait_for 30 eval '! kill -0 $DOCKERD_PID 2>/dev/null' || kill -KILL "$DOCKERD_PID"
  fi
  local left
  left=$(ns_leftovers)
  [ -z "$left" ] || kill -KILL $left
  # Image layers belong to subordinate ids: remove them from inside a user namespace, as
  # dockerd-rootless-setuptool.sh advises (`rootlesskit rm -rf ...`).
  env TMPDIR="$DK/tmp" "$NS_BIN" rm -rf "$DK/data" "$DK/exec"
}

# make_path DIR: symlinks to /usr/sbin and /usr/bin (sbin first) without any real rootlesskit,
# and rootlesskit -> NS_BIN.
make_path() {
  local f
  for f in /usr/sbin/* /usr/bin/*; do
    [ -e "$1/${f##*/}" ] || ln -s "$f" "$1/${f##*/}"
  done
  rm -f "$1/rootlesskit" "$1/docker-rootlesskit"
  # (roost answers as rootlesskit by that name, whatever the link points at)
  ln -s "$NS_BIN" "$1/rootlesskit"
}

# make_image_tar ROOTFS OUT: Debian's static busybox with its applet links, as a tarball for
# `docker import`.
make_image_tar() {
  cp /bin/busybox "$1/bin/busybox"
  local applet
  for applet in $("$1/bin/busybox" --list); do [ -e "$1/bin/$applet" ] || ln -s busybox "$1/bin/$applet"; done
  echo hello-from-httpd >"$1/www/index.html"
  tar -C "$1" -cf "$2" .
}

docker_() { timeout -k 5 60 /usr/bin/docker -H "unix://$DK/docker.sock" "$@" 3>&-; }

teardown() { docker_ rm -f $(docker_ ps -aq 2>/dev/null) >/dev/null 2>&1 || true; }

@test "dockerd-rootless.sh found NS_BIN as rootlesskit and dockerd runs rootless inside it" {
  [ "$(readlink "$DK/bin/rootlesskit")" = "$NS_BIN" ]
  run docker_ info --format '{{.SecurityOptions}}'
  show
  [[ "$output" == *rootless* ]]
  # dockerd's own process runs as the caller (mapped root) in the fake root's user namespace.
  local dpid
  dpid=$(cat "$DK/docker.pid")
  [ "$(readlink "/proc/$dpid/ns/user")" = "$NS_USERNS" ]
  [ "$(awk '/^Uid:/ {print $2}' "/proc/$dpid/status")" = "$(id -u)" ]
}

@test "docker run --rm of an imported image" {
  run docker_ run --rm roostbb sh -c 'echo hello from rootless docker; id -u; exit 3'
  show
  [ "$status" -eq 3 ]
  [ "${lines[0]}" = "hello from rootless docker" ]
  [ "${lines[1]}" = 0 ]
}

@test "docker run -d -p 127.0.0.1:PORT:80 with busybox httpd answers from the host" {
  ns_port P
  docker_ run -d --name web -p "127.0.0.1:$P:80" roostbb httpd -f -p 80 -h /www
  wait_for 20 curl -sf -o /dev/null "http://127.0.0.1:$P/"
  run curl -sf "http://127.0.0.1:$P/"
  show
  [ "$output" = hello-from-httpd ]
  docker_ rm -f web
  # The published port is withdrawn with the container.
  wait_for 10 eval '[ -z "$(ss -Hlnt "sport = :$P")" ]'
}

@test "docker exec" {
  docker_ run -d --name exec1 roostbb sleep 300
  run docker_ exec exec1 sh -c 'echo exec works; exit 2'
  show
  [ "$status" -eq 2 ]
  [ "$output" = "exec works" ]
}

@test "docker stop" {
  docker_ run -d --name stop1 roostbb sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
  run docker_ stop --time 10 stop1
  show
  [ "$status" -eq 0 ]
  run docker_ inspect --format '{{.State.Status}} {{.State.ExitCode}}' stop1
  show
  [ "$output" = "exited 0" ]
}

@test "dockerd stops cleanly on SIGTERM: no process, mount or state dir left" {
  docker_ run -d --name running roostbb sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
  kill -TERM "$DOCKERD_PID"
  wait_for 40 eval '! kill -0 $DOCKERD_PID 2>/dev/null'
  grep -q 'Daemon shutdown complete\|stopping event stream following graceful shutdown' "$BATS_FILE_TMPDIR/dockerd.log"
  wait_for 10 eval '[ -z "$(ns_leftovers)" ]' || { echo "left:"; ns_describe $(ns_leftovers); false; }
  [ ! -e "$STATE_DIR" ]
  ! grep -F "$BATS_FILE_TMPDIR" /proc/self/mountinfo
  [ ! -S "$DK/docker.sock" ] || ! docker_ version >/dev/null 2>&1
}
