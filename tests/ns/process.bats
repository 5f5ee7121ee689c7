#!/usr/bin/env bats
# roost ns's process model: id maps, environment, exit codes, signals, the child's life, --pidns,
# copy-up, propagation, /sys, the state dir, nsenter, socket activation, errors that leave nothing.

load ns_core

setup() { ns_setup; }
teardown() { ns_teardown; }

@test "the caller is root in the namespace; its subuid range follows from 1 (roost-test)" {
  run -0 as roost-test "$RK" cat /proc/self/uid_map /proc/self/gid_map
  read -r start count < <(awk -F: '$1=="roost-test" {print $2, $3}' /etc/subuid)
  [ "$(echo "$output" | awk '{print $1, $2, $3}' | sort -u)" = "$(printf '0 %s 1\n1 %s %s' "$(id -u roost-test)" "$start" "$count")" ]
}

@test "without a subuid range the map is one id, setgroups denied (roost-nosub)" {
  run -0 as roost-nosub "$RK" sh -c 'cat /proc/self/uid_map; cat /proc/self/gid_map; cat /proc/self/setgroups; id -u'
  [ "$(echo "$output" | awk 'NR<=2 {print $1, $2, $3}')" = "$(printf '0 %s 1\n0 %s 1' "$(id -u roost-nosub)" "$(id -g roost-nosub)")" ]
  [ "${lines[2]}" = deny ]
  [ "${lines[3]}" = 0 ]
}

@test "as root the map is the identity" {
  run -0 as root "$RK" cat /proc/self/uid_map
  [ "$(echo "$output" | awk '{print $1, $2, $3}')" = "0 0 4294967295" ]
}

@test "--subid-source=dynamic asks \$GETSUBIDS; a failing one is an error" {
  # The first half of roost-test's real range, as a getsubids of our own says it.
  read -r start count < <(awk -F: '$1=="roost-test" {print $2, $3}' /etc/subuid)
  half=$((count / 2))
  printf '#!/bin/sh\n[ "$1" = -g ] && shift\necho "0: $1 %s %s"\n' "$start" "$half" > "$T/getsubids"
  chmod 755 "$T/getsubids"
  run -0 as roost-test env GETSUBIDS="$T/getsubids" "$RK" --subid-source=dynamic cat /proc/self/uid_map
  [ "$(echo "${lines[1]}" | awk '{print $1, $2, $3}')" = "1 $start $half" ]
  run ! as roost-test env GETSUBIDS=/bin/false "$RK" --subid-source=dynamic true
  [ "${#lines[@]}" = 1 ]
  [[ "$output" == *"/bin/false roost-test exited with status 1"* ]]
  run -0 as roost-test env GETSUBIDS=/bin/false "$RK" --subid-source=static cat /proc/self/uid_map
  [ "${#lines[@]}" = 2 ]
}

@test "the command is uid 0 with every capability, in new user and mount namespaces" {
  run -0 ns sh -c 'id -u; grep CapEff /proc/self/status; readlink /proc/self/ns/user /proc/self/ns/mnt /proc/self/ns/net'
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = "CapEff:	000001ffffffffff" ]
  [ "${lines[2]}" != "$(readlink /proc/self/ns/user)" ]
  [ "${lines[3]}" != "$(readlink /proc/self/ns/mnt)" ]
  [ "${lines[4]}" = "$(readlink /proc/self/ns/net)" ]  # --net=host
}

@test "ROOTLESSKIT_* are in the command's environment and in the child_pid process's environ" {
  run -0 ns --state-dir="$T/s" sh -c 'env | grep -E "^(ROOTLESSKIT|_ROOST)" | sort; tr "\0" "\n" < /proc/$(cat $ROOTLESSKIT_STATE_DIR/child_pid)/environ | grep ^ROOTLESSKIT | sort'
  uid=$(id -u "$NS_USER") gid=$(id -g "$NS_USER")
  expected=$(printf 'ROOTLESSKIT_PARENT_EGID=%s\nROOTLESSKIT_PARENT_EUID=%s\nROOTLESSKIT_STATE_DIR=%s' "$gid" "$uid" "$T/s")
  [ "$output" = "$(printf '%s\n%s' "$expected" "$expected")" ]
}

