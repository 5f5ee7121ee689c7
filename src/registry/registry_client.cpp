#include "registry/registry_client.hpp"

#include <dirent.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <map>
#include <mutex>

#include "registry/auth_file.hpp"
#include "registry/curl_library.hpp"
#include "registry/wire.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::registry {
namespace {

using Clock = std::chrono::steady_clock;

constexpr long kConnectTimeoutSeconds = 30;
// A transfer slower than 1 byte/s for 60 s is a stalled server: curl gives up (and a blob resumes).
constexpr long kLowSpeedLimit = 1, kLowSpeedSeconds = 60;
constexpr int kMaxRedirects = 10;
constexpr int kMaxResumes = 3;
constexpr size_t kMaxErrorBody = 64 << 10;
constexpr size_t kMaxTokenBody = 1 << 20;  // containers/image's cap on token responses

// Where the body of a 2xx answer goes. begin() sees the status and headers first and may refuse.
struct Exchange;
class BodyTarget {
 public:
  virtual ~BodyTarget() = default;
  virtual void begin(const Exchange&) {}
  virtual void write(const char* data, size_t size) = 0;
};

// One HTTP exchange as curl delivers it: the status line, the headers, the body.
struct Exchange {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string error_body;          // the body of a non-2xx answer, capped
  BodyTarget* target = nullptr;    // the body of a 2xx answer; none: discarded
  bool streaming = false;
  std::exception_ptr error;        // thrown inside a callback, rethrown after curl returns

  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
  bool has_header(const std::string& name) const {
    for (const auto& h : headers)
      if (h.first == name) return true;
    return false;
  }
  std::vector<std::string> all(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : headers)
      if (k == name) out.push_back(v);
    return out;
  }
  bool success() const { return status >= 200 && status < 300; }
};

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return std::string(s);
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  size_t len = size * count;
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    // A new response (after a 100 Continue): what came before is forgotten.
    size_t sp = line.find(' ');
    x->status = sp == std::string_view::npos ? 0 : std::atol(std::string(line.substr(sp + 1, 3)).c_str());
    x->headers.clear();
    x->streaming = false;
    return len;
  }
  if (line.empty()) {
    if (x->status >= 200 && x->success() && x->target != nullptr) {
      try {
        x->target->begin(*x);
        x->streaming = true;
      } catch (...) {
        x->error = std::current_exception();
        return 0;  // curl aborts the transfer
      }
    }
    return len;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  x->headers.emplace_back(std::move(name), trim(line.substr(colon + 1)));
  return len;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  size_t len = size * count;
  if (x->streaming) {
    try {
      x->target->write(data, len);
    } catch (...) {
      x->error = std::current_exception();
      return 0;
    }
  } else if (!x->success()) {
    x->error_body.append(data, std::min(len, kMaxErrorBody - std::min(kMaxErrorBody, x->error_body.size())));
  }
  return len;
}

// A body into memory, refused past `cap` (announced or received).
class BufferTarget : public BodyTarget {
 public:
  BufferTarget(size_t cap, std::string too_large) : cap_(cap), too_large_(std::move(too_large)) {}
  void begin(const Exchange& x) override {
    std::string length = x.header("content-length");
    if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > cap_) throw Error(too_large_);
  }
  void write(const char* data, size_t size) override {
    if (size > cap_ - bytes.size()) throw Error(too_large_);
    bytes.append(data, size);
  }
  std::string bytes;

 private:
  size_t cap_;
  std::string too_large_;
};

// A blob into the caller's sink, across resumed attempts: it counts what was received and checks
// that a resumed answer continues exactly there.
class BlobTarget : public BodyTarget {
 public:
  BlobTarget(const image::Descriptor& blob, util::ByteSink& sink, const std::function<void(int64_t)>& progress,
             std::string what)
      : blob_(blob), sink_(sink), progress_(progress), what_(std::move(what)) {}

