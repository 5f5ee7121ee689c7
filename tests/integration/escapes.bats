#!/usr/bin/env bats
# Container escapes that runtimes have had, one test per CVE (docs/SECURITY.md lists the defence
# each one checks). Every attack only ever targets files this test created: a copy of the
# runtime, directories under $BATS_TEST_TMPDIR. Each test says what a naive runtime would do.

load helpers

# The racer: build/tests/helpers/roost-swap next to the runtime (scripts/test copies it).
ROOST_SWAP=${ROOST_SWAP:-$(dirname "$ROOST_RUNTIME")/tests/helpers/roost-swap}

# no_dev_tmpfs: the image's own /dev is used (no tmpfs over it), so what the image put there counts.
no_dev_tmpfs() {
  update_config '.mounts |= map(select(.destination | startswith("/dev") | not))'
}

# create_container_hook SCRIPT: a createContainer hook running `sh -c SCRIPT` (in the container's
# mount namespace, before pivot_root: $R is the rootfs). It stands in for an attacker who changes
# the rootfs between the runtime's steps (through a volume shared with another container, in the
# real attacks), deterministically rather than by a race.
create_container_hook() {
  update_config --arg s "R=$BUNDLE/rootfs; $1" '.hooks.createContainer = [{path: "/bin/sh", args: ["sh", "-c", $s]}]'
}

@test "CVE-2019-5736: the runtime binary cannot be overwritten through #!/proc/self/exe" {
  # The attack: a program run by the runtime's own process (here through exec) is a script
  # starting "#!/proc/self/exe", so the kernel runs the runtime binary inside the container; a
  # container process opens /proc/PID/exe of it and, once it has exited, reopens that fd for
  # writing. It runs against a copy of the runtime owned by the caller: container root maps to
  # the caller (rootless) or is root, so it may write the copy (the control below checks that).
  # roost-runtime re-executes itself from a read-only bind (root) or a sealed memfd copy (rootless)
  # when the container could write its binary (container/exe_guard).
  private_rootfs
  mount_out
  local copy="$BATS_TEST_TMPDIR/roost-runtime-copy"
  cp "$ROOST_RUNTIME" "$copy"
  chmod 755 "$copy"
  local before
  before=$(sha256sum <"$copy")
  ROOST_RUNTIME=$copy
  add_mount /rt-copy bind "$copy" rw
  # The runtime must be able to start in the container: an image with its libraries (most
  # distribution images have libc; the busybox one gets copies).
  local lib
  for lib in $(ldd "$copy" | grep -o '/[^ ]*'); do
    mkdir -p "$BUNDLE/rootfs$(dirname "$lib")"
    cp -L "$lib" "$BUNDLE/rootfs$lib"
  done
  printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/evil"
  chmod 755 "$BUNDLE/rootfs/evil"
  set_cmd '[ -w /rt-copy ] && echo yes > /out/copy-writable
    umount /rt-copy 2>/dev/null
    while :; do
      for p in /proc/[0-9]*; do
        case "$(tr "\0" " " < $p/cmdline 2>/dev/null)" in "/proc/self/exe /evil"*) break 2;; esac
      done
    done
    readlink $p/exe > /out/exe-link
    exec 7< $p/exe && echo yes > /out/opened
    touch /out/found
    while [ ! -e /out/go ]; do sleep 0.05; done
    while grep -q "^State:[[:space:]]*[^Z]" $p/status 2>/dev/null; do sleep 0.05; done
    (echo PWNED >> /proc/self/fd/7) 2> /out/write.err; echo $? > /out/write.rc
    touch /out/done; sleep 100'
  run_detached c1
  # The runtime run by the kernel in the container prints a usage error: a full pipe as its stderr
  # keeps it alive until the payload has its /proc/PID/exe.
  local fifo="$BATS_TEST_TMPDIR/stderr.fifo"
  mkfifo "$fifo"
  exec 8<>"$fifo"
  head -c 65536 /dev/zero >&8
  rt exec --detach c1 /evil </dev/null >/dev/null 2>&8 || { exec 8>&-; fail "exec /evil failed"; return 1; }
  wait_file "$OUT/found" 20 || { exec 8>&-; fail "the payload never saw the runtime run in the container"; return 1; }
  head -c 65536 <&8 >/dev/null
  touch "$OUT/go"
  wait_file "$OUT/done" 20 || { exec 8>&-; fail "the payload did not finish"; return 1; }
  exec 8>&-
  echo "exe link: $(cat "$OUT/exe-link"); write: rc $(cat "$OUT/write.rc") $(cat "$OUT/write.err")"
  # Control: the attack setup is real, container root may write the binary it got hold of.
  [ -e "$OUT/copy-writable" ] || fail "control: the copy should be writable by the container's root" || return 1
  [ -e "$OUT/opened" ] || fail "control: the payload should get an fd on the runtime's /proc/PID/exe" || return 1
  [ "$(cat "$OUT/write.rc")" != 0 ] || fail "the payload could write the runtime through /proc/self/exe" || return 1
  assert_equal "$(sha256sum <"$copy")" "$before" "the runtime copy's checksum"
}

