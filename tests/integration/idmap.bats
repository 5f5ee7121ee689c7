#!/usr/bin/env bats
# User namespace id mappings: the rootless defaults, explicit mappings, and invalid ones.

load helpers

# Adds a user namespace to the config (as root the base config has none).
ensure_userns() {
  update_config 'if any(.linux.namespaces[]; .type == "user") then . else .linux.namespaces += [{type: "user"}] end'
}

@test "rootless default uid_map and gid_map: caller to 0 plus the subordinate range (subuid mode)" {
  require_mode subuid
  set_cmd 'cat /proc/self/uid_map; echo --; cat /proc/self/gid_map'
  run_ctr c1
  assert_success
  local uid_map gid_map
  uid_map=$(sed -n '1,/^--$/p' <<<"$output" | grep -v '^--$' | normalize_map)
  gid_map=$(sed -n '/^--$/,$p' <<<"$output" | grep -v '^--$' | normalize_map)
  assert_equal "$uid_map" "$(expected_default_uid_map)" uid_map || fail "uid_map"
  assert_equal "$gid_map" "$(expected_default_gid_map)" gid_map || fail "gid_map"
}

@test "rootless default without subordinate ids maps only the caller and denies setgroups (oneid mode)" {
  require_mode oneid
  set_cmd 'cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; cat /proc/self/setgroups'
  run_ctr c1
  assert_success
  local parts
  parts=$(awk 'BEGIN{RS="--\n"} {gsub(/[ \t]+/, " "); sub(/^ /, ""); gsub(/\n /, "\n"); printf "%s|", $0}' <<<"$output")
  assert_equal "$(sed -n 1p <<<"$output" | normalize_map)" "0 $MY_UID 1" uid_map || fail uid_map
  [ "$(grep -c . <<<"$(sed -n '1,/^--$/p' <<<"$output")")" -eq 2 ] || fail "uid_map should have one line"
  assert_equal "$(sed -n '/^--$/,/^--$/p' <<<"$output" | grep -v '^--$' | normalize_map)" "0 $MY_GID 1" gid_map || fail gid_map
  assert_equal "${lines[-1]}" deny setgroups || fail setgroups
}

@test "inside the rootless container the process is uid 0 and gid 0" {
  require_mode rootless
  set_cmd 'id -u; id -g'
  run_ctr c1
  assert_success
  assert_output_equals "$(printf '0\n0')"
}

@test "as root without a user namespace the container shares the host's full id range" {
  require_mode root
  set_cmd 'cat /proc/self/uid_map; id -u'
  run_ctr c1
  assert_success
  assert_equal "$(sed -n 1p <<<"$output" | normalize_map)" "0 0 4294967295" uid_map || fail uid_map
  assert_equal "${lines[1]}" 0 "id -u" || fail "id -u"
}

