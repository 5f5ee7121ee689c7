#!/usr/bin/env bats
# The process object: args, env, cwd, terminal, user, capabilities, noNewPrivileges, rlimits,
# oomScoreAdj; and root.readonly, hostname, domainname.

load helpers

# cap_hex NAME...: the /proc/PID/status hex mask of these capabilities.
cap_hex() {
  local mask=0 n
  declare -A bit=([CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_FOWNER]=3 [CAP_KILL]=5 [CAP_SETGID]=6 [CAP_SETUID]=7
    [CAP_NET_BIND_SERVICE]=10 [CAP_NET_RAW]=13 [CAP_SYS_CHROOT]=18 [CAP_SYS_ADMIN]=21 [CAP_MKNOD]=27 [CAP_AUDIT_WRITE]=29)
  for n in "$@"; do mask=$((mask | (1 << ${bit[$n]}))); done
  printf '%016x\n' "$mask"
}

# caps_of OUTPUT FIELD: the hex of "FIELD:" in a /proc/self/status dump.
caps_of() { awk -v f="$2:" '$1 == f {print $2}' <<<"$1"; }

# assert_bnd_eff_prm STATUS MASK: the bounding, effective and permitted sets in a
# /proc/self/status text are all MASK.
assert_bnd_eff_prm() {
  local set
  for set in CapBnd CapEff CapPrm; do
    assert_equal "$(caps_of "$1" $set)" "$2" $set || fail $set || return 1
  done
}

@test "args are passed unchanged and env replaces the runtime's environment" {
  update_config '.process.args = ["sh", "-c", "printf \"[%s]\" \"$@\"; echo; echo \"FOO=$FOO\"; env", "argv0", "a b", "", "c*"]
    | .process.env += ["FOO=bar baz"]'
  rrun run --bundle "$BUNDLE" c1
  assert_success
  assert_equal "${lines[0]}" "[a b][][c*]" args || fail args
  assert_equal "${lines[1]}" "FOO=bar baz" env || fail env
  # The runtime's own environment (e.g. HOME, ROOST_RUNTIME) must not leak in.
  ! grep -q '^ROOST_RUNTIME=' <<<"$output" || fail "host environment leaked into the container"
  grep -q '^PATH=/usr/local/sbin:' <<<"$output" || fail "configured PATH missing"
}

@test "cwd sets the working directory" {
  update_config '.process.cwd = "/etc" | .process.args = ["pwd"]'
  run_ctr c1
  assert_success
  assert_output_equals /etc
}

@test "a relative args[0] is found through the configured PATH" {
  update_config '.process.args = ["busybox", "echo", "found"] | .process.env = ["PATH=/bin"]'
  run_ctr c1
  assert_success
  assert_output_equals found
}

@test "terminal: the console master is sent over --console-socket and the process has a tty" {
  command -v python3 >/dev/null || skip "python3 is not installed"
  local sock="$BATS_TEST_TMPDIR/console.sock" log="$BATS_TEST_TMPDIR/console.out"
  cat >"$BATS_TEST_TMPDIR/console.py" <<'PY'
import array, os, socket, sys
sock_path, out_path = sys.argv[1], sys.argv[2]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sock_path)
srv.listen(1)
srv.settimeout(30)
conn, _ = srv.accept()
fds = array.array("i")
msg, anc, flags, addr = conn.recvmsg(1024, socket.CMSG_LEN(4 * fds.itemsize))
for level, typ, data in anc:
    if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
        fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
if not fds:
    open(out_path, "w").write("NO-FD\n")
    sys.exit(1)
master = fds[0]
buf = b""
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    buf += chunk
    if b"TTY-DONE" in buf:
        break
open(out_path, "wb").write(buf)
PY
  python3 "$BATS_TEST_TMPDIR/console.py" "$sock" "$log" 3>&- &
  local py=$!
  wait_until 10 test -S "$sock"
  update_config '.process.terminal = true | .process.consoleSize = {height: 30, width: 100}'
  set_cmd 'tty; [ -t 0 ] && [ -t 1 ] && echo STDIN-STDOUT-TTY; stty size; echo TTY-DONE; sleep 1'
  create_ctr c1 --console-socket "$sock"
  rrun start c1
  assert_success
  wait_until 20 test -e "$log" || { kill "$py" 2>/dev/null; fail "console server got nothing"; }
  wait "$py" || true
  cat -v "$log"
  grep -q '^/dev/pts/[0-9]' "$log" || fail "tty is not a /dev/pts device"
  grep -q 'STDIN-STDOUT-TTY' "$log" || fail "stdin/stdout are not a tty"
  grep -q '^30 100' "$log" || fail "consoleSize 30x100 not applied"
}