@test "the command's exit code is passed through; death by signal N is 128+N" {
  run -7 ns sh -c 'exit 7'
  run -143 ns sh -c 'kill -TERM $$'
  run -137 ns sh -c 'kill -KILL $$'
  run -0 ns true
}

@test "a command that cannot be executed: one line, 127" {
  run -127 ns /nonexistent/cmd
  [ "$output" = "rootlesskit: exec /nonexistent/cmd: No such file or directory" ]
}

@test "SIGTERM to the parent reaches the command" {
  ns_bg --state-dir="$T/s" sh -c 'trap "echo got-TERM > $ROOTLESSKIT_STATE_DIR/../t; kill \$!; exit 3" TERM; sleep 20 & wait'
  pid=$NS_PID
  wait_for_file "$T/s/child_pid"
  kill -TERM "$pid"
  rc=0
  wait "$pid" || rc=$?
  [ "$rc" = 3 ]
  [ "$(cat "$T/t")" = got-TERM ]
  [ ! -e "$T/s" ]
  [ -z "$(leftovers)" ]
}

@test "signals before the command starts wait for it" {
  # USR1 to the parent during set-up is delivered to the command once it runs.
  ns_bg --state-dir="$T/s" sh -c 'trap "echo usr1 > $ROOTLESSKIT_STATE_DIR/../u; exit 0" USR1; sleep 5 & wait'
  pid=$NS_PID
  wait_for_file "$T/s/child_pid"
  kill -USR1 "$pid"
  wait "$pid"
  [ "$(cat "$T/u")" = usr1 ]
}

@test "the child and the command die with the parent (kill -9)" {
  ns_bg --state-dir="$T/s" sleep 30
  pid=$NS_PID
  wait_for_file "$T/s/child_pid"
  child=$(cat "$T/s/child_pid")
  cmd=$(pgrep -P "$child")
  [ -n "$cmd" ]
  kill -9 "$pid"
  wait_gone "$child"
  wait_gone "$cmd"
}

@test "--pidns: the child is pid 1 and the command pid 2, with a fresh /proc" {
  run -0 ns --pidns sh -c 'echo $$; tr "\0" " " < /proc/1/cmdline; echo; ls /proc | grep -c "^[0-9]"'
  [ "${lines[0]}" = 2 ]
  [[ "${lines[1]}" == *"--pidns"* ]]
  [ "${lines[2]}" -le 4 ]
}

@test "--pidns reaps orphans; --reaper=false leaves them as zombies" {
  script='sh -c "sleep 0.1 &" ; sleep 0.6; grep -l "^State:.*Z" /proc/[0-9]*/status | wc -l'
  run -0 ns --pidns sh -c "$script"
  [ "$output" = 0 ]
  run -0 ns --pidns --reaper=false sh -c "$script"
  [ "$output" = 1 ]
}

@test "--copy-up=/etc: a writable tmpfs; writes stay inside; rm removes only the link" {
  run -0 ns --copy-up=/etc sh -c '
    stat -f -c %T /etc
    echo inside > /etc/roost-ns-copy-up-test && cat /etc/roost-ns-copy-up-test
    readlink /etc/hostname
    rm /etc/hostname && [ ! -e /etc/hostname ] && echo removed
    readlink /etc/mtab'
  [ "${lines[0]}" = tmpfs ]
  [ "${lines[1]}" = inside ]
  [[ "${lines[2]}" == .ro*/hostname ]]
  [ "${lines[3]}" = removed ]
  # An existing symlink is copied as it is.
  [ "${lines[4]}" = "$(readlink /etc/mtab)" ]
  [ ! -e /etc/roost-ns-copy-up-test ]
  [ -e /etc/hostname ]
}

@test "--propagation: rshared makes / shared, the default rprivate does not" {
  run -0 --separate-stderr ns --propagation=rshared awk '$5=="/" {print $7}' /proc/self/mountinfo
  [[ "$output" == shared:* ]]
  run -0 ns awk '$5=="/" {print $7}' /proc/self/mountinfo
  [[ "$output" != shared:* ]]
  run -0 ns --propagation=rslave --copy-up=/etc true
}

