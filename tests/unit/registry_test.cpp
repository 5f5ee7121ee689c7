// The registry client's pure parts: challenges, token answers, Content-Range, error bodies, the
// auth files (in temporary HOME/XDG directories) and registries.conf.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "registry/auth_file.hpp"
#include "registry/registries_conf.hpp"
#include "registry/wire.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

using namespace roost;
using namespace roost::registry;

namespace {

TEST(WwwAuthenticate, BearerWithRealmServiceScope) {
  auto cs = parse_www_authenticate(
      R"(Bearer realm="https://127.0.0.1:5444/token",service="roost-test-registry",scope="repository:test/img:pull")");
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].scheme, "bearer");
  EXPECT_EQ(cs[0].param("realm"), "https://127.0.0.1:5444/token");
  EXPECT_EQ(cs[0].param("service"), "roost-test-registry");
  EXPECT_EQ(cs[0].param("scope"), "repository:test/img:pull");
  EXPECT_EQ(cs[0].param("error"), "");
}

TEST(WwwAuthenticate, SeveralChallengesInOneHeader) {
  auto cs = parse_www_authenticate(
      R"(Basic realm="simple", Bearer realm="https://a.example/token", service=reg, error="insufficient_scope",)"
      R"( Newauth realm="apps", type=1, title="Login to \"apps\"")");
  ASSERT_EQ(cs.size(), 3u);
  EXPECT_EQ(cs[0].scheme, "basic");
  EXPECT_EQ(cs[0].param("realm"), "simple");
  EXPECT_EQ(cs[1].scheme, "bearer");
  EXPECT_EQ(cs[1].param("service"), "reg");  // a token value, unquoted
  EXPECT_EQ(cs[1].param("error"), "insufficient_scope");
  EXPECT_EQ(cs[2].scheme, "newauth");
  EXPECT_EQ(cs[2].param("type"), "1");
  EXPECT_EQ(cs[2].param("title"), "Login to \"apps\"");  // quoted-pair escapes
}

TEST(WwwAuthenticate, CaseSpacesAndEmptyElements) {
  auto cs = parse_www_authenticate(R"(BEARER  Realm = "r" ,, SERVICE="s", , Basic)");
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].scheme, "bearer");
  EXPECT_EQ(cs[0].param("realm"), "r");
  EXPECT_EQ(cs[0].param("service"), "s");
  EXPECT_EQ(cs[1].scheme, "basic");
  EXPECT_TRUE(cs[1].params.empty());
}

TEST(WwwAuthenticate, Token68AndEmptyQuotedValue) {
  auto cs = parse_www_authenticate(R"(Negotiate a87421000492aa874209af8bc028==, Bearer realm="")");
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].token68, "a87421000492aa874209af8bc028==");
  EXPECT_TRUE(cs[0].params.empty());
  ASSERT_EQ(cs[1].params.count("realm"), 1u);
  EXPECT_EQ(cs[1].param("realm"), "");
}

TEST(WwwAuthenticate, MalformedIsAnError) {
  EXPECT_THROW(parse_www_authenticate(R"(Bearer realm="unterminated)"), Error);
  EXPECT_THROW(parse_www_authenticate(R"(Bearer realm="a", service=)"), Error);
  // Alone, "realm=" is a token68 (RFC 7235 allows the padding), not a parameter.
  EXPECT_EQ(parse_www_authenticate(R"(Bearer realm=)").at(0).token68, "realm=");
  EXPECT_THROW(parse_www_authenticate(R"(Bearer realm="a" service="b")"), Error);  // no comma
  EXPECT_THROW(parse_www_authenticate(R"(Bearer realm="x\)"), Error);
  EXPECT_TRUE(parse_www_authenticate("").empty());
}

TEST(TokenResponse, TokenOrAccessTokenAndMinimumLifetime) {
  auto t = parse_token_response(R"({"token":"abc","expires_in":300,"refresh_token":"r"})");
  EXPECT_EQ(t.token, "abc");
  EXPECT_EQ(t.expires_in, 300);
  EXPECT_EQ(t.refresh_token, "r");
  t = parse_token_response(R"({"access_token":"xyz","expires_in":10})");
  EXPECT_EQ(t.token, "xyz");
  EXPECT_EQ(t.expires_in, 60);  // never less than 60 s
  t = parse_token_response(R"({"token":"","access_token":"second"})");
  EXPECT_EQ(t.token, "second");
  EXPECT_EQ(t.expires_in, 60);  // the default
  EXPECT_THROW(parse_token_response(R"({"expires_in":300})"), Error);
  EXPECT_THROW(parse_token_response("<html>"), Error);
  EXPECT_THROW(parse_token_response("[]"), Error);
}

TEST(ContentRange, Parses) {
  auto r = parse_content_range("bytes 100-199/200");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 100);
  EXPECT_EQ(r->last, 199);
  EXPECT_EQ(r->total, 200);
  r = parse_content_range("bytes 0-0/*");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->total, -1);
  for (const char* bad : {"", "bytes", "bytes 10-5/20", "bytes 10-25/20", "items 0-1/2", "bytes -1-2/3",
                          "bytes 1-2/x", "bytes 1-2", "bytes */20", "bytes 1-2/3 "})
    EXPECT_FALSE(parse_content_range(bad)) << bad;
}