  void begin(const Exchange& x) override {
    if (received == 0) {
      if (x.status != 200) throw Error(what_ + ": unexpected " + std::to_string(x.status) + " answer");
      std::string length = x.header("content-length");
      if (!length.empty() && std::strtoll(length.c_str(), nullptr, 10) != blob_.size)
        throw Error(what_ + ": the registry announces " + length + " bytes, the manifest " +
                    std::to_string(blob_.size));
      return;
    }
    std::string range = x.header("content-range");
    auto parsed = parse_content_range(range);
    if (x.status != 206 || !parsed || parsed->first != received || (parsed->total >= 0 && parsed->total != blob_.size))
      throw Error(what_ + ": cannot resume at byte " + std::to_string(received) + ": the registry answered " +
                  std::to_string(x.status) + (range.empty() ? std::string(" without Content-Range")
                                                            : " with Content-Range \"" + range + "\""));
  }
  void write(const char* data, size_t size) override {
    if (static_cast<int64_t>(size) > blob_.size - received)
      throw Error(what_ + ": the registry sent more than the " + std::to_string(blob_.size) + " bytes of the blob");
    sink_.write(reinterpret_cast<const uint8_t*>(data), size);
    received += static_cast<int64_t>(size);
    if (progress_) progress_(received);
  }
  int64_t received = 0;

 private:
  const image::Descriptor& blob_;
  util::ByteSink& sink_;
  const std::function<void(int64_t)>& progress_;
  std::string what_;
};

// Transfer errors after which the blob's remaining bytes are asked for again.
bool is_cut_connection(CURLcode code) {
  return code == CURLE_PARTIAL_FILE || code == CURLE_RECV_ERROR || code == CURLE_OPERATION_TIMEDOUT ||
         code == CURLE_GOT_NOTHING || code == CURLE_HTTP2_STREAM || code == CURLE_HTTP2 ||
         code == CURLE_SEND_ERROR;
}

struct TlsConfig {
  std::string ca_pem;                   // every *.crt of the cert dir
  std::string client_cert, client_key;  // a *.cert and its *.key
};

std::string home_dir() {
  const char* h = std::getenv("HOME");
  return h && *h ? h : "";
}

// certs.d as containers/image reads it (pkg/docker/config and docker_client.go dockerCertDir):
// the user's ~/.config/containers/certs.d/HOST:PORT, then /etc/containers/certs.d/HOST:PORT,
// then /etc/docker/certs.d/HOST:PORT; --cert-dir replaces the search.
TlsConfig load_tls_config(const std::string& cert_dir, const std::string& host_port) {
  std::string dir = cert_dir;
  if (dir.empty()) {
    std::vector<std::string> candidates;
    if (!home_dir().empty()) candidates.push_back(home_dir() + "/.config/containers/certs.d/" + host_port);
    candidates.push_back("/etc/containers/certs.d/" + host_port);
    candidates.push_back("/etc/docker/certs.d/" + host_port);
    for (const auto& c : candidates)
      if (path_exists(c)) {
        dir = c;
        break;
      }
    if (dir.empty()) return {};
  } else if (!path_exists(dir)) {
    throw Error("certificate directory " + dir + " does not exist");
  }
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) throw_errno("open certificate directory " + dir);
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) names.emplace_back(e->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  auto ends = [](const std::string& s, const char* suffix) {
    size_t n = std::char_traits<char>::length(suffix);
    return s.size() > n && s.compare(s.size() - n, n, suffix) == 0;
  };
  TlsConfig tls;
  for (const auto& name : names) {
    std::string path = dir + "/" + name;
    if (ends(name, ".crt")) {
      tls.ca_pem += read_file(path);
      tls.ca_pem += "\n";
    } else if (ends(name, ".cert")) {
      std::string key = dir + "/" + name.substr(0, name.size() - 5) + ".key";
      if (!path_exists(key)) throw Error("client certificate " + path + " has no key " + key);
      tls.client_cert = path;
      tls.client_key = key;
    } else if (ends(name, ".key")) {
      std::string cert = dir + "/" + name.substr(0, name.size() - 4) + ".cert";
      if (!path_exists(cert)) throw Error("client key " + path + " has no certificate " + cert);
    }
  }
  return tls;
}

