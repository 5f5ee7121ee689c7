#!/usr/bin/env bats
# roost cp: each direction (host -> container, container -> host, tar streams on stdin and stdout),
# Docker's and podman's path rules (podman as the oracle on the same layout), owners after the
# copy, symlinks in the container that point at host paths never followed out, and stopped
# containers. As roost-test and as roost-nosub (CTR_USER).

load helpers

setup_file() { containers_setup_file podman; }
teardown_file() { containers_teardown_file; }

setup() {
  SRC=$CTR_HOST/src
  OUT=$CTR_HOST/out
  rm -rf "$SRC" "$OUT"
  mkdir -p "$SRC/dir/sub" "$OUT"
  echo one > "$SRC/file"
  echo two > "$SRC/dir/sub/f"
  ln -s sub/f "$SRC/dir/link"
  chown -R "$CTR_USER:" "$SRC" "$OUT"
}

teardown() {
  pm rm --all --force --time 0 >/dev/null 2>&1 || true
  roost_ rm -a -f >/dev/null 2>&1 || true
  ctr_teardown
}

# A running container of each engine, named c, with /d (a directory) and /f (a file).
start_both() {
  run --separate-stderr roost_ run -d --name c busybox sh -c 'mkdir /d; echo x > /f; sleep 600'
  [ "$status" = 0 ] || { show_all; return 1; }
  run --separate-stderr pm run -d --name c busybox sh -c 'mkdir /d; echo x > /f; sleep 600'
  [ "$status" = 0 ] || { show_all; return 1; }
  sleep 0.5
}

# The tree below a path in the container, as `find` lists it with types.
tree_in() { "$@" exec c sh -c 'cd / && find d -exec stat -c "%n %F" {} + | sort'; }

@test "cp into a running container: the path rules agree with podman's" {
  start_both
  for args in "$SRC/file c:/d" "$SRC/file c:/d/renamed" "$SRC/dir c:/d" "$SRC/dir/. c:/d/content" \
              "$SRC/dir c:/d/newdir" "$SRC/dir/ c:/d/dir2"; do
    if [[ $args == *content* ]]; then roost_ exec c mkdir -p /d/content; pm exec c mkdir -p /d/content; fi
    agree cp $args
  done
  run tree_in pm; pm_tree=$output
  run tree_in roost_
  [ "$output" = "$pm_tree" ] || { echo "podman:"; echo "$pm_tree"; echo "roost:"; echo "$output"; return 1; }
  [[ "$output" == *"d/file regular file"* ]]
  [[ "$output" == *"d/renamed regular file"* ]]
  [[ "$output" == *"d/dir/sub/f regular file"* ]]
  [[ "$output" == *"d/content/sub/f regular file"* ]]
  [[ "$output" == *"d/newdir/link symbolic link"* ]]
}

@test "cp errors: directory onto a file, a missing parent, a trailing slash on a file, a missing source" {
  start_both
  agree cp "$SRC/dir" c:/f
  [ "$status" = 125 ]
  agree cp "$SRC/file" c:/nodir/x
  [ "$status" = 125 ]
  agree cp "$SRC/file/" c:/d
  [ "$status" = 125 ]
  agree cp "$SRC/file" c:/nodir/
  [ "$status" = 125 ]
  agree cp c:/nope "$OUT"
  [ "$status" = 125 ]
  agree cp "$SRC/file" nosuch:/d
  [ "$status" = 125 ]
  agree cp "$SRC/file" "$OUT/x"
  [ "$status" = 125 ]
}

@test "cp out of a running container: the rules, and the caller owns what it gets" {
  run --separate-stderr roost_ run -d --name c busybox sh -c 'mkdir -p /d/s; echo hi > /d/s/f; chown -R 1000:1000 /d; sleep 600'
  [ "$status" = 0 ]
  sleep 0.5
  run --separate-stderr roost_ cp c:/d "$OUT"
  [ "$status" = 0 ] || show_all
  [ "$(cat "$OUT/d/s/f")" = hi ]
  [ "$(stat -c %u:%g "$OUT/d/s/f")" = "$CTR_UID:$CTR_GID" ]
  run --separate-stderr roost_ cp c:/d/. "$OUT/content"
  [ "$status" = 0 ]
  [ "$(cat "$OUT/content/s/f")" = hi ]
  run --separate-stderr roost_ cp c:/d/s/f "$OUT/renamed"
  [ "$status" = 0 ]
  [ "$(cat "$OUT/renamed")" = hi ]
  # -a keeps the container's ids: uid 1000 inside is a subordinate id on the host.
  run --separate-stderr roost_ cp -a c:/d/s/f "$OUT/kept"
  [ "$status" = 0 ]
  [ "$(stat -c %u "$OUT/kept")" = "$(host_uid 1000)" ]
}

