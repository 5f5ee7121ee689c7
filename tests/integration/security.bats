#!/usr/bin/env bats
# Isolation: the rootless seed case (host /etc inside the container), maskedPaths, readonlyPaths,
# capabilities actually limiting root, and path resolution inside the rootfs.

load helpers

# seed_case OPTIONS_JSON: host /etc bind-mounted at /mnt with OPTIONS; the container records what
# it can do in /out and waits; the host checks the process's real uid.
seed_case() {
  mount_out
  update_config --argjson o "$1" '.mounts += [{destination: "/mnt", type: "bind", source: "/etc", options: $o}]'
  set_cmd 'id -u > /out/id
    cat /mnt/shadow > /out/cat.out 2>&1; echo $? > /out/cat.rc
    (echo x >> /mnt/shadow) > /out/append.out 2>&1; echo $? > /out/append.rc
    touch /out/done; sleep 100'
  local before
  before=$(stat -c '%s %Y %Z' /etc/shadow)
  run_detached seed
  wait_file "$OUT/done" || fail "container did not finish its checks"
  local pid
  pid=$(state_field seed pid)
  grep '^Uid:' "/proc/$pid/status"
  assert_equal "$(cat "$OUT/id")" 0 "id -u in the container" || return 1
  [ "$(awk '/^Uid:/ {print $2" "$3" "$4" "$5}' "/proc/$pid/status")" = "$MY_UID $MY_UID $MY_UID $MY_UID" ] ||
    fail "the container's root must be uid $MY_UID on the host" || return 1
  [ "$(cat "$OUT/cat.rc")" != 0 ] || fail "container root could read the host's /etc/shadow" || return 1
  [ ! -s "$OUT/cat.out" ] || ! grep -q '^root:' "$OUT/cat.out" || fail "shadow content leaked" || return 1
  [ "$(cat "$OUT/append.rc")" != 0 ] || fail "container root could append to the host's /etc/shadow" || return 1
  assert_equal "$(stat -c '%s %Y %Z' /etc/shadow)" "$before" "/etc/shadow size/mtime/ctime" || return 1
}

@test "rootless: host /etc bind-mounted read-only: root inside, caller uid outside, shadow unreadable" {
  require_mode rootless
  seed_case '["rbind", "ro"]'
}

@test "rootless: host /etc bind-mounted read-write: shadow still unreadable and unwritable" {
  require_mode rootless
  seed_case '["rbind", "rw"]'
}

@test "maskedPaths: /proc/kcore and /proc/timer_list read empty and a masked directory is empty" {
  # This kernel may lack /proc/kcore; /proc/timer_list (mode 0400, also masked by default) stands in.
  local p checked=""
  for p in /proc/kcore /proc/timer_list; do
    [ -e "$p" ] && checked="$checked $p"
  done
  [ -n "$checked" ] || skip "neither /proc/kcore nor /proc/timer_list exists on this kernel"
  private_rootfs
  mkdir -p "$BUNDLE/rootfs/srv/secret"
  echo top-secret >"$BUNDLE/rootfs/srv/secret/file"
  update_config '.linux.maskedPaths += ["/srv/secret"]'
  set_cmd 'for p in '"$checked"'; do c=$(cat $p 2>&1); echo "$p rc=$? [$(echo "$c" | head -c 20)]"; done; echo "secret=[$(ls -A /srv/secret)]"'
  run_ctr c1
  assert_success
  for p in $checked; do
    grep -qxF "$p rc=0 []" <<<"$output" || fail "$p is not masked (should read empty)"
  done
  assert_equal "${lines[-1]}" "secret=[]" "masked dir" || fail "masked directory"
}

@test "without maskedPaths the directory is visible (control for the masking test)" {
  private_rootfs
  mkdir -p "$BUNDLE/rootfs/srv/secret"
  echo top-secret >"$BUNDLE/rootfs/srv/secret/file"
  update_config '.linux.maskedPaths = []'
  set_cmd 'ls -A /srv/secret'
  run_ctr c1
  assert_success
  assert_output_equals file
}

