#!/usr/bin/env bats
# The container's own cgroup v2 group: placement (cgroupsPath, --systemd-cgroup), limits from
# linux.resources, pause/resume (freezer), update, and removal on delete. Where the caller may not
# create cgroup v2 groups (rootless without delegation), the container stays in the caller's cgroup
# and these commands say so.
load helpers

# The cgroup v2 mount: /sys/fs/cgroup on a v2 host, /sys/fs/cgroup/unified on a hybrid one.
v2_mount() {
  if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then echo /sys/fs/cgroup
  elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then echo /sys/fs/cgroup/unified
  fi
}

# The caller can create groups at the top of the v2 tree (root, or a delegated v2 host).
can_manage_cgroups() { local m; m=$(v2_mount); [ -n "$m" ] && [ -w "$m" ]; }

require_cgroups() { can_manage_cgroups || skip "the caller cannot create cgroup v2 groups here"; }

# A cgroupsPath unique to this test, so parallel or repeated runs never share a group.
unique_cgroup() { echo "/roost-test-$MARKER"; }

start_sleeper() {
  set_cmd 'exec sleep 60'
  run_detached "$1"
  wait_status "$1" running
}

init_cgroup() { awk -F: '$1 == 0 {print $3}' "/proc/$(state_field "$1" pid)/cgroup"; }

@test "the container gets its own cgroup at linux.cgroupsPath, removed by delete" {
  require_cgroups
  local cg
  cg=$(unique_cgroup)
  update_config ".linux.cgroupsPath = \"$cg\""
  start_sleeper c1
  assert_equal "$(init_cgroup c1)" "$cg" "the init's cgroup"
  [ -d "$(v2_mount)$cg" ] || fail "no cgroup directory $(v2_mount)$cg"
  rrun delete --force c1
  assert_success
  [ ! -e "$(v2_mount)$cg" ] || fail "cgroup $cg left behind"
}

@test "without cgroupsPath the cgroup is named after the container, under the caller's" {
  require_cgroups
  local id="cg$$x$RANDOM" own
  own=$(awk -F: '$1 == 0 {print $3}' /proc/self/cgroup)
  start_sleeper "$id"
  assert_equal "$(init_cgroup "$id")" "${own%/}/$id" "the init's cgroup"
  rrun delete --force "$id"
  [ ! -e "$(v2_mount)${own%/}/$id" ] || fail "cgroup left behind"
}

@test "--systemd-cgroup lays slice:prefix:name out as systemd would" {
  require_cgroups
  local name="t$$x$RANDOM"
  update_config ".linux.cgroupsPath = \"roosttest-a.slice:roost:$name\""
  set_cmd 'exec sleep 60'
  rrun --systemd-cgroup run --detach --bundle "$BUNDLE" c1
  assert_success
  assert_equal "$(init_cgroup c1)" "/roosttest.slice/roosttest-a.slice/roost-$name.scope" "the init's cgroup"
  rrun delete --force c1
  rmdir "$(v2_mount)/roosttest.slice/roosttest-a.slice" "$(v2_mount)/roosttest.slice" 2>/dev/null || true
}

@test "exec'd processes join the container's cgroup" {
  require_cgroups
  update_config ".linux.cgroupsPath = \"$(unique_cgroup)\""
  start_sleeper c1
  rrun exec c1 sh -c 'grep ^0:: /proc/self/cgroup'
  assert_success
  # In the container's cgroup namespace, its own group is the root.
  assert_output_equals "0::/"
}

@test "pause freezes every process and resume thaws them" {
  require_cgroups
  update_config ".linux.cgroupsPath = \"$(unique_cgroup)\""
  start_sleeper c1
  rrun pause c1
  assert_success
  assert_equal "$(state_field c1 status)" paused "status after pause"
  assert_equal "$(cat "$(v2_mount)$(unique_cgroup)/cgroup.events" | awk '$1 == "frozen" {print $2}')" 1 "frozen"
  rrun exec c1 true
  assert_error 'paused'
  rrun delete c1
  assert_error 'paused'
  rrun resume c1
  assert_success
  assert_equal "$(state_field c1 status)" running "status after resume"
  rrun resume c1
  assert_error 'not paused'
}

