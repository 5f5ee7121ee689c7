#!/usr/bin/env bats
# roost pull from real registries (docker-registry on 127.0.0.1): anonymous over HTTP and TLS,
# htpasswd Basic auth, token auth; by tag, by digest, the platform choice from an index; a second
# pull of the same tag asks HEAD only; login/logout; the progress lines; the squash message.

load helpers

setup_file() {
  images_setup_file
  registry_start anon-http http
  registry_start anon-tls tls
  registry_start htpasswd basic
  registry_start token token
  local r
  for r in http tls basic token; do push "$r" small-1; done
  push http multi
  push tls multiarch
  push http multiarch
}

teardown_file() { images_teardown_file; }
setup() { new_store; }
teardown() {
  proxies_stop "$basic_DIR"
  store_teardown
}

# pulled_ok NAME REPO: pulls REPO from NAME's registry, checks the ID printed and the listing.
pulled_ok() {
  local name=$1 repo=$2 tag=${3:-small-1}
  pull_flags "$name"
  run --separate-stderr roost_ pull "${PULL_FLAGS[@]}" "$(reg "$name" REGISTRY)/$repo:latest"
  [ "$status" = 0 ] || { show_all; return 1; }
  [ "$output" = "$(layout_image_id "$tag")" ] || { echo "stdout is not the image ID"; show_all; return 1; }
  run roost_ images --format json
  [[ "$output" == *"$(reg "$name" REGISTRY)/$repo"* ]] || { echo "not listed"; show; return 1; }
}

@test "pull from an anonymous registry over plain HTTP (--tls-verify=false): the image ID on stdout" {
  pulled_ok http roost/small-1
}

@test "pull from an anonymous TLS registry with its CA in --cert-dir" {
  pulled_ok tls roost/small-1
}

@test "pull from TLS without the CA fails with one error naming the certificate" {
  run --separate-stderr roost_ pull "$tls_REGISTRY/roost/small-1:latest"
  one_error 'certificate|x509|verify|tls|ssl'
  run roost_ images -q
  [ -z "$output" ]
}

@test "pull from an htpasswd (Basic auth) registry with --creds" {
  pulled_ok basic roost/small-1
}

@test "pull from a token-auth registry with --creds (Bearer token flow)" {
  pulled_ok token roost/small-1
  # The token server saw our user ask for the repository's pull scope.
  grep -q 'repository:roost/small-1:pull' "$token_DIR/token.log"
}

@test "pull from a token-auth registry anonymously is refused: one error" {
  run --separate-stderr roost_ pull --cert-dir "$token_CERT_DIR" "$token_REGISTRY/roost/small-1:latest"
  one_error 'auth|denied|unauthorized|401'
}

@test "login with the right password, pull with the stored credentials, logout" {
  local authfile=$STORE/home/auth.json
  run --separate-stderr roost_ login --authfile "$authfile" --cert-dir "$basic_CERT_DIR" \
    -u "$basic_USER" -p "$basic_PASS" "$basic_REGISTRY"
  [ "$status" = 0 ] || { show_all; false; }
  [[ "$output" == *"Login Succeeded!"* ]] || { show_all; false; }
  grep -q "\"$basic_REGISTRY\"" "$authfile"
  run --separate-stderr roost_ pull --authfile "$authfile" --cert-dir "$basic_CERT_DIR" "$basic_REGISTRY/roost/small-1:latest"
  [ "$status" = 0 ] || { show_all; false; }
  run --separate-stderr roost_ logout --authfile "$authfile" "$basic_REGISTRY"
  [ "$status" = 0 ] || { show_all; false; }
  [[ "$output" == *"Removed login credentials for $basic_REGISTRY"* ]] || { show_all; false; }
  ! grep -q "\"$basic_REGISTRY\"" "$authfile"
}

@test "login with --password-stdin to the token registry" {
  local authfile=$STORE/home/auth.json
  run --separate-stderr roost_ login --authfile "$authfile" --cert-dir "$token_CERT_DIR" \
    -u "$token_USER" --password-stdin "$token_REGISTRY" <<<"$token_PASS"
  [ "$status" = 0 ] || { show_all; false; }
  [[ "$output" == *"Login Succeeded!"* ]]
  run --separate-stderr roost_ pull --authfile "$authfile" --cert-dir "$token_CERT_DIR" "$token_REGISTRY/roost/small-1:latest"
  [ "$status" = 0 ] || { show_all; false; }
}

