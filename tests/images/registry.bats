#!/usr/bin/env bats
# registry::RegistryClient against real registries: Debian's docker-registry 2.8.2 without auth
# (TLS and plain http), with htpasswd Basic auth, and with token auth from
# registry/token-server.py, each on loopback with a throw-away CA (registry/registry-fixture).
# Images are made with umoci and pushed with skopeo; registry/cut-proxy.py sits in front for
# the failures a well-behaved registry never shows (cut bodies, 500s, redirects to another host).
# The client is driven by build/tests/helpers/roost-registry-get.

bats_require_minimum_version 1.5.0

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
HELPERS=${ROOST_TEST_HELPERS:-$ROOT/build/tests/helpers}
GET=$HELPERS/roost-registry-get
FIXTURE=$BATS_TEST_DIRNAME/registry/registry-fixture
: "${BATS_TEST_TIMEOUT:=120}"
export BATS_TEST_TIMEOUT

# One value of a fixture's env file, read in a subshell (the file sets USER).
fx() { (source "$1/env"; eval "printf '%s' \"\${$2}\""); }
img() { (source "$1/image.env"; eval "printf '%s' \"\${$2}\""); }

setup_file() {
  [ -x "$GET" ] || { echo "build first: $GET is missing" >&2; return 1; }
  export FX=$BATS_FILE_TMPDIR/fx
  for kind in anon-tls anon-http htpasswd token; do
    "$FIXTURE" start "$kind" "$FX/$kind" >/dev/null
    "$FIXTURE" push "$FX/$kind" test/img:1 >/dev/null
  done
  "$FIXTURE" push "$FX/token" public/img:1 >/dev/null
}

teardown_file() {
  for kind in anon-tls anon-http htpasswd token; do
    "$FIXTURE" stop --purge "$FX/$kind"
  done
}

setup() {
  # A HOME and XDG dirs of the test's own: no auth file or certs.d of the machine is read.
  export HOME=$BATS_TEST_TMPDIR/home XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/home/.config
  mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
  unset REGISTRY_AUTH_FILE DOCKER_CONFIG
}

teardown() {
  for kind in anon-tls anon-http htpasswd token; do
    "$FIXTURE" proxy-stop "$FX/$kind"
  done
}

