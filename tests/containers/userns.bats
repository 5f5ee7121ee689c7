#!/usr/bin/env bats
# --userns=keep-id, --userns=nomap and --uidmap/--gidmap (issue 13): a nested user namespace whose
# rootfs is mapped at mount time (fuse-overlayfs's uidmapping= rootless: the kernel refuses to
# idmap the store's layers there), never copied: the image's files keep their owners inside, and
# what the container writes lands with the right owners on the host. Against rootless podman 4.3
# (which copies and chowns the image instead). roost-test: every test; roost-nosub (no subuid
# range): keep-id and --uidmap are refused in one line, as podman refuses them.

load helpers

setup_file() { containers_setup_file podman; }
teardown_file() { containers_teardown_file; }

teardown() {
  pm rm --all --force --time 0 >/dev/null 2>&1 || true
  ctr_teardown
}

# A fresh directory of CTR_USER's under CTR_HOST, world-writable (the container's user may not
# be its owner).
host_dir() {
  local dir=$CTR_HOST/$1
  rm -rf "$dir"
  mkdir -p "$dir"
  chown "$CTR_USER:" "$dir"
  chmod 777 "$dir"
  echo "$dir"
}

needs_range() { ! squashed || skip "$CTR_USER has no subordinate ids (the refusals are tested apart)"; }

@test "keep-id: the process is the caller, with the caller's uid and gid" {
  needs_range
  agree run --rm --network none --userns=keep-id busybox sh -c 'id -u; id -g'
  show_all
  [ "${lines[0]}" = "$CTR_UID" ]
  [ "${lines[1]}" = "$CTR_GID" ]
}

@test "keep-id: the image's root-owned files show as 0 inside (mapped, not copied)" {
  needs_range
  agree run --rm --network none --userns=keep-id busybox sh -c 'stat -c "%u:%g %n" / /bin /bin/busybox /etc/passwd; ls -ln /bin | grep -vc "^total\| 0  *0 "'
  show_all
  [ "${lines[0]}" = "0:0 /" ]
  [ "${lines[1]}" = "0:0 /bin" ]
  [ "${lines[2]}" = "0:0 /bin/busybox" ]
  [ "${lines[3]}" = "0:0 /etc/passwd" ]
  [ "${lines[4]}" = 0 ]  # no entry of /bin owned by anyone but 0:0
}

@test "keep-id: the user's own id inside is the user outside (uid_map of the nested namespace)" {
  needs_range
  run --separate-stderr roost_ run --rm --network none --userns=keep-id busybox cat /proc/self/uid_map
  show_all
  [ "$status" = 0 ]
  # Relative to the store's namespace: 0..U-1 -> 1..U, U -> 0 (the user), the rest after.
  [ "$(echo ${lines[0]})" = "0 1 $CTR_UID" ]
  [ "$(echo ${lines[1]})" = "$CTR_UID 0 1" ]
}

@test "keep-id: a file written to a -v bind is the caller's on the host; one written to the rootfs keeps its id in the upper dir" {
  needs_range
  local dir
  dir=$(host_dir keepid)
  run --separate-stderr roost_ run --name kid --network none --userns=keep-id -v "$dir:/data" busybox \
    sh -c 'echo hi >/data/from-ctr && mkdir -p /tmp/x && echo up >/tmp/x/f && stat -c %u /data/from-ctr /tmp/x/f'
  show_all
  [ "$status" = 0 ]
  [ "${lines[0]}" = "$CTR_UID" ]
  [ "${lines[1]}" = "$CTR_UID" ]
  [ "$(stat -c %u:%g "$dir/from-ctr")" = "$CTR_UID:$CTR_GID" ]
  # The upper dir holds the store's ids (the image's): the container's uid U is U there, which is
  # the subordinate id SUBUID+U-1 on the host, as a layer's file owned by U would be.
  local id
  id=$(ctr_id kid)
  [ "$(stat -c %u "$CTR_WORK/root/containers/$id/upper/tmp/x/f")" = "$(host_uid "$CTR_UID")" ]
  roost_ rm kid
}

@test "keep-id: root inside (-u 0) still sees root's files as its own, writes to the rootfs as 0" {
  needs_range
  run --separate-stderr roost_ run --rm --network none --userns=keep-id -u 0 busybox \
    sh -c 'id -u; echo x >/etc/new-file && stat -c %u /etc/new-file /etc/passwd'
  show_all
  [ "$status" = 0 ]
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = 0 ]
  [ "${lines[2]}" = 0 ]
}

@test "keep-id and --uidmap: exec runs in the nested namespace, and a stopped container starts again mapped" {
  needs_range
  roost_ run -d --name kx --network none --userns=keep-id busybox sleep 100
  roost_ run -d --name ux --network none --uidmap 0:1:1000 busybox sleep 100
  run --separate-stderr roost_ exec kx sh -c 'id -u; stat -c %u /bin'
  show_all
  [ "$status" = 0 ] && [ "${lines[0]}" = "$CTR_UID" ] && [ "${lines[1]}" = 0 ]
  run --separate-stderr roost_ exec ux sh -c 'id -u; stat -c %u /bin'
  show_all
  [ "$status" = 0 ] && [ "${lines[0]}" = 0 ] && [ "${lines[1]}" = 0 ]
  roost_ stop -t 0 kx
  roost_ start kx
  run --separate-stderr roost_ exec kx stat -c %u /etc/passwd
  show_all
  [ "$status" = 0 ] && [ "$output" = 0 ]
  roost_ rm -f kx ux
}