@test "login with a wrong password: exit 125, one clear error, nothing stored" {
  local authfile=$STORE/home/auth.json
  run --separate-stderr roost_ login --authfile "$authfile" --cert-dir "$basic_CERT_DIR" \
    -u "$basic_USER" -p "wrong password" "$basic_REGISTRY"
  one_error 'auth|password|unauthorized|401|credentials'
  [ ! -s "$authfile" ] || ! grep -q "\"$basic_REGISTRY\"" "$authfile"
}

@test "pull with a wrong password in --creds: one error, no image" {
  run --separate-stderr roost_ pull --cert-dir "$token_CERT_DIR" --creds "$token_USER:nope" \
    "$token_REGISTRY/roost/small-1:latest"
  one_error 'auth|denied|unauthorized|401|credentials'
  run roost_ images -q
  [ -z "$output" ]
}

@test "pull by digest: the image is stored with its digest and no tag" {
  local digest
  digest=$(layout_digest small-1)
  run --separate-stderr roost_ pull --tls-verify=false "$http_REGISTRY/roost/small-1@$digest"
  [ "$status" = 0 ] || { show_all; false; }
  [ "$output" = "$(layout_image_id small-1)" ]
  run roost_ images --digests --no-trunc
  show
  [[ "$output" == *"$digest"* ]]
  run roost_ image inspect --format '{{.Id}}' "$http_REGISTRY/roost/small-1@$digest"
  [ "$output" = "$(layout_image_id small-1)" ] || { show; false; }
}

@test "pull an unknown tag: one error naming it" {
  run --separate-stderr roost_ pull --tls-verify=false "$http_REGISTRY/roost/small-1:no-such-tag"
  one_error 'no-such-tag|not found|manifest'
}

@test "pull of a multi-arch index picks linux/amd64 by default and linux/arm64 with --platform" {
  run --separate-stderr roost_ pull --cert-dir "$tls_CERT_DIR" "$tls_REGISTRY/roost/multiarch:latest"
  [ "$status" = 0 ] || { show_all; false; }
  [ "$output" = "$(layout_image_id arch-amd64)" ] || { show_all; false; }
  run --separate-stderr roost_ pull --platform linux/arm64 --cert-dir "$tls_CERT_DIR" "$tls_REGISTRY/roost/multiarch:latest"
  [ "$status" = 0 ] || { show_all; false; }
  [ "$output" = "$(layout_image_id arch-arm64)" ] || { show_all; false; }
  run roost_ image inspect --format '{{.Architecture}}' "$tls_REGISTRY/roost/multiarch:latest"
  [ "$output" = arm64 ] || { show; false; }
}

@test "--platform that the index does not have: one error" {
  run --separate-stderr roost_ pull --platform linux/s390x --tls-verify=false "$http_REGISTRY/roost/multiarch:latest"
  one_error 's390x|platform'
}

# The registry's access log: one line per request, "METHOD /v2/... HTTP/1.1" STATUS.
manifest_requests() {  # manifest_requests METHOD REPO
  grep -c "\"$1 /v2/$2/manifests/" "$http_DIR/registry.log" || true
}

