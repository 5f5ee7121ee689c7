#!/usr/bin/env bats
# roost run's flags and exit codes, each against rootless podman 4.3 where podman has the case
# (same exit code, same output of the container). Run as root: roost and podman run as CTR_USER.

load helpers

setup_file() {
  containers_setup_file podman
  # An image with Entrypoint, Cmd, Env and WorkingDir of its own, for roost and for podman.
  make_image_archive "$CTR_WORK/defaults.tar" localhost/defaults:latest \
    '{"Entrypoint":["sh","-c","echo \"$0 $IMGVAR $(pwd)\""],"Cmd":["from-cmd"],"Env":["PATH=/usr/bin:/bin","IMGVAR=from-image"],"WorkingDir":"/srv"}'
  roost_ load -q -i "$CTR_WORK/defaults.tar" >/dev/null
  pm load -q -i "$CTR_WORK/defaults.tar" >/dev/null
  # An image whose WorkingDir is not in its layers: podman makes it at start.
  make_image_archive "$CTR_WORK/missingwd.tar" localhost/missingwd:latest '{"Cmd":["pwd"],"WorkingDir":"/made/at/start"}'
  roost_ load -q -i "$CTR_WORK/missingwd.tar" >/dev/null
  pm load -q -i "$CTR_WORK/missingwd.tar" >/dev/null
}

teardown_file() { containers_teardown_file; }

teardown() {
  pm rm --all --force --time 0 >/dev/null 2>&1 || true
  ctr_teardown
}

@test "run: the container's stdout and stderr reach run's stdout and stderr; exit 0" {
  agree run --rm busybox sh -c 'echo to-stdout; echo to-stderr >&2'
  [ "$status" -eq 0 ]
  [ "$output" = to-stdout ]
  [ "$stderr" = to-stderr ]
}

@test "run: the container's exit code is run's (3)" {
  agree run --rm busybox sh -c 'exit 3'
  [ "$status" -eq 3 ]
}

@test "run: an unknown flag is roost's own error, 125" {
  agree run --rm --no-such-flag busybox true
  [ "$status" -eq 125 ]
  [[ "$stderr" == "Error: "* ]]
}

@test "run: a command that cannot be invoked (/etc) is 126" {
  agree run --rm busybox /etc
  [ "$status" -eq 126 ]
  [[ "$stderr" == *"Error: "* ]]
}

@test "run: a command that does not exist (/no/such) is 127" {
  agree run --rm busybox /no/such
  [ "$status" -eq 127 ]
  [[ "$stderr" == *"Error: "* ]]
}

@test "run -e and --env-file: the file's variables, then -e's (later wins per key)" {
  printf 'A=from-file\n# a comment\nB=b\n\n' >"$CTR_HOST/env"
  chmod 644 "$CTR_HOST/env"
  agree run --rm --env-file "$CTR_HOST/env" -e A=from-cli -e D=d busybox sh -c 'echo "$A $B $D"'
  [ "$output" = "from-cli b d" ]
}

@test "run -w: the process starts in that directory" {
  agree run --rm -w /tmp busybox pwd
  [ "$output" = /tmp ]
}

@test "run: the root directory has the image's mode (755), so any user inside can walk it" {
  # Not `agree`: podman 4.3 prints 555 here. containers/storage gives a base layer without a "./"
  # entry (the built-in image's) the root mode 0555 and the container's upper dir its parent's;
  # roost's layer store makes that root 0755, and the upper dir takes it as podman's does.
  run --separate-stderr roost_ run --rm busybox stat -c %a /
  [ "$status" -eq 0 ]
  [ "$output" = 755 ]
  agree run --rm -u 65534:65534 busybox ls -d /tmp
  [ "$output" = /tmp ]
}

@test "run --entrypoint replaces the image's entrypoint; the command line is its argument" {
  agree run --rm --entrypoint echo busybox hello there
  [ "$output" = "hello there" ]
}

@test "run: the image's Entrypoint, Cmd, Env and WorkingDir apply; the command line replaces Cmd" {
  agree run --rm localhost/defaults
  [ "$output" = "from-cmd from-image /srv" ]
  agree run --rm localhost/defaults other-arg
  [ "$output" = "other-arg from-image /srv" ]
  agree run --rm -e IMGVAR=from-cli -w / localhost/defaults
  [ "$output" = "from-cmd from-cli /" ]
}

@test "run: an image's WorkingDir missing from the rootfs is made (owned by the user); a missing -w is 126" {
  agree run --rm localhost/missingwd
  [ "$status" -eq 0 ]
  [ "$output" = /made/at/start ]
  agree run --rm -u 1000:1000 localhost/missingwd stat -c %u:%g .
  [ "$output" = 1000:1000 ]
  agree run --rm -w /no/such/dir busybox pwd
  [ "$status" -eq 126 ]
  [[ "$stderr" == 'Error: workdir "/no/such/dir" does not exist on container '* ]]
  [ "$(grep -c . <<<"$stderr")" = 1 ]
}

