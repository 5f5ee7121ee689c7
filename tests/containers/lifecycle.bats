#!/usr/bin/env bats
# A container's life: create, start, stop, start again, kill, wait, rm, rename; what ps, logs,
# inspect and port say about it; exec into it. Each against rootless podman 4.3 where the output
# does not hold ids or times.

load helpers

setup_file() { containers_setup_file podman; }
teardown_file() { containers_teardown_file; }

teardown() {
  pm rm --all --force --time 0 >/dev/null 2>&1 || true
  ctr_teardown
}

# both ARGS...: the same command through podman and roost (for set-up steps whose output holds ids).
# (podman's rm -f of a container whose pid 1 ignores SIGTERM waits 10 s: the tests give it -t 0,
# roost's rm -f kills at once.)
both() {
  pm "$@" >/dev/null || { echo "podman $* failed"; return 1; }
  roost_ "$@" >/dev/null || { echo "roost $* failed"; return 1; }
}

# A container that says it started, exits 0 on SIGTERM and 5 on SIGUSR1.
SERVICE='echo started; trap "echo got TERM; exit 0" TERM; trap "echo got USR1; exit 5" USR1; while :; do sleep 0.1; done'

@test "create, start, stop, start again: created -> running -> exited (0) -> running" {
  both create --name c busybox sh -c "$SERVICE"
  agree ps -a --format '{{.Names}} {{.Status}}'
  [ "$output" = "c Created" ]
  agree inspect --format '{{.State.Status}}' c
  [ "$output" = created ]
  both start c
  agree inspect --format '{{.State.Status}}' c
  [ "$output" = running ]
  wait_for 10 eval 'roost_ logs c | grep -q started'
  agree stop c
  [ "$output" = c ]
  agree inspect --format '{{.State.Status}} {{.State.ExitCode}}' c
  [ "$output" = "exited 0" ]
  both start c
  agree inspect --format '{{.State.Status}}' c
  [ "$output" = running ]
  wait_for 10 eval '[ "$(roost_ logs c | grep -c started)" = 2 ]'
  agree rm -f c
  [ "$output" = c ]
}

@test "stop -t 1 of a container that ignores SIGTERM: SIGKILL after 1 s, exit 137" {
  both run -d --name stubborn busybox sh -c 'trap "" TERM; while :; do sleep 0.1; done'
  start=$SECONDS
  run roost_ stop -t 1 stubborn
  [ "$status" -eq 0 ]
  [ $((SECONDS - start)) -lt 6 ]
  pm stop -t 1 stubborn >/dev/null 2>&1
  agree inspect --format '{{.State.Status}} {{.State.ExitCode}}' stubborn
  [ "$output" = "exited 137" ]
  agree rm stubborn
}

@test "kill -s USR1 sends the signal; wait prints the exit code" {
  both run -d --name k busybox sh -c "$SERVICE"
  wait_for 10 eval 'roost_ logs k | grep -q started'
  wait_for 10 eval 'pm logs k | grep -q started'
  agree kill -s USR1 k
  agree wait k
  [ "$output" = 5 ]
  # wait of an exited container prints its code at once.
  agree wait k
  [ "$output" = 5 ]
  agree logs k
  [ "$output" = "$(printf 'started\ngot USR1')" ]
  agree rm k
}

@test "kill (SIGKILL by default): exit 137" {
  both run -d --name k9 busybox sleep 1000
  agree kill k9
  agree wait k9
  [ "$output" = 137 ]
  agree rm k9
}

@test "rm -f of a running container: it and its processes are gone" {
  roost_ run -d --name doomed busybox sleep 1000 >/dev/null
  pid=$(roost_ inspect --format '{{.State.Pid}}' doomed)
  [ "$pid" -gt 0 ]
  run roost_ rm -f doomed
  [ "$status" -eq 0 ]
  [ "$output" = doomed ]
  pid_gone "$pid"
  run --separate-stderr roost_ inspect doomed
  [ "$status" -ne 0 ]
  run roost_ ps -a -q
  [ "$output" = "" ]
}

@test "stop then rm at once: the rm is not refused while the stopped container's monitor finishes" {
  for i in 1 2 3 4 5; do
    roost_ run -d --name sr busybox sleep 1000 >/dev/null
    roost_ exec sr true
    roost_ stop -t 0 sr >/dev/null
    run --separate-stderr roost_ rm sr
    [ "$status" -eq 0 ] || { echo "round $i"; show_all; return 1; }
  done
}

@test "rm of a running container without -f is refused" {
  both run -d --name alive busybox sleep 1000
  agree rm alive
  [ "$status" -eq 2 ]  # podman's "container state improper"
  [[ "$stderr" == *"cannot remove container"*"as it is running"* ]]
  [ "$(ctr_status alive)" = running ]
  pm rm -f -t 0 alive >/dev/null
  run roost_ rm -f alive
  [ "$status" -eq 0 ]
}