@test "CVE-2019-19921: a /proc that is a symlink in the image is refused" {
  # A naive runtime mounts procfs wherever the symlink points, leaving /proc (and every masked
  # or read-only path under it) to what the image put there.
  private_rootfs
  rm -rf "$BUNDLE/rootfs/proc"
  mkdir -p "$BUNDLE/rootfs/fakeproc"
  ln -s /fakeproc "$BUNDLE/rootfs/proc"
  set_cmd 'echo STARTED'
  run_ctr c1
  assert_error 'proc on /proc.*symlink'
  [ -z "$(ls -A "$BUNDLE/rootfs/fakeproc")" ] || fail "something was created through the symlink"
}

@test "CVE-2019-19921/CVE-2023-27561: /proc must be a procfs after mounting (statfs)" {
  # CVE-2023-27561 was the CVE-2019-19921 check lost again in runc. Beyond refusing the symlink,
  # whatever ends up at /proc is checked to be a real procfs: here a bind of a directory that
  # imitates one, under which masked and read-only paths would protect nothing.
  local fake="$BATS_TEST_TMPDIR/fakeproc"
  mkdir -p "$fake/sys"
  update_config --arg s "$fake" '.mounts |= map(if .destination == "/proc" then {destination: "/proc", type: "bind", source: $s, options: ["rbind"]} else . end)'
  set_cmd 'echo STARTED'
  run_ctr c1
  assert_error 'not a procfs'
}

@test "CVE-2021-30465: a mount target swapped with a symlink (race, in a loop) stays in the rootfs" {
  # The racer exchanges /race/a (a directory) and /race/b (a symlink to a host directory) while
  # the runtime mounts a tmpfs on /race/a/mnt. A runtime that checks a path and then mounts by
  # name can be made to mount on the host's directory (outside the rootfs: the container would
  # not see its own mount). roost-runtime mounts on the fd it resolved with RESOLVE_IN_ROOT, so
  # the tmpfs is always at a path inside the container.
  [ -x "$ROOST_SWAP" ] || skip "the racer $ROOST_SWAP is not built"
  private_rootfs
  local victim="$BATS_TEST_TMPDIR/victim"
  mkdir -p "$victim/mnt" "$BUNDLE/rootfs/race/a/mnt"
  ln -s "$victim" "$BUNDLE/rootfs/race/b"
  add_mount /race/a/mnt tmpfs tmpfs size=1200k
  set_cmd 'grep -c size=1200k /proc/self/mountinfo; true'
  "$ROOST_SWAP" "$BUNDLE/rootfs/race/a" "$BUNDLE/rootfs/race/b" 8 >"$BATS_TEST_TMPDIR/swaps" &
  local racer=$! i misses=0 started=0
  for i in $(seq 1 60); do
    run_ctr "c$i"
    [ "$status" -eq 0 ] || continue  # a failed create is no escape
    started=$((started + 1))
    [ "$output" = 1 ] || misses=$((misses + 1))
    [ -z "$(ls -A "$victim/mnt")" ] || fail "iteration $i: something appeared in the host directory" || break
  done
  wait "$racer"
  echo "swaps: $(cat "$BATS_TEST_TMPDIR/swaps"), iterations: $i, started: $started, mounts outside the rootfs: $misses"
  echo "last error: $stderr"
  [ "$started" -gt 0 ] || fail "no container started: the race was never run to the end" || return 1
  [ "$misses" = 0 ] || fail "$misses of $i containers did not see their tmpfs: it was mounted outside the rootfs"
}