TEST(RegistryErrors, FirstErrorsEntry) {
  EXPECT_EQ(registry_error_message(
                R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":[]},{"code":"X"}]})"),
            "unauthorized: authentication required");
  EXPECT_EQ(registry_error_message(R"({"errors":[{"code":"MANIFEST_UNKNOWN"}]})"), "manifest unknown");
  EXPECT_EQ(registry_error_message(R"({"errors":[]})"), "");
  EXPECT_EQ(registry_error_message("Internal Server Error"), "");
}

TEST(Encodings, PercentAndBase64) {
  EXPECT_EQ(percent_encode("repository:test/img:pull,push"), "repository%3Atest%2Fimg%3Apull%2Cpush");
  EXPECT_EQ(percent_encode("a b~_.-"), "a%20b~_.-");
  EXPECT_EQ(base64_encode("user:pass"), "dXNlcjpwYXNz");
  EXPECT_EQ(base64_decode("dXNlcjpwYXNz", "x"), "user:pass");
  EXPECT_EQ(base64_decode(base64_encode("ab"), "x"), "ab");
  EXPECT_EQ(base64_decode(base64_encode("a"), "x"), "a");
  EXPECT_EQ(base64_decode("", "x"), "");
  EXPECT_THROW(base64_decode("abc", "x"), Error);
  EXPECT_THROW(base64_decode("ab!d", "x"), Error);
}

TEST(AuthKeys, Normalisation) {
  EXPECT_EQ(normalize_auth_key("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(normalize_auth_key("index.docker.io"), "docker.io");
  EXPECT_EQ(normalize_auth_key("registry-1.docker.io/library/busybox"), "docker.io/library/busybox");
  EXPECT_EQ(normalize_auth_key("http://localhost:5000/v2/"), "localhost:5000");
  EXPECT_EQ(normalize_auth_key("https://quay.io/some/path"), "quay.io");  // a URL names a registry
  EXPECT_EQ(normalize_auth_key("quay.io/ns/repo"), "quay.io/ns/repo");    // a namespace stays
  EXPECT_EQ(normalize_auth_key("quay.io/"), "quay.io");
}

// A temporary HOME, XDG_RUNTIME_DIR and XDG_CONFIG_HOME; the environment comes back afterwards.
class AuthFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/roost-auth-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    for (const char* name : {"HOME", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "PATH"}) {
      const char* v = std::getenv(name);
      saved_[name] = v ? std::optional<std::string>(v) : std::nullopt;
    }
    make_dirs(dir_ + "/home/.docker");
    make_dirs(dir_ + "/run/containers");
    make_dirs(dir_ + "/config/containers");
    make_dirs(dir_ + "/bin");
    setenv("HOME", (dir_ + "/home").c_str(), 1);
    setenv("XDG_RUNTIME_DIR", (dir_ + "/run").c_str(), 1);
    setenv("XDG_CONFIG_HOME", (dir_ + "/config").c_str(), 1);
    setenv("PATH", (dir_ + "/bin:" + saved_["PATH"].value_or("/usr/bin:/bin")).c_str(), 1);
    unsetenv("DOCKER_CONFIG");
    unsetenv("REGISTRY_AUTH_FILE");
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
    remove_tree(dir_);
  }
  static std::string auth(const std::string& user, const std::string& pass) {
    return base64_encode(user + ":" + pass);
  }
  void write(const std::string& rel, const std::string& text, int mode = 0644) {
    write_file(dir_ + "/" + rel, text, O_CREAT | O_TRUNC, mode);
  }
  std::string dir_;
  std::map<std::string, std::optional<std::string>> saved_;
};