@test "rename: the new name finds it, the old one is free" {
  both create --name old busybox true
  id=$(ctr_id old)
  agree rename old new
  [ "$(ctr_id new)" = "$id" ]
  agree inspect --format '{{.Name}}' new
  [ "$output" = new ]
  run roost_ inspect old
  [ "$status" -ne 0 ]
  run roost_ create --name old busybox true
  [ "$status" -eq 0 ]
  agree rm new
  roost_ rm old
}

@test "podman's other names (container ls, container rm, volume list), container inspect; a group alone lists its commands" {
  both create --name c busybox true
  agree container ls -a --format '{{.Names}} {{.Status}}'
  [ "$output" = "c Created" ]
  agree container inspect --format '{{.State.Status}}' c
  [ "$output" = created ]
  # containers only: the image of that name is not shown, in podman's words
  agree container inspect busybox
  [[ "$stderr" == *"no such container busybox"* ]]
  run roost_ container list -a -q --no-trunc
  [ "$status" = 0 ] && [ "$output" = "$(roost_ inspect --format '{{.Id}}' c)" ]
  agree container rm c
  [ "$output" = c ]
  agree volume list -q
  run --separate-stderr roost_ volume
  one_error "missing command 'roost volume COMMAND'"
  [[ "$output" == *"  prune "* ]]
  run --separate-stderr roost_ container frobnicate
  one_error 'unknown command "container frobnicate"'
}

@test "ps: -a, -q, --filter name= and status=, --format json with podman's fields and status strings" {
  both run -d --name up busybox sleep 1000
  for e in pm roost_; do run $e run --name done busybox sh -c 'exit 3'; [ "$status" -eq 3 ]; done
  both create --name fresh busybox true
  agree ps --format '{{.Names}}'
  [ "$output" = up ]
  agree ps -a --format '{{.Names}} {{.Status}}' --filter name=fresh
  [ "$output" = "fresh Created" ]
  agree ps -a --filter status=exited --format '{{.Names}}'
  [ "$output" = done ]
  run roost_ ps -a -q
  [ "${#lines[@]}" -eq 3 ]
  for l in "${lines[@]}"; do [[ "$l" =~ ^[0-9a-f]{12}$ ]]; done
  run roost_ ps -a --format json
  [ "$status" -eq 0 ]
  json=$output
  [ "$(jq length <<<"$json")" = 3 ]
  [ "$(jq -r '.[] | select(.Names[0] == "done") | "\(.State) \(.ExitCode)"' <<<"$json")" = "exited 3" ]
  [[ "$(jq -r '.[] | select(.Names[0] == "done") | .Status' <<<"$json")" == "Exited (3) "* ]]
  [[ "$(jq -r '.[] | select(.Names[0] == "up") | .Status' <<<"$json")" == "Up "* ]]
  [ "$(jq -r '.[] | select(.Names[0] == "fresh") | .Status' <<<"$json")" = Created ]
  [[ "$(jq -r '.[] | select(.Names[0] == "up") | .Id' <<<"$json")" =~ ^[0-9a-f]{64}$ ]]
  [ "$(jq -r '.[] | select(.Names[0] == "up") | .Image' <<<"$json")" = localhost/busybox:latest ]
  # podman's output has the same fields for these.
  run pm ps -a --format json
  [ "$(jq -r '[.[] | .Names[0] + " " + .State] | sort | join(",")' <<<"$output")" = \
    "$(jq -r '[.[] | .Names[0] + " " + .State] | sort | join(",")' <<<"$json")" ]
  pm rm -f -t 0 up done fresh >/dev/null
  run roost_ rm -f up done fresh
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'up\ndone\nfresh')" ]
}

@test "logs: stdout and stderr apart, -t, --tail, --since" {
  both run --name lg busybox sh -c 'for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2'
  agree logs lg
  [ "$output" = "$(printf 'line1\nline2\nline3\nline4\nline5')" ]
  [ "$stderr" = oops ]
  agree logs --tail 2 lg
  [ "$output" = line5 ]
  [ "$stderr" = oops ]
  run --separate-stderr roost_ logs -t lg
  [ "${#lines[@]}" -eq 5 ]
  [[ "${lines[0]}" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})\ line1$ ]]
  agree logs --since 2000-01-01T00:00:00Z lg
  [ "${#lines[@]}" -eq 5 ]
  agree logs --since 2999-01-01T00:00:00Z lg
  [ "$output" = "" ]
  agree rm lg
}

@test "logs -f follows until the container exits" {
  both run -d --name fl busybox sh -c 'echo one; sleep 1; echo two'
  start=$SECONDS
  agree logs -f fl
  [ "$output" = "$(printf 'one\ntwo')" ]
  [ $((SECONDS - start)) -lt 10 ]
  agree rm fl
}