@test "CVE-2024-45310: files are never created outside the rootfs through a racing symlink" {
  # The racer exchanges /race/a (a directory) and /race/b (a symlink to a host directory) while
  # the runtime creates the missing /race/a/sub/deep for a mount. A runtime that creates paths
  # by name (mkdir -p) makes the directories on the host. roost-runtime creates each component
  # relative to a directory fd confined to the rootfs.
  [ -x "$ROOST_SWAP" ] || skip "the racer $ROOST_SWAP is not built"
  private_rootfs
  local victim="$BATS_TEST_TMPDIR/victim"
  mkdir -p "$victim" "$BUNDLE/rootfs/race/a"
  ln -s "$victim" "$BUNDLE/rootfs/race/b"
  add_mount /race/a/sub/deep tmpfs tmpfs size=1m
  set_cmd 'true'
  "$ROOST_SWAP" "$BUNDLE/rootfs/race/a" "$BUNDLE/rootfs/race/b" 8 >"$BATS_TEST_TMPDIR/swaps" &
  local racer=$! i
  for i in $(seq 1 60); do
    run_ctr "c$i"
    rm -rf "$BUNDLE/rootfs/race/a/sub" "$BUNDLE/rootfs/race/b/sub" "$BUNDLE/rootfs$victim" 2>/dev/null || true
    [ -z "$(ls -A "$victim")" ] || fail "iteration $i: $(ls -A "$victim") created in the host directory" || break
  done
  wait "$racer"
  echo "swaps: $(cat "$BATS_TEST_TMPDIR/swaps"), iterations: $i"
  [ -z "$(ls -A "$victim")" ]
}

@test "CVE-2024-21626: a leaked directory fd cannot become the process's cwd" {
  # The caller holds fd 7 open on a host directory (not close-on-exec). With process.cwd
  # /proc/self/fd/7 a runtime that lets the fd reach the container and chdirs into it starts the
  # process in a host directory. roost-runtime checks the cwd is under the container's root after
  # chdir and closes every fd it does not pass on.
  local victim="$BATS_TEST_TMPDIR/victim"
  mkdir -p "$victim"
  echo host-secret >"$victim/secret"
  update_config '.process.cwd = "/proc/self/fd/7"'
  set_cmd 'cat secret'
  exec 7<"$victim"
  run_ctr c1
  exec 7<&-
  assert_output_not_contains host-secret
  [ "$status" -ne 0 ] || fail "the process started with a cwd outside the rootfs"
  grep -qi "outside the container's root" <<<"$stderr" || fail "expected a clear error about the cwd"
}

@test "CVE-2024-21626: no runtime or caller fd reaches the container process" {
  local victim="$BATS_TEST_TMPDIR/victim"
  mkdir -p "$victim"
  set_cmd 'ls /proc/self/fd | tr "\n" " "'
  exec 7<"$victim"
  run_ctr c1
  exec 7<&-
  assert_success
  # 0 1 2 and the fd ls itself opens for the directory.
  assert_output_equals "0 1 2 3 "
}