@test "a new network namespace gets a fresh /sys, with /sys/fs/cgroup bound back" {
  run -0 ns --net=none sh -c 'ls /sys/class/net; ls /sys/fs/cgroup | head -1; ip -o link | wc -l'
  [ "${lines[0]}" = lo ]
  [ "${lines[1]}" = "$(ls /sys/fs/cgroup | head -1)" ]
  [ "${lines[2]}" = 1 ]
  [ "$(ls /sys/class/net | wc -l)" -gt 1 ] || skip "the host has only lo"
}

@test "a non-host network binds \$STATE/resolv.conf and \$STATE/hosts over /etc" {
  run -0 ns --net=none --copy-up=/etc --state-dir="$T/s" sh -c 'tail -2 /etc/hosts; findmnt -n -o TARGET /etc/hosts; findmnt -n -o TARGET /etc/resolv.conf'
  [ "${lines[0]}" = "127.0.0.1 $(hostname)" ]
  [ "${lines[1]}" = "::1 $(hostname)" ]
  [ "${lines[2]}" = /etc/hosts ]
  [ "${lines[3]}" = /etc/resolv.conf ]
}

@test "state dir: lock, api.sock and child_pid (0444, no newline, the child's pid); wiped at start, removed at exit" {
  mkdir -p "$T/s/stale"
  touch "$T/s/old-file"
  chown -R "$NS_USER" "$T/s"
  run -0 ns --state-dir="$T/s" sh -c 'cd $ROOTLESSKIT_STATE_DIR; ls -A | sort | tr "\n" " "; echo; stat -c %a child_pid; od -c child_pid | tail -2 | head -1; stat -c %F api.sock; echo $PPID'
  [ "${lines[0]}" = "api.sock child_pid lock " ]
  [ "${lines[1]}" = 444 ]
  [[ "${lines[2]}" != *'\n'* ]]
  [ "${lines[3]}" = socket ]
  [ ! -e "$T/s" ]
}

@test "child_pid is the child's pid, the process nsenter enters" {
  ns_bg --net=none --state-dir="$T/s" sleep 30
  wait_for_file "$T/s/child_pid"
  child=$(cat "$T/s/child_pid")
  [ "$(readlink /proc/$child/exe)" = "$(readlink -f "$ROOST_NS")" ]
  run -0 as "$NS_USER" nsenter -U -m -n --preserve-credentials -t "$child" sh -c 'readlink /proc/self/ns/user; id -u'
  [ "${lines[0]}" = "$(readlink /proc/$child/ns/user)" ]
  [ "${lines[1]}" = 0 ]
}

@test "a temporary state dir under \$TMPDIR is removed at exit" {
  run -0 ns sh -c 'echo $ROOTLESSKIT_STATE_DIR'
  [[ "$output" == "$T"/rootlesskit* ]]
  [ ! -e "$output" ]
  [ -z "$(ls -A "$T")" ]
}

@test "a second instance on the same state dir is refused and leaves the first's files" {
  ns_bg --state-dir="$T/s" sleep 30
  wait_for_file "$T/s/child_pid"
  run -1 ns --state-dir="$T/s" true
  [ "$output" = "rootlesskit: failed to lock $T/s/lock, another RootlessKit is running with the same state directory?" ]
  [ -e "$T/s/child_pid" ] && [ -S "$T/s/api.sock" ]
}

@test "--detach-netns: \$STATE/netns holds the new namespace; the command stays in the host's" {
  run -0 ns --net=none --detach-netns --state-dir="$T/s" sh -c '
    readlink /proc/self/ns/net
    nsenter -n"$ROOTLESSKIT_STATE_DIR/netns" readlink /proc/self/ns/net
    nsenter -n"$ROOTLESSKIT_STATE_DIR/netns" ip -o link | wc -l'
  [ "${lines[0]}" = "$(readlink /proc/self/ns/net)" ]
  [ "${lines[1]}" != "${lines[0]}" ]
  [ "${lines[2]}" = 1 ]
}

