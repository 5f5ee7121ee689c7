#!/usr/bin/env bats
# Where ids matter: who the container is on the host, who owns what it writes to bind mounts and
# volumes, -u and exec -u. Run as roost-test (a subuid range) and as roost-nosub (none: a one-id
# map, every id squashed to the user), each against rootless podman 4.3 as the same user.

load helpers

setup_file() { containers_setup_file podman; }
teardown_file() { containers_teardown_file; }

teardown() {
  pm rm --all --force --time 0 >/dev/null 2>&1 || true
  pm volume rm --all --force >/dev/null 2>&1 || true
  ctr_teardown
}

# A fresh directory of CTR_USER's under CTR_HOST, world-writable when $2 is "open" (uid 1000
# inside is not its owner).
host_dir() {
  local dir=$CTR_HOST/$1
  rm -rf "$dir"
  mkdir -p "$dir"
  chown "$CTR_USER:" "$dir"
  [ "${2:-}" != open ] || chmod 777 "$dir"
  echo "$dir"
}

@test "run: uid 0 inside, the user's uid on the host (uid_map: 0 -> user, then the subuid range)" {
  agree run --rm busybox sh -c 'id -u; cat /proc/self/uid_map'
  show_all
  [ "${lines[0]}" = 0 ]
  [ "$(echo ${lines[1]})" = "0 $CTR_UID 1" ]
  if squashed; then
    [ "${#lines[@]}" -eq 2 ]
  else
    [ "$(echo ${lines[2]})" = "1 $CTR_SUBUID 65536" ]
  fi
}

@test "run: the container's processes run as the user on the host" {
  roost_ run -d --name who busybox sleep 1000 >/dev/null
  pid=$(roost_ inspect --format '{{.State.Pid}}' who)
  [ "$pid" -gt 0 ]
  [ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = "$CTR_UID" ]
  roost_ rm -f who
}

@test "run -u 1000:1000: uid and gid 1000 inside (refused without subordinate ids)" {
  if squashed; then
    # podman: 126 from runc ("unable to setup user: invalid argument"); roost: the same, one line.
    run --separate-stderr roost_ run --rm -u 1000:1000 busybox id -u
    show_all
    [ "$status" -eq 126 ]
    # (after roost's warning that the user has no range, as podman warns too)
    [ "$(grep -c '^Error: ' <<<"$stderr")" = 1 ]
    grep -q '^Error: unable to setup user: invalid argument' <<<"$stderr"
  else
    agree run --rm -u 1000:1000 busybox sh -c 'id -u; id -g'
    [ "$output" = "$(printf '1000\n1000')" ]
  fi
}

@test "run -v HOSTDIR:/data: root's file inside is the user's on the host" {
  dir=$(host_dir bind)
  run roost_ run --rm -v "$dir:/data" busybox sh -c 'echo from-root >/data/root.txt; stat -c "%u %g" /data/root.txt'
  show
  [ "$status" -eq 0 ]
  [ "$output" = "0 0" ]
  [ "$(stat -c %u:%g "$dir/root.txt")" = "$CTR_UID:$CTR_GID" ]
  [ "$(cat "$dir/root.txt")" = from-root ]
  # podman: the same owner.
  pdir=$(host_dir bind-podman)
  pm run --rm -v "$pdir:/data" busybox sh -c 'echo from-root >/data/root.txt'
  [ "$(stat -c %u:%g "$pdir/root.txt")" = "$(stat -c %u:%g "$dir/root.txt")" ]
}

@test "run -u 1000 -v HOSTDIR:/data: the file is subuid+999's on the host, as podman's" {
  squashed && skip "uid 1000 needs a subordinate range"
  dir=$(host_dir u1000 open)
  pdir=$(host_dir u1000-podman open)
  run roost_ run --rm -u 1000:1000 -v "$dir:/data" busybox touch /data/f
  [ "$status" -eq 0 ]
  pm run --rm -u 1000:1000 -v "$pdir:/data" busybox touch /data/f
  [ "$(stat -c %u:%g "$dir/f")" = "$(host_uid 1000):$(host_uid 1000)" ]
  [ "$(stat -c %u:%g "$dir/f")" = "$(stat -c %u:%g "$pdir/f")" ]
}

@test "run -u 33 -v HOSTDIR:/data:U: the directory and its files become uid 33's (subuid+32 on the host), as podman's" {
  squashed && skip "uid 33 needs a subordinate range"
  dir=$(host_dir chown-u)
  pdir=$(host_dir chown-u-podman)
  for d in "$dir" "$pdir"; do touch "$d/f" && chown "$CTR_USER:" "$d/f"; done
  run roost_ run --rm -u 33:33 -v "$dir:/data:U" busybox sh -c 'stat -c %u:%g /data /data/f; touch /data/g'
  [ "$status" -eq 0 ] && [ "$output" = "33:33
33:33" ]
  pm run --rm -u 33:33 -v "$pdir:/data:U" busybox touch /data/g
  [ "$(stat -c %u:%g "$dir/f")" = "$(host_uid 33):$(host_uid 33)" ]
  for f in . f g; do [ "$(stat -c %u:%g "$dir/$f")" = "$(stat -c %u:%g "$pdir/$f")" ]; done
}

@test "run -v HOSTDIR:/data:ro: the bind mount cannot be written" {
  dir=$(host_dir ro)
  agree run --rm -v "$dir:/data:ro" busybox touch /data/x
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"Read-only file system"* ]]
  [ ! -e "$dir/x" ]
}

@test "run --tmpfs /t and --mount type=tmpfs: a writable tmpfs there" {
  agree run --rm --tmpfs /t busybox sh -c 'awk "\$2 == \"/t\" {print \$3}" /proc/mounts; touch /t/x && stat -c %u /t/x'
  [ "$output" = "$(printf 'tmpfs\n0')" ]
  agree run --rm --mount type=tmpfs,destination=/t busybox sh -c 'awk "\$2 == \"/t\" {print \$3}" /proc/mounts; touch /t/x && echo written'
  [ "$output" = "$(printf 'tmpfs\nwritten')" ]
}

@test "run -v NAME:/d: a named volume outlives its container and is seen by the next" {
  agree run --rm -v vol1:/d busybox sh -c 'echo kept >/d/f; chown 0:0 /d/f'
  agree run --rm -v vol1:/d busybox cat /d/f
  [ "$output" = kept ]
  agree volume ls -q
  [ "$output" = vol1 ]
  # On the host the volume's files are the user's (root inside).
  f=$(find "$CTR_WORK/root" -path '*vol1*' -name f -type f | head -1)
  [ -n "$f" ]
  [ "$(stat -c %u "$f")" = "$CTR_UID" ]
  agree volume rm vol1
  run roost_ volume ls -q
  [ "$output" = "" ]
}

@test "exec -u 1000: the process runs as uid 1000 in the container" {
  squashed && skip "uid 1000 needs a subordinate range"
  for e in pm roost_; do $e run -d --name ex busybox sleep 1000 >/dev/null; done
  agree exec -u 1000:1000 ex sh -c 'id -u; id -g'
  [ "$output" = "$(printf '1000\n1000')" ]
  pm rm -f -t 0 ex >/dev/null
  roost_ rm -f ex
}