@test "--uidmap 0:1:1000: root inside, root's files as 0, a bind written as the first subordinate id" {
  needs_range
  local dir
  dir=$(host_dir uidmap)
  agree run --rm --network none --uidmap 0:1:1000 -v "$dir:/data" busybox \
    sh -c 'id -u; id -g; stat -c "%u:%g" /bin /etc/passwd; echo hi >/data/f; stat -c %u /data/f'
  show_all
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = 0 ]
  [ "${lines[2]}" = "0:0" ]
  [ "${lines[3]}" = "0:0" ]
  [ "${lines[4]}" = 0 ]
  # Container 0 -> the store's 1 -> the first subordinate id (podman's meaning of HOST in rootless --uidmap).
  [ "$(stat -c %u:%g "$dir/f")" = "$CTR_SUBUID:$CTR_SUBUID" ] || [ "$(stat -c %u "$dir/f")" = "$CTR_SUBUID" ]
}

@test "--uidmap with --gidmap: the gids follow --gidmap" {
  needs_range
  agree run --rm --network none --uidmap 0:1:1000 --gidmap 0:100:1000 busybox sh -c 'id -u; id -g; stat -c "%u:%g" /etc/passwd; cat /proc/self/gid_map'
  show_all
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = 0 ]
  [ "${lines[2]}" = "0:0" ]
  [ "$(echo ${lines[3]})" = "0 100 1000" ]
}

@test "nomap: root inside, root's files as 0, the user's own id not mapped" {
  needs_range
  run --separate-stderr roost_ run --rm --network none --userns=nomap busybox sh -c 'id -u; stat -c %u /bin; cat /proc/self/uid_map'
  show_all
  [ "$status" = 0 ]
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = 0 ]
  [ "$(echo ${lines[2]})" = "0 1 65536" ]
}

@test "--uidmap beyond the user's range: one error before anything runs" {
  needs_range
  run --separate-stderr roost_ run --rm --network none --uidmap 0:1:70000 busybox true
  one_error "insufficient uids"
}

@test "--userns and --uidmap together: one error, as podman" {
  run --separate-stderr pm run --rm --network none --userns=keep-id --uidmap 0:1:1000 busybox true
  [ "$status" = 125 ]
  run --separate-stderr roost_ run --rm --network none --userns=keep-id --uidmap 0:1:1000 busybox true
  one_error "mutually exclusive"
}

@test "no subordinate ids: keep-id and --uidmap are refused in one line, as podman refuses them" {
  squashed || skip "$CTR_USER has a subordinate range (run with CTR_USER=roost-nosub)"
  run --separate-stderr pm run --rm --network none --userns=keep-id busybox true
  [ "$status" = 125 ]
  # The store's own warning about the missing range may come first (podman warns too): the error
  # is the last line.
  run --separate-stderr roost_ run --rm --network none --userns=keep-id busybox true
  show_all
  [ "$status" = 125 ]
  [[ "${stderr##*$'\n'}" == "Error: --userns=keep-id needs a subordinate id range"* ]]
  run --separate-stderr roost_ run --rm --network none --uidmap 0:1:1000 busybox true
  show_all
  [ "$status" = 125 ]
  [[ "${stderr##*$'\n'}" == "Error: insufficient uids"* ]]
}

# Wall time of COMMAND... in ms.
ms_of() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || return 1
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

@test "keep-id start-up: roost maps at mount time; podman copies the image on its first keep-id run" {
  needs_range
  # podman's first keep-id run of an image chowns a copy of it (then reuses the copy): a store
  # of its own makes that first run real, whatever ran before in this file.
  local saved_store=$PODMAN_STORE saved_run=$PODMAN_RUNROOT pm_first pm_again roost_first roost_again layout id
  PODMAN_STORE=$CTR_WORK/podman/keepid-storage PODMAN_RUNROOT=$CTR_WORK/podman/keepid-run
  # The lower-case copy podman_setup made (podman names the image after the layout's path).
  layout=$CTR_WORK/podman/busybox-layout
  id=$(pm pull -q "oci:$layout") && pm tag "$id" localhost/busybox:latest
  pm_first=$(ms_of pm run --rm --network none --userns=keep-id busybox true)
  pm_again=$(ms_of pm run --rm --network none --userns=keep-id busybox true)
  pm rm --all --force >/dev/null 2>&1 || true
  pm unshare rm -rf "$PODMAN_STORE" "$PODMAN_RUNROOT" >/dev/null 2>&1 || true
  PODMAN_STORE=$saved_store PODMAN_RUNROOT=$saved_run
  roost_first=$(ms_of roost_ run --rm --network none --userns=keep-id busybox true)
  roost_again=$(ms_of roost_ run --rm --network none --userns=keep-id busybox true)
  local plain
  plain=$(ms_of roost_ run --rm --network none busybox true)
  echo "# keep-id run of busybox true: roost ${roost_first} ms first, ${roost_again} ms again (${plain} ms without keep-id); podman ${pm_first} ms first (copy), ${pm_again} ms again" >&3
  [ -n "$pm_first" ] && [ -n "$roost_first" ] && [ -n "$roost_again" ]
}