@test "readonlyPaths: /proc/sys cannot be written" {
  # kernel.msgmax belongs to the container's ipc namespace, so only readonlyPaths stops this write.
  set_cmd 'grep " /proc/sys " /proc/self/mountinfo; echo 1024 > /proc/sys/kernel/msgmax && echo WROTE'
  run_ctr c1
  assert_output_not_contains WROTE
  grep -q ' /proc/sys ' <<<"$output" || fail "/proc/sys is not a separate (read-only) mount"
  [[ ",$(awk '{print $6}' <<<"${lines[0]}")," == *,ro,* ]] || fail "/proc/sys not mounted ro"
}

@test "readonlyPaths: a listed rootfs directory is read-only while the rest is writable" {
  private_rootfs
  update_config '.root.readonly = false | .linux.readonlyPaths += ["/home"]'
  set_cmd 'touch /home/x 2>/dev/null && echo HOME-WRITABLE; touch /var/x && echo VAR-WRITABLE'
  run_ctr c1
  assert_output_equals VAR-WRITABLE
}

@test "without readonlyPaths /proc/sys/kernel/msgmax is writable (control for the readonly test)" {
  update_config '.linux.readonlyPaths = []'
  set_cmd 'echo 1024 > /proc/sys/kernel/msgmax && echo WROTE'
  run_ctr c1
  assert_success
  assert_output_equals WROTE
}

@test "/proc/sysrq-trigger is read-only" {
  set_cmd 'echo h > /proc/sysrq-trigger 2>/dev/null && echo WROTE; echo done'
  run_ctr c1
  assert_output_equals done
}

@test "container root without CAP_SYS_ADMIN cannot mount" {
  set_cmd 'mount -t tmpfs none /tmp 2>/dev/null && echo MOUNTED; echo done'
  run_ctr c1
  assert_output_equals done
}

@test "container root with CAP_SYS_ADMIN can mount (control for the capability test)" {
  # Without spec's default seccomp profile, which refuses mount whatever the capabilities (as
  # Docker's does unless CAP_SYS_ADMIN is added): this test is about the capability alone.
  update_config '.process.capabilities = {bounding: ["CAP_SYS_ADMIN"], effective: ["CAP_SYS_ADMIN"], permitted: ["CAP_SYS_ADMIN"]}
    | del(.linux.seccomp)'
  set_cmd 'mount -t tmpfs none /tmp && echo MOUNTED'
  run_ctr c1
  assert_output_equals MOUNTED
}

@test "the container sees only its own processes" {
  set_cmd 'ls -d /proc/[0-9]* | wc -l'
  run_ctr c1
  assert_success
  # sh, ls and wc at most
  [ "$output" -le 3 ] || fail "container sees $output processes"
}

@test "an absolute symlink in the rootfs used as a mount destination resolves inside the rootfs" {
  private_rootfs
  local victim="$BATS_TEST_TMPDIR/victim"
  mkdir "$victim"
  echo untouched >"$victim/keep"
  ln -s "$victim" "$BUNDLE/rootfs/mnt/link"
  add_mount /mnt/link tmpfs tmpfs size=1m
  set_cmd 'grep " /mnt/link \| '"$victim"' " /proc/self/mountinfo | awk "{print \$5}"; ls -A '"$victim"' 2>/dev/null | wc -l'
  run_ctr c1
  echo "$output"
  # The tmpfs must end up at <rootfs>$victim (the link's target taken inside the rootfs), not at the
  # host's $victim, and the host directory stays as it was.
  [ "$(cat "$victim/keep")" = untouched ] || fail "host directory modified"
  grep -qx "$victim" <<<"$output" || [ "$status" -ne 0 ] || fail "tmpfs not mounted at the in-rootfs target $victim"
  [ -d "$BUNDLE/rootfs$victim" ] || [ "$status" -ne 0 ] || fail "in-rootfs target not created"
}
