#!/usr/bin/env bats
# roost load of archives made by skopeo and podman (docker-archive, oci-archive, gzip-compressed
# outer too), and roost save in each format read back by podman load and skopeo inspect: the same
# image ID (the config's digest) and DiffIDs all the way.

load helpers

setup_file() {
  images_setup_file
  ARCH=$IMG_WORK/archives
  mkdir -p "$ARCH"
  export ARCH
  # skopeo from the layout: the whole multi image (4 layers).
  skopeo copy -q "oci:$IMAGES:multi" "docker-archive:$ARCH/skopeo-docker.tar:localhost/multi:latest" >/dev/null
  skopeo copy -q "oci:$IMAGES:multi" "oci-archive:$ARCH/skopeo-oci.tar:localhost/multi:latest" >/dev/null
  gzip -c "$ARCH/skopeo-docker.tar" >"$ARCH/skopeo-docker.tar.gz"
  gzip -c "$ARCH/skopeo-oci.tar" >"$ARCH/skopeo-oci.tar.gz"
  # podman's save of multi-12 (podman cannot apply multi's layer 3: see make-images), in a
  # throw-away storage of root's.
  local p=(podman --root "$IMG_WORK/podman/root" --runroot "$IMG_WORK/podman/run" --storage-driver vfs --events-backend none)
  skopeo copy -q "oci:$IMAGES:multi-12" \
    "containers-storage:[vfs@$IMG_WORK/podman/root+$IMG_WORK/podman/run]localhost/multi-12:latest" >/dev/null
  "${p[@]}" save -q --format docker-archive -o "$ARCH/podman-docker.tar" localhost/multi-12:latest
  "${p[@]}" save -q --format oci-archive -o "$ARCH/podman-oci.tar" localhost/multi-12:latest
  gzip -c "$ARCH/podman-docker.tar" >"$ARCH/podman-docker.tar.gz"
  "${p[@]}" system reset -f >/dev/null 2>&1 || true
  rm -rf "$IMG_WORK/podman"
  chmod -R a+rX "$ARCH"
}

teardown_file() { images_teardown_file; }
setup() { new_store; }
teardown() {
  [ -n "${PODMAN_ROOT:-}" ] && podman_ system reset -f >/dev/null 2>&1
  store_teardown
}

# loads_as FILE NAME TAG: roost load -i FILE prints "Loaded image: NAME" and the image has TAG's ID.
loads_as() {
  run --separate-stderr roost_ load -i "$1"
  [ "$status" = 0 ] || { show_all; return 1; }
  [[ "$output" == *"Loaded image: $2"* ]] || { show_all; return 1; }
  run --separate-stderr roost_ image inspect --format '{{.Id}}' "$2"
  [ "$output" = "$(layout_image_id "$3")" ] || { echo "not the source's image ID"; show_all; return 1; }
}

@test "load a docker-archive from skopeo: the same image ID" {
  loads_as "$ARCH/skopeo-docker.tar" localhost/multi:latest multi
}

@test "load an oci-archive from skopeo" {
  loads_as "$ARCH/skopeo-oci.tar" localhost/multi:latest multi
}

@test "load gzip-compressed docker-archive and oci-archive files" {
  loads_as "$ARCH/skopeo-docker.tar.gz" localhost/multi:latest multi
  run roost_ rmi -a
  loads_as "$ARCH/skopeo-oci.tar.gz" localhost/multi:latest multi
}

@test "load podman save's docker-archive (old and new style in one) and oci-archive" {
  loads_as "$ARCH/podman-docker.tar" localhost/multi-12:latest multi-12
  run roost_ rmi -a
  loads_as "$ARCH/podman-docker.tar.gz" localhost/multi-12:latest multi-12
  run roost_ rmi -a
  run --separate-stderr roost_ load -i "$ARCH/podman-oci.tar"
  [ "$status" = 0 ] || { show_all; false; }
  [[ "$output" == *"Loaded image: "* ]] || { show_all; false; }
  run roost_ images -q --no-trunc
  [ "$output" = "sha256:$(layout_image_id multi-12)" ] || { show; false; }
}

@test "load from stdin, -q prints nothing but the names" {
  run --separate-stderr roost_ load -q <"$ARCH/skopeo-docker.tar"
  [ "$status" = 0 ] || { show_all; false; }
  [ "$output" = "Loaded image: localhost/multi:latest" ] || { show_all; false; }
}

@test "the loaded tree equals the pulled one (load shares the layer code): hardlink to layer 1 kept" {
  loads_as "$ARCH/skopeo-docker.tar" localhost/multi:latest multi
  local r="$ROOST --root $ROOST_ROOT --runroot $ROOST_RUNROOT"
  run --separate-stderr roost_ unshare sh -c "p=\$($r image mount localhost/multi:latest) || exit 1
    $FIXTURES/tree-manifest --no-owner \"\$p\"; rc=\$?; $r image umount localhost/multi:latest >/dev/null; exit \$rc"
  [ "$status" = 0 ] || { show_all; false; }
  grep -q '^hardlinks	/hl/link-to-layer1 /hl/target$' <<<"$output"
  ! grep -q '^/opq/old1' <<<"$output"
}

@test "load of a truncated archive: one error, nothing stored" {
  head -c $(( $(stat -c %s "$ARCH/skopeo-docker.tar") / 2 )) "$ARCH/skopeo-docker.tar" >"$STORE/cut.tar"
  chown "$IMG_USER:" "$STORE/cut.tar"
  run --separate-stderr roost_ load -i "$STORE/cut.tar"
  one_error 'archive|tar|truncat|unexpected|eof|short|cut.tar'
  run roost_ images -q -a
  [ -z "$output" ]
}