@test "terminal without --console-socket fails to create" {
  update_config '.process.terminal = true'
  rrun create --bundle "$BUNDLE" c1
  assert_error
  assert_clean
}

@test "run with terminal and no --console-socket relays the pty to the caller's terminal" {
  command -v script >/dev/null || skip "script(1) is not installed"
  update_config '.process.terminal = true'
  set_cmd 'tty; stty size; exit 4'
  local log="$BATS_TEST_TMPDIR/tty.log"
  # script(1) gives the runtime a real terminal of 30x100 as its stdin and stdout. Its own stdin
  # stays open (at end of input script would type its EOF character into the terminal).
  status=0
  sleep 3 | script -qec "stty rows 30 cols 100; $ROOST_RUNTIME --root $STATE run --bundle $BUNDLE c1" "$log" >/dev/null || status=$?
  cat "$log"
  assert_equal "$status" 4 "exit code through the terminal" || return 1
  grep -q '^/dev/pts/[0-9]' "$log" || fail "the process has no pty"
  grep -q '^30 100' "$log" || fail "the caller's window size was not passed on"
  assert_clean
}

@test "user uid and gid set the process credentials" {
  require_mode subuid root
  update_config '.process.user = {uid: 1, gid: 1} | .process.args = ["sh", "-c", "id -u; id -g; grep -E ^Uid: /proc/self/status"]'
  run_ctr c1
  assert_success
  assert_equal "${lines[0]}" 1 uid || fail uid
  assert_equal "${lines[1]}" 1 gid || fail gid
  [ "$(echo "${lines[2]}" | awk '{print $2$3$4$5}')" = 1111 ] || fail "real, effective, saved and fs uid should all be 1"
}

@test "an unmapped uid fails with a clear error (oneid mode)" {
  require_mode oneid
  update_config '.process.user = {uid: 1000, gid: 0} | .process.args = ["true"]'
  rrun create --bundle "$BUNDLE" c1
  assert_error 'uid|user|map'
  assert_clean
}

@test "umask is applied" {
  update_config '.process.user.umask = 63 | .process.args = ["sh", "-c", "umask"]'
  run_ctr c1
  assert_success
  assert_output_equals 0077
}

@test "additionalGids become the supplementary groups" {
  require_mode subuid root
  update_config '.process.user.additionalGids = [1, 5] | .process.args = ["sh", "-c", "grep ^Groups: /proc/self/status"]'
  run_ctr c1
  assert_success
  [ "$(echo "$output" | cut -f2 | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')" = "1 5 " ] ||
    fail "Groups should be exactly 1 5"
}

@test "additionalGids fail with an error when setgroups is denied (oneid mode)" {
  require_mode oneid
  update_config '.process.user.additionalGids = [0] | .process.args = ["true"]'
  rrun create --bundle "$BUNDLE" c1
  assert_error 'gid|group'
  assert_clean
}

@test "default capabilities: bounding, effective and permitted are exactly the configured three" {
  update_config '.process.args = ["cat", "/proc/self/status"]'
  run_ctr c1
  assert_success
  local want
  want=$(cap_hex CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)
  assert_bnd_eff_prm "$output" "$want"
  assert_equal "$(caps_of "$output" CapAmb)" "$(cap_hex)" CapAmb || fail CapAmb
}

@test "a custom capability set for root is applied" {
  update_config '.process.capabilities = {bounding: ["CAP_CHOWN", "CAP_SETUID", "CAP_SYS_CHROOT"], effective: ["CAP_CHOWN", "CAP_SETUID", "CAP_SYS_CHROOT"], permitted: ["CAP_CHOWN", "CAP_SETUID", "CAP_SYS_CHROOT"]}
    | .process.args = ["cat", "/proc/self/status"]'
  run_ctr c1
  assert_success
  local want
  want=$(cap_hex CAP_CHOWN CAP_SETUID CAP_SYS_CHROOT)
  assert_bnd_eff_prm "$output" "$want"
}

