#!/usr/bin/env bats
# hooks: prestart, createRuntime, createContainer, startContainer, poststart, poststop.

load helpers

# The host-side hook: appends "NAME<TAB>STATE-JSON-ON-ONE-LINE" to $HOOKLOG (args: NAME LOG).
# startContainer runs in the container, so it uses the container's sh and the log bind-mounted at /out.
write_hook() {
  HOOK="$BATS_TEST_TMPDIR/hook.sh"
  HOOKLOG="$OUT/hooks.log"
  cat >"$HOOK" <<'SH'
#!/bin/sh
state=$(cat | tr -d '\n')
printf '%s\t%s\n' "$1" "$state" >> "$2"
SH
  chmod 755 "$HOOK"
}

# hook_entry NAME: a hooks[] entry running $HOOK NAME $HOOKLOG on the host.
hook_entry() {
  jq -n --arg p "$HOOK" --arg n "$1" --arg l "$HOOKLOG" '{path: $p, args: [$p, $n, $l]}'
}

# The state JSON the hook NAME received.
hook_state() { awk -F'\t' -v n="$1" '$1 == n {print $2}' "$HOOKLOG"; }

all_hooks() {
  write_hook
  mount_out
  update_config \
    --argjson prestart "$(hook_entry prestart)" \
    --argjson createRuntime "$(hook_entry createRuntime)" \
    --argjson createContainer "$(hook_entry createContainer)" \
    --argjson poststart "$(hook_entry poststart)" \
    --argjson poststop "$(hook_entry poststop)" \
    '.hooks = {prestart: [$prestart], createRuntime: [$createRuntime], createContainer: [$createContainer],
      startContainer: [{path: "/bin/sh", args: ["sh", "-c", "printf \"startContainer\\t%s\\n\" \"$(cat | tr -d \"\\n\")\" >> /out/hooks.log"]}],
      poststart: [$poststart], poststop: [$poststop]}'
}

@test "all six hooks run in lifecycle order and get the container state on stdin" {
  all_hooks
  set_cmd 'printf "program\t{}\n" >> /out/hooks.log; while [ ! -e /out/go ]; do sleep 0.05; done'
  create_ctr hk
  local pid
  pid=$(state_field hk pid)
  cat "$HOOKLOG"
  assert_equal "$(cut -f1 "$HOOKLOG" | tr '\n' ' ')" "prestart createRuntime createContainer " "hooks after create" || return 1
  local h
  for h in prestart createRuntime createContainer; do
    hook_state "$h" | jq -e --arg b "$(realpath "$BUNDLE")" '.id == "hk" and .status == "creating" and .bundle == $b' ||
      fail "$h got wrong state: $(hook_state "$h")"
  done
  # The hooks that run in the runtime namespace see the container's host pid.
  for h in prestart createRuntime; do
    hook_state "$h" | jq -e --argjson pid "$pid" '.pid == $pid' || fail "$h got pid $(hook_state "$h" | jq .pid), want $pid"
  done
  rrun start hk
  assert_success
  wait_until 10 grep -q '^poststart' "$HOOKLOG"
  wait_until 10 grep -q '^program' "$HOOKLOG"
  cat "$HOOKLOG"
  # startContainer runs before the program; poststart after startContainer.
  assert_equal "$(cut -f1 "$HOOKLOG" | sed -n 4p)" startContainer "4th hook" || return 1
  hook_state startContainer | jq -e '.id == "hk" and (.status == "created" or .status == "running")' ||
    fail "startContainer got wrong state: $(hook_state startContainer)"
  hook_state poststart | jq -e --argjson pid "$pid" '.id == "hk" and .status == "running" and .pid == $pid' ||
    fail "poststart got wrong state: $(hook_state poststart)"
  touch "$OUT/go"
  wait_status hk stopped
  ! grep -q '^poststop' "$HOOKLOG" || fail "poststop ran before delete"
  rrun delete hk
  assert_success
  cat "$HOOKLOG"
  assert_equal "$(cut -f1 "$HOOKLOG" | tail -1)" poststop "last hook" || return 1
  hook_state poststop | jq -e '.id == "hk" and .status == "stopped"' || fail "poststop got wrong state: $(hook_state poststop)"
  [ "$(cut -f1 "$HOOKLOG" | sort | uniq -d)" = "" ] || fail "a hook ran twice"
}

@test "run runs the hooks including poststop" {
  all_hooks
  update_config '.process.args = ["true"]'
  run_ctr hk
  assert_success
  cat "$HOOKLOG"
  assert_equal "$(cut -f1 "$HOOKLOG" | tr '\n' ' ')" "prestart createRuntime createContainer startContainer poststart poststop " "hooks"
}

@test "hooks get their args and env from the config" {
  write_hook
  cat >"$HOOK" <<'SH'
#!/bin/sh
cat >/dev/null
echo "args=$1,$2 env=$HOOK_VAR" >> "$3"
SH
  update_config --arg p "$HOOK" --arg l "$OUT/args.log" \
    '.hooks = {createRuntime: [{path: $p, args: [$p, "first", "second", $l], env: ["HOOK_VAR=hook-value"]}]} | .process.args = ["true"]'
  run_ctr hk
  assert_success
  [ "$(cat "$OUT/args.log")" = "args=first,second env=hook-value" ] || fail "hook saw: $(cat "$OUT/args.log")"
}

@test "a failing prestart hook makes create fail and leaves nothing behind" {
  update_config '.hooks = {prestart: [{path: "/bin/sh", args: ["sh", "-c", "exit 3"]}]} | .process.args = ["sleep", "100"]'
  rrun create --bundle "$BUNDLE" c1
  assert_error
  assert_clean
}

@test "a failing createRuntime hook makes create fail and leaves nothing behind" {
  update_config '.hooks = {createRuntime: [{path: "/bin/false", args: ["false"]}]} | .process.args = ["sleep", "100"]'
  rrun create --bundle "$BUNDLE" c1
  assert_error
  assert_clean
}

@test "a failing createContainer hook makes create fail" {
  update_config '.hooks = {createContainer: [{path: "/bin/sh", args: ["sh", "-c", "exit 1"]}]} | .process.args = ["sleep", "100"]'
  rrun create --bundle "$BUNDLE" c1
  assert_error
  assert_clean
}

@test "a hook that exceeds its timeout fails the create" {
  update_config '.hooks = {createRuntime: [{path: "/bin/sleep", args: ["sleep", "30"], timeout: 1}]} | .process.args = ["sleep", "100"]'
  local t0=$SECONDS
  rrun create --bundle "$BUNDLE" c1
  assert_error
  [ $((SECONDS - t0)) -lt 15 ] || fail "create took $((SECONDS - t0))s, the timeout was 1s"
  assert_clean
}

@test "a hook that does not exist fails the create" {
  update_config '.hooks = {prestart: [{path: "/nonexistent/hook"}]} | .process.args = ["sleep", "100"]'
  rrun create --bundle "$BUNDLE" c1
  assert_error
  assert_clean
}
