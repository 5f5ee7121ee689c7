#!/usr/bin/env bats
# mounts: the defaults, tmpfs options, bind/rbind, file binds, per-mount flags, rootfsPropagation.

load helpers

# mountinfo_line MOUNTPOINT: the last mountinfo line for MOUNTPOINT in $output (a mountinfo dump).
mountinfo_line() {
  awk -v m="$1" '$5 == m {l = $0} END {print l}' <<<"$output"
}

# fstype_of MOUNTPOINT: the filesystem type of that mount in $output.
fstype_of() {
  mountinfo_line "$1" | sed 's/.* - //' | awk '{print $1}'
}

# mount_opts_of MOUNTPOINT: the per-mount options (field 6) of that mount in $output.
mount_opts_of() {
  mountinfo_line "$1" | awk '{print $6}'
}

has_opt() { [[ ",$1," == *",$2,"* ]]; }

@test "the default mounts are in place with their types" {
  update_config '.process.args = ["cat", "/proc/self/mountinfo"]'
  run_ctr c1
  assert_success
  local m t
  for m in /proc:proc /dev:tmpfs /dev/pts:devpts /dev/shm:tmpfs /dev/mqueue:mqueue /sys:sysfs; do
    t=$(fstype_of "${m%%:*}")
    assert_equal "$t" "${m#*:}" "filesystem type at ${m%%:*}" || fail "mount ${m%%:*}"
  done
  has_opt "$(mount_opts_of /sys)" ro || fail "/sys should be read-only"
  has_opt "$(mount_opts_of /)" ro || fail "/ should be read-only (root.readonly)"
  has_opt "$(mount_opts_of /dev/shm)" nodev || fail "/dev/shm should be nodev"
}

@test "tmpfs mount with size and mode options" {
  add_mount /scratch tmpfs tmpfs size=1m mode=1750 nosuid
  set_cmd 'stat -c %a /scratch; df -k /scratch | tail -1; grep " /scratch " /proc/self/mountinfo'
  run_ctr c1
  assert_success
  assert_equal "${lines[0]}" 1750 "mode of /scratch" || fail mode
  [ "$(awk '{print $2}' <<<"${lines[1]}")" = 1024 ] || fail "tmpfs should be 1024k"
  grep -q 'size=1024k' <<<"${lines[2]}" || fail "size=1024k not in mountinfo"
}

@test "nosuid, nodev and noexec options are applied and enforced" {
  add_mount /scratch tmpfs tmpfs nosuid nodev noexec size=4m
  set_cmd 'grep " /scratch " /proc/self/mountinfo; cp /bin/busybox /scratch/bb && /scratch/bb true && echo EXEC-OK'
  run_ctr c1
  local opts
  opts=$(awk '{print $6}' <<<"${lines[0]}")
  has_opt "$opts" nosuid || fail "nosuid missing: $opts"
  has_opt "$opts" nodev || fail "nodev missing: $opts"
  has_opt "$opts" noexec || fail "noexec missing: $opts"
  assert_output_not_contains EXEC-OK
}

@test "a read-only bind mount can be read but not written" {
  local src="$BATS_TEST_TMPDIR/src"
  mkdir "$src"
  echo host-data >"$src/file"
  chmod -R a+rwX "$src"
  add_mount /mnt bind "$src" bind ro
  set_cmd 'cat /mnt/file; echo x > /mnt/new && echo WROTE; grep " /mnt " /proc/self/mountinfo'
  run_ctr c1
  assert_equal "${lines[0]}" host-data "content" || fail "bind content"
  assert_output_not_contains WROTE
  has_opt "$(awk '{print $6}' <<<"${lines[-1]}")" ro || fail "not ro in mountinfo"
  [ ! -e "$src/new" ] || fail "file created through a read-only bind"
}

@test "a read-write bind mount writes through to the host" {
  mount_out
  set_cmd 'echo from-container > /out/f'
  run_ctr c1
  assert_success
  [ "$(cat "$OUT/f")" = from-container ] || fail "host does not see the write"
}

@test "rbind brings submounts along" {
  # The host's /dev has submounts (/dev/pts, /dev/shm); a recursive bind must include them.
  findmnt -n /dev/pts >/dev/null || skip "the host has no /dev/pts submount"
  add_mount /mnt rbind /dev rbind ro
  set_cmd 'grep -E " /mnt/(pts|shm) " /proc/self/mountinfo'
  run_ctr c1
  assert_success
  grep -q ' /mnt/pts ' <<<"$output" || fail "submount /dev/pts missing under /mnt"
}

@test "a single file can be bind-mounted" {
  local f="$BATS_TEST_TMPDIR/hostfile"
  echo file-content >"$f"
  chmod 644 "$f"
  add_mount /etc/injected.conf bind "$f" bind ro
  set_cmd 'cat /etc/injected.conf; test -f /etc/injected.conf && echo IS-FILE'
  run_ctr c1
  assert_success
  assert_output_equals "$(printf 'file-content\nIS-FILE')"
}