@test "cp keeps hardlinks within what it copies, in both directions and in a tar stream" {
  run --separate-stderr roost_ run -d --name c busybox sh -c 'mkdir -p /d/s; echo hi > /d/a; ln /d/a /d/s/b; sleep 600'
  [ "$status" = 0 ] || show_all
  sleep 0.5
  run --separate-stderr roost_ cp c:/d "$OUT"
  [ "$status" = 0 ] || show_all
  [ "$(cat "$OUT/d/s/b")" = hi ]
  [ "$(stat -c %i "$OUT/d/a")" = "$(stat -c %i "$OUT/d/s/b")" ] || { echo "a and s/b are two files on the host"; return 1; }
  [ "$(stat -c %h "$OUT/d/a")" = 2 ]
  # One name of the pair alone is a plain file.
  run --separate-stderr roost_ cp c:/d/s/b "$OUT/single"
  [ "$status" = 0 ]
  [ "$(stat -c %h "$OUT/single")" = 1 ]
  # The stream names the second one a link to the first.
  roost_ cp c:/d - >"$CTR_HOST/d.tar"
  tar -tvf "$CTR_HOST/d.tar" | grep -E '^h.* d/s/b link to d/a$' || { tar -tvf "$CTR_HOST/d.tar"; echo "no hardlink entry"; return 1; }
  # Into the container: a host pair stays a pair.
  ln "$SRC/file" "$SRC/dir/file2"
  run --separate-stderr roost_ cp "$SRC" c:/in
  [ "$status" = 0 ] || show_all
  run --separate-stderr roost_ exec c sh -c 'stat -c "%i %h" /in/file /in/dir/file2'
  [ "$status" = 0 ]
  [ "${lines[0]}" = "${lines[1]}" ] || { echo "two files in the container: $output"; return 1; }
  [ "${lines[0]##* }" = 2 ]
}

@test "cp keeps extended attributes (user.* and file capabilities), in both directions and in a tar stream" {
  run --separate-stderr roost_ run -d --name c busybox sleep 600
  [ "$status" = 0 ] || show_all
  sleep 0.5
  setfattr -n user.roost.note -v hello "$SRC/file"
  setfattr -n user.roost.dir -v d "$SRC/dir"
  # cap_net_bind_service, permitted and effective (a v2 capability, as setcap writes it).
  setfattr -n security.capability -v 0x0100000200040000000000000000000000000000 "$SRC/dir/sub/f"
  run --separate-stderr roost_ cp "$SRC" c:/in
  [ "$status" = 0 ] || show_all
  # Back out to the host: what went in came back.
  run --separate-stderr roost_ cp c:/in "$OUT/back"
  [ "$status" = 0 ] || show_all
  [ "$(getfattr --only-values -n user.roost.note "$OUT/back/file")" = hello ]
  [ "$(getfattr --only-values -n user.roost.dir "$OUT/back/dir")" = d ]
  # The capability as the namespace that wrote it sees it: v2, or v3 naming the root it
  # belongs to; the same bits either way.
  local cap
  cap=$(getfattr -e hex -n security.capability "$OUT/back/dir/sub/f" | sed -n 's/^security.capability=//p')
  [[ "$cap" == 0x01000002000400000000* || "$cap" == 0x01000003000400000000* ]] || { echo "security.capability: $cap"; return 1; }
  # Out as a tar stream: GNU tar reads them back.
  roost_ cp c:/in/file - >"$CTR_HOST/x.tar"
  mkdir "$CTR_HOST/untar"
  tar --xattrs --xattrs-include='user.*' -xf "$CTR_HOST/x.tar" -C "$CTR_HOST/untar"
  [ "$(getfattr --only-values -n user.roost.note "$CTR_HOST/untar/file")" = hello ]
  # In from a tar stream GNU tar wrote.
  setfattr -n user.roost.streamed -v yes "$SRC/dir/sub/f"
  tar --xattrs --xattrs-include='user.*' -C "$SRC/dir/sub" -cf - f | roost_ cp - c:/
  run --separate-stderr roost_ cp c:/f "$OUT/streamed"
  [ "$status" = 0 ] || show_all
  [ "$(getfattr --only-values -n user.roost.streamed "$OUT/streamed")" = yes ]
}