TEST_F(AuthFiles, SearchOrder) {
  auto order = auth_file_search_order();
  ASSERT_EQ(order.size(), 4u);
  EXPECT_EQ(order[0], dir_ + "/run/containers/auth.json");
  EXPECT_EQ(order[1], dir_ + "/config/containers/auth.json");
  EXPECT_EQ(order[2], dir_ + "/home/.docker/config.json");
  EXPECT_EQ(order[3], dir_ + "/home/.dockercfg");
  setenv("DOCKER_CONFIG", (dir_ + "/dc").c_str(), 1);
  EXPECT_EQ(auth_file_search_order()[2], dir_ + "/dc/config.json");
  setenv("REGISTRY_AUTH_FILE", "/x/auth.json", 1);
  EXPECT_EQ(auth_file_search_order(), std::vector<std::string>{"/x/auth.json"});
  EXPECT_EQ(auth_file_search_order("/y.json"), std::vector<std::string>{"/y.json"});
}

TEST_F(AuthFiles, FirstFileWinsAndLongestNamespace) {
  write("config/containers/auth.json",
        R"({"auths":{"quay.io":{"auth":")" + auth("host", "1") + R"("},)" +
            R"("quay.io/team":{"auth":")" + auth("team", "2") + R"("},)" +
            R"("quay.io/team/app":{"auth":")" + auth("app", "3") + R"("}}})");
  write("home/.docker/config.json",
        R"({"auths":{"https://index.docker.io/v1/":{"auth":")" + auth("hub", "p:w") + R"("},)" +
            R"("quay.io":{"auth":")" + auth("later", "x") + R"("}}})");
  auto c = lookup_credentials("quay.io/team/app");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "app");
  c = lookup_credentials("quay.io/team/other");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "team");
  c = lookup_credentials("quay.io/teamx/app");  // whole components only
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "host");
  c = lookup_credentials("docker.io/library/busybox");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "hub");
  EXPECT_EQ(c->password, "p:w");  // the first colon splits
  EXPECT_FALSE(lookup_credentials("ghcr.io/a/b"));
  // The runtime file comes first.
  write("run/containers/auth.json", R"({"auths":{"quay.io":{"auth":")" + auth("runtime", "r") + R"("}}})");
  EXPECT_EQ(lookup_credentials("quay.io/teamx/app")->username, "runtime");
  // An explicit file replaces the search.
  write("explicit.json", R"({"auths":{}})");
  EXPECT_FALSE(lookup_credentials("quay.io/team/app", dir_ + "/explicit.json"));
}

TEST_F(AuthFiles, IdentityTokenAndBadFiles) {
  write("run/containers/auth.json", R"({"auths":{"reg.example":{"identitytoken":"tok"}}})");
  auto c = lookup_credentials("reg.example/a");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->identity_token, "tok");
  write("run/containers/auth.json", R"({"auths":{"reg.example":{"auth":"not base64!"}}})");
  EXPECT_THROW(lookup_credentials("reg.example/a"), Error);
  write("run/containers/auth.json", R"({"auths":{"reg.example":{"auth":")" + base64_encode("nocolon") + R"("}}})");
  EXPECT_THROW(lookup_credentials("reg.example/a"), Error);
  write("run/containers/auth.json", "{broken");
  EXPECT_THROW(lookup_credentials("reg.example/a"), Error);
}

TEST_F(AuthFiles, CredentialHelpers) {
  // A credential helper as the docker-credential-helpers protocol has it: the server on stdin,
  // JSON on stdout, "credentials not found" when it has none.
  write("bin/docker-credential-roosttest",
        "#!/bin/sh\n[ \"$1\" = get ] || exit 3\nread server\n"
        "case $server in\n"
        "  helped.example) echo '{\"ServerURL\":\"helped.example\",\"Username\":\"hu\",\"Secret\":\"hs\"}';;\n"
        "  token.example) echo '{\"ServerURL\":\"token.example\",\"Username\":\"<token>\",\"Secret\":\"idt\"}';;\n"
        "  broken.example) echo 'it broke' >&2; exit 1;;\n"
        "  *) echo 'credentials not found in native keychain'; exit 1;;\n"
        "esac\n",
        0755);
  write("home/.docker/config.json",
        R"({"credHelpers":{"helped.example":"roosttest","token.example":"roosttest","broken.example":"roosttest",)"
        R"("missing.example":"roosttest"}, "auths":{"missing.example":{"auth":")" + auth("unused", "x") + R"("}}})");
  auto c = lookup_credentials("helped.example/some/repo");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "hu");
  EXPECT_EQ(c->password, "hs");
  c = lookup_credentials("token.example/r");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->identity_token, "idt");
  EXPECT_FALSE(lookup_credentials("missing.example/r"));  // the helper is asked, not auths
  try {
    lookup_credentials("broken.example/r");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("it broke"), std::string::npos) << e.what();
  }
  write("home/.docker/config.json", R"({"credsStore":"roosttest"})");
  EXPECT_EQ(lookup_credentials("helped.example/x")->username, "hu");
  EXPECT_FALSE(lookup_credentials("other.example/x"));
  write("home/.docker/config.json", R"({"credsStore":"nosuchhelper"})");
  EXPECT_THROW(lookup_credentials("other.example/x"), Error);
}