@test "bind mount options nosuid and noexec are applied to the bind" {
  local src="$BATS_TEST_TMPDIR/src"
  mkdir "$src"
  cp /bin/busybox "$src/bb"
  chmod -R a+rX "$src"
  add_mount /mnt bind "$src" bind nosuid noexec
  set_cmd 'grep " /mnt " /proc/self/mountinfo; /mnt/bb true && echo EXEC-OK'
  run_ctr c1
  local opts
  opts=$(awk '{print $6}' <<<"${lines[0]}")
  has_opt "$opts" nosuid || fail "nosuid missing: $opts"
  has_opt "$opts" noexec || fail "noexec missing: $opts"
  assert_output_not_contains EXEC-OK
}

@test "missing mount destinations are created inside a read-only rootfs" {
  add_mount /new/deep/dir tmpfs tmpfs size=1m
  set_cmd 'grep -c " /new/deep/dir " /proc/self/mountinfo'
  run_ctr c1
  assert_success
  assert_output_equals 1
}

@test "a relative mount destination is relative to /" {
  add_mount relative/dest tmpfs tmpfs size=1m
  set_cmd 'grep -c " /relative/dest " /proc/self/mountinfo'
  run_ctr c1
  assert_success
  assert_output_equals 1
}

@test "mounts are applied in order, later ones on top" {
  local a="$BATS_TEST_TMPDIR/a" b="$BATS_TEST_TMPDIR/b"
  mkdir -p "$a/sub" "$b"
  echo from-b >"$b/file"
  chmod -R a+rX "$a" "$b"
  add_mount /mnt bind "$a" bind
  add_mount /mnt/sub bind "$b" bind
  set_cmd 'cat /mnt/sub/file'
  run_ctr c1
  assert_success
  assert_output_equals from-b
}

@test "rootfsPropagation shared makes the root mount shared" {
  update_config '.linux.rootfsPropagation = "shared" | .process.args = ["cat", "/proc/self/mountinfo"]'
  run_ctr c1
  assert_success
  mountinfo_line /
  mountinfo_line / | grep -q ' shared:' || fail "/ is not shared"
}

@test "rootfsPropagation private makes the root mount private" {
  update_config '.linux.rootfsPropagation = "private" | .process.args = ["cat", "/proc/self/mountinfo"]'
  run_ctr c1
  assert_success
  mountinfo_line /
  ! mountinfo_line / | grep -Eq ' (shared|master):' || fail "/ is not private"
}

@test "mounts in the container do not appear on the host" {
  add_mount /scratch tmpfs tmpfs size=1m
  update_config '.process.args = ["sleep", "100"]'
  run_detached c1
  ! grep -q "$BATS_TEST_TMPDIR" /proc/self/mountinfo || fail "container mounts leaked to the host mount table"
}

@test "tmpcopyup: a tmpfs starts with what the directory it covers held, owners and modes kept" {
  private_rootfs
  mkdir -p "$BUNDLE/rootfs/srv/sub"
  echo "image content" >"$BUNDLE/rootfs/srv/sub/file"
  chmod 750 "$BUNDLE/rootfs/srv/sub"
  ln -s sub/file "$BUNDLE/rootfs/srv/link"
  add_mount /srv tmpfs tmpfs nosuid tmpcopyup mode=755
  update_config '.root.readonly = true'
  set_cmd 'cat /srv/link; stat -c "%a" /srv/sub; echo new > /srv/sub/new && cat /srv/sub/new; grep -c " /srv tmpfs" /proc/mounts'
  run_ctr c1
  assert_success
  assert_output_equals "image content
750
new
1"
  # The image itself is untouched.
  [ ! -e "$BUNDLE/rootfs/srv/sub/new" ] || fail "the write reached the image"
}

@test "tmpcopyup with ro: the copy is made, then the tmpfs is read-only" {
  private_rootfs
  mkdir -p "$BUNDLE/rootfs/srv"
  echo "image content" >"$BUNDLE/rootfs/srv/file"
  add_mount /srv tmpfs tmpfs ro tmpcopyup
  set_cmd 'cat /srv/file; if echo x > /srv/new 2>/dev/null; then echo writable; fi; grep " /srv tmpfs" /proc/mounts | grep -c " ro[,]"'
  run_ctr c1
  assert_success
  assert_output_equals "image content
1"
}

@test "flag options the fs context has no word for still mount: silent, iversion" {
  add_mount /scratch tmpfs tmpfs silent size=1m
  add_mount /scratch2 tmpfs tmpfs iversion
  set_cmd 'grep -c " /scratch2* tmpfs" /proc/mounts'
  run_ctr c1
  assert_success
  assert_output_equals "2"
}
