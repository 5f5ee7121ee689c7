#!/usr/bin/env bats
# roost volume create/ls/inspect/rm/prune, against rootless podman 4.3 where the output is the
# same by design (names, tables, errors), as roost-test and as roost-nosub (CTR_USER).

load helpers

setup_file() { containers_setup_file podman; }
teardown_file() { containers_teardown_file; }

teardown() {
  pm volume rm --all --force >/dev/null 2>&1 || true
  roost_ rm -a -f >/dev/null 2>&1 || true
  for v in $(roost_ volume ls -q 2>/dev/null); do roost_ volume rm -f "$v" >/dev/null 2>&1 || true; done
  ctr_teardown
}

@test "volume create prints the name; ls shows podman's table" {
  agree volume create --label tier=db data
  [ "$output" = data ]
  agree volume create other
  agree volume ls
  [ "${lines[0]}" = "DRIVER      VOLUME NAME" ]
  [ "${lines[1]}" = "local       data" ]
  agree volume ls -q
  [ "$output" = "$(printf 'data\nother')" ]
}

@test "volume create: a name in use, an unknown --opt, in podman's words" {
  agree volume create data
  agree volume create data
  one_error "volume with name data already exists: volume already exists"
  agree volume create --opt foo=bar v2
  one_error "invalid mount option foo for driver 'local': invalid argument"
  # An option podman knows and roost does not honour is refused, not recorded and ignored.
  run --separate-stderr roost_ volume create --opt o=nodev v3
  one_error "not supported"
  run roost_ volume ls -q
  [ "$output" = data ]
}

@test "volume create without a name gives 64 hex digits" {
  run --separate-stderr roost_ volume create
  [ "$status" = 0 ]
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
}

@test "volume ls --filter name= and label=, --format" {
  agree volume create --label tier=db data
  agree volume create --label tier=web web
  agree volume create plain
  agree volume ls -q --filter label=tier
  [ "$output" = "$(printf 'data\nweb')" ]
  agree volume ls -q --filter label=tier=web
  [ "$output" = web ]
  agree volume ls -q --filter name=da
  [ "$output" = data ]
  agree volume ls --format '{{.Name}} {{.Driver}}' --filter name=plain
  [ "$output" = "plain local" ]
  run --separate-stderr roost_ volume ls --format json --filter name=web
  [ "$status" = 0 ]
  [ "$(jq -r '.[0].Name + " " + .[0].Labels.tier' <<<"$output")" = "web web" ]
}

@test "volume inspect: podman's fields; a missing one fails after the found ones" {
  roost_ volume create --label a=b data
  run --separate-stderr roost_ volume inspect data
  [ "$status" = 0 ]
  [ "$(jq -r '.[0] | [.Name, .Driver, .Scope, .Labels.a] | join(" ")' <<<"$output")" = "data local local b" ]
  mp=$(jq -r '.[0].Mountpoint' <<<"$output")
  [ "$mp" = "$CTR_WORK/root/volumes/data/_data" ]
  [ -d "$mp" ]
  run --separate-stderr roost_ volume inspect --format '{{.Name}}' data nope
  [ "$status" = 125 ]
  [ "$output" = data ]
  [ "$stderr" = "Error: inspecting object: no such volume nope" ]
}

@test "volume rm: a missing one exits 1 in podman's words; -f ignores it" {
  agree volume rm nope
  [ "$status" = 1 ]
  [ "$stderr" = 'Error: no volume with name "nope" found: no such volume' ]
  agree volume rm -f nope
  [ "$status" = 0 ]
}

@test "volume rm is refused while a container uses it (exit 2); -f removes the container first" {
  roost_ volume create data
  run --separate-stderr roost_ create --name user -v data:/data busybox true
  [ "$status" = 0 ]
  id=$(ctr_id user)
  run --separate-stderr roost_ volume rm data
  [ "$status" = 2 ]
  [ "$stderr" = "Error: volume data is being used by the following container(s): $id: volume is being used" ]
  run roost_ volume ls -q
  [ "$output" = data ]
  run --separate-stderr roost_ volume rm -f data
  [ "$status" = 0 ]
  [ "$output" = data ]
  run --separate-stderr roost_ ps -a -q
  [ -z "$output" ]
  [ ! -e "$CTR_WORK/root/volumes/data" ]
}

@test "volume rm -f of a running container's volume stops and removes the container" {
  roost_ volume create data
  run --separate-stderr roost_ run -d --name busy -v data:/data busybox sleep 60
  [ "$status" = 0 ]
  run --separate-stderr roost_ volume rm -f data
  [ "$status" = 0 ]
  run --separate-stderr roost_ ps -a -q
  [ -z "$output" ]
}

@test "a named volume's data survives two containers; rm removes files of subordinate ids" {
  # Without a subuid range only uid 0 exists inside: nothing to chown to.
  own='chown 1000:1000 /data/d /data/f'
  squashed && own=true
  run --separate-stderr roost_ run --rm -v data:/data busybox sh -c "echo kept > /data/f; mkdir /data/d; $own"
  [ "$status" = 0 ]
  run --separate-stderr roost_ run --rm -v data:/data busybox sh -c 'cat /data/f; stat -c %u /data/d'
  [ "$status" = 0 ]
  [ "${lines[0]}" = kept ]
  squashed || [ "${lines[1]}" = 1000 ]
  squashed || [ "$(stat -c %u "$CTR_WORK/root/volumes/data/_data/f")" = "$(host_uid 1000)" ]
  run --separate-stderr roost_ volume rm data
  [ "$status" = 0 ]
  [ ! -e "$CTR_WORK/root/volumes/data" ]
}

@test "volume prune -f removes the volumes no container uses" {
  roost_ volume create used
  roost_ volume create unused
  roost_ create --name user -v used:/data busybox true
  run --separate-stderr roost_ volume prune -f
  [ "$status" = 0 ]
  [ "$output" = unused ]
  run roost_ volume ls -q
  [ "$output" = used ]
}
