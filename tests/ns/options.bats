#!/usr/bin/env bats
# roost ns's command line: the program's names, --help, --version, Go flag syntax, and
# rootlesskit's rules, each broken rule one line and a non-zero exit with nothing left behind.

load ns_core

setup() { ns_setup; }
teardown() { ns_teardown; }

@test "roost --version, --help; an unknown command is one line and exit 125 (podman's)" {
  run -0 "$ROOST" --version
  [[ "$output" == "roost version "* ]]
  run -0 "$ROOST" --help
  [[ "$output" == *"ns [FLAGS]"* ]]
  run -125 "$ROOST" frobnicate
  [ "$output" = 'Error: unknown command "frobnicate" (roost --help lists the commands)' ]
}

@test "the build makes rootlesskit a symlink to roost-ns; roost ns, roost-ns and rootlesskit run the fake root" {
  [ "$(readlink "$RK")" = roost-ns ]
  run -0 as "$NS_USER" "$ROOST" ns id -u
  [ "$output" = 0 ]
  run -0 as "$NS_USER" "$ROOST_NS" id -u
  [ "$output" = 0 ]
  run -0 as "$NS_USER" "$RK" id -u
  [ "$output" = 0 ]
}

@test "roost ns execs the roost-ns beside roost (found through /proc/self/exe); a missing one is one error" {
  # Through a symlink in another directory, roost still finds its own roost-ns.
  ln -s "$ROOST" "$T/roost-link"
  run -0 as "$NS_USER" "$T/roost-link" ns sh -c 'readlink /proc/$$/exe >/dev/null; id -u'
  [ "$output" = 0 ]
  # A copy of roost alone in a directory has no roost-ns beside it.
  cp "$ROOST" "$T/roost"
  run -125 as "$NS_USER" "$T/roost" ns true
  [ "$output" = "Error: roost ns: $T/roost-ns is missing (roost ns runs the roost-ns program installed beside roost)" ]
}

@test "--version prints a rootlesskit version line; --print-semver its parts" {
  run -0 "$RK" --version
  [[ "$output" =~ ^rootlesskit\ version\ [0-9]+\.[0-9]+\.[0-9]+\ \(roost\ [0-9.]+\)$ ]]
  v=$(echo "$output" | awk '{print $3}')
  run -0 "$RK" --print-semver=major
  [ "$output" = "${v%%.*}" ]
  run -0 "$RK" -print-semver patch
  [ "$output" = "${v##*.}" ]
}

@test "--help names every flag, --detach-netns among them (nerdctl greps for it)" {
  run -0 "$RK" --help
  echo "$output" | grep -qw -- --detach-netns
  for flag in $(rootlesskit --help 2>/dev/null | grep -o -- '--[a-z0-9-]*' | sort -u); do
    echo "$output" | grep -q -- "$flag" || { echo "missing $flag"; return 1; }
  done
  run -0 "$ROOST" ns -h
  echo "$output" | grep -qw -- --detach-netns
}

@test "Go flag syntax: -flag, --flag, =value, separate value, bools with =false" {
  run -0 ns -pidns=false --state-dir "$T/s" -copy-up=/etc sh -c 'echo $$; stat -f -c %T /etc'
  [ "${lines[0]}" != 2 ]
  [ "${lines[1]}" = tmpfs ]
  run -0 ns -pidns sh -c 'echo $$'
  [ "$output" = 2 ]
  # The command's flags are its own.
  run -0 ns echo --pidns -p
  [ "$output" = "--pidns -p" ]
}

@test "bad flags and broken rules: one line, exit 1, no state dir left" {
  while IFS='|' read -r args message; do
    # shellcheck disable=SC2086
    run -1 ns $args true
    [ "${#lines[@]}" = 1 ] || { echo "$args: $output"; return 1; }
    [ "$output" = "rootlesskit: $message" ] || { echo "$args: got: $output"; return 1; }
  done <<'CASES'
--bogus|flag provided but not defined: -bogus
--pidns=maybe|invalid boolean value "maybe" for -pidns: parse error
--mtu=x|invalid value "x" for flag -mtu: parse error
--net=foo|unknown network mode: foo
--port-driver=bar|unknown port driver: bar
--port-driver=none -p 8080:80/tcp|port driver "none" does not support publishing ports
--port-driver=builtin|port driver requires non-host network
--net=slirp4netns --mtu=65522|mtu must be <= 65521, got 65522
--net=slirp4netns --cidr=10.0.2.100/24|cidr must be like 10.0.2.0/24, not like 10.0.2.100/24
--reaper=true|reaper requires --pidns
--evacuate-cgroup2=e --pidns|evacuate-cgroup2 requires --cgroupns
--copy-up=/tmp|/tmp cannot be copied up
--propagation=rshared --copy-up=/etc|propagation rshared does not support copy-up driver tmpfs+symlink
--subid-source=ldap|unknown subid source "ldap"
CASES
  run -1 ns
  [ "$output" = "rootlesskit: no command specified" ]
  run -1 ns --net
  [ "$output" = "rootlesskit: flag needs an argument: -net" ]
  [ -z "$(ls -A "$T")" ]
  [ -z "$(leftovers)" ]
}

@test "drivers that are not there are refused with one line, nothing left" {
  for net in vpnkit lxc-user-nic gvisor-tap-vsock; do
    run -1 ns --net=$net true
    [ "${#lines[@]}" -le 2 ]  # the host-loopback warning, then the error
    [[ "${lines[-1]}" == rootlesskit:* ]]
  done
  [ -z "$(ls -A "$T")" ]
  [ -z "$(leftovers)" ]
}
