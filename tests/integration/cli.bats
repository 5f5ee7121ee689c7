#!/usr/bin/env bats
# Command line: global flags, spec, features, list, state.

load helpers

@test "--version prints a version and exits 0" {
  rrun --version
  assert_success
  [[ "$output" =~ [0-9]+\.[0-9]+ ]] || fail "no version number in the output"
}

@test "--help exits 0 and lists the commands" {
  rrun --help
  assert_success
  local c
  for c in create start state kill delete run list spec features; do
    [[ "$output" == *"$c"* ]] || fail "help does not mention '$c'"
  done
}

@test "an unknown command fails with one roost-runtime: error line" {
  rrun frobnicate
  assert_error
}

@test "spec writes the default config.json" {
  local d="$BATS_TEST_TMPDIR/specdir"
  mkdir "$d"
  cd "$d"
  rrun spec
  assert_success
  [ -f config.json ] || fail "config.json not written in the working directory"
  local c=config.json
  jq . "$c"
  jq -e '.process.terminal == false' "$c"
  jq -e '.process.args == ["sh"]' "$c"
  jq -e '.root.path == "rootfs" and .root.readonly == true' "$c"
  jq -e '.hostname == "roost"' "$c"
  jq -e '.process.noNewPrivileges == true' "$c"
  jq -e '[.mounts[] | .destination + ":" + .type] == ["/proc:proc", "/dev:tmpfs", "/dev/pts:devpts", "/dev/shm:tmpfs", "/dev/mqueue:mqueue", "/sys:sysfs", "/sys/fs/cgroup:cgroup"]' "$c"
  jq -e '.mounts[] | select(.destination == "/sys") | .options | index("ro")' "$c"
  jq -e '.mounts[] | select(.destination == "/sys/fs/cgroup") | .options | index("ro")' "$c"
  jq -e '[.linux.namespaces[].type] | sort == ["cgroup", "ipc", "mount", "network", "pid", "uts"]' "$c"
  local caps='["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]'
  jq -e --argjson c "$caps" '.process.capabilities | (.bounding | sort) == $c and (.effective | sort) == $c and (.permitted | sort) == $c' "$c"
  jq -e '.process.rlimits[] | select(.type == "RLIMIT_NOFILE") | .soft == 1024 and .hard == 1024' "$c"
  jq -e '.linux.maskedPaths | index("/proc/kcore") and index("/proc/keys") and index("/sys/firmware")' "$c"
  jq -e '.linux.readonlyPaths | index("/proc/sys") and index("/proc/sysrq-trigger")' "$c"
}

@test "spec --rootless adds a user namespace without id mappings" {
  cd "$BATS_TEST_TMPDIR"
  rrun spec --rootless
  assert_success
  jq -e '[.linux.namespaces[].type] | sort == ["cgroup", "ipc", "mount", "network", "pid", "user", "uts"]' config.json
  jq -e '.linux.uidMappings == null and .linux.gidMappings == null' config.json
}

@test "spec --bundle writes config.json into that directory" {
  local d="$BATS_TEST_TMPDIR/elsewhere"
  mkdir "$d"
  cd "$BATS_TEST_TMPDIR"
  rrun spec --bundle "$d"
  assert_success
  [ -f "$d/config.json" ] || fail "no $d/config.json"
  [ ! -e "$BATS_TEST_TMPDIR/config.json" ] || fail "config.json also written in the cwd"
  jq -e '.ociVersion | startswith("1.")' "$d/config.json"
}

@test "spec refuses to overwrite an existing config.json" {
  cd "$BATS_TEST_TMPDIR"
  echo '{"keep":"me"}' >config.json
  rrun spec
  assert_error
  [ "$(cat config.json)" = '{"keep":"me"}' ] || fail "config.json was modified"
}

