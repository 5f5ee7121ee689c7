#!/usr/bin/env bats
# Bad input: hostile layers (every digest right, the content hostile), corrupt blobs and manifests
# (written into the registry's storage: docker-registry verifies pushes), a registry that answers
# 500, cuts a blob mid-way (resumed) or serves a 5 MiB manifest, a full disk, a pull killed with
# SIGKILL mid-layer, two pulls of one image at once. Each bad case: exit 125, one line on stderr,
# nothing written outside the store (a canary dir, /etc/passwd, /etc/shadow, the paths the layers
# aim at), the image not listed, nothing of it left in the store. scripts/test runs this file as
# roost-test, roost-nosub and root (IMG_USER): the escapes matter most as root.

load helpers

setup_file() {
  images_setup_file
  registry_start anon-http http
  local t
  for t in $("$FIXTURES/layer-tar" --list); do
    case $t in evil-*|device|zeros|many-files) push http "$t" ;; esac
  done
  push http multi
  push http small-1
  "$FIXTURES/registry-corrupt" "$http_DIR/data"
  # Files the escapes aim at: their hashes before (compared after each test).
  export HOST_SUMS=$IMG_WORK/host.sums
  sha256sum /etc/passwd /etc/shadow /etc/group >"$HOST_SUMS"
}

teardown_file() { images_teardown_file; }

setup() {
  new_store
  R=$http_REGISTRY/roost
  # A canary next to the store: a layer that escapes by .. or a symlink may land here.
  CANARY=$STORE/canary
  mkdir -p "$CANARY"
  echo canary >"$CANARY/roost-evil-canary"
  chown -R "$IMG_USER:" "$CANARY"
  # The store has had an image (a pull and an rmi make its skeleton, probe caches and all), so
  # what a bad pull adds shows.
  run --separate-stderr roost_ pull -q --tls-verify=false "$R/small-1:latest"
  [ "$status" = 0 ] || { echo "setup: the warm-up pull failed"; show_all; return 1; }
  roost_ rmi -a >/dev/null
  find "$ROOST_ROOT" "$ROOST_RUNROOT" -mindepth 1 2>/dev/null | sort >"$STORE/before.list"
}

teardown() {
  proxies_stop "$http_DIR"
  [ -n "${STUB_PID:-}" ] && kill "$STUB_PID" 2>/dev/null && wait "$STUB_PID" 2>/dev/null
  if [ -n "${TINY:-}" ]; then
    umount "$TINY" 2>/dev/null || umount -l "$TINY"
    TINY=""
  fi
  store_teardown
}

# Nothing outside the store changed, nothing of the bad image is in it.
nothing_written() {
  sha256sum --quiet -c "$HOST_SUMS" || { echo "a host file changed"; return 1; }
  local p
  for p in /roost-evil-dotdot /roost-evil-abs /etc/roost-evil-symlink-rel /roost-evil-symlink-rel \
           "$ROOST_ROOT/../roost-evil-dotdot" /tmp/roost-evil-dotdot; do
    [ ! -e "$p" ] || { echo "$p was written"; rm -f "$p"; return 1; }
  done
  [ "$(cat "$CANARY/roost-evil-canary")" = canary ] || { echo "the canary changed"; return 1; }
  [ "$(ls -A "$CANARY")" = roost-evil-canary ] || { echo "the canary dir got: $(ls -A "$CANARY")"; return 1; }
  # Beside the store only what the test made: roost writes nowhere else in $STORE.
  local extra
  extra=$(ls -A "$STORE" | grep -vxE 'before\.list|canary|config|data|home|root|run|stub\.(port|log)|tiny' || true)
  [ -z "$extra" ] || { echo "beside the store: $extra"; return 1; }
}

# The store holds what it held before the bad pull (locks aside): no layer, no blob, no temp.
store_unchanged() {
  local after
  after=$(find "$ROOST_ROOT" "$ROOST_RUNROOT" -mindepth 1 2>/dev/null | sort)
  diff <(grep -v 'lock' "$STORE/before.list") <(grep -v 'lock' <<<"$after") ||
    { echo "(the store before, after the failed pull)"; return 1; }
}

# bad_pull REF [PATTERN]: the whole check of a pull that must fail.
bad_pull() {
  run --separate-stderr roost_ pull --tls-verify=false "$1"
  one_error "${2:-}" || return 1
  nothing_written || return 1
  run roost_ images -a -q
  [ -z "$output" ] || { echo "an image is listed"; show; return 1; }
  store_unchanged
}