TEST_F(AuthFiles, StoreAndRemove) {
  remove_tree(dir_ + "/run/containers");  // login makes it, 0700
  Credentials c{"u", "p:1", {}};
  store_credentials("127.0.0.1:5000", c);
  std::string path = dir_ + "/run/containers/auth.json";
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((dir_ + "/run/containers").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto got = lookup_credentials("127.0.0.1:5000/test/img");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->username, "u");
  EXPECT_EQ(got->password, "p:1");
  // Other entries and fields survive; the docker.io spellings become one entry.
  write("run/containers/auth.json",
        R"({"auths":{"https://index.docker.io/v1/":{"auth":")" + auth("old", "o") + R"("},"keep.example":{"auth":")" +
            auth("k", "k") + R"("}},"credHelpers":{"x.example":"y"}})",
        0600);
  store_credentials("docker.io", Credentials{"new", "n", {}});
  std::string text = read_file(path);
  EXPECT_EQ(text.find("index.docker.io"), std::string::npos) << text;
  EXPECT_NE(text.find("keep.example"), std::string::npos) << text;
  EXPECT_NE(text.find("credHelpers"), std::string::npos) << text;
  EXPECT_EQ(lookup_credentials("docker.io/library/busybox")->username, "new");
  EXPECT_TRUE(remove_credentials("docker.io"));
  EXPECT_FALSE(remove_credentials("docker.io"));
  EXPECT_FALSE(lookup_credentials("docker.io/library/busybox"));
  EXPECT_TRUE(lookup_credentials("keep.example/a"));
  EXPECT_FALSE(remove_credentials("never.example", dir_ + "/none.json"));
  // An explicit file; its directory's parent must exist.
  store_credentials("a.example", c, dir_ + "/explicit/auth.json");
  EXPECT_TRUE(path_exists(dir_ + "/explicit/auth.json"));
  EXPECT_THROW(store_credentials("a.example", c, dir_ + "/no/such/auth.json"), Error);
}

TEST(RegistriesConf, ParsesAndMatchesLongestPrefix) {
  auto conf = parse_registries_conf(R"(
unqualified-search-registries = ["registry.fedoraproject.org", "docker.io"]

[[registry]]
prefix = "docker.io"
location = "docker.io"
[[registry.mirror]]
location = "mirror.local:5000"
insecure = true
[[registry.mirror]]
location = "digest-mirror.local/hub"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "tag-mirror.local"
pull-from-mirror = "tag-only"

[[registry]]
prefix = "docker.io/library/busybox"
location = "internal.example/busybox"
insecure = true

[[registry]]
location = "quay.io"
blocked = true

[[registry]]
prefix = "*.example.com"
insecure = true
)");
  EXPECT_EQ(conf.unqualified_search, (std::vector<std::string>{"registry.fedoraproject.org", "docker.io"}));
  ASSERT_EQ(conf.registries.size(), 4u);

  auto e = conf.endpoints_for("docker.io/library/alpine", false);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].location, "mirror.local:5000/library/alpine");
  EXPECT_TRUE(e[0].insecure);
  EXPECT_TRUE(e[0].mirror);
  EXPECT_EQ(e[1].location, "tag-mirror.local/library/alpine");
  EXPECT_EQ(e[2].location, "docker.io/library/alpine");
  EXPECT_FALSE(e[2].mirror);
  EXPECT_FALSE(e[2].insecure);

  e = conf.endpoints_for("docker.io/library/alpine", true);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].location, "mirror.local:5000/library/alpine");
  EXPECT_EQ(e[1].location, "digest-mirror.local/hub/library/alpine");
  EXPECT_EQ(e[2].location, "docker.io/library/alpine");

  // The longer prefix wins and rewrites the location; its registry has no mirrors.
  e = conf.endpoints_for("docker.io/library/busybox", false);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].location, "internal.example/busybox");
  EXPECT_TRUE(e[0].insecure);
  // Whole components: busyboxes is not under docker.io/library/busybox.
  EXPECT_EQ(conf.endpoints_for("docker.io/library/busyboxes", false).back().location,
            "docker.io/library/busyboxes");

  try {
    conf.endpoints_for("quay.io/a/b", false);
    FAIL() << "not blocked";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "registry quay.io/a/b is blocked in registries.conf");
  }

  e = conf.endpoints_for("reg.example.com/x", false);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].location, "reg.example.com/x");
  EXPECT_TRUE(e[0].insecure);
  EXPECT_FALSE(conf.endpoints_for("example.com/x", false)[0].insecure);  // the wildcard needs a subdomain

  e = conf.endpoints_for("ghcr.io/o/r", true);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].location, "ghcr.io/o/r");
}