@test "features prints the runtime-spec features document" {
  rrun features
  assert_success
  echo "$output" | jq -e '.ociVersionMin | startswith("1.")'
  echo "$output" | jq -e '.ociVersionMax | startswith("1.")'
  echo "$output" | jq -e '.hooks | sort == ["createContainer","createRuntime","poststart","poststop","prestart","startContainer"]'
  echo "$output" | jq -e '.mountOptions | index("rbind") and index("ro") and index("nosuid") and index("tmpcopyup")'
  echo "$output" | jq -e '.linux.cgroup.v2 == true and .linux.cgroup.v1 == false'
  echo "$output" | jq -e '.linux.namespaces | index("user") and index("pid") and index("network") and index("mount")'
}

@test "list on an empty state dir prints the header, nothing with -q and an empty JSON array" {
  rrun list
  assert_success
  [[ "${lines[0]}" == ID* ]] || fail "table header should start with ID"
  [ "${#lines[@]}" -eq 1 ] || fail "expected only the header"
  rrun list -q
  assert_success
  assert_output_equals ""
  rrun list --format json
  assert_success
  echo "$output" | jq -e 'type == "array" and length == 0' || fail "expected []"
}

@test "list shows containers as table, ids (-q) and JSON" {
  update_config '.process.args = ["sleep", "100"]'
  create_ctr one
  create_ctr two
  rrun list
  assert_success
  [[ "${lines[0]}" == ID* ]] || fail "table header should start with ID"
  grep -Eq '^one[[:space:]].*created' <<<"$output" || fail "no row for 'one' with status created"
  grep -Eq '^two[[:space:]].*created' <<<"$output" || fail "no row for 'two' with status created"
  rrun list -q
  assert_success
  [ "$(sort <<<"$output")" = "$(printf 'one\ntwo')" ] || fail "list -q should print exactly the two ids"
  rrun list --format json
  assert_success
  echo "$output" | jq -e 'type == "array" and length == 2' || fail "expected an array of 2"
  echo "$output" | jq -e 'map(.id) | sort == ["one", "two"]' || fail "ids"
  echo "$output" | jq -e 'map(.status) | unique == ["created"]' || fail "statuses"
}

@test "state reports id, status, pid, absolute bundle, annotations, rootfs, created and owner" {
  update_config '.process.args = ["sleep", "100"] | .annotations = {"org.example.key": "value-1"}'
  private_rootfs # root.path "rootfs", relative to the bundle
  cd "$BATS_TEST_TMPDIR"
  # A relative --bundle must be recorded as an absolute path.
  last_cmd="create --bundle bundle c1"
  rt create --bundle bundle c1 </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err" || fail "create failed: $(cat "$BATS_TEST_TMPDIR/err")"
  rrun state c1
  assert_success
  echo "$output"
  local s=$output
  jq -e '.ociVersion | startswith("1.")' <<<"$s"
  jq -e '.id == "c1"' <<<"$s"
  jq -e '.status == "created"' <<<"$s"
  jq -e '.pid | type == "number" and . > 1' <<<"$s"
  jq -e --arg b "$(realpath "$BUNDLE")" '.bundle == $b' <<<"$s" || fail "bundle should be $BUNDLE"
  jq -e '.annotations["org.example.key"] == "value-1"' <<<"$s"
  jq -e 'has("rootfs") and has("created") and has("owner")' <<<"$s"
  jq -e --arg r "$(realpath "$BUNDLE/rootfs")" '.rootfs == $r' <<<"$s"
  pid_alive "$(jq -r .pid <<<"$s")" || fail "state pid is not a live process"
}

@test "global flags --debug, --systemd-cgroup, --rootless and --log-format text are accepted" {
  update_config '.process.args = ["true"]'
  run_ctr flags
  assert_success
  rrun --debug --systemd-cgroup --rootless auto --log "$BATS_TEST_TMPDIR/log" --log-format text list
  assert_success
  if ! is_rootless; then
    rrun --rootless false list
    assert_success
  fi
}