@test "anonymous TLS registry: manifest with its type and digest, HEAD, by digest, layer and config blobs" {
  local d=$FX/anon-tls reg
  reg=$(fx "$d" REGISTRY)
  run -0 "$GET" "$reg" test/img 1 --cert-dir "$(fx "$d" CERT_DIR)"
  [ "${lines[0]}" = "digest $(img "$d" MANIFEST_DIGEST)" ]
  [ "${lines[1]}" = "content-type application/vnd.oci.image.manifest.v1+json" ]
  run -0 "$GET" "$reg" test/img 1 --head --cert-dir "$(fx "$d" CERT_DIR)"
  [ "$output" = "digest $(img "$d" MANIFEST_DIGEST)" ]
  run -0 "$GET" "$reg" test/img "$(img "$d" MANIFEST_DIGEST)" --cert-dir "$(fx "$d" CERT_DIR)"
  [ "${lines[0]}" = "digest $(img "$d" MANIFEST_DIGEST)" ]
  # The bytes are the layout's own.
  run -0 "$GET" "$reg" test/img 1 --cert-dir "$(fx "$d" CERT_DIR)" --out "$BATS_TEST_TMPDIR/m.json"
  cmp "$BATS_TEST_TMPDIR/m.json" "$(img "$d" IMAGE_LAYOUT)/blobs/sha256/$(img "$d" MANIFEST_DIGEST | cut -d: -f2)"
  run -0 "$GET" "$reg" test/img 1 --cert-dir "$(fx "$d" CERT_DIR)" --blob "$(img "$d" LAYER_DIGEST)" "$(img "$d" LAYER_SIZE)"
  [ "$output" = "digest $(img "$d" LAYER_DIGEST)
bytes $(img "$d" LAYER_SIZE)" ]
  run -0 "$GET" "$reg" test/img 1 --cert-dir "$(fx "$d" CERT_DIR)" --blob "$(img "$d" CONFIG_DIGEST)" "$(img "$d" CONFIG_SIZE)"
  [ "${lines[0]}" = "digest $(img "$d" CONFIG_DIGEST)" ]
}

@test "missing manifests and blobs: the registry's words" {
  local d=$FX/anon-tls reg
  reg=$(fx "$d" REGISTRY)
  run -125 "$GET" "$reg" test/img 2 --cert-dir "$(fx "$d" CERT_DIR)"
  [ "$output" = "Error: reading manifest 2 in $reg/test/img: manifest unknown: manifest unknown" ]
  run -125 "$GET" "$reg" test/img 2 --head --cert-dir "$(fx "$d" CERT_DIR)"
  [ "$output" = "Error: reading manifest 2 in $reg/test/img: manifest unknown" ]
  local missing=sha256:0000000000000000000000000000000000000000000000000000000000000000
  run -125 "$GET" "$reg" test/img "$missing" --cert-dir "$(fx "$d" CERT_DIR)"
  [ "$output" = "Error: reading manifest $missing in $reg/test/img: manifest unknown: manifest unknown" ]
  run -125 "$GET" "$reg" test/img 1 --cert-dir "$(fx "$d" CERT_DIR)" --blob $missing 10
  [ "$output" = "Error: pulling $missing from $reg/test/img: blob unknown: blob unknown to registry" ]
  # A blob whose size is not the one asked for.
  run -125 "$GET" "$reg" test/img 1 --cert-dir "$(fx "$d" CERT_DIR)" --blob "$(img "$d" LAYER_DIGEST)" 1000
  [[ $output == *"the registry announces $(img "$d" LAYER_SIZE) bytes, the manifest 1000"* ]]
}

@test "TLS: certs.d of HOST:PORT, --tls-verify=false, an unknown CA, a client certificate" {
  local d=$FX/anon-tls reg
  reg=$(fx "$d" REGISTRY)
  run -125 "$GET" "$reg" test/img 1
  [[ $output == "Error: pinging container registry $reg: SSL certificate problem: unable to get local issuer certificate"* ]]
  # Another fixture's CA does not vouch for this one.
  run -125 "$GET" "$reg" test/img 1 --cert-dir "$(fx "$FX/htpasswd" CERT_DIR)"
  [[ $output == *"SSL certificate problem"* ]]
  run -0 "$GET" "$reg" test/img 1 --tls-verify=false
  [ "${lines[0]}" = "digest $(img "$d" MANIFEST_DIGEST)" ]
  mkdir -p "$HOME/.config/containers/certs.d/$reg"
  cp "$(fx "$d" CA)" "$HOME/.config/containers/certs.d/$reg/ca.crt"
  run -0 "$GET" "$reg" test/img 1
  [ "${lines[0]}" = "digest $(img "$d" MANIFEST_DIGEST)" ]
  # A client certificate needs its key beside it.
  cp "$FX/anon-tls/certs/client.cert" "$HOME/.config/containers/certs.d/$reg/client.cert"
  run -125 "$GET" "$reg" test/img 1
  [[ $output == *"client certificate $HOME/.config/containers/certs.d/$reg/client.cert has no key"* ]]
  cp "$FX/anon-tls/certs/client.key" "$HOME/.config/containers/certs.d/$reg/client.key"
  run -0 "$GET" "$reg" test/img 1
  run -125 "$GET" "$reg" test/img 1 --cert-dir "$BATS_TEST_TMPDIR/nonexistent"
  [ "$output" = "Error: certificate directory $BATS_TEST_TMPDIR/nonexistent does not exist" ]
}

@test "plain http registry: only with --tls-verify=false" {
  local d=$FX/anon-http reg
  reg=$(fx "$d" REGISTRY)
  run -125 "$GET" "$reg" test/img 1
  [[ $output == "Error: pinging container registry $reg: "*"(a registry on plain http needs --tls-verify=false)" ]]
  run -0 "$GET" "$reg" test/img 1 --tls-verify=false
  [ "${lines[0]}" = "digest $(img "$d" MANIFEST_DIGEST)" ]
}

@test "htpasswd registry: Basic auth from --creds and from auth files, wrong password, login" {
  local d=$FX/htpasswd reg certs user pass
  reg=$(fx "$d" REGISTRY) certs=$(fx "$d" CERT_DIR) user=$(fx "$d" REGISTRY_USER) pass=$(fx "$d" REGISTRY_PASS)
  run -125 "$GET" "$reg" test/img 1 --cert-dir "$certs"
  [ "$output" = "Error: reading manifest 1 in $reg/test/img: unauthorized: authentication required" ]
  run -0 "$GET" "$reg" test/img 1 --cert-dir "$certs" --creds "$user:$pass"
  [ "${lines[0]}" = "digest $(img "$d" MANIFEST_DIGEST)" ]
  run -0 "$GET" "$reg" test/img 1 --cert-dir "$certs" --creds "$user:$pass" --blob "$(img "$d" LAYER_DIGEST)" "$(img "$d" LAYER_SIZE)"
  [ "${lines[0]}" = "digest $(img "$d" LAYER_DIGEST)" ]
  run -125 "$GET" "$reg" test/img 1 --cert-dir "$certs" --creds "$user:wrong"
  [ "$output" = "Error: reading manifest 1 in $reg/test/img: invalid username/password" ]
  run -125 "$GET" "$reg" --login --cert-dir "$certs" --creds "$user:wrong"
  [ "$output" = "Error: logging in to $reg: invalid username/password" ]
  run -0 "$GET" "$reg" --login --cert-dir "$certs" --creds "$user:$pass"
  [ "$output" = "login ok" ]
  # The runtime auth file, by namespace; a longer namespace with a wrong password wins for its repos.
  local auth wrong
  auth=$(printf '%s' "$user:$pass" | base64 -w0) wrong=$(printf '%s' "$user:nope" | base64 -w0)
  mkdir -p "$XDG_RUNTIME_DIR/containers"
  printf '{"auths":{"%s":{"auth":"%s"},"%s/test/img":{"auth":"%s"}}}' "$reg" "$auth" "$reg" "$wrong" \
    >"$XDG_RUNTIME_DIR/containers/auth.json"
  run -125 "$GET" "$reg" test/img 1 --cert-dir "$certs"
  [[ $output == *"invalid username/password" ]]
  printf '{"auths":{"https://%s/v2/":{"auth":"%s"}}}' "$reg" "$auth" >"$XDG_RUNTIME_DIR/containers/auth.json"
  run -0 "$GET" "$reg" test/img 1 --cert-dir "$certs"
  # --authfile alone replaces the search.
  printf '{"auths":{}}' >"$BATS_TEST_TMPDIR/empty.json"
  run -125 "$GET" "$reg" test/img 1 --cert-dir "$certs" --authfile "$BATS_TEST_TMPDIR/empty.json"
  [[ $output == *"unauthorized: authentication required" ]]
  REGISTRY_AUTH_FILE=$BATS_TEST_TMPDIR/empty.json run -125 "$GET" "$reg" test/img 1 --cert-dir "$certs"
}

@test "token registry: anonymous pull of public/, refused elsewhere; credentials; wrong password" {
  local d=$FX/token reg certs user pass log
  reg=$(fx "$d" REGISTRY) certs=$(fx "$d" CERT_DIR) user=$(fx "$d" REGISTRY_USER) pass=$(fx "$d" REGISTRY_PASS)
  log=$(fx "$d" TOKEN_LOG)
  : >"$log"
  run -0 "$GET" "$reg" public/img 1 --cert-dir "$certs"
  [ "${lines[0]}" = "digest $(img "$d" MANIFEST_DIGEST)" ]
  # One anonymous token request, for the repository's pull scope.
  [ "$(wc -l <"$log")" = 1 ]
  grep -q '"scope": \["repository:public/img:pull"\]' "$log"
  grep -q '"service": \["roost-test-registry"\]' "$log"
  grep -q '"authorization": false' "$log"
  : >"$log"
  run -125 "$GET" "$reg" test/img 1 --cert-dir "$certs"
  [ "$output" = "Error: reading manifest 1 in $reg/test/img: unauthorized: authentication required" ]
  # The second token request after the 401 (a token the registry refused is not used twice); no more.
  [ "$(wc -l <"$log")" = 2 ]
  : >"$log"
  run -0 "$GET" "$reg" test/img 1 --cert-dir "$certs" --creds "$user:$pass"
  [ "${lines[0]}" = "digest $(img "$d" MANIFEST_DIGEST)" ]
  grep -q "\"account\": \[\"$user\"\]" "$log"
  grep -q '"authorization": true' "$log"
  run -125 "$GET" "$reg" test/img 1 --cert-dir "$certs" --creds "$user:wrong"
  [ "$output" = "Error: authenticating to $reg/test/img: invalid username/password" ]
  run -0 "$GET" "$reg" --login --cert-dir "$certs" --creds "$user:$pass"
  run -125 "$GET" "$reg" --login --cert-dir "$certs" --creds "$user:wrong"
  [[ $output == *"invalid username/password" ]]
}

@test "token registry: six threads share one token and get the whole blob each" {
  local d=$FX/token reg certs user pass log
  reg=$(fx "$d" REGISTRY) certs=$(fx "$d" CERT_DIR) user=$(fx "$d" REGISTRY_USER) pass=$(fx "$d" REGISTRY_PASS)
  log=$(fx "$d" TOKEN_LOG)
  : >"$log"
  run -0 "$GET" "$reg" test/img 1 --cert-dir "$certs" --creds "$user:$pass" --parallel 6 \
    --blob "$(img "$d" LAYER_DIGEST)" "$(img "$d" LAYER_SIZE)"
  [ "$(grep -c "^digest $(img "$d" LAYER_DIGEST)$" <<<"$output")" = 6 ]
  [ "$(grep -c "^bytes $(img "$d" LAYER_SIZE)$" <<<"$output")" = 6 ]
  [ "$(wc -l <"$log")" = 1 ]
}

@test "token registry: an identity token is exchanged with the OAuth2 POST" {
  local d=$FX/token reg certs log
  reg=$(fx "$d" REGISTRY) certs=$(fx "$d" CERT_DIR) log=$(fx "$d" TOKEN_LOG)
  : >"$log"
  run -0 "$GET" "$reg" test/img 1 --cert-dir "$certs" --identity-token "$(fx "$d" IDENTITY_TOKEN)"
  [ "${lines[0]}" = "digest $(img "$d" MANIFEST_DIGEST)" ]
  grep -q '"method": "POST".*"grant_type": \["refresh_token"\]' "$log"
  run -125 "$GET" "$reg" test/img 1 --cert-dir "$certs" --identity-token not-the-token
  [ "$output" = "Error: authenticating to $reg/test/img: invalid username/password" ]
}

@test "a blob cut mid-way is resumed with Range; a 200 to a Range is refused; three resumes at most" {
  local d=$FX/anon-http proxy digest size
  digest=$(img "$d" LAYER_DIGEST) size=$(img "$d" LAYER_SIZE)
  proxy=$("$FIXTURE" proxy "$d" --cut-after 100000 --cut-count 2)
  run -0 "$GET" "$proxy" test/img 1 --tls-verify=false --blob "$digest" "$size" --out "$BATS_TEST_TMPDIR/layer"
  [ "$output" = "digest $digest
bytes $size" ]
  [ "$(sha256sum <"$BATS_TEST_TMPDIR/layer" | cut -d' ' -f1)" = "${digest#sha256:}" ]
  grep -q '"Range": "bytes=100000-"' "$d/proxy.0.log"
  grep -q '"Range": "bytes=200000-"' "$d/proxy.0.log"
  "$FIXTURE" proxy-stop "$d"

  proxy=$("$FIXTURE" proxy "$d" --cut-after 100000 --ignore-range)
  run -125 "$GET" "$proxy" test/img 1 --tls-verify=false --blob "$digest" "$size"
  [ "$output" = "Error: pulling $digest from $proxy/test/img: cannot resume at byte 100000: the registry answered 200 without Content-Range" ]
  "$FIXTURE" proxy-stop "$d"

  proxy=$("$FIXTURE" proxy "$d" --cut-after 1000 --cut-count 10)
  run -125 "$GET" "$proxy" test/img 1 --tls-verify=false --blob "$digest" "$size"
  [[ $output == "Error: pulling $digest from $proxy/test/img: "*"(after 3 resumed attempts)" ]]
  [ "$(grep -c '"Range"' "$d/proxy.0.log")" = 3 ]
}

@test "a registry answering 500: one line with the status and its message" {
  local d=$FX/anon-http proxy digest
  digest=$(img "$d" LAYER_DIGEST)
  proxy=$("$FIXTURE" proxy "$d" --fail-status 500)
  run -125 "$GET" "$proxy" test/img 1 --tls-verify=false --blob "$digest" "$(img "$d" LAYER_SIZE)"
  [ "$output" = "Error: pulling $digest from $proxy/test/img: 500 Internal Server Error: unknown: injected failure by cut-proxy" ]
}

@test "redirects: followed by hand; Authorization stays with the registry's host:port" {
  local d=$FX/htpasswd proxy digest size user pass
  digest=$(img "$d" LAYER_DIGEST) size=$(img "$d" LAYER_SIZE)
  user=$(fx "$d" REGISTRY_USER) pass=$(fx "$d" REGISTRY_PASS)
  proxy=$("$FIXTURE" proxy "$d" --redirect other-host --second-auth "$user:$pass")
  run -0 "$GET" "$proxy" test/img 1 --tls-verify=false --creds "$user:$pass" --blob "$digest" "$size"
  [ "${lines[0]}" = "digest $digest" ]
  # The registry got the credentials; the other host (localhost:SECOND) did not.
  grep '"listener": "first"' "$d/proxy.0.log" | grep "/blobs/$digest" | grep -q '"Authorization": "Basic '
  grep '"listener": "second"' "$d/proxy.0.log" | grep -q "/blobs/$digest"
  ! grep '"listener": "second"' "$d/proxy.0.log" | grep -q Authorization
  "$FIXTURE" proxy-stop "$d"
  # A relative Location stays on the registry's host: the credentials go along.
  proxy=$("$FIXTURE" proxy "$d" --redirect relative)
  run -0 "$GET" "$proxy" test/img 1 --tls-verify=false --creds "$user:$pass" --blob "$digest" "$size"
  [ "${lines[0]}" = "digest $digest" ]
  grep '"path": "/_redirected/v2/test/img/blobs/' "$d/proxy.0.log" | grep -q '"Authorization": "Basic '
}

@test "token registry: a 401 for another scope (insufficient_scope) merges it, new scope first, and retries once" {
  local d=$FX/token proxy certs user pass log
  certs=$(fx "$d" CERT_DIR) user=$(fx "$d" REGISTRY_USER) pass=$(fx "$d" REGISTRY_PASS) log=$(fx "$d" TOKEN_LOG)
  proxy=$("$FIXTURE" proxy "$d" --require-scope repository:other/img:pull --realm "$(fx "$d" REALM)" \
    --service "$(fx "$d" SERVICE)")
  : >"$log"
  run -0 "$GET" "$proxy" test/img 1 --tls-verify=false --creds "$user:$pass"
  [ "${lines[0]}" = "digest $(img "$d" MANIFEST_DIGEST)" ]
  [ "$(wc -l <"$log")" = 2 ]
  sed -n 2p "$log" | grep -q '"scope": \["repository:other/img:pull", "repository:test/img:pull"\]'
  # Without access to the other repository (anonymous: the token server grants it nothing), the
  # retry is the last: one line from the registry's answer.
  : >"$log"
  run -125 "$GET" "$proxy" public/img 1 --tls-verify=false
  [ "$output" = "Error: reading manifest 1 in $proxy/public/img: denied: requested access to the resource is denied" ]
  [ "$(wc -l <"$log")" = 2 ]
}

@test "manifests: over 4 MiB refused; a Docker-Content-Digest that is not the body's refused" {
  local d=$FX/anon-http proxy
  proxy=$("$FIXTURE" proxy "$d" --tamper-manifest big)
  run -125 "$GET" "$proxy" test/img 1 --tls-verify=false
  [ "$output" = "Error: reading manifest 1 in $proxy/test/img: manifest larger than 4 MiB" ]
  "$FIXTURE" proxy-stop "$d"
  proxy=$("$FIXTURE" proxy "$d" --tamper-manifest digest)
  run -125 "$GET" "$proxy" test/img 1 --tls-verify=false
  [[ $output == "Error: reading manifest 1 in $proxy/test/img: Docker-Content-Digest is sha256:1111"*" but the manifest's digest is $(img "$d" MANIFEST_DIGEST)" ]]
}