@test "load of a file that is no archive: one error" {
  echo "not a tar" >"$STORE/junk"
  chown "$IMG_USER:" "$STORE/junk"
  run --separate-stderr roost_ load -i "$STORE/junk"
  one_error 'archive|tar|format|invalid|junk'
}

podman_() {
  as_user podman --root "$PODMAN_ROOT/root" --runroot "$PODMAN_ROOT/run" --storage-driver vfs \
    --events-backend none --cgroup-manager cgroupfs "$@"
}

# saved_matches FORMAT TRANSPORT: roost save in FORMAT; skopeo inspect (TRANSPORT) reads the same
# config (image ID) and DiffIDs as the source's.
saved_matches() {
  local format=$1 transport=$2 file=$STORE/saved.$1
  run --separate-stderr roost_ save --format "$format" -o "$file" localhost/multi:latest
  [ "$status" = 0 ] || { show_all; return 1; }
  # (The raw bytes through a pipe: $(...) would drop the config's last newline.)
  skopeo inspect --raw --config "$transport:$file" >"$STORE/config.json" || { echo "skopeo cannot read it"; return 1; }
  [ "$(sha256sum <"$STORE/config.json" | cut -d' ' -f1)" = "$(layout_image_id multi)" ] ||
    { echo "config changed"; return 1; }
  skopeo inspect "$transport:$file" >/dev/null || return 1
  # The layers' DiffIDs: what the config lists is what the archive's layers inflate to.
  skopeo copy -q "$transport:$file" "oci:$STORE/check:x" >/dev/null || return 1
  python3 - "$STORE/check" <<'PY'
import gzip, hashlib, json, sys
layout = sys.argv[1]
idx = json.load(open(layout + "/index.json"))
m = json.load(open(layout + "/blobs/sha256/" + idx["manifests"][0]["digest"][7:]))
c = json.load(open(layout + "/blobs/sha256/" + m["config"]["digest"][7:]))
got = []
for l in m["layers"]:
    data = open(layout + "/blobs/sha256/" + l["digest"][7:], "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    got.append("sha256:" + hashlib.sha256(data).hexdigest())
assert got == c["rootfs"]["diff_ids"], (got, c["rootfs"]["diff_ids"])
PY
}

@test "save --format docker-archive (the default): skopeo and podman load read it, same ID" {
  loads_as "$ARCH/skopeo-docker.tar" localhost/multi:latest multi
  run --separate-stderr roost_ save -o "$STORE/default.tar" localhost/multi:latest
  [ "$status" = 0 ] || { show_all; false; }
  [ "$(skopeo inspect --raw --config "docker-archive:$STORE/default.tar" | sha256sum | cut -d' ' -f1)" = "$(layout_image_id multi)" ]
  saved_matches docker-archive docker-archive
  # podman (vfs: the hardlink to a lower layer's file needs no overlay unpack then) loads it;
  # without subordinate ids podman cannot store multi (a file of uid 1000) at all.
  squashed && return 0
  PODMAN_ROOT=$STORE/podman
  as_user mkdir -p "$PODMAN_ROOT"
  run --separate-stderr podman_ load -i "$STORE/default.tar"
  [ "$status" = 0 ] || { show_all; false; }
  run podman_ image inspect --format '{{.Id}}' localhost/multi:latest
  [ "$output" = "$(layout_image_id multi)" ] || { show; false; }
}

@test "save --format oci-archive: skopeo inspect reads it, same ID and DiffIDs; podman loads it" {
  loads_as "$ARCH/skopeo-docker.tar" localhost/multi:latest multi
  saved_matches oci-archive oci-archive
  squashed && return 0
  PODMAN_ROOT=$STORE/podman
  as_user mkdir -p "$PODMAN_ROOT"
  run --separate-stderr podman_ load -i "$STORE/saved.oci-archive"
  [ "$status" = 0 ] || { show_all; false; }
  run podman_ images -q --no-trunc
  [[ "$output" == *"$(layout_image_id multi)"* ]] || { show; false; }
}

@test "save --format oci-dir: an OCI layout umoci and skopeo read" {
  loads_as "$ARCH/skopeo-docker.tar" localhost/multi:latest multi
  saved_matches oci-dir oci
  run umoci ls --layout "$STORE/saved.oci-dir"
  [ "$status" = 0 ] || { show; false; }
}

@test "save of two images into one docker-archive; load of it gives both" {
  loads_as "$ARCH/skopeo-docker.tar" localhost/multi:latest multi
  run --separate-stderr roost_ load -i "$ARCH/podman-docker.tar"
  [ "$status" = 0 ] || { show_all; false; }
  run --separate-stderr roost_ save -o "$STORE/two.tar" localhost/multi:latest localhost/multi-12:latest
  [ "$status" = 0 ] || { show_all; false; }
  local fresh=$STORE/root2
  run --separate-stderr as_user "$ROOST" --root "$fresh" --runroot "$STORE/run2" load -i "$STORE/two.tar"
  [ "$status" = 0 ] || { show_all; false; }
  [[ "$output" == *"Loaded image: localhost/multi:latest"* ]] && [[ "$output" == *"Loaded image: localhost/multi-12:latest"* ]] ||
    { show_all; false; }
  as_user "$ROOST" --root "$fresh" --runroot "$STORE/run2" system reset -f >/dev/null
}

@test "save of an image that is not there: one error, no file" {
  run --separate-stderr roost_ save -o "$STORE/none.tar" localhost/absent:latest
  one_error 'absent'
  [ ! -e "$STORE/none.tar" ]
}

@test "save with an unknown --format: one error" {
  run --separate-stderr roost_ save --format zip -o "$STORE/x" localhost/multi:latest
  one_error 'zip|format'
}