@test "--log with --log-format json records a failing create as a JSON error line" {
  rm "$BUNDLE/config.json"
  local log="$BATS_TEST_TMPDIR/runtime.log"
  rrun --log "$log" --log-format json create --bundle "$BUNDLE" broken
  assert_failure
  [ -s "$log" ] || fail "log file is empty"
  cat "$log"
  # Every line is JSON; one of them is an error with msg and time.
  jq -e . "$log" >/dev/null || fail "log is not JSON lines"
  jq -s -e 'map(select(.level == "error" and (.msg | type == "string") and has("time"))) | length >= 1' "$log" ||
    fail "no {\"level\":\"error\",\"msg\":...,\"time\":...} line"
}

@test "run without --bundle uses the current directory" {
  set_cmd 'echo from-cwd-bundle'
  cd "$BUNDLE"
  rrun run nobundle
  assert_success
  assert_output_equals "from-cwd-bundle"
}

# roost-runtime reads its global options before the command and again among the command's own
# (cli/runtime/main.cpp): these check both places, and the forms getopt_long takes.
@test "global flags after the command work as before it, with --opt VALUE and --opt=VALUE" {
  update_config '.process.args = ["true"]'
  timeout -k 5 "$RT_TIMEOUT" "$ROOST_RUNTIME" create --bundle "$BUNDLE" --root "$STATE" --debug after </dev/null 3>&- ||
    fail "create with --root after the command failed"
  rrun state after
  assert_success
  [ "$(jq -r .status <<<"$output")" = created ] || fail "the container is not in --root's state dir"
  timeout -k 5 "$RT_TIMEOUT" "$ROOST_RUNTIME" delete --root="$STATE" --force after </dev/null 3>&- ||
    fail "delete with --root=DIR after the command failed"
  rrun state after
  assert_error "not exist|no such|not found"
}

@test "a global option's value that is a command name is still its value" {
  mkdir "$BATS_TEST_TMPDIR/logs"
  cd "$BATS_TEST_TMPDIR/logs"
  rrun --log state --log-format json list -q
  assert_success
  assert_output_equals ""
  [ -f state ] || fail "--log's value 'state' was not taken as the log file"
  # --log= with nothing after = is an empty value (no log file), as getopt_long reads it: the
  # next argument is the command.
  rrun --log= spec
  assert_success
  [ -f config.json ] || fail "'--log= spec' did not run spec"
  rrun --log state --log-format json list -q extra
  assert_error 'list: unexpected argument "extra"'
}

@test "--help of a command prints that command's options, wherever it is" {
  local args name
  for args in "create --help:create" "-h exec:exec" "kill -h:kill" "run -dh:run"; do
    name=${args#*:}
    rrun ${args%:*}
    assert_success
    assert_output_contains "Usage: roost-runtime $name [OPTIONS]"
  done
  rrun create --help
  assert_output_contains "--pid-file"
  assert_output_contains "--preserve-fds"
  assert_output_not_contains "--force"
  rrun exec --help
  assert_output_contains "--cap"
  assert_output_contains "--process"
}

@test "an unknown command, a command's option before the command, and a second command are errors" {
  rrun --debug frobnicate
  assert_error 'unknown command "frobnicate"'
  rrun --force delete x
  assert_error "unknown option --force"
  rrun state nope list
  assert_error 'state: unexpected argument "list"'
  rrun --debug
  assert_error "a command is needed"
  rrun create --preserve-fds -1 x
  assert_error 'create: --preserve-fds needs a number 0 or more, not "-1"'
  rrun list --format xml
  assert_error 'list: --format is one of table, json, not "xml"'
  rrun create --bundle
  assert_error "create: --bundle needs a value"
  rrun update x
  assert_error "update needs --resources FILE"
  rrun kill nope start
  assert_error 'unknown signal "start"'
  rrun LIST
  assert_error
  rrun ls -q
  assert_success
}
