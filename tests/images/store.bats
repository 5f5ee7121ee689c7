#!/usr/bin/env bats
# The image store's commands: images (-a -q --digests --no-trunc --format json), tag, rmi (-f -a),
# image inspect, system df (exact against du), system prune, system reset, info, and the built-in
# busybox image.

load helpers

setup_file() {
  images_setup_file
  registry_start anon-http http
  local t
  for t in small-1 small-2 small-3 multi; do push http "$t"; done
}

teardown_file() { images_teardown_file; }
setup() {
  new_store
  R=$http_REGISTRY/roost
}
teardown() { store_teardown; }

pull_() {  # pull_ TAG...: pulls roost/TAG:latest from the file's registry, quietly
  local t
  for t in "$@"; do
    run --separate-stderr roost_ pull -q --tls-verify=false "$R/$t:latest"
    [ "$status" = 0 ] || { show_all; return 1; }
  done
}

@test "images on a fresh store lists nothing but the header (no built-in image stored yet)" {
  run --separate-stderr roost_ images
  [ "$status" = 0 ] || { show_all; false; }
  [ "${#lines[@]}" = 1 ]
  [[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]] || { show_all; false; }
  run roost_ images -q
  [ -z "$output" ]
}

@test "images: a row per name, the short ID (12 hex), -q, --no-trunc, --digests" {
  pull_ small-1 small-2
  local id1 id2
  id1=$(layout_image_id small-1) id2=$(layout_image_id small-2)
  run roost_ images
  show
  [ "${#lines[@]}" = 3 ]
  grep -qE "^$R/small-1 +latest +${id1:0:12} " <<<"$output"
  grep -qE "^$R/small-2 +latest +${id2:0:12} " <<<"$output"
  run roost_ images -q
  [ "$(sort <<<"$output")" = "$(printf '%s\n' "${id1:0:12}" "${id2:0:12}" | sort)" ] || { show; false; }
  run roost_ images -q --no-trunc
  [ "$(sort <<<"$output")" = "$(printf 'sha256:%s\n' "$id1" "$id2" | sort)" ] || { show; false; }
  run roost_ images --digests
  show
  [[ "${lines[0]}" == *DIGEST* ]]
  grep -qF "$(layout_digest small-1)" <<<"$output"
}

@test "images --format json: podman's fields" {
  pull_ small-1
  run --separate-stderr roost_ images --format json
  [ "$status" = 0 ] || { show_all; false; }
  python3 - "$output" "$(layout_image_id small-1)" "$R/small-1:latest" "$(layout_digest small-1)" <<'PY'
import json, sys
out, image_id, name, digest = sys.argv[1:]
images = json.loads(out)
assert isinstance(images, list) and len(images) == 1, images
i = images[0]
assert i["Id"] == image_id, i["Id"]
assert name in i["Names"], i["Names"]
assert i["Digest"] == digest, i["Digest"]
assert isinstance(i["Size"], int) and i["Size"] > 0, i["Size"]
assert isinstance(i["Created"], int), i["Created"]
PY
}

@test "tag adds names to the same image; rmi of one name untags, of the last deletes" {
  pull_ small-1
  local id
  id=$(layout_image_id small-1)
  run --separate-stderr roost_ tag "$R/small-1:latest" localhost/mine:v1 other.example/x/y:z
  [ "$status" = 0 ] || { show_all; false; }
  run roost_ images --format json
  python3 -c 'import json,sys; n=json.loads(sys.argv[1])[0]["Names"]; assert len(n)==3 and "localhost/mine:v1" in n and "other.example/x/y:z" in n, n' "$output"
  run --separate-stderr roost_ image inspect --format '{{.Id}}' localhost/mine:v1
  [ "$output" = "$id" ] || { show_all; false; }
  run --separate-stderr roost_ rmi localhost/mine:v1
  [ "$status" = 0 ] || { show_all; false; }
  [ "$output" = "Untagged: localhost/mine:v1" ] || { show_all; false; }
  run --separate-stderr roost_ rmi other.example/x/y:z "$R/small-1:latest"
  [ "$status" = 0 ] || { show_all; false; }
  [[ "$output" == *"Untagged: $R/small-1:latest"* ]] && [[ "$output" == *"Deleted: $id"* ]] || { show_all; false; }
  run roost_ images -q
  [ -z "$output" ]
}

@test "rmi of an image with two names refuses by ID without -f, deletes with -f" {
  pull_ small-1
  local id
  id=$(layout_image_id small-1)
  roost_ tag "$R/small-1:latest" localhost/second:latest
  run --separate-stderr roost_ rmi "${id:0:12}"
  one_error 'multiple|more than one|-f|force'
  run --separate-stderr roost_ rmi -f "${id:0:12}"
  [ "$status" = 0 ] || { show_all; false; }
  [[ "$output" == *"Deleted: $id"* ]] || { show_all; false; }
  run roost_ images -q
  [ -z "$output" ]
}