@test "run --hostname sets the container's hostname" {
  agree run --rm --hostname box.example busybox hostname
  [ "$output" = box.example ]
}

@test "run --add-host adds a line to /etc/hosts" {
  run roost_ run --rm --add-host db.local:10.9.8.7 busybox cat /etc/hosts
  show
  [ "$status" -eq 0 ]
  grep -qE '^10\.9\.8\.7[[:space:]]+db\.local$' <<<"$output"
  grep -qE '^127\.0\.0\.1[[:space:]]+localhost' <<<"$output"
}

@test "run --dns writes the nameserver to /etc/resolv.conf" {
  agree run --rm --dns 10.1.2.3 busybox grep nameserver /etc/resolv.conf
  [ "$output" = "nameserver 10.1.2.3" ]
}

@test "run --read-only: the root filesystem cannot be written" {
  agree run --rm --read-only busybox touch /x
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"Read-only file system"* ]]
}

@test "run: capabilities are podman's default set" {
  agree run --rm busybox grep -E '^Cap(Prm|Eff|Bnd):' /proc/self/status
  grep -q 'CapEff:.00000000800405fb' <<<"$output"
}

@test "run --cap-drop all leaves none; --cap-add gives that one back" {
  agree run --rm --cap-drop all busybox grep -E '^Cap(Eff|Bnd):' /proc/self/status
  grep -q 'CapEff:.0000000000000000' <<<"$output"
  agree run --rm --cap-drop all --cap-add NET_ADMIN busybox grep CapEff /proc/self/status
  grep -q 'CapEff:.0000000000001000' <<<"$output"
}

@test "run --security-opt no-new-privileges sets NoNewPrivs" {
  agree run --rm busybox grep NoNewPrivs /proc/self/status
  [[ "$output" == *"0" ]]
  agree run --rm --security-opt no-new-privileges busybox grep NoNewPrivs /proc/self/status
  [[ "$output" == *"1" ]]
}

@test "run: a seccomp filter by default (Seccomp: 2), none with seccomp=unconfined" {
  agree run --rm busybox grep '^Seccomp:' /proc/self/status
  [[ "$output" == *2 ]]
  agree run --rm --security-opt seccomp=unconfined busybox grep '^Seccomp:' /proc/self/status
  [[ "$output" == *0 ]]
}

@test "run --privileged: every capability, no seccomp filter" {
  agree run --rm --privileged busybox grep -E '^(CapEff|Seccomp):' /proc/self/status
  [[ "$output" == *"Seccomp:"*0 ]]
}

@test "run --rm: the container is gone when run returns (the name can be used again at once)" {
  run roost_ run --rm --name once busybox true
  [ "$status" -eq 0 ]
  run roost_ ps -a -q
  [ "$output" = "" ]
  [ -z "$(store_containers)" ]
  run roost_ run --rm --name once busybox true
  [ "$status" -eq 0 ]
}

@test "run --rm: the rootfs overlay is volatile (no sync of what is thrown away, as podman's); without --rm it is not" {
  # The root's line of mountinfo: "... / / OPTS - overlay overlay SUPER_OPTS".
  run roost_ run --rm busybox sh -c "grep ' / / ' /proc/self/mountinfo"
  [ "$status" -eq 0 ]
  [[ "$output" == *" - overlay "* ]] || skip "the store does not use the kernel's overlay here: $output"
  [[ "$output" == *volatile* ]]
  run roost_ run --name kept busybox sh -c "grep ' / / ' /proc/self/mountinfo"
  [ "$status" -eq 0 ]
  [[ "$output" == *" - overlay "* ]]
  [[ "$output" != *volatile* ]]
  # A second start of the same container mounts its upper and work dirs again.
  run roost_ start -a kept
  [ "$status" -eq 0 ]
  roost_ rm kept >/dev/null
  # A --rm container whose start fails after its (volatile) mount is kept, and its work dir
  # holds overlay's volatile marker: a second start and a cp mount it again all the same.
  run roost_ create --rm --name again -w /no/such busybox true
  [ "$status" -eq 0 ]
  run roost_ start -a again
  [ "$status" -eq 126 ]
  run roost_ start -a again
  [ "$status" -eq 126 ]
  [[ "$output" != *"mount overlay"* ]]
  echo data >"$CTR_WORK/cp-in"
  chmod 644 "$CTR_WORK/cp-in"
  run roost_ cp "$CTR_WORK/cp-in" again:/cp-in
  [ "$status" -eq 0 ]
  roost_ rm -f again >/dev/null
}