@test "explicit mappings in config.json are written as given" {
  ensure_userns
  local uidm gidm expect_uid expect_gid
  case $ROOST_TEST_MODE in
    subuid)
      local s=${SUBUID_RANGE% *} g=${SUBGID_RANGE% *}
      uidm="[{\"containerID\":0,\"hostID\":$MY_UID,\"size\":1},{\"containerID\":1000,\"hostID\":$((s + 10)),\"size\":100}]"
      # (gid 5, the default devpts gid, stays mapped)
      gidm="[{\"containerID\":0,\"hostID\":$MY_GID,\"size\":1},{\"containerID\":1,\"hostID\":$((g + 20)),\"size\":50}]"
      expect_uid=$(printf '0 %s 1\n1000 %s 100' "$MY_UID" $((s + 10)))
      expect_gid=$(printf '0 %s 1\n1 %s 50' "$MY_GID" $((g + 20)))
      ;;
    oneid)
      # Only the caller's own id can be mapped; map it to 1000 instead of 0.
      uidm="[{\"containerID\":1000,\"hostID\":$MY_UID,\"size\":1}]"
      gidm="[{\"containerID\":1000,\"hostID\":$MY_GID,\"size\":1}]"
      expect_uid="1000 $MY_UID 1"
      expect_gid="1000 $MY_GID 1"
      update_config '.process.user = {uid: 1000, gid: 1000}'
      ;;
    root)
      uidm='[{"containerID":0,"hostID":100000,"size":65536}]'
      gidm='[{"containerID":0,"hostID":100000,"size":65536}]'
      expect_uid="0 100000 65536"
      expect_gid="0 100000 65536"
      ;;
  esac
  update_config --argjson u "$uidm" --argjson g "$gidm" '.linux.uidMappings = $u | .linux.gidMappings = $g'
  set_cmd 'cat /proc/self/uid_map; echo --; cat /proc/self/gid_map'
  run_ctr c1
  assert_success
  assert_equal "$(sed -n '1,/^--$/p' <<<"$output" | grep -v '^--$' | normalize_map)" "$expect_uid" uid_map || fail uid_map
  assert_equal "$(sed -n '/^--$/,$p' <<<"$output" | grep -v '^--$' | normalize_map)" "$expect_gid" gid_map || fail gid_map
}

@test "a mapped non-root user appears as the mapped host id from the host" {
  require_mode subuid root
  ensure_userns
  if [ "$ROOST_TEST_MODE" = root ]; then
    update_config '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] | .linux.gidMappings = .linux.uidMappings'
    local host_uid=100001
  else
    local host_uid=${SUBUID_RANGE% *} # container uid 1 is the first subordinate id
  fi
  update_config '.process.user = {uid: 1, gid: 1} | .process.args = ["sleep", "100"]'
  run_detached c1
  local pid
  pid=$(state_field c1 pid)
  grep '^Uid:' "/proc/$pid/status"
  [ "$(awk '/^Uid:/ {print $2" "$3" "$4" "$5}' "/proc/$pid/status")" = "$host_uid $host_uid $host_uid $host_uid" ] ||
    fail "host uid of the container process should be $host_uid"
}

@test "overlapping uid mappings are rejected" {
  ensure_userns
  local h1=$MY_UID h2
  case $ROOST_TEST_MODE in
    subuid) h2=${SUBUID_RANGE% *} ;;
    oneid) h2=$MY_UID ;;
    root) h1=100000 h2=200000 ;;
  esac
  # container ids 0..9 and 5..14 overlap
  update_config --argjson a "$h1" --argjson b "$h2" \
    '.linux.uidMappings = [{containerID: 0, hostID: $a, size: 10}, {containerID: 5, hostID: $b, size: 10}]
     | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 1}]'
  [ "$ROOST_TEST_MODE" = root ] || update_config --argjson a "$h1" '.linux.uidMappings[0].size = 1 | .linux.uidMappings[1].containerID = 0 | .linux.gidMappings = [{containerID: 0, hostID: '"$MY_GID"', size: 1}]'
  jq -c .linux.uidMappings "$BUNDLE/config.json"
  rrun create --bundle "$BUNDLE" c1
  assert_error
  assert_clean
}

@test "mapping a host id the caller does not own is rejected" {
  require_mode rootless
  ensure_userns
  local foreign=300000 # outside roost-test's 200000:65536 and not the caller
  [ "$ROOST_TEST_MODE" = oneid ] && foreign=200000
  update_config --argjson f $foreign --argjson u "$MY_UID" --argjson g "$MY_GID" \
    '.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: $f, size: 10}]
     | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}]'
  rrun create --bundle "$BUNDLE" c1
  assert_error
  assert_clean
}

@test "mapping the host's root uid from a rootless caller is rejected" {
  require_mode rootless
  ensure_userns
  update_config --argjson g "$MY_GID" '.linux.uidMappings = [{containerID: 0, hostID: 0, size: 1}]
     | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}]'
  rrun create --bundle "$BUNDLE" c1
  assert_error
  assert_clean
}