@test "cp in: files belong to the container's root, or keep their ids with -a" {
  run --separate-stderr roost_ run -d --name c busybox sleep 600
  [ "$status" = 0 ]
  sleep 0.5
  run --separate-stderr roost_ cp "$SRC/dir" c:/tmp
  [ "$status" = 0 ]
  run roost_ exec c stat -c '%u:%g %a' /tmp/dir/sub/f /tmp/dir
  [ "${lines[0]}" = "0:0 644" ]
  [ "${lines[1]}" = "0:0 755" ]
  run roost_ exec c cat /tmp/dir/sub/f
  [ "$output" = two ]
  if ! squashed; then
    chown 1000:1000 "$SRC/file"  # a host uid that is not the caller's: the container sees nobody
    chmod 644 "$SRC/file"
    run --separate-stderr roost_ cp -a "$SRC/dir/sub/f" c:/tmp/kept
    [ "$status" = 0 ]
    run roost_ exec c stat -c %u /tmp/kept
    [ "$output" = 0 ]  # the caller's own file: uid 0 inside
  fi
}

@test "a symlink in the container to a host path is never followed out of it" {
  mkdir -p "$CTR_HOST/secret"
  echo hostsecret > "$CTR_HOST/secret/s"
  chown -R "$CTR_USER:" "$CTR_HOST/secret"
  run --separate-stderr roost_ run -d --name c busybox sh -c "ln -s $CTR_HOST/secret /evil; ln -s /etc/shadow /shadow; ln -s ../../../../../$CTR_HOST/secret /up; sleep 600"
  [ "$status" = 0 ]
  sleep 0.5
  # Out: the link resolves inside the container, where there is no such directory.
  run --separate-stderr roost_ cp c:/evil/. "$OUT/x"
  [ "$status" = 125 ]
  [ ! -e "$OUT/x/s" ]
  run --separate-stderr roost_ cp c:/up/s "$OUT/y"
  [ "$status" = 125 ]
  [ ! -e "$OUT/y" ]
  # A link as the source is copied as a link, not as what it names.
  run --separate-stderr roost_ cp c:/shadow "$OUT/shadow"
  [ "$status" = 0 ]
  [ -L "$OUT/shadow" ]
  [ "$(readlink "$OUT/shadow")" = /etc/shadow ]
  # In: writing through the link lands inside the container, never in the host directory.
  run --separate-stderr roost_ cp "$SRC/file" c:/evil/planted
  [ "$status" = 125 ]
  run --separate-stderr roost_ cp "$SRC/file" c:/up/planted
  [ "$status" = 125 ]
  [ ! -e "$CTR_HOST/secret/planted" ]
  [ "$(ls "$CTR_HOST/secret")" = s ]
}

@test "cp with tar streams: - as the destination writes a tar, - as the source extracts one" {
  run --separate-stderr roost_ run -d --name c busybox sh -c 'mkdir -p /d/s; echo hi > /d/s/f; sleep 600'
  [ "$status" = 0 ]
  sleep 0.5
  roost_ cp c:/d - > "$OUT/d.tar"
  run tar -tf "$OUT/d.tar"
  [ "$status" = 0 ]
  [ "$(sort <<<"$output")" = "$(printf 'd/\nd/s/\nd/s/f')" ]
  tar -C "$SRC" -cf "$OUT/in.tar" dir
  run --separate-stderr roost_ cp - c:/tmp < "$OUT/in.tar"
  [ "$status" = 0 ] || show_all
  run roost_ exec c cat /tmp/dir/sub/f
  [ "$output" = two ]
  run --separate-stderr roost_ cp - c:/d/s/f < "$OUT/in.tar"
  one_error "directory"
}

@test "cp into and out of a stopped container (its layers and volumes mounted for the copy)" {
  run --separate-stderr roost_ create --name c -v data:/data busybox cat /in /data/in
  [ "$status" = 0 ]
  run --separate-stderr roost_ cp "$SRC/file" c:/in
  [ "$status" = 0 ] || show_all
  run --separate-stderr roost_ cp "$SRC/file" c:/data/in
  [ "$status" = 0 ] || show_all
  run --separate-stderr roost_ start -a c
  [ "$status" = 0 ] || show_all
  [ "$output" = "$(printf 'one\none')" ]
  run --separate-stderr roost_ cp c:/in "$OUT/back"
  [ "$status" = 0 ]
  [ "$(cat "$OUT/back")" = one ]
  [ "$(stat -c %u "$OUT/back")" = "$CTR_UID" ]
  roost_ rm c
  roost_ volume rm data
}