@test "run --name: a name in use is refused (125), the first container is untouched" {
  pm create --name taken busybox true >/dev/null
  run roost_ create --name taken busybox true
  [ "$status" -eq 0 ]
  id=$output
  agree run --rm --name taken busybox true
  one_error 'already in use'
  [ "$(ctr_id taken)" = "$id" ]
  roost_ rm taken
}

@test "run -i: piped stdin reaches the container; without -i it gets none" {
  run --separate-stderr piped hi roost_ run --rm -i busybox cat
  [ "$status" -eq 0 ]
  [ "$output" = hi ]
  run --separate-stderr piped hi pm run --rm -i busybox cat
  [ "$output" = hi ]
  run --separate-stderr piped hi roost_ run --rm busybox cat
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
}

@test "run -it under a real pty: the container has a terminal of the caller's size" {
  in_pty 31 97 7 "$(user_cmd "$ROOST" run --rm -it busybox sh -c 'tty; stty size; exit 7')"
}

@test "run --init: an init of roost's is pid 1 and the command runs under it" {
  run roost_ run --rm busybox sh -c 'echo $$'
  [ "$output" = 1 ]
  run roost_ run --rm --init busybox sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "'
  show
  [ "$status" -eq 0 ]
  [ "${lines[0]}" != 1 ]
  [[ "${lines[1]}" != "sh "* ]]
  # podman's (catatonit) likewise.
  run pm run --rm --init busybox sh -c 'echo $$'
  [ "$status" -eq 0 ]
  [ "$output" != 1 ]
  # The init passes signals on: a stop ends the command at once, not after the timeout.
  roost_ run -d --init --name initd busybox sleep 1000 >/dev/null
  start=$SECONDS
  run roost_ stop -t 20 initd
  [ "$status" -eq 0 ]
  [ $((SECONDS - start)) -lt 10 ]
  roost_ rm initd
}

@test "run --cidfile writes the id; an existing file is refused" {
  run roost_ run --rm --cidfile "$CTR_HOST/cid" busybox true
  [ "$status" -eq 0 ]
  [[ "$(cat "$CTR_HOST/cid")" =~ ^[0-9a-f]{64}$ ]]
  pm run --rm --cidfile "$CTR_HOST/cid" busybox true 2>/dev/null && false
  run --separate-stderr roost_ run --rm --cidfile "$CTR_HOST/cid" busybox true
  one_error 'exists'
  rm -f "$CTR_HOST/cid"
}

@test "run --label: inspect shows the labels ({{.Config.Labels.a}}, {{json}}, {{range}})" {
  for e in pm roost_; do $e create --name lab --label a=b --label c=d busybox true >/dev/null; done
  agree inspect --format '{{.Config.Labels.a}}' lab
  [ "$output" = b ]
  agree inspect --format '{{json .Config.Labels}}' lab
  [ "$output" = '{"a":"b","c":"d"}' ]
  agree inspect --format '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}' lab
  [ "$output" = 'a=b;c=d;' ]
  agree rm lab
}

@test "run --stop-signal: stop sends that signal" {
  for e in pm roost_; do
    $e run -d --name sig --stop-signal SIGUSR1 busybox sh -c 'trap "echo got USR1; exit 5" USR1; while :; do sleep 0.1; done' >/dev/null
  done
  sleep 0.5
  agree stop -t 20 sig
  agree inspect --format '{{.State.ExitCode}}' sig
  [ "$output" = 5 ]
  agree logs sig
  [ "$output" = "got USR1" ]
  agree rm sig
}

@test "run --restart on-failure:2: two restarts, then exited with the code" {
  for e in pm roost_; do
    $e run -d --name rs --restart on-failure:2 busybox sh -c 'echo ran; exit 3' >/dev/null
  done
  wait_for 30 eval '[ "$(roost_ inspect --format "{{.State.Status}} {{.RestartCount}}" rs)" = "exited 2" ]'
  wait_for 30 eval '[ "$(pm inspect --format "{{.State.Status}} {{.RestartCount}}" rs)" = "exited 2" ]'
  agree inspect --format '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' rs
  [ "$output" = "exited 3 2" ]
  agree logs rs
  [ "$output" = "$(printf 'ran\nran\nran')" ]
  agree rm rs
}

@test "run --memory is refused on this host (no delegated cgroup v2) with the advice" {
  # podman ignores it with a warning ("not supported and ignored on cgroups V1 rootless
  # systems"); roost refuses rather than accept and ignore.
  if [ -d "/sys/fs/cgroup/user.slice/user-$CTR_UID.slice" ] && [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
    skip "this host delegates cgroup v2 to the user"
  fi
  run --separate-stderr roost_ run --rm --memory 64m busybox true
  one_error 'cgroup'
  [ -z "$(store_containers)" ]
}

@test "run --pull never of an image not in the store is 125" {
  agree run --rm --pull never localhost/no-such-image true
  one_error 'no-such-image'
}