@test "ambient and inheritable capabilities reach a non-root user" {
  require_mode subuid root
  update_config '.process.user = {uid: 1, gid: 1}
    | .process.capabilities = {bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"], effective: ["CAP_CHOWN"], permitted: ["CAP_CHOWN"], inheritable: ["CAP_CHOWN"], ambient: ["CAP_CHOWN"]}
    | .process.args = ["cat", "/proc/self/status"]'
  run_ctr c1
  assert_success
  assert_equal "$(caps_of "$output" CapBnd)" "$(cap_hex CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE)" CapBnd || fail CapBnd
  assert_equal "$(caps_of "$output" CapInh)" "$(cap_hex CAP_CHOWN)" CapInh || fail CapInh
  assert_equal "$(caps_of "$output" CapAmb)" "$(cap_hex CAP_CHOWN)" CapAmb || fail CapAmb
  assert_equal "$(caps_of "$output" CapEff)" "$(cap_hex CAP_CHOWN)" CapEff || fail CapEff
}

@test "an unknown capability name is an error" {
  update_config '.process.capabilities.bounding += ["CAP_NOT_A_CAP"]'
  rrun create --bundle "$BUNDLE" c1
  assert_error 'CAP_NOT_A_CAP|capabilit'
  assert_clean
}

@test "noNewPrivileges true sets NoNewPrivs and false leaves it unset" {
  update_config '.process.noNewPrivileges = true | .process.args = ["grep", "^NoNewPrivs:", "/proc/self/status"]'
  run_ctr c1
  assert_success
  [ "$(echo "$output" | awk '{print $2}')" = 1 ] || fail "NoNewPrivs should be 1"
  update_config '.process.noNewPrivileges = false'
  run_ctr c2
  assert_success
  [ "$(echo "$output" | awk '{print $2}')" = 0 ] || fail "NoNewPrivs should be 0"
}

@test "rlimits set soft and hard limits" {
  set_cmd 'ulimit -n; ulimit -Hn'
  run_ctr c1
  assert_success
  assert_output_equals "$(printf '1024\n1024')"
  update_config '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 512, hard: 768}]'
  run_ctr c2
  assert_success
  assert_output_equals "$(printf '512\n768')"
}

@test "oomScoreAdj is applied" {
  update_config '.process.oomScoreAdj = 500 | .process.args = ["cat", "/proc/self/oom_score_adj"]'
  run_ctr c1
  assert_success
  assert_output_equals 500
}

@test "root.readonly makes the rootfs read-only" {
  set_cmd 'touch /x && echo wrote'
  run_ctr c1
  assert_failure
  assert_output_not_contains wrote
}

@test "root.readonly false gives a writable rootfs" {
  private_rootfs
  update_config '.root.readonly = false'
  set_cmd 'echo hello > /newfile && cat /newfile'
  run_ctr c1
  assert_success
  assert_output_equals hello
  [ "$(cat "$BUNDLE/rootfs/newfile")" = hello ] || fail "file not in the rootfs on the host"
}

@test "hostname and domainname are set" {
  update_config '.hostname = "box-one" | .domainname = "example.test"'
  set_cmd 'hostname; cat /proc/sys/kernel/domainname'
  run_ctr c1
  assert_success
  assert_output_equals "$(printf 'box-one\nexample.test')"
}

# As with runc and crun, the container's process leads a session of its own (conmon kills a
# container that timed out by its process group, which must not be the runtime's caller's).
# /proc/self/stat: field 1 the pid, 5 the process group, 6 the session.
@test "the process and an exec'd one each lead a session and a process group of their own" {
  update_config '.process.args = ["cut", "-d", " ", "-f1,5,6", "/proc/self/stat"]'
  run_ctr c1
  assert_success
  read -r pid pgrp sid <<<"$output"
  [ "$pgrp" = "$pid" ] && [ "$sid" = "$pid" ] || fail "init: pid $pid, process group $pgrp, session $sid"
  set_cmd 'exec sleep 60'
  run_detached c2
  wait_status c2 running
  rrun exec c2 cut -d " " -f1,5,6 /proc/self/stat
  assert_success
  read -r pid pgrp sid <<<"$output"
  [ "$pgrp" = "$pid" ] && [ "$sid" = "$pid" ] || fail "exec: pid $pid, process group $pgrp, session $sid"
}