@test "a layer entry ../x: refused, nothing written outside" { bad_pull "$R/evil-dotdot:latest"; }
@test "a layer entry with an absolute name /abs: refused, or confined to the layer; nothing outside" {
  run --separate-stderr roost_ pull --tls-verify=false "$R/evil-abs:latest"
  if [ "$status" = 0 ]; then
    # As tar does: the leading / dropped, the file inside the layer.
    [ -n "$(find_in_store roost-evil-abs)" ] || { echo "pulled, but the file is not in the store"; false; }
    nothing_written
  else
    bad_pull "$R/evil-abs:latest"
  fi
}
@test "a symlink a -> /etc then a/passwd: refused, /etc/passwd untouched" {
  bad_pull "$R/evil-symlink-dir:latest"
}
@test "a relative symlink climbing out then a file under it: refused" {
  bad_pull "$R/evil-symlink-rel:latest"
}
@test "a hardlink to ../../etc/shadow: refused, /etc/shadow untouched" {
  bad_pull "$R/evil-hardlink-out:latest"
}
@test "a hardlink to /etc/shadow: refused" { bad_pull "$R/evil-hardlink-abs:latest"; }
@test "a symlink to /etc, then a hardlink through it to s/shadow: refused" {
  bad_pull "$R/evil-hardlink-via-symlink:latest"
}
@test "a bare .wh. whiteout: refused" { bad_pull "$R/evil-bare-whiteout:latest" 'whiteout|\.wh\.'; }
@test "whiteouts whose names climb out (.wh... and .wh.../..): refused, the canary stays" {
  bad_pull "$R/evil-whiteout-dotdot:latest"
}

@test "a device node: as a user skipped with one warning; the rest of the layer applied" {
  run --separate-stderr roost_ pull --tls-verify=false "$R/device:latest"
  [ "$status" = 0 ] || { show_all; false; }
  if [ "$IMG_USER" = root ]; then
    return 0
  fi
  # One warning for the node (the squash notice of roost-nosub aside).
  [ "$(grep -i 'warn' <<<"$stderr" | grep -vcE 'subordinate id|subuid')" = 1 ] && grep -q 'roost-null' <<<"$stderr" ||
    { show_all; false; }
  [ -n "$(find_in_store dev-before)" ]
  [ -z "$(find "$ROOST_ROOT" -type c -name roost-null)" ]
  nothing_written
}

@test "a layer whose bytes do not match the manifest's digest: refused, no layer kept" {
  bad_pull "$http_REGISTRY/corrupt/digest:latest" 'digest'
}
@test "a layer shorter than the manifest's size: refused" {
  bad_pull "$http_REGISTRY/corrupt/size:latest" 'size|short|length|bytes|digest'
}
@test "a truncated gzip layer (digest and size right): refused" {
  bad_pull "$http_REGISTRY/corrupt/truncated-gzip:latest" 'gzip|inflate|truncat|unexpected end|eof|corrupt'
}
@test "a config whose DiffID is not the layer's: refused" {
  bad_pull "$http_REGISTRY/corrupt/diffid:latest" 'diffid|diff_id|digest'
}
@test "a layer of an unknown media type: refused, naming it" {
  bad_pull "$http_REGISTRY/corrupt/media-type:latest" 'vnd.roost.unknown|media type|mediatype'
}

# stub_start MODE: registry-stub in the background; STUB=127.0.0.1:PORT.
stub_start() {
  "$FIXTURES/registry-stub" "$1" "$STORE/stub.port" 2>"$STORE/stub.log" &
  STUB_PID=$!
  wait_for 10 test -s "$STORE/stub.port"
  STUB=127.0.0.1:$(cat "$STORE/stub.port")
}

@test "a manifest over 4 MiB: refused without reading it all into the store" {
  stub_start big-manifest
  bad_pull "$STUB/roost/big:latest" 'manifest|size|large|4 ?MiB|limit'
}

@test "a registry that answers 500: one error naming the status" {
  stub_start status-500
  bad_pull "$STUB/roost/small-1:latest" '500|internal|server'
}

@test "a registry that answers 500 for a blob: one error, no layer kept" {
  local proxy
  proxy=$("$REGFIX" proxy "$http_DIR" --fail-status 500)
  bad_pull "$proxy/roost/multi:latest" '500|internal|server'
}

# The proxy's log: one JSON line per request.
proxy_log() { cat "$http_DIR"/proxy.*.log 2>/dev/null; }

@test "a connection cut mid-blob is resumed with Range; the image is whole" {
  local proxy
  proxy=$("$REGFIX" proxy "$http_DIR" --cut-after 100 --cut-count 1)
  run --separate-stderr roost_ pull --tls-verify=false "$proxy/roost/multi:latest"
  [ "$status" = 0 ] || { show_all; false; }
  [ "$output" = "$(layout_image_id multi)" ] || { show_all; false; }
  proxy_log | grep -q '"Range": "bytes=[1-9][0-9]*-' || { echo "no Range request after the cut"; proxy_log; false; }
  [ -n "$(find_in_store random.bin)" ]
}

@test "a cut blob whose server then ignores Range (200 again): fetched anew, or one error and no layer kept" {
  local proxy
  proxy=$("$REGFIX" proxy "$http_DIR" --cut-after 100 --cut-count 1 --ignore-range)
  run --separate-stderr roost_ pull --tls-verify=false "$proxy/roost/multi:latest"
  if [ "$status" = 0 ]; then
    [ "$output" = "$(layout_image_id multi)" ] || { show_all; false; }
  else
    # A 200 to a Range request may be refused (the blob's bytes so far are applied already)...
    one_error 'range|resume|200'
    run roost_ images -q
    [ -z "$output" ]
    store_unchanged
  fi
  # ... and the image is whole when pulled again without the proxy.
  run --separate-stderr roost_ pull -q --tls-verify=false "$R/multi:latest"
  [ "$status" = 0 ] && [ "$output" = "$(layout_image_id multi)" ] || { show_all; false; }
}