@test "a second pull of a tag already stored asks HEAD, not GET, for the manifest" {
  run --separate-stderr roost_ pull --tls-verify=false "$http_REGISTRY/roost/multi:latest"
  [ "$status" = 0 ] || { show_all; false; }
  local gets heads blobs
  gets=$(manifest_requests GET roost/multi)
  heads=$(manifest_requests HEAD roost/multi)
  blobs=$(grep -c '"GET /v2/roost/multi/blobs/' "$http_DIR/registry.log" || true)
  run --separate-stderr roost_ pull --tls-verify=false "$http_REGISTRY/roost/multi:latest"
  [ "$status" = 0 ] || { show_all; false; }
  [ "$output" = "$(layout_image_id multi)" ]
  [ "$(manifest_requests GET roost/multi)" = "$gets" ] || { echo "a manifest GET on the second pull"; false; }
  [ "$(manifest_requests HEAD roost/multi)" -gt "$heads" ] || { echo "no HEAD on the second pull"; false; }
  [ "$(grep -c '"GET /v2/roost/multi/blobs/' "$http_DIR/registry.log")" = "$blobs" ] || { echo "blobs fetched again"; false; }
}

@test "pull prints plain 'Copying blob' lines on a non-terminal, nothing with -q" {
  run --separate-stderr roost_ pull --tls-verify=false "$http_REGISTRY/roost/multi:latest"
  [ "$status" = 0 ] || { show_all; false; }
  # 4 layers (and the config, maybe): a line per layer.
  [ "$(grep -c '^Copying blob sha256:[0-9a-f]\{64\}' <<<"$stderr")" -ge 4 ] || { show_all; false; }
  [[ "$stderr" != *$'\r'* ]] || { echo "carriage returns on a non-terminal"; false; }
  run roost_ rmi "$http_REGISTRY/roost/multi:latest"
  run --separate-stderr roost_ pull -q --tls-verify=false "$http_REGISTRY/roost/multi:latest"
  [ "$status" = 0 ] || { show_all; false; }
  [ "$output" = "$(layout_image_id multi)" ]
  if squashed; then
    # The one thing -q keeps: the squash notice is a warning, not progress... it may be there.
    [ -z "$(grep -v -i 'subuid\|squash\|one id\|single' <<<"$stderr")" ] || { show_all; false; }
  else
    [ -z "$stderr" ] || { show_all; false; }
  fi
}

@test "pull on a terminal shows per-layer progress (bytes and rate)" {
  user_env
  local cmd
  printf -v cmd '%q ' runuser -u "$IMG_USER" -- "${USER_ENV[@]}" "$ROOST" --root "$ROOST_ROOT" \
    --runroot "$ROOST_RUNROOT" pull --tls-verify=false "$http_REGISTRY/roost/multi:latest"
  run script -qec "$cmd" /dev/null
  show
  [ "$status" = 0 ]
  [[ "$output" == *"$(layout_image_id multi)"* ]]
  # Bytes (B, KiB, kB, ...) and a rate (/s) appear on the terminal.
  grep -qE '[0-9.]+ ?([KMG]i?)?B' <<<"$output"
  grep -qE '/s' <<<"$output"
}

@test "the id squash is announced once per store when the user has no subuid range" {
  squashed || skip "only for a user without subordinate ids (IMG_USER=roost-nosub)"
  run --separate-stderr roost_ pull --tls-verify=false "$http_REGISTRY/roost/multi:latest"
  [ "$status" = 0 ] || { show_all; false; }
  [ "$(grep -ciE 'subuid|subordinate|squash' <<<"$stderr")" = 1 ] || { echo "not said exactly once"; show_all; false; }
  run --separate-stderr roost_ pull --tls-verify=false "$http_REGISTRY/roost/small-1:latest"
  [ "$status" = 0 ] || { show_all; false; }
  ! grep -qiE 'subuid|subordinate|squash' <<<"$stderr" || { echo "said again"; show_all; false; }
}

@test "with a subuid range no squash message is printed" {
  ! squashed || skip "the user has no range"
  run --separate-stderr roost_ pull --tls-verify=false "$http_REGISTRY/roost/multi:latest"
  [ "$status" = 0 ] || { show_all; false; }
  ! grep -qiE 'squash' <<<"$stderr" || { show_all; false; }
}

@test "a blob redirected to another host: followed, without our Authorization sent there" {
  local proxy
  proxy=$("$REGFIX" proxy "$basic_DIR" --redirect other-host --second-auth "$basic_USER:$basic_PASS")
  run --separate-stderr roost_ pull --tls-verify=false --creds "$basic_USER:$basic_PASS" "$proxy/roost/small-1:latest"
  [ "$status" = 0 ] || { show_all; false; }
  [ "$output" = "$(layout_image_id small-1)" ]
  python3 - "$basic_DIR" <<'PY'
import glob, json, sys
lines = [json.loads(l) for f in glob.glob(sys.argv[1] + "/proxy.*.log") for l in open(f)]
first = [l for l in lines if l["listener"] == "first"]
second = [l for l in lines if l["listener"] == "second"]
assert second, "the redirect was not followed"
assert any("authorization" in {k.lower() for k in l["headers"]} for l in first), "no credentials sent at all"
leaked = [l["path"] for l in second if "authorization" in {k.lower() for k in l["headers"]}]
assert not leaked, f"Authorization sent to the other host: {leaked}"
PY
}

@test "pull without --tls-verify=false from a plain HTTP registry is refused" {
  run --separate-stderr roost_ pull "$http_REGISTRY/roost/small-1:latest"
  one_error 'http|tls|ssl|insecure|record|handshake|connect'
}

@test "pull with no reference is a usage error: exit 125, one line" {
  run --separate-stderr roost_ pull
  one_error 'reference|REF|required|argument|expected' usage
  # And pull exists: its --help names its options.
  run roost_ pull --help
  [ "$status" = 0 ] && [[ "$output" == *--platform* ]] || { show; false; }
}