@test "rmi of a name that is not there: one error, exit 1 (podman's: the image was not known)" {
  run --separate-stderr roost_ rmi localhost/nothing:here
  [ "$status" = 1 ] || { show_all; false; }
  status=125 one_error 'nothing'
}

@test "rmi -a removes every image and every layer" {
  pull_ small-1 small-2 multi
  run --separate-stderr roost_ rmi -a
  [ "$status" = 0 ] || { show_all; false; }
  [ "$(grep -c '^Deleted: ' <<<"$output")" = 3 ] || { show_all; false; }
  run roost_ images -q
  [ -z "$output" ]
  # No file of the images' layers is left in the store.
  [ -z "$(find_in_store file-1)$(find_in_store random.bin)" ] || { find_in_store file-1; false; }
}

@test "image inspect: podman's fields, from the image's config and manifest" {
  pull_ multi
  run --separate-stderr roost_ image inspect "$R/multi:latest"
  [ "$status" = 0 ] || { show_all; false; }
  python3 - "$output" "$(layout_image_id multi)" "$R/multi:latest" "$(layout_digest multi)" "$IMAGES" <<'PY'
import json, sys
out, image_id, name, digest, layout = sys.argv[1:]
arr = json.loads(out)
assert isinstance(arr, list) and len(arr) == 1
i = arr[0]
manifest = json.load(open(f"{layout}/blobs/sha256/{digest[7:]}"))
config = json.load(open(f"{layout}/blobs/sha256/{manifest['config']['digest'][7:]}"))
assert i["Id"] == image_id, i["Id"]
assert i["Digest"] == digest, i["Digest"]
assert name in i["RepoTags"], i["RepoTags"]
assert any(d.endswith("@" + digest) for d in i["RepoDigests"]), i["RepoDigests"]
assert i["Architecture"] == "amd64" and i["Os"] == "linux", (i["Architecture"], i["Os"])
assert i["Config"]["Cmd"] == ["/bin/sh"], i["Config"]
assert "ROOST_TEST=multi" in i["Config"]["Env"], i["Config"]
assert i["Config"]["WorkingDir"] == "/base", i["Config"]
assert i["Config"]["Labels"]["org.roost.test"] == "multi", i["Config"]
assert i["Labels"]["org.roost.test"] == "multi", i.get("Labels")
assert i["RootFS"]["Type"] == "layers"
assert i["RootFS"]["Layers"] == config["rootfs"]["diff_ids"], i["RootFS"]
assert len(i["RootFS"]["Layers"]) == 4
assert len(i["History"]) == len(config["history"]), i["History"]
assert isinstance(i["Size"], int) and i["Size"] > 70000, i["Size"]
assert i["Created"].startswith(config["created"][:19]), (i["Created"], config["created"])
assert i["ManifestType"] == manifest.get("mediaType", "application/vnd.oci.image.manifest.v1+json")
PY
}

@test "image inspect --format with several fields; of an unknown image: one error" {
  pull_ small-1
  run --separate-stderr roost_ image inspect --format '{{.Id}} {{.Os}}/{{.Architecture}}' "$R/small-1"
  [ "$status" = 0 ] || { show_all; false; }
  [ "$output" = "$(layout_image_id small-1) linux/amd64" ] || { show_all; false; }
  run --separate-stderr roost_ image inspect localhost/absent:latest
  one_error 'absent'
}

# df_images_size: the Images row's size in bytes from `system df --format json` (podman's
# RawSize, or Size when that is a number).
df_images_size() {
  python3 -c '
import json, sys
rows = json.loads(sys.argv[1])
r = [x for x in rows if x.get("Type") == "Images"][0]
print(r["RawSize"] if "RawSize" in r else int(r["Size"]), r["Total"])' "$1"
}

