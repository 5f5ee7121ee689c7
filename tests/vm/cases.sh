# The guest's test cases (sourced by guest-init). Each bundle in /vm/NAME has a config.json that
# tests/vm/run wrote with jq on the host; the rootfs is shared.
RT="roost-runtime --root /run/roost"

result() {  # result NAME STATUS(0=ok) [DETAIL]
  if [ "$2" = 0 ]; then echo "VMTEST ok $1"; else echo "VMTEST not ok $1 $(echo "${3:-}" | tr '\n' ' ')"; fi
}

# Memory: the limits are written, and a process that keeps growing is OOM-killed inside them (the
# container's shell survives and reads the kill from its group's memory.events).
out=$($RT run --bundle /vm/memory mem 2>/tmp/mem.err); status=$?
set -- $out
# memory.max, memory.swap.max (swap = memory + swap: none), then the group's oom_kill count.
[ "$1" = 67108864 ] && [ "$2" = 0 ] && [ "${3:-0}" -ge 1 ] && [ "$status" = 0 ]
result "memory.limit and memory.swap: memory.max, memory.swap.max, a memory hog is OOM-killed" $? "(status $status, output: $out, stderr: $(cat /tmp/mem.err))"

# The engine's monitor records an OOM kill counted in the container's own group, which the runtime
# makes with no cgroupsPath given (the engine gives none): oom_killed and 137 in its state.
if [ -x /usr/local/bin/roost-monitor ]; then
  mkdir -p /tmp/oom
  echo '{"id": "oom1", "runtime": "/usr/local/bin/roost-runtime", "runtime_root": "/run/roost",
    "bundle": "/vm/oomer", "log_path": "/tmp/oom/ctr.log", "state_path": "/tmp/oom/state.json",
    "lock_path": "/tmp/oom/lock", "ctl_socket": "/tmp/oom/ctl.sock", "run_dir": "/tmp/oom",
    "data_dir": "/tmp/oom", "network": "host"}' >/tmp/oom/monitor.json
  roost-monitor /tmp/oom/monitor.json 2>/tmp/oom/err; status=$?
  state=$(cat /tmp/oom/state.json 2>/dev/null)
  echo "$state" | grep -q '"oom_killed": *true' && echo "$state" | grep -q '"exit_code": *137' &&
    [ -z "$(ls /sys/fs/cgroup | grep oom1)" ]
  result "roost-monitor: an OOM kill in the container's own group is recorded (oom_killed, exit 137)" $? \
    "(status $status, state: $state, stderr: $(cat /tmp/oom/err))"
fi

# Pids: a fork bomb stays under pids.max.
out=$($RT run --bundle /vm/pids pids 2>&1); status=$?
set -- $out
[ "$1" = 16 ] && [ "$2" -le 16 ] && [ "$3" -gt 0 ] && [ "$status" = 0 ]
result "pids.limit: a fork bomb stays under pids.max" $? "(status $status, output: $out)"

# CPU: quota, period and shares converted to cpu.max and cpu.weight.
out=$($RT run --bundle /vm/cpu cpu 2>&1); status=$?
[ "$out" = "20000 100000
20" ] && [ "$status" = 0 ]
result "cpu.quota, period and shares: cpu.max and cpu.weight" $? "(status $status, output: $out)"

# update writes new limits to a running container's group.
$RT run --detach --bundle /vm/sleeper upd >/dev/null 2>&1
echo '{"pids": {"limit": 7}, "memory": {"limit": 33554432}}' | $RT update --resources - upd
[ "$(cat /sys/fs/cgroup/vm-upd/pids.max)" = 7 ] && [ "$(cat /sys/fs/cgroup/vm-upd/memory.max)" = 33554432 ]
result "update --resources: new pids.max and memory.max" $? "(pids.max $(cat /sys/fs/cgroup/vm-upd/pids.max))"

# pause and resume through the v2 freezer.
$RT pause upd
grep -q "frozen 1" /sys/fs/cgroup/vm-upd/cgroup.events && $RT state upd | grep -q '"paused"'
paused=$?
$RT resume upd
grep -q "frozen 0" /sys/fs/cgroup/vm-upd/cgroup.events && $RT state upd | grep -q '"running"'
[ $paused = 0 ] && [ $? = 0 ]
result "pause and resume freeze and thaw the group" $?
$RT delete --force upd
[ ! -e /sys/fs/cgroup/vm-upd ]
result "delete removes the group" $?

# Rootless with a delegated subtree, as systemd's Delegate=yes gives one: uid 1000 owns
# /sys/fs/cgroup/deleg and sits in deleg/shell; its container gets deleg/c1 with its limits.
mkdir -p /sys/fs/cgroup/deleg/shell
chown -R 1000:1000 /sys/fs/cgroup/deleg
mkdir -p /tmp/u && chown 1000:1000 /tmp/u
# Moving a process needs write access where both groups meet (the root): root moves the shell,
# as systemd would, then becomes the user.
out=$(sh -c 'echo $$ > /sys/fs/cgroup/deleg/shell/cgroup.procs &&
  exec su -s /bin/sh user -c "roost-runtime --root /tmp/u/state run --bundle /vm/rootless c1"' 2>&1); status=$?
[ "$out" = "0 1000 1
12" ] && [ "$status" = 0 ] && [ ! -e /sys/fs/cgroup/deleg/c1 ]
result "rootless, one-id map, in a delegated subtree: limits applied, group removed" $? "(status $status, output: $out)"