@test "CVE-2022-29162: exec --cap never puts the capability in the inheritable set" {
  # A capability in the inheritable set survives execve of a program with file capabilities
  # (and into ambient use); runc's exec --cap added it there.
  set_cmd 'sleep 100'
  run_detached c1
  rrun exec --cap CAP_NET_RAW c1 sh -c 'grep -E "^Cap(Inh|Eff)" /proc/self/status'
  assert_success
  echo "$output"
  grep -qx $'CapInh:\t0000000000000000' <<<"$output" || fail "inheritable set is not empty"
  # Control: the capability was granted (CAP_NET_RAW is bit 13).
  local eff
  eff=$(awk '/^CapEff/ {print $2}' <<<"$output")
  (((16#$eff >> 13) & 1)) || fail "control: exec --cap CAP_NET_RAW did not grant it"
}

@test "CVE-2023-25809: rootless without a cgroup namespace, the host's cgroup tree is read-only" {
  # Without a cgroup namespace (or on a v1/hybrid host) the container gets the host's
  # /sys/fs/cgroup; writable, container root could change the caller's cgroups. It is bound
  # read-only: a write fails with EROFS before any permission check (rw, it would be EACCES or
  # succeed). Nothing is created: the write goes to the root of the tree.
  require_mode rootless
  update_config '.linux.namespaces |= map(select(.type != "cgroup"))
    | .mounts |= map(select(.destination != "/sys/fs/cgroup"))
    | .mounts += [{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "rw"]}]'
  set_cmd 'touch /sys/fs/cgroup/roost-escape-test 2>&1; grep " /sys/fs/cgroup " /proc/self/mountinfo | head -1'
  run_ctr c1
  echo "$output"
  assert_output_contains "Read-only file system"
  [[ " $(awk '{print $6}' <<<"${lines[-1]}") " == *ro,* ]] || fail "/sys/fs/cgroup is not a read-only mount"
}

@test "CVE-2025-31133: a /dev/null replaced by a symlink is never bound over a masked path" {
  # Masking binds /dev/null over files. If /dev/null has been replaced by a symlink (here by a
  # createContainer hook, after the runtime made it), a runtime binding "/dev/null" by name binds
  # the symlink's target instead: the masked path shows that file (a procfs file, in the real
  # attack, writable). roost-runtime checks the fd it binds is the null device.
  private_rootfs
  mkdir -p "$BUNDLE/rootfs/srv"
  echo secret-data >"$BUNDLE/rootfs/srv/target"
  echo masked-content >"$BUNDLE/rootfs/srv/masked"
  update_config '.linux.maskedPaths = ["/srv/masked"]'
  create_container_hook 'umount "$R/dev/null" 2>/dev/null; rm -f "$R/dev/null"; ln -s /srv/target "$R/dev/null"'
  set_cmd 'cat /srv/masked; echo "[end]"'
  run_ctr c1
  echo "$output"
  assert_output_not_contains secret-data
  assert_error '/dev/null.*not the null device'
}

@test "CVE-2025-52565: /dev/console is never bound onto a symlink's target" {
  # The pty is bound onto /dev/console. If /dev/console is a symlink (here made by a
  # createContainer hook), a runtime binding onto it by name puts the pty over the symlink's
  # target (in the real attack a procfs file, or the reverse: a file bound where the console
  # goes). roost-runtime binds the verified pty peer by fd onto a /dev/console opened without
  # following symlinks.
  private_rootfs
  mkdir -p "$BUNDLE/rootfs/srv"
  echo plain-file >"$BUNDLE/rootfs/srv/target"
  update_config '.process.terminal = true'
  create_container_hook 'rm -f "$R/dev/console"; ln -s /srv/target "$R/dev/console"'
  set_cmd '[ -c /srv/target ] && echo PTY-OVER-TARGET; echo done'
  run_ctr c1
  echo "$output"
  assert_output_not_contains PTY-OVER-TARGET
  assert_error '/dev/console.*symlink'
}

@test "an image whose /dev is a symlink to a host directory: nothing is created on the host" {
  # rootfs/dev -> an absolute host path. A runtime that follows it creates the device nodes (or,
  # rootless, the files it binds them onto) in the host directory. RESOLVE_IN_ROOT takes the
  # link inside the rootfs, where its target does not exist: a clean error, or a container whose
  # /dev is inside its rootfs.
  private_rootfs
  no_dev_tmpfs
  local hostdev="$BATS_TEST_TMPDIR/hostdev"
  mkdir -p "$hostdev"
  rm -rf "$BUNDLE/rootfs/dev"
  ln -s "$hostdev" "$BUNDLE/rootfs/dev"
  set_cmd '[ -c /dev/null ] && echo null-ok'
  run_ctr c1
  echo "$output $stderr"
  [ -z "$(ls -A "$hostdev")" ] || fail "created on the host: $(ls -A "$hostdev")" || return 1
  if [ "$status" -ne 0 ]; then
    assert_error '/dev'
  else
    assert_output_equals null-ok
  fi
}

@test "seed: rootless container root cannot replace the host's /etc files, chown, mknod or mount" {
  # The host's /etc read-write at /mnt: the user namespace, not the mount, must stop it.
  require_mode rootless
  mount_out
  add_mount /mnt bind /etc rbind rw
  set_cmd 'mv /mnt/shadow /mnt/shadow.x 2>/dev/null && echo RENAMED
    rm -f /mnt/shadow 2>/dev/null; [ -e /mnt/shadow ] || echo REMOVED
    echo x > /mnt/shadow.new 2>/dev/null && echo CREATED
    chown 0:0 /mnt/hostname 2>/dev/null && echo CHOWNED
    mknod /tmp/null c 1 3 2>/dev/null && echo MKNOD
    mount -t tmpfs none /mnt 2>/dev/null && echo MOUNTED
    grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status'
  local before
  before=$(stat -c '%i %s %Y %Z' /etc/shadow /etc/hostname)
  run_ctr c1
  echo "$output"
  for word in RENAMED REMOVED CREATED CHOWNED MKNOD MOUNTED; do
    assert_output_not_contains "$word" || return 1
  done
  assert_equal "$(stat -c '%i %s %Y %Z' /etc/shadow /etc/hostname)" "$before" "host files unchanged" || return 1
  [ ! -e /etc/shadow.new ] || fail "a file was created in the host's /etc" || return 1
  # The configured set: CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10).
  local want
  want=$(printf '%016x' $(((1 << 29) | (1 << 5) | (1 << 10))))
  grep -qx "CapEff:	$want" <<<"$output" || fail "effective capabilities are not exactly the configured ones"
  grep -qx "CapBnd:	$want" <<<"$output" || fail "bounding set is not exactly the configured one"
  grep -qx "CapInh:	0000000000000000" <<<"$output" || fail "inheritable set is not empty"
}