@test "inspect: {{.State.Status}}, {{json .Config}}, {{range}}, and the whole object as JSON" {
  both create --name ins -e A=1 -w /tmp busybox echo hi
  agree inspect --format '{{.State.Status}}' ins
  [ "$output" = created ]
  run roost_ inspect --format '{{json .Config}}' ins
  [ "$status" -eq 0 ]
  [ "$(jq -c .Cmd <<<"$output")" = '["echo","hi"]' ]
  [ "$(jq -r .WorkingDir <<<"$output")" = /tmp ]
  # (podman's Env adds TERM, container=podman and HOSTNAME: roost's need not be the same list)
  run roost_ inspect --format '{{range .Config.Env}}<{{.}}>{{end}}' ins
  [ "$status" -eq 0 ]
  [[ "$output" == *"<A=1>"* ]]
  [[ "$output" == *"<PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin>"* ]]
  both create --name labeled --label b=2 --label a=1 busybox true
  agree inspect --format '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}' labeled
  [ "$output" = "a=1;b=2;" ]
  agree rm labeled
  run roost_ inspect ins
  [ "$(jq -r '.[0].Name' <<<"$output")" = ins ]
  [ "$(jq -r '.[0].Id' <<<"$output")" = "$(ctr_id ins)" ]
  agree rm ins
}

@test "port: the published ports, all or one" {
  port=$(free_tcp_port)
  roost_ run -d --name pt -p "127.0.0.1:$port:80" busybox sleep 1000 >/dev/null
  run roost_ port pt
  [ "$status" -eq 0 ]
  [ "$output" = "80/tcp -> 127.0.0.1:$port" ]
  run roost_ port pt 80
  [ "$output" = "127.0.0.1:$port" ]
  roost_ rm -f pt
}

@test "exec: -e, -w, -i, exit codes (7, 126, 127)" {
  both run -d --name ex busybox sleep 1000
  agree exec -e X=from-exec ex sh -c 'echo $X'
  [ "$output" = from-exec ]
  agree exec -w /tmp ex pwd
  [ "$output" = /tmp ]
  run piped hi roost_ exec -i ex cat
  [ "$output" = hi ]
  agree exec ex sh -c 'exit 7'
  [ "$status" -eq 7 ]
  agree exec ex /etc
  [ "$status" -eq 126 ]
  agree exec ex /no/such
  [ "$status" -eq 127 ]
  pm rm -f -t 0 ex >/dev/null
  roost_ rm -f ex
}

@test "exec -d: the command runs in the background, exec returns at once" {
  roost_ run -d --name exd busybox sleep 1000 >/dev/null
  run roost_ exec -d exd sh -c 'sleep 0.5; echo done >/tmp/flag'
  [ "$status" -eq 0 ]
  wait_for 10 eval '[ "$(roost_ exec exd cat /tmp/flag 2>/dev/null)" = done ]'
  roost_ rm -f exd
}

@test "exec -d -t: the session gets a terminal, which the monitor reads until the session ends" {
  both run -d --name exdt busybox sleep 1000
  # podman takes -d -t too.
  run pm exec -dt exdt sh -c 'tty >/tmp/tty'
  show
  [ "$status" -eq 0 ]
  local monitor terminals
  monitor=$(roost_ inspect -f '{{.State.ConmonPid}}' exdt)
  [ "$monitor" -gt 0 ]
  terminals() { find "/proc/$monitor/fd" -lname '*/ptmx' 2>/dev/null | wc -l; }
  [ "$(terminals)" -eq 0 ]
  # 256 KiB of output, more than a pty holds: it must be read for the session to get further.
  # Then it waits for /tmp/end.
  run roost_ exec -dt exdt sh -c 'tty >/tmp/tty; head -c 262144 /dev/zero; echo written >/tmp/done
                                  until [ -e /tmp/end ]; do sleep 0.1; done'
  show
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
  wait_for 10 eval '[ "$(roost_ exec exdt cat /tmp/done 2>/dev/null)" = written ]'
  run roost_ exec exdt cat /tmp/tty
  [[ "$output" == /dev/pts/* ]]
  [ "$(terminals)" -eq 1 ]
  # The session over, the monitor lets its terminal go.
  roost_ exec exdt touch /tmp/end
  wait_for 10 eval '[ "$(terminals)" -eq 0 ]'
  # Its console socket is gone from the run dir.
  [ -z "$(find "${CTR_RUNROOT:-$CTR_WORK/run}" -name 'exec-*.sock')" ]
  pm rm -f -t 0 exdt >/dev/null
  roost_ rm -f exdt
}

@test "exec in a stopped container is refused" {
  both create --name stopped busybox true
  run --separate-stderr roost_ exec stopped true
  # podman: 255, "can only create exec sessions on running containers"; roost: its own error.
  one_error 'running'
  agree rm stopped
}