struct Token {
  std::string value;
  Clock::time_point expires;
};

struct Result {
  CURLcode code = CURLE_OK;
  std::string message;  // curl's words when code is not OK
};

}  // namespace

struct RegistryClient::Impl {
  std::string host, repository;
  ClientOptions options;
  const CurlLibrary& curl;
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks;

  std::mutex pool_mutex;
  std::vector<CURL*> pool;  // idle easy handles: each keeps its connections open for the next request

  std::mutex mutex;  // everything below
  bool pinged = false;
  std::string base;  // "https://HOST" or "http://HOST"
  std::vector<Challenge> challenges;
  bool credentials_loaded = false;
  std::optional<Credentials> credentials;
  std::vector<std::string> scopes;
  std::map<std::string, Token> tokens;  // by the scopes asked for
  std::mutex tls_mutex;  // apart: requests made while `mutex` is held (ping, tokens) read it too
  std::map<std::string, TlsConfig> tls;  // by host:port

  Impl(std::string h, std::string repo, ClientOptions o)
      : host(std::move(h)), repository(std::move(repo)), options(std::move(o)), curl(require_curl()) {
    if (!repository.empty()) scopes.push_back("repository:" + repository + ":pull");
    // DNS answers and TLS sessions are shared between the threads' handles; connections are not
    // (libcurl does not support sharing a connection cache between concurrent threads).
    share = curl.share_init();
    if (share == nullptr) throw Error("curl_share_init failed");
    curl.share_setopt(share, CURLSHOPT_LOCKFUNC, &Impl::lock_share);
    curl.share_setopt(share, CURLSHOPT_UNLOCKFUNC, &Impl::unlock_share);
    curl.share_setopt(share, CURLSHOPT_USERDATA, this);
    curl.share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl.share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  ~Impl() {
    for (CURL* h : pool) curl.easy_cleanup(h);
    curl.share_cleanup(share);
  }

  static void lock_share(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Impl*>(user)->share_locks[static_cast<size_t>(data) % CURL_LOCK_DATA_LAST].lock();
  }
  static void unlock_share(CURL*, curl_lock_data data, void* user) {
    static_cast<Impl*>(user)->share_locks[static_cast<size_t>(data) % CURL_LOCK_DATA_LAST].unlock();
  }

  std::string where() const { return repository.empty() ? host : host + "/" + repository; }

  // ---- URLs ----

  struct UrlParts {
    std::string scheme, host, port;
    std::string origin() const { return scheme + "://" + host + ":" + port; }
    // certs.d names a directory by host, or host:port when the port is not the scheme's default.
    std::string host_port() const {
      bool default_port = (scheme == "https" && port == "443") || (scheme == "http" && port == "80");
      std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
      return default_port ? h : h + ":" + port;
    }
  };

  std::string url_get(CURLU* u, CURLUPart part, unsigned flags) {
    char* out = nullptr;
    if (curl.url_get(u, part, &out, flags) != CURLUE_OK || out == nullptr) return {};
    std::string s(out);
    curl.free(out);
    return s;
  }

  UrlParts parse_url(const std::string& url) {
    CURLU* u = curl.url();
    if (curl.url_set(u, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
      curl.url_cleanup(u);
      throw Error("invalid URL " + url);
    }
    UrlParts p{url_get(u, CURLUPART_SCHEME, 0), url_get(u, CURLUPART_HOST, 0),
               url_get(u, CURLUPART_PORT, CURLU_DEFAULT_PORT)};
    curl.url_cleanup(u);
    // curl keeps the brackets of an IPv6 host; certs.d and origins want them once.
    if (p.host.size() > 2 && p.host.front() == '[') p.host = p.host.substr(1, p.host.size() - 2);
    return p;
  }

  // A Location (absolute, or relative to the request's URL) made absolute.
  std::string resolve(const std::string& base_url, const std::string& location) {
    CURLU* u = curl.url();
    std::string out;
    if (curl.url_set(u, CURLUPART_URL, base_url.c_str(), 0) == CURLUE_OK &&
        curl.url_set(u, CURLUPART_URL, location.c_str(), 0) == CURLUE_OK)
      out = url_get(u, CURLUPART_URL, 0);
    curl.url_cleanup(u);
    if (out.empty()) throw Error("the registry redirected to an invalid URL \"" + location + "\"");
    return out;
  }

  // ---- one exchange ----

  CURL* acquire() {
    {
      std::lock_guard lock(pool_mutex);
      if (!pool.empty()) {
        CURL* h = pool.back();
        pool.pop_back();
        curl.easy_reset(h);  // options go, the connection cache stays
        return h;
      }
    }
    CURL* h = curl.easy_init();
    if (h == nullptr) throw Error("curl_easy_init failed");
    return h;
  }
  void release(CURL* h) {
    std::lock_guard lock(pool_mutex);
    pool.push_back(h);
  }

  const TlsConfig& tls_for(const UrlParts& url) {
    std::lock_guard lock(tls_mutex);
    std::string key = url.host_port();
    auto it = tls.find(key);
    if (it == tls.end()) it = tls.emplace(key, load_tls_config(options.cert_dir, key)).first;
    return it->second;
  }

  struct Request {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;
    std::string form;  // a POST's application/x-www-form-urlencoded body
  };

  Result perform(const Request& r, Exchange& x) {
    UrlParts parts = parse_url(r.url);
    if (parts.scheme != "https" && parts.scheme != "http") throw Error("unsupported URL " + r.url);
    static const TlsConfig kPlain;
    const TlsConfig& t = parts.scheme == "https" ? tls_for(parts) : kPlain;
    CURL* h = acquire();
    struct Release {
      Impl* self;
      CURL* h;
      curl_slist* list = nullptr;
      ~Release() {
        if (list) self->curl.slist_free_all(list);
        self->release(h);
      }
    } guard{this, h};
    for (const auto& header : r.headers) guard.list = curl.slist_append(guard.list, header.c_str());
    // curl adds "Expect: 100-continue" to POSTs; the token servers need no such round trip.
    guard.list = curl.slist_append(guard.list, "Expect:");
    char errbuf[CURL_ERROR_SIZE] = {0};
    auto& c = curl;
    c.easy_setopt(h, CURLOPT_URL, r.url.c_str());
    c.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    c.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
    c.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    c.easy_setopt(h, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
    c.easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, kLowSpeedLimit);
    c.easy_setopt(h, CURLOPT_LOW_SPEED_TIME, kLowSpeedSeconds);
    c.easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
    c.easy_setopt(h, CURLOPT_SHARE, share);
    c.easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    c.easy_setopt(h, CURLOPT_HTTPHEADER, guard.list);
    c.easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    c.easy_setopt(h, CURLOPT_HEADERDATA, &x);
    c.easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    c.easy_setopt(h, CURLOPT_WRITEDATA, &x);
    if (r.method == "HEAD") {
      c.easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (r.method == "POST") {
      c.easy_setopt(h, CURLOPT_POSTFIELDS, r.form.c_str());
      c.easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.form.size()));
    }
    if (!options.tls_verify) {
      c.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      c.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    curl_blob ca{const_cast<char*>(t.ca_pem.data()), t.ca_pem.size(), CURL_BLOB_COPY};
    if (!t.ca_pem.empty()) c.easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
    if (!t.client_cert.empty()) {
      c.easy_setopt(h, CURLOPT_SSLCERT, t.client_cert.c_str());
      c.easy_setopt(h, CURLOPT_SSLKEY, t.client_key.c_str());
    }
    CURLcode code = c.easy_perform(h);
    if (x.error) std::rethrow_exception(x.error);
    Result res{code, {}};
    if (code != CURLE_OK) res.message = errbuf[0] ? errbuf : c.easy_strerror(code);
    return res;
  }

  // ---- authentication ----

  std::optional<Credentials> creds_locked() {
    if (!credentials_loaded) {
      credentials_loaded = true;
      if (options.credentials) {
        credentials = options.credentials;
      } else {
        // Docker Hub's API host is registry-1.docker.io; its credentials are stored as docker.io.
        std::string key = host == "registry-1.docker.io" || host == "index.docker.io" ? "docker.io" : host;
        if (!repository.empty()) key += "/" + repository;
        credentials = lookup_credentials(key, options.auth_file);
      }
    }
    return credentials;
  }

  void ping_locked() {
    if (pinged) return;
    Exchange x;
    std::string url = "https://" + host + "/v2/";
    Result r = perform({"GET", url, {}, {}}, x);
    if (r.code != CURLE_OK && !options.tls_verify) {
      // containers/image: plain http only when TLS verification is off, after https failed.
      Exchange plain;
      Result r2 = perform({"GET", "http://" + host + "/v2/", {}, {}}, plain);
      if (r2.code == CURLE_OK) {
        x = std::move(plain);
        r = r2;
        url = "http://" + host + "/v2/";
      }
    }
    if (r.code != CURLE_OK) {
      std::string hint;
      if (r.code == CURLE_PEER_FAILED_VERIFICATION || r.code == CURLE_SSL_CACERT_BADFILE)
        hint = " (its CA goes in ~/.config/containers/certs.d/" + host + "/ or --cert-dir; or --tls-verify=false)";
      else if (r.code == CURLE_SSL_CONNECT_ERROR && options.tls_verify)
        hint = " (a registry on plain http needs --tls-verify=false)";
      throw Error("pinging container registry " + host + ": " + r.message + hint);
    }
    if (x.status != 200 && x.status != 401)
      throw Error("pinging container registry " + host + ": " + std::to_string(x.status) + " " +
                  http_reason(x.status));
    base = url.substr(0, url.size() - 4);
    for (const auto& value : x.all("www-authenticate")) {
      auto cs = parse_www_authenticate(value);
      challenges.insert(challenges.end(), cs.begin(), cs.end());
    }
    pinged = true;
  }

  const Challenge* challenge(const std::string& scheme) const {
    for (const auto& c : challenges)
      if (c.scheme == scheme) return &c;
    return nullptr;
  }

  std::string joined_scopes() const {
    std::string s;
    for (const auto& scope : scopes) s += (s.empty() ? "" : " ") + scope;
    return s;
  }

  // A token for `wanted` scopes from the Bearer challenge's realm: cached until it expires.
  std::string bearer_token_locked(const Challenge& bearer, const std::vector<std::string>& wanted,
                                  bool use_cache) {
    std::string key;
    for (const auto& s : wanted) key += s + " ";
    if (use_cache) {
      auto it = tokens.find(key);
      if (it != tokens.end() && Clock::now() < it->second.expires) return it->second.value;
    }
    std::string realm = bearer.param("realm");
    if (realm.empty()) throw Error(where() + ": the registry's Bearer challenge has no realm");
    std::string service = bearer.param("service");
    auto creds = creds_locked();
    Exchange x;
    BufferTarget body(kMaxTokenBody, "the token server's answer is larger than 1 MiB");
    x.target = &body;
    Request req;
    req.url = realm;
    if (creds && !creds->identity_token.empty()) {
      // An identity token (from `docker login` to a registry that hands them out) is an OAuth2
      // refresh token: POST it (docker-registry's spec/auth/oauth.md).
      req.method = "POST";
      req.form = "grant_type=refresh_token&client_id=roost&refresh_token=" + percent_encode(creds->identity_token);
      if (!service.empty()) req.form += "&service=" + percent_encode(service);
      std::string joined;
      for (const auto& s : wanted) joined += (joined.empty() ? "" : " ") + s;
      if (!joined.empty()) req.form += "&scope=" + percent_encode(joined);
      req.headers.push_back("Content-Type: application/x-www-form-urlencoded");
    } else {
      std::string query;
      auto add = [&](const std::string& k, const std::string& v) {
        query += (query.empty() ? "" : "&") + k + "=" + percent_encode(v);
      };
      if (!service.empty()) add("service", service);
      for (const auto& s : wanted) add("scope", s);
      if (creds) {
        add("account", creds->username);
        req.headers.push_back("Authorization: Basic " + base64_encode(creds->username + ":" + creds->password));
      }
      if (!query.empty()) req.url += (realm.find('?') == std::string::npos ? "?" : "&") + query;
    }
    Result r = perform(req, x);
    if (r.code != CURLE_OK) throw Error(where() + ": requesting a token from " + realm + ": " + r.message);
    if (x.status == 401 && creds) throw Error("authenticating to " + where() + ": invalid username/password");
    if (!x.success()) {
      std::string msg = registry_error_message(x.error_body);
      throw Error(where() + ": requesting a token from " + realm + ": " + std::to_string(x.status) + " " +
                  http_reason(x.status) + (msg.empty() ? "" : ": " + msg));
    }
    TokenResponse t = parse_token_response(body.bytes);
    tokens[key] = Token{t.token, Clock::now() + std::chrono::seconds(t.expires_in)};
    return t.token;
  }

  // The Authorization header value for a request to the registry ("" for none), and whether it
  // carries the user's credentials (for the error of a 401).
  std::string authorization_locked(bool& with_credentials) {
    with_credentials = false;
    if (const Challenge* bearer = challenge("bearer")) {
      with_credentials = creds_locked().has_value();
      return "Bearer " + bearer_token_locked(*bearer, scopes, true);
    }
    if (challenge("basic")) {
      auto creds = creds_locked();
      if (!creds) return {};
      if (!creds->identity_token.empty())
        throw Error(where() + ": the registry asks for Basic auth, and only an identity token is stored");
      with_credentials = true;
      return "Basic " + base64_encode(creds->username + ":" + creds->password);
    }
    return {};
  }

  // After a 401: learn from its challenge. True when a retry can do better (a new scope, or the
  // cached token dropped because the registry no longer takes it).
  bool learn_from_401_locked(const Exchange& x) {
    std::vector<Challenge> fresh;
    for (const auto& value : x.all("www-authenticate")) {
      auto cs = parse_www_authenticate(value);
      fresh.insert(fresh.end(), cs.begin(), cs.end());
    }
    if (challenges.empty() && !fresh.empty()) {
      challenges = fresh;  // the ping answered 200 but this resource wants auth
      return true;
    }
    for (const auto& c : fresh) {
      if (c.scheme != "bearer") continue;
      bool added = false;
      std::vector<std::string> merged;
      for (const auto& s : split(c.param("scope"), ' ')) {
        if (s.empty() || std::find(scopes.begin(), scopes.end(), s) != scopes.end()) continue;
        merged.push_back(s);  // new scopes first: some registries read only the first one (ggcr)
        added = true;
      }
      if (added) {
        merged.insert(merged.end(), scopes.begin(), scopes.end());
        scopes = merged;
        return true;
      }
    }
    if (challenge("bearer")) {
      std::string key;
      for (const auto& s : scopes) key += s + " ";
      return tokens.erase(key) > 0;
    }
    return false;
  }

  // ---- a registry request: ping, auth, one retry on 401, redirects by hand ----

  struct Sent {
    Result result;
    bool with_credentials = false;
  };

  Sent send(const std::string& method, const std::string& path, const std::vector<std::string>& headers,
            Exchange& x) {
    std::string url;
    {
      std::lock_guard lock(mutex);
      ping_locked();
      url = base + path;
    }
    const std::string origin = parse_url(url).origin();
    bool retried = false;
    for (int redirects = 0;;) {
      Request req{method, url, headers, {}};
      bool same_origin = parse_url(url).origin() == origin;
      bool with_credentials = false;
      if (same_origin) {
        // Authorization never leaves the registry's scheme://host:port (distribution-spec).
        std::lock_guard lock(mutex);
        std::string auth = authorization_locked(with_credentials);
        if (!auth.empty()) req.headers.push_back("Authorization: " + auth);
      }
      BodyTarget* target = x.target;
      x = Exchange{};
      x.target = target;
      Result r = perform(req, x);
      if (r.code != CURLE_OK) return {r, with_credentials};
      if (x.status == 401 && same_origin && !retried) {
        retried = true;
        std::lock_guard lock(mutex);
        if (learn_from_401_locked(x)) continue;
      }
      if (x.status >= 300 && x.status < 400 && x.has_header("location")) {
        if (++redirects > kMaxRedirects) throw Error(where() + ": more than 10 redirects");
        url = resolve(url, x.header("location"));
        continue;
      }
      return {r, with_credentials};
    }
  }

  [[noreturn]] void http_error(const std::string& what, const Exchange& x, bool with_credentials) {
    bool basic_only;
    {
      std::lock_guard lock(mutex);
      basic_only = challenge("basic") && !challenge("bearer");
    }
    if (x.status == 401 && with_credentials && basic_only) throw Error(what + ": invalid username/password");
    std::string msg = registry_error_message(x.error_body);
    std::string status = std::to_string(x.status) + " " + http_reason(x.status);
    if (msg.empty()) throw Error(what + ": " + trim(status));
    if (x.status >= 500) throw Error(what + ": " + trim(status) + ": " + msg);
    throw Error(what + ": " + msg);
  }

  std::string manifest_path(const std::string& ref) const { return "/v2/" + repository + "/manifests/" + ref; }
};

RegistryClient::RegistryClient(std::string registry_host, std::string repository, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(registry_host), std::move(repository), std::move(options))) {}

RegistryClient::~RegistryClient() = default;

namespace {
const std::string kManifestAccept =
    std::string("Accept: ") + image::media_type::kOciIndex + ", " + image::media_type::kOciManifest + ", " +
    image::media_type::kDockerList + ", " + image::media_type::kDockerManifest;
}

void RegistryClient::check_login() {
  Impl& d = *impl_;
  std::lock_guard lock(d.mutex);
  d.ping_locked();
  auto creds = d.creds_locked();
  if (const Challenge* bearer = d.challenge("bearer")) {
    if (!creds) throw Error(d.host + ": no credentials to log in with");
    d.bearer_token_locked(*bearer, {}, false);  // a token for no scope: the token server checks the password
    return;
  }
  if (!d.challenge("basic")) return;  // the registry asks for nothing
  if (!creds) throw Error(d.host + ": no credentials to log in with");
  Exchange x;
  bool with_credentials = false;
  std::string auth = d.authorization_locked(with_credentials);
  Result r = d.perform({"GET", d.base + "/v2/", {"Authorization: " + auth}, {}}, x);
  if (r.code != CURLE_OK) throw Error("logging in to " + d.host + ": " + r.message);
  if (x.status == 401) throw Error("logging in to " + d.host + ": invalid username/password");
  if (!x.success())
    throw Error("logging in to " + d.host + ": " + std::to_string(x.status) + " " + http_reason(x.status));
}

std::optional<image::Digest> RegistryClient::head_manifest(const std::string& ref) {
  Impl& d = *impl_;
  std::string what = "reading manifest " + ref + " in " + d.where();
  Exchange x;
  auto sent = d.send("HEAD", d.manifest_path(ref), {kManifestAccept}, x);
  if (sent.result.code != CURLE_OK) throw Error(what + ": " + sent.result.message);
  if (!x.success()) {
    if (x.status == 404) throw Error(what + ": manifest unknown");
    d.http_error(what, x, sent.with_credentials);
  }
  std::string digest = x.header("docker-content-digest");
  if (digest.empty()) return std::nullopt;
  return image::Digest::parse(digest);
}

FetchedDocument RegistryClient::get_manifest(const std::string& ref) {
  Impl& d = *impl_;
  std::string what = "reading manifest " + ref + " in " + d.where();
  Exchange x;
  BufferTarget body(image::kMaxManifestBytes, what + ": manifest larger than 4 MiB");
  x.target = &body;
  auto sent = d.send("GET", d.manifest_path(ref), {kManifestAccept}, x);
  if (sent.result.code != CURLE_OK) throw Error(what + ": " + sent.result.message);
  if (!x.success()) d.http_error(what, x, sent.with_credentials);
  FetchedDocument doc;
  doc.bytes = std::move(body.bytes);
  doc.content_type = x.header("content-type");
  doc.digest = image::sha256_of(doc.bytes);
  if (image::Digest::valid(ref)) {
    image::Digest want = image::Digest::parse(ref);
    if (want.algorithm != "sha256") throw Error(what + ": cannot verify a " + want.algorithm + " digest");
    if (doc.digest != want) throw Error(what + ": the registry sent a manifest whose digest is " + doc.digest.str());
  }
  std::string header = x.header("docker-content-digest");
  if (!header.empty() && image::Digest::valid(header)) {
    image::Digest announced = image::Digest::parse(header);
    if (announced.algorithm == "sha256" && announced != doc.digest)
      throw Error(what + ": Docker-Content-Digest is " + header + " but the manifest's digest is " + doc.digest.str());
  }
  return doc;
}

void RegistryClient::fetch_blob(const image::Descriptor& blob, util::ByteSink& sink,
                                const std::function<void(int64_t)>& progress) {
  Impl& d = *impl_;
  std::string what = "pulling " + blob.digest.str() + " from " + d.where();
  if (blob.size < 0) throw Error(what + ": negative size");
  BlobTarget target(blob, sink, progress, what);
  for (int resumes = 0;;) {
    std::vector<std::string> headers;
    if (target.received > 0) headers.push_back("Range: bytes=" + std::to_string(target.received) + "-");
    Exchange x;
    x.target = &target;
    auto sent = d.send("GET", "/v2/" + d.repository + "/blobs/" + blob.digest.str(), headers, x);
    if (sent.result.code == CURLE_OK) {
      if (!x.success()) d.http_error(what, x, sent.with_credentials);
      if (target.received != blob.size)
        throw Error(what + ": the registry sent " + std::to_string(target.received) + " of " +
                    std::to_string(blob.size) + " bytes");
      break;
    }
    // An error answer whose body was cut is still that error.
    if (x.status >= 300) d.http_error(what, x, sent.with_credentials);
    // A cut in the middle of the body: ask for the rest (the Range request checks the answer).
    if (!is_cut_connection(sent.result.code) || !x.success() || resumes >= kMaxResumes)
      throw Error(what + ": " + sent.result.message +
                  (resumes > 0 ? " (after " + std::to_string(resumes) + " resumed attempts)" : ""));
    ++resumes;
  }
  sink.finish();
}

std::string RegistryClient::get_blob(const image::Descriptor& blob, size_t cap) {
  if (blob.size < 0 || static_cast<uint64_t>(blob.size) > cap)
    throw Error("blob " + blob.digest.str() + " of " + std::to_string(blob.size) + " bytes is larger than " +
                std::to_string(cap) + " bytes: refused");
  util::StringSink sink(cap, "blob " + blob.digest.str());
  fetch_blob(blob, sink);
  std::string bytes = sink.take();
  image::Digest got = image::sha256_of(bytes);
  if (blob.digest.algorithm != "sha256")
    throw Error("blob " + blob.digest.str() + ": cannot verify a " + blob.digest.algorithm + " digest");
  if (got != blob.digest)
    throw Error("pulling " + blob.digest.str() + " from " + impl_->where() + ": its digest is " + got.str());
  return bytes;
}

}  // namespace roost::registry
