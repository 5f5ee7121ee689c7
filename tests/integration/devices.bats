#!/usr/bin/env bats
# /dev: the default devices and links, linux.devices, /dev/pts and /dev/shm, linux.resources.

load helpers

@test "the default devices exist with the right major:minor numbers" {
  set_cmd 'for d in null zero full random urandom tty; do
    if [ -c /dev/$d ]; then echo "$d $(stat -c "%t:%T" /dev/$d)"; else echo "$d missing"; fi
  done'
  run_ctr c1
  assert_success
  assert_output_equals "$(printf '%s\n' 'null 1:3' 'zero 1:5' 'full 1:7' 'random 1:8' 'urandom 1:9' 'tty 5:0')"
}

@test "the default devices work" {
  set_cmd 'echo discard > /dev/null && echo null-ok
    [ "$(head -c 4 /dev/zero | od -An -tx1 | tr -d " ")" = 00000000 ] && echo zero-ok
    [ "$(head -c 16 /dev/urandom | wc -c)" = 16 ] && echo urandom-ok
    echo x 2>/dev/null > /dev/full || echo full-ok'
  run_ctr c1
  assert_success
  assert_output_equals "$(printf '%s\n' null-ok zero-ok urandom-ok full-ok)"
}

@test "/dev has the standard symlinks" {
  set_cmd 'for l in ptmx fd stdin stdout stderr; do echo "$l $(readlink /dev/$l)"; done'
  run_ctr c1
  assert_success
  assert_output_equals "$(printf '%s\n' 'ptmx pts/ptmx' 'fd /proc/self/fd' 'stdin /proc/self/fd/0' 'stdout /proc/self/fd/1' 'stderr /proc/self/fd/2')"
}

@test "/dev/pts is a devpts and /dev/shm a writable tmpfs" {
  set_cmd 'awk "\$5 == \"/dev/pts\" || \$5 == \"/dev/shm\" {sub(/.* - /, \"\"); print \$1}" /proc/self/mountinfo
    echo x > /dev/shm/f && echo shm-writable; test -c /dev/pts/ptmx && echo has-ptmx'
  run_ctr c1
  assert_success
  assert_output_equals "$(printf '%s\n' devpts tmpfs shm-writable has-ptmx)"
}

@test "a configured device is created and works" {
  update_config '.linux.devices = [{path: "/dev/myzero", type: "c", major: 1, minor: 5, fileMode: 438, uid: 0, gid: 0}]'
  set_cmd 'test -c /dev/myzero && stat -c "%t:%T" /dev/myzero; head -c 3 /dev/myzero | od -An -tx1 | tr -d " "'
  run_ctr c1
  assert_success
  assert_output_equals "$(printf '1:5\n000000')"
}

@test "a configured device gets fileMode, uid and gid (root mode: mknod)" {
  require_mode root
  update_config '.linux.devices = [{path: "/dev/myzero", type: "c", major: 1, minor: 5, fileMode: 416, uid: 1, gid: 5}]'
  set_cmd 'stat -c "%a %u %g" /dev/myzero'
  run_ctr c1
  assert_success
  assert_output_equals "640 1 5"
}

@test "linux.resources.devices is accepted" {
  update_config '.linux.resources = {devices: [{allow: false, access: "rwm"}, {allow: true, type: "c", major: 1, minor: 3, access: "rwm"}]}
    | .process.args = ["true"]'
  run_ctr c1
  assert_success
}