@test "LISTEN_FDS descriptors reach the command with LISTEN_PID set to it" {
  echo socket-data > "$T/fd3"
  run -0 as "$NS_USER" sh -c "exec 3<'$T/fd3'; LISTEN_FDS=1 LISTEN_PID=\$\$ exec '$RK' sh -c 'echo \$LISTEN_PID \$\$ \$LISTEN_FDS; cat <&3'"
  read -r listen_pid self fds <<<"${lines[0]}"
  [ "$listen_pid" = "$self" ]
  [ "$fds" = 1 ]
  [ "${lines[1]}" = socket-data ]
  # Meant for someone else: LISTEN_PID is left as it was.
  run -0 as "$NS_USER" sh -c "exec 3<'$T/fd3'; LISTEN_FDS=1 LISTEN_PID=1 exec '$RK' sh -c 'echo \$LISTEN_PID'"
  [ "$output" = 1 ]
}

@test "systemd-socket-activate's socket reaches the command" {
  command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate is not installed"
  as "$NS_USER" systemd-socket-activate -l 127.0.0.1:21017 "$RK" sh -c 'echo $LISTEN_PID $$ > '"$T"'/la; ls -l /proc/self/fd/3 >> '"$T"'/la' &
  sleep 0.5
  echo x | socat -t1 - TCP:127.0.0.1:21017 || true
  wait_for_file "$T/la"
  sleep 0.3
  read -r lp self < "$T/la"
  [ "$lp" = "$self" ]
  grep -q socket: "$T/la"
}

@test "a failure in the child's set-up: one line, exit 1, nothing left" {
  run -1 ns --copy-up=/nonexistent-dir --state-dir="$T/s" true
  [ "${#lines[@]}" = 1 ]
  [[ "$output" == "rootlesskit: copy-up /nonexistent-dir: "* ]]
  [ ! -e "$T/s" ]
  [ -z "$(leftovers)" ]
}

@test "a failure in the child's mounts while slirp4netns starts: the same one line, no helper left" {
  # The child makes its mounts while the parent starts the helper (src/ns/child.cpp): its error
  # comes after the network message, and the helper goes with the parent.
  command -v slirp4netns >/dev/null || skip "slirp4netns is not installed"
  run -1 ns --net=slirp4netns --disable-host-loopback --copy-up=/nonexistent-dir --state-dir="$T/s" true
  [ "${#lines[@]}" = 1 ]
  [[ "$output" == "rootlesskit: copy-up /nonexistent-dir: "* ]]
  [ ! -e "$T/s" ]
  [ -z "$(leftovers)" ]
  [ -z "$(pgrep -u "$NS_USER" slirp4netns)" ]
}

@test "--evacuate-cgroup2 without a delegated cgroup v2 group: one line, nothing moved" {
  before=$(cat /proc/self/cgroup)
  run -1 ns --pidns --cgroupns --evacuate-cgroup2=evac true
  [ "${#lines[@]}" = 1 ]
  [[ "$output" == *"--evacuate-cgroup2 needs a"* ]]
  [ "$(cat /proc/self/cgroup)" = "$before" ]
  [ -z "$(leftovers)" ]
}

@test "--utsns, --ipcns, --cgroupns give new namespaces" {
  run -0 ns --utsns --ipcns --cgroupns sh -c 'readlink /proc/self/ns/uts /proc/self/ns/ipc /proc/self/ns/cgroup; hostname roost-ns-uts && hostname'
  [ "${lines[0]}" != "$(readlink /proc/self/ns/uts)" ]
  [ "${lines[1]}" != "$(readlink /proc/self/ns/ipc)" ]
  [ "${lines[2]}" != "$(readlink /proc/self/ns/cgroup)" ]
  [ "${lines[3]}" = roost-ns-uts ]
  [ "$(hostname)" != roost-ns-uts ]
}

@test "roost-runtime runs a busybox bundle inside roost ns (a rootless OCI runtime under a fake root)" {
  runtime="$(dirname "$ROOST")/roost-runtime"
  [ -x "$runtime" ] || skip "roost-runtime is not built"
  [ "$NS_USER" != root ] || skip "the fake root of an unprivileged user"
  as "$NS_USER" "$REPO/scripts/make-bundle" "$T/bundle" "$runtime" >/dev/null
  # As rootless Docker and containerd run their runtime: in roost ns's user namespace, with no
  # user namespace of the container's own.
  jq '.process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map; echo $$"] | .process.terminal = false
      | .linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)' \
    "$T/bundle/config.json" > "$T/config.json"
  cp "$T/config.json" "$T/bundle/config.json"
  run -0 --separate-stderr ns --pidns "$runtime" --root "$T/rt" run --bundle "$T/bundle" c1
  [ "${lines[0]}" = 0 ]
  [ "$(echo "${lines[1]}" | awk '{print $1, $2}')" = "0 $(id -u "$NS_USER")" ]
  [ "${lines[-1]}" = 1 ]  # the container's own pid namespace
  [ -z "$(leftovers)" ]
}