@test "system df: exact (du of the layers' trees, each once), no more than the store holds" {
  pull_ small-1 multi
  run --separate-stderr roost_ system df --format json
  [ "$status" = 0 ] || { show_all; false; }
  local size total
  read -r size total < <(df_images_size "$output") || { show_all; false; }
  [ "$total" = 2 ]
  # The bytes the layers' regular files hold (a hardlinked file once), from the image tars: a floor.
  local files
  files=$(python3 - "$IMAGES" "$(layout_digest small-1)" "$(layout_digest multi)" <<'PY'
import json, sys, tarfile
layout = sys.argv[1]
total = 0
for d in sys.argv[2:]:
    m = json.load(open(f"{layout}/blobs/sha256/{d[7:]}"))
    for l in m["layers"]:
        with tarfile.open(f"{layout}/blobs/sha256/{l['digest'][7:]}", "r:*") as t:
            total += sum(e.size for e in t if e.isreg())
print(total)
PY
)
  # The layers' trees: roost counts allocated bytes, as du does (du counts an inode once, and each
  # tree's own top directory, which roost may leave out: one block per layer of slack).
  local diffs layers du_layers du_store
  mapfile -t diffs < <(find "$ROOST_ROOT" -type d -path '*/layers/*/diff' -prune)
  layers=${#diffs[@]}
  [ "$layers" = 5 ] || { echo "expected 5 layer trees (1 + 4), found $layers"; false; }
  du_layers=$(du -csB1 "${diffs[@]}" | tail -n1 | cut -f1)
  du_store=$(du -sB1 "$ROOST_ROOT" | cut -f1)
  echo "df: $size, layer trees (du): $du_layers, the whole store (du): $du_store, file bytes: $files"
  [ "$size" -ge "$files" ]
  [ "$size" -le "$du_store" ] || { echo "df says more than the store holds"; false; }
  [ $(( size - du_layers )) -le 0 ] && [ $(( du_layers - size )) -le $(( layers * 4096 )) ] ||
    { echo "df is not du of the layers (within a block per layer)"; false; }
  # A second name for multi: counted once.
  roost_ tag "$R/multi:latest" localhost/multi-again:latest
  run roost_ system df --format json
  local size2 total2
  read -r size2 total2 < <(df_images_size "$output")
  [ "$size2" = "$size" ] || { echo "df grew to $size2 for a tag"; false; }
  # df mounted nothing that is left.
  ! grep -qF "$ROOST_ROOT" /proc/self/mountinfo
}

@test "system df (table): the header and an Images line" {
  pull_ small-1
  run --separate-stderr roost_ system df
  [ "$status" = 0 ] || { show_all; false; }
  [[ "${lines[0]}" =~ ^TYPE\ +TOTAL\ +ACTIVE\ +SIZE\ +RECLAIMABLE ]] || { show_all; false; }
  grep -qE '^Images +1 +' <<<"$output" || { show_all; false; }
}

@test "system prune removes dangling images only; prune -a removes every unused image" {
  pull_ small-1 small-2
  # small-2 loses its only name by a re-tag of another image: it becomes dangling.
  roost_ tag "$R/small-1:latest" "$R/small-2:latest"
  run roost_ images -a --no-trunc -q
  [ "$(wc -l <<<"$output")" = 2 ] || { show; false; }
  run --separate-stderr roost_ system prune -f
  [ "$status" = 0 ] || { show_all; false; }
  run roost_ images -a -q --no-trunc
  [ "$output" = "sha256:$(layout_image_id small-1)" ] || { show; false; }
  run --separate-stderr roost_ system prune -a -f
  [ "$status" = 0 ] || { show_all; false; }
  run roost_ images -a -q
  [ -z "$output" ] || { show; false; }
}

@test "system reset -f empties the store; it is usable again after" {
  pull_ small-1 multi
  run --separate-stderr roost_ system reset -f
  [ "$status" = 0 ] || { show_all; false; }
  [ -z "$(find_in_store random.bin)" ]
  run roost_ images -q
  [ -z "$output" ]
  pull_ small-1
  run roost_ images -q --no-trunc
  [ "$output" = "sha256:$(layout_image_id small-1)" ]
}

@test "system reset without -f and no answer keeps the images" {
  pull_ small-1
  # podman asks [y/N]; with no terminal and no answer the store must stay as it is.
  run --separate-stderr roost_ system reset </dev/null
  run roost_ images -q --no-trunc
  [ "$output" = "sha256:$(layout_image_id small-1)" ]
}

@test "info --format json: the store paths, the overlay driver chosen, the id map" {
  run --separate-stderr roost_ info --format json
  [ "$status" = 0 ] || { show_all; false; }
  python3 - "$output" "$ROOST_ROOT" "$ROOST_RUNROOT" <<'PY'
import json, sys
info = json.loads(sys.argv[1])
text = json.dumps(info)
assert sys.argv[2] in text and sys.argv[3] in text, text
assert any(d in text for d in ("overlay", "fuse-overlayfs", "vfs", "copy")), text
PY
  run roost_ info
  [ "$status" = 0 ]
}

@test "the built-in busybox: image inspect busybox stores localhost/busybox:latest, offline" {
  run roost_ images -q
  [ -z "$output" ]
  # No registry is asked: the file's registry log must not grow (and no other network: the
  # short name would go to docker.io, which this machine cannot reach).
  local before
  before=$(wc -l <"$http_DIR/registry.log")
  run --separate-stderr roost_ image inspect --format '{{.Id}}' busybox
  [ "$status" = 0 ] || { show_all; false; }
  [[ "$output" =~ ^[0-9a-f]{64}$ ]] || { show_all; false; }
  run roost_ images
  show
  grep -qE '^localhost/busybox +latest ' <<<"$output"
  [ "$(wc -l <"$http_DIR/registry.log")" = "$before" ]
  # The image holds a working busybox.
  [ -n "$(find_in_store busybox)" ]
}

@test "a stored docker.io/library/busybox wins the short name busybox over the built-in" {
  pull_ small-1
  roost_ tag "$R/small-1:latest" docker.io/library/busybox:latest
  run --separate-stderr roost_ image inspect --format '{{.Id}}' busybox
  [ "$status" = 0 ] || { show_all; false; }
  [ "$output" = "$(layout_image_id small-1)" ] || { show_all; false; }
  run roost_ images
  ! grep -q '^localhost/busybox ' <<<"$output" || { echo "the built-in was stored anyway"; show; false; }
}