@test "a full disk (a 20 MiB tmpfs as the store): 'no space left on device', nothing half-stored, usable after" {
  TINY=$STORE/tiny
  mkdir -p "$TINY"
  mount -t tmpfs -o size=20m,mode=0700 roost-images-test "$TINY"
  chown "$IMG_USER:" "$TINY"
  ROOST_ROOT=$TINY/root
  roost_ images >/dev/null
  local used_before
  used_before=$(df --output=used -B1 "$TINY" | tail -n1)
  run --separate-stderr roost_ pull --tls-verify=false "$R/zeros:latest"
  one_error 'no space left on device'
  run roost_ images -a -q
  [ -z "$output" ]
  # The half-written 32 MiB file went with the failed layer.
  [ "$(df --output=used -B1 "$TINY" | tail -n1)" -le $((used_before + 1048576)) ] || { df "$TINY"; du -a "$TINY" | sort -n | tail; false; }
  [ -z "$(find "$TINY" -name zeros)" ]
  run --separate-stderr roost_ pull --tls-verify=false "$R/small-1:latest"
  [ "$status" = 0 ] || { show_all; false; }
  roost_ system reset -f >/dev/null
}

roost_pids() { store_leftovers; }

@test "a pull killed with SIGKILL mid-layer: the next pull redoes the layer, all 10000 files there" {
  user_env
  runuser -u "$IMG_USER" -- "${USER_ENV[@]}" "$ROOST" --root "$ROOST_ROOT" --runroot "$ROOST_RUNROOT" \
    pull -q --tls-verify=false "$R/many-files:latest" >/dev/null 2>&1 &
  local bg=$!
  # Some of the layer's files are on disk: the layer is half applied.
  wait_for 30 eval '[ -n "$(find "$ROOST_ROOT" -name "f0000*" -print -quit 2>/dev/null)" ] || ! kill -0 $bg 2>/dev/null'
  kill -0 "$bg" 2>/dev/null || { echo "the pull ended before it could be killed mid-layer"; false; }
  kill -KILL $(roost_pids) 2>/dev/null
  wait "$bg" 2>/dev/null || true
  run --separate-stderr roost_ images -q
  [ -z "$output" ] || { echo "a half-pulled image is listed"; show_all; false; }
  run --separate-stderr roost_ pull -q --tls-verify=false "$R/many-files:latest"
  [ "$status" = 0 ] || { show_all; false; }
  [ "$output" = "$(layout_image_id many-files)" ]
  local r="$ROOST --root $ROOST_ROOT --runroot $ROOST_RUNROOT"
  run --separate-stderr roost_ unshare sh -c "p=\$($r image mount $R/many-files:latest) || exit 1
    find \"\$p/many\" -type f | wc -l; $r image umount $R/many-files:latest >/dev/null"
  [ "$status" = 0 ] || { show_all; false; }
  [ "$output" = 10000 ] || { show_all; false; }
}

@test "two pulls of the same image at once: both succeed, one copy of each layer" {
  user_env
  local a b
  runuser -u "$IMG_USER" -- "${USER_ENV[@]}" "$ROOST" --root "$ROOST_ROOT" --runroot "$ROOST_RUNROOT" \
    pull -q --tls-verify=false "$R/multi:latest" >"$STORE/a.out" 2>&1 &
  a=$!
  runuser -u "$IMG_USER" -- "${USER_ENV[@]}" "$ROOST" --root "$ROOST_ROOT" --runroot "$ROOST_RUNROOT" \
    pull -q --tls-verify=false "$R/multi:latest" >"$STORE/b.out" 2>&1 &
  b=$!
  wait "$a" || { cat "$STORE/a.out"; false; }
  wait "$b" || { cat "$STORE/b.out"; false; }
  grep -qx "$(layout_image_id multi)" "$STORE/a.out"
  grep -qx "$(layout_image_id multi)" "$STORE/b.out"
  [ "$(find_in_store random.bin | wc -l)" = 1 ] || { find_in_store random.bin; false; }
  [ "$(find_in_store layer3-file | wc -l)" = 1 ]
  run roost_ images -q
  [ "$(wc -l <<<"$output")" = 1 ]
}

@test "after every bad pull, a good one works in the same store" {
  run --separate-stderr roost_ pull --tls-verify=false "$http_REGISTRY/corrupt/digest:latest"
  [ "$status" = 125 ]
  run --separate-stderr roost_ pull --tls-verify=false "$R/evil-symlink-dir:latest"
  [ "$status" = 125 ]
  run --separate-stderr roost_ pull -q --tls-verify=false "$R/multi:latest"
  [ "$status" = 0 ] || { show_all; false; }
  [ "$output" = "$(layout_image_id multi)" ]
}