TEST(RegistriesConf, MirrorByDigestOnly) {
  auto conf = parse_registries_conf(R"(
[[registry]]
location = "r.example"
mirror-by-digest-only = true
mirror = [{location = "m.example"}, {location = "t.example", pull-from-mirror = "tag-only"}]
)");
  auto e = conf.endpoints_for("r.example/a", false);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].location, "t.example/a");
  e = conf.endpoints_for("r.example/a", true);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].location, "m.example/a");
}

TEST(RegistriesConf, BadFilesAreErrors) {
  try {
    parse_registries_conf("[[registry]]\nlocation = \n");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("registries.conf:2:"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_registries_conf("[registries.search]\nregistries = ['docker.io']\n"), Error);
  EXPECT_THROW(parse_registries_conf("[[registry]]\ninsecure = true\n"), Error);  // no prefix or location
  EXPECT_THROW(parse_registries_conf("[[registry]]\nlocation = 'a'\ninsecure = 'yes'\n"), Error);
  EXPECT_THROW(parse_registries_conf("[[registry]]\nlocation = 'a'\n[[registry.mirror]]\nlocation = 'b'\n"
                                     "pull-from-mirror = 'sometimes'\n"),
               Error);
  EXPECT_THROW(parse_registries_conf("unqualified-search-registries = 'docker.io'\n"), Error);
  EXPECT_THROW(parse_registries_conf("[[registry]]\nprefix = '*.example.com/ns'\n"), Error);
}

TEST_F(AuthFiles, LoadRegistriesConfWithDropIns) {
  const char* old = std::getenv("CONTAINERS_REGISTRIES_CONF");
  std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  unsetenv("CONTAINERS_REGISTRIES_CONF");
  write("config/containers/registries.conf",
        "unqualified-search-registries = ['docker.io']\n[[registry]]\nlocation = 'a.example'\ninsecure = true\n");
  make_dirs(dir_ + "/config/containers/registries.conf.d");
  write("config/containers/registries.conf.d/20-b.conf", "[[registry]]\nlocation = 'a.example'\nblocked = true\n");
  write("config/containers/registries.conf.d/10-a.conf", "unqualified-search-registries = ['quay.io']\n");
  write("config/containers/registries.conf.d/ignored.txt", "not toml [");
  RegistriesConf conf = load_registries_conf();
  EXPECT_EQ(conf.unqualified_search, std::vector<std::string>{"quay.io"});
  ASSERT_GE(conf.registries.size(), 1u);
  EXPECT_THROW(conf.endpoints_for("a.example/x", false), Error);  // 20-b replaced the table
  write("forced.conf", "unqualified-search-registries = ['forced.example']\n");
  setenv("CONTAINERS_REGISTRIES_CONF", (dir_ + "/forced.conf").c_str(), 1);
  conf = load_registries_conf();
  EXPECT_EQ(conf.unqualified_search, std::vector<std::string>{"forced.example"});
  EXPECT_TRUE(conf.registries.empty());
  if (saved) {
    setenv("CONTAINERS_REGISTRIES_CONF", saved->c_str(), 1);
  } else {
    unsetenv("CONTAINERS_REGISTRIES_CONF");
  }
}

}  // namespace