@test "update writes new limits to the container's cgroup" {
  require_cgroups
  local cg
  cg=$(unique_cgroup)
  update_config ".linux.cgroupsPath = \"$cg\""
  start_sleeper c1
  # cgroup.max.descendants is a core file: every cgroup v2 group has it, whatever controllers.
  echo '{"unified": {"cgroup.max.descendants": "7"}}' >"$BATS_TEST_TMPDIR/res.json"
  rrun update --resources "$BATS_TEST_TMPDIR/res.json" c1
  assert_success
  assert_equal "$(cat "$(v2_mount)$cg/cgroup.max.descendants")" 7 "cgroup.max.descendants"
  rt update --resources - c1 <<<'{"unified": {"cgroup.max.descendants": "9"}}'
  assert_equal "$(cat "$(v2_mount)$cg/cgroup.max.descendants")" 9 "from stdin"
  rt update --resources - c1 <<<'{"memory": ' && fail "malformed JSON accepted"
  rrun update --resources "$BATS_TEST_TMPDIR/missing.json" c1
  assert_error 'missing.json'
}

@test "a limit whose controller is missing is refused, leaving nothing behind" {
  require_cgroups
  local m
  m=$(v2_mount)
  grep -qw pids "$m/cgroup.controllers" && skip "this host gives cgroup v2 the pids controller"
  update_config ".linux.cgroupsPath = \"$(unique_cgroup)\" | .linux.resources = {pids: {limit: 50}} | .process.args = [\"true\"]"
  rrun create --bundle "$BUNDLE" c1
  assert_error 'pids'
  assert_clean
  [ ! -e "$m$(unique_cgroup)" ] || fail "cgroup left behind"
}

@test "pids.max from linux.resources stops a fork bomb (cgroup v2 hosts with the pids controller)" {
  require_cgroups
  grep -qw pids "$(v2_mount)/cgroup.controllers" || skip "no pids controller in cgroup v2 here (hybrid host)"
  update_config ".linux.cgroupsPath = \"$(unique_cgroup)\" | .linux.resources = {pids: {limit: 20}}"
  set_cmd 'for i in $(seq 40); do sleep 5 & done 2>/dev/null; cat /sys/fs/cgroup/pids.max'
  run_ctr c1
  assert_output_equals 20
}

@test "default values ask for nothing: they run where a controller is missing" {
  # cpu shares 1024 is what containerd always sends; a zero pids limit means unlimited.
  update_config '.linux.resources = {cpu: {shares: 1024}, pids: {limit: 0}, memory: {}} | .process.args = ["true"]'
  run_ctr c1
  assert_success
}

@test "rootless without a delegated cgroup: the container runs, pause and update say why not" {
  can_manage_cgroups && skip "this caller can create cgroup v2 groups"
  start_sleeper c1
  for cmd in pause resume; do
    rrun $cmd c1
    assert_error 'no cgroup of its own' || return 1
  done
  rrun update --resources - c1
  assert_error 'no cgroup of its own'
  assert_equal "$(state_field c1 status)" running "container after the attempts"
}

@test "limits that cannot be applied fail create with a reason" {
  can_manage_cgroups && grep -qw memory "$(v2_mount)/cgroup.controllers" && skip "memory limits work here"
  update_config '.linux.resources = {memory: {limit: 100000000}} | .process.args = ["true"]'
  rrun create --bundle "$BUNDLE" c1
  assert_error 'memory|cgroup'
  assert_clean
}

@test "cgroup v1-only resources are refused" {
  update_config '.linux.resources = {memory: {swappiness: 10}} | .process.args = ["true"]'
  rrun create --bundle "$BUNDLE" c1
  assert_error 'swappiness.*v1'
  assert_clean
}

@test "pause of an unknown container" {
  rrun pause nosuch
  assert_error 'does not exist'
}
