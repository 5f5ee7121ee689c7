#!/usr/bin/env bats
# The oracle: the multi image (4 layers: whiteouts, an opaque dir, hardlinks inside a layer and
# to a lower layer, a dir replaced by a file, xattrs, a uid-1000 file, a setuid file, symlinks)
# pulled by roost and mounted (`roost unshare` + `roost image mount`) must give the same tree as
# umoci's unpack of the same layout (paths, types, modes, sizes, content hashes, link targets,
# user.* xattrs, hardlink groups); its first two layers (multi-12: podman cannot apply a hardlink
# to a lower layer's file) the same tree, owners included, as podman's pull and mount of them from
# the same registry. On disk, the ids are mapped: image uid 1000 is subuid+999 on the host.

load helpers

setup_file() {
  images_setup_file
  registry_start anon-http http
  push http multi
  push http multi-12
}

teardown_file() { images_teardown_file; }
setup() {
  new_store
  REF=$http_REGISTRY/roost/multi:latest
}
teardown() {
  # podman's storage of the test: its own reset, then the files.
  if [ -n "${PODMAN_STORE:-}" ]; then
    podman_ system reset -f >/dev/null 2>&1 || true
  fi
  store_teardown
}

pull_multi() {
  run --separate-stderr roost_ pull -q --tls-verify=false "$REF"
  [ "$status" = 0 ] || { show_all; return 1; }
}

# roost_tree [--ref REF] FLAGS...: tree-manifest FLAGS of roost's mounted image REF (default
# multi), run inside roost unshare.
roost_tree() {
  local r="$ROOST --root $ROOST_ROOT --runroot $ROOST_RUNROOT" ref=$REF
  [ "$1" = --ref ] && { ref=$2; shift 2; }
  roost_ unshare sh -c "p=\$($r image mount $ref) || exit 1
    $FIXTURES/tree-manifest $* \"\$p\"; rc=\$?
    $r image umount $ref >/dev/null || rc=1
    exit \$rc"
}

@test "roost's tree of multi equals umoci's unpack (all but owners)" {
  pull_multi
  run --separate-stderr roost_tree --no-owner
  [ "$status" = 0 ] || { show_all; false; }
  local theirs ours=$output
  # umoci locks and writes its layout: a copy of the test's own.
  cp -a "$IMAGES" "$STORE/layout"
  chown -R "$IMG_USER:" "$STORE/layout"
  run --separate-stderr as_user umoci unpack --rootless --image "$STORE/layout:multi" "$STORE/umoci"
  [ "$status" = 0 ] || { show_all; false; }
  theirs=$(as_user "$FIXTURES/tree-manifest" --no-owner "$STORE/umoci/rootfs")
  diff -u <(echo "$theirs") <(echo "$ours") || { echo "(- umoci, + roost)"; false; }
  # The parts that make the image what it is are in there (a check of the oracle itself).
  grep -q $'^/hl/link-to-layer1\tfile' <<<"$ours"
  grep -q '^hardlinks	/hl/link-to-layer1 /hl/target$' <<<"$ours"
  grep -q '^hardlinks	/hard/one /hard/two$' <<<"$ours"
  grep -q $'^/usr/bin/suid\tfile\t4755' <<<"$ours"
  grep -q $'^/replaced\tfile' <<<"$ours"
  grep -q 'user.foo=bar' <<<"$ours"
  ! grep -q '^/lower/gone.txt' <<<"$ours"
  ! grep -q '^/opq/old1' <<<"$ours"
  ! grep -q '/\.wh\.' <<<"$ours"
}

podman_() {
  as_user podman --root "$PODMAN_STORE/root" --runroot "$PODMAN_STORE/run" --storage-driver overlay \
    --events-backend none --cgroup-manager cgroupfs "$@"
}

@test "multi-12's tree, owners inside the user namespace included, equals podman's mount of it" {
  local ref=$http_REGISTRY/roost/multi-12:latest
  run --separate-stderr roost_ pull -q --tls-verify=false "$ref"
  [ "$status" = 0 ] || { show_all; false; }
  run --separate-stderr roost_tree --ref "$ref"
  [ "$status" = 0 ] || { show_all; false; }
  local ours=$output theirs
  if squashed; then
    # No subordinate ids: every file is the user's, root in the one-id namespace.
    [ -z "$(grep -v '^hardlinks' <<<"$ours" | awk -F'\t' '$4 != "0:0"')" ] ||
      { echo "not all 0:0 when squashed"; echo "$ours"; false; }
    return 0
  fi
  PODMAN_STORE=$STORE/podman
  as_user mkdir -p "$PODMAN_STORE"
  run --separate-stderr podman_ pull -q --tls-verify=false "$ref"
  [ "$status" = 0 ] || { show_all; false; }
  local podman_in=(podman_ unshare)
  [ "$IMG_USER" = root ] && podman_in=(as_user)
  local p="podman --root $PODMAN_STORE/root --runroot $PODMAN_STORE/run --storage-driver overlay --events-backend none"
  theirs=$("${podman_in[@]}" sh -c "p=\$($p image mount $ref) || exit 1
    $FIXTURES/tree-manifest \"\$p\"; rc=\$?
    $p image umount $ref >/dev/null; exit \$rc")
  diff -u <(echo "$theirs") <(echo "$ours") || { echo "(- podman, + roost)"; false; }
  grep -q $'^/home/user/owned\tfile\t0640\t1000:1000' <<<"$ours"
  grep -q $'^/shared\tdir\t2775\t1000:1000' <<<"$ours"
}

@test "on disk the ids are mapped: image uid 1000 is subuid+999, root is the user (stat from outside)" {
  pull_multi
  local owned suid
  owned=$(find_in_store owned | head -n1)
  suid=$(find "$ROOST_ROOT" -path '*/usr/bin/suid' | head -n1)
  [ -n "$owned" ] && [ -n "$suid" ] || { echo "layer files not found under $ROOST_ROOT"; false; }
  [ "$(stat -c %u:%g "$owned")" = "$(host_uid 1000):$(host_uid 1000)" ] || { stat "$owned"; false; }
  [ "$(stat -c %u:%g "$suid")" = "$(host_uid 0):$(host_uid 0)" ] || { stat "$suid"; false; }
  # The setuid bit is kept on disk (a rootless store cannot make it a host root's setuid).
  [ "$(stat -c %a "$suid")" = 4755 ]
}

@test "the mounted rootfs is gone after image umount, and mount outside roost unshare is refused" {
  pull_multi
  run --separate-stderr roost_ image mount "$REF"
  if [ "$IMG_USER" != root ]; then
    one_error 'unshare'
  else
    roost_ image umount "$REF"
  fi
  run --separate-stderr roost_ unshare sh -c "p=\$($ROOST --root $ROOST_ROOT --runroot $ROOST_RUNROOT image mount $REF) &&
    test -f \"\$p/base/a.txt\" && $ROOST --root $ROOST_ROOT --runroot $ROOST_RUNROOT image umount $REF >/dev/null &&
    ! test -e \"\$p/base/a.txt\""
  [ "$status" = 0 ] || { show_all; false; }
}