@test "the whole: slirp4netns, copy-up, builtin -p port answering from the host, rootlessctl; nothing left" {
  command -v slirp4netns >/dev/null || skip "slirp4netns is not installed"
  ns_bg --net=slirp4netns --disable-host-loopback --copy-up=/etc --copy-up=/run --propagation=rslave \
    --port-driver=builtin -p 127.0.0.1:21110:80/tcp --state-dir="$T/s" \
    sh -c 'echo from-inside | socat -t5 TCP4-LISTEN:80,reuseaddr STDIO'
  pid=$NS_PID
  wait_for_file "$T/s/child_pid"
  if command -v rootlessctl >/dev/null; then
    run -0 as "$NS_USER" rootlessctl --socket "$T/s/api.sock" list-ports
    [[ "${lines[1]}" == *"127.0.0.1"*"21110"*"80"* ]]
  fi
  # The command serves one connection, then exits.
  run -0 socat -t2 - TCP:127.0.0.1:21110 </dev/null
  [ "$output" = from-inside ]
  rc=0
  wait "$pid" || rc=$?
  [ "$rc" = 0 ]
  [ ! -e "$T/s" ]
  [ -z "$(leftovers)" ]
  ! ss -ltn | grep -q ':21110 '
}

@test "roost ns inside roost ns: the inner one maps every id of the outer one to itself" {
  run -0 ns "$RK" --pidns cat /proc/self/uid_map
  outer=$(as "$NS_USER" "$RK" cat /proc/self/uid_map | awk '{print $1, $1, $3}')
  [ "$(echo "$output" | awk '{print $1, $2, $3}')" = "$outer" ]
}

@test "--evacuate-cgroup2 in a delegated cgroup v2 group: the processes move into NAME, the command sees a fresh cgroup2" {
  [ "$NS_USER" != root ] || skip "a group delegated to an unprivileged user"
  # Only the cgroup2 tree is touched (the v1 hierarchies, memory above all, never are).
  v2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
  [ -n "$v2" ] || skip "no cgroup2 mount"
  group="$v2/roost-ns-evac-$$-$BATS_TEST_NUMBER"
  mkdir "$group"
  chown -R "$NS_USER" "$group"
  run -0 --separate-stderr sh -c "echo \$\$ > '$group/cgroup.procs'; exec setpriv --reuid='$NS_USER' --regid='$NS_USER' --init-groups \
    env ROOST_NS_TEST_MARK='$MARK' '$RK' --pidns --cgroupns --evacuate-cgroup2=evac sh -c 'grep ^0:: /proc/self/cgroup; stat -f -c %T /sys/fs/cgroup'"
  rmdir "$group/evac" "$group"
  [ "${lines[0]}" = "0::/evac" ]
  [ "${lines[1]}" = cgroup2fs ]
}

@test "roost ns ctl, from inside, finds the API by \$ROOTLESSKIT_STATE_DIR" {
  run -0 --separate-stderr ns --net=none --port-driver=builtin --state-dir="$T/s" sh -c '
    '"$ROOST"' ns ctl add-ports 127.0.0.1:21131:80/tcp
    '"$ROOST"' ns ctl info | grep -E "State Directory|Child PID|Port Driver"
    echo $(cat $ROOTLESSKIT_STATE_DIR/child_pid)'
  [ "${lines[0]}" = 1 ]
  [ "${lines[1]}" = "- State Directory: $T/s" ]
  [ "${lines[2]}" = "- Child PID: ${lines[4]}" ]
  [ "${lines[3]}" = "- Port Driver: builtin" ]
}

@test "no descriptor of roost ns's reaches the command" {
  run -0 --separate-stderr as "$NS_USER" sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "'
  outside=$output
  run -0 --separate-stderr ns --net=none --port-driver=builtin --pidns --copy-up=/etc sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "'
  [ "$output" = "$outside" ]
}
