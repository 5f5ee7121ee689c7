// The HTTP layer roost ns's REST API stands on: request parsing (good, pipelined, split across
// reads, chunked, bad, limits), Go-shaped responses, the router's answers, and the server and
// client over a real unix socket (keep-alive, hang-ups, no fd left behind).
#include <dirent.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <thread>

#include "http/client.hpp"
#include "http/format.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "util/error.hpp"

namespace roost::http {
namespace {

ParseResult parse(const std::string& text, Request& out, Limits limits = {}) { return parse_request(text, limits, out); }

TEST(HttpParse, GoodRequestWithBody) {
  Request r;
  std::string text = "POST /v1/ports?x=1 HTTP/1.1\r\nHost: rootlesskit\r\nContent-Length: 4\r\n\r\nabcd";
  ParseResult p = parse(text, r);
  ASSERT_EQ(p.state, ParseState::done);
  EXPECT_EQ(p.consumed, text.size());
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/v1/ports?x=1");
  EXPECT_EQ(r.path, "/v1/ports");
  EXPECT_EQ(r.body, "abcd");
  EXPECT_TRUE(r.keep_alive);
  EXPECT_EQ(*r.headers.find("host"), "rootlesskit");
}

TEST(HttpParse, PipelinedRequestsComeOneAtATime) {
  std::string first = "GET /v1/info HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string second = "DELETE /v1/ports/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  Request r;
  ParseResult p = parse(first + second, r);
  ASSERT_EQ(p.state, ParseState::done);
  EXPECT_EQ(p.consumed, first.size());
  EXPECT_EQ(r.path, "/v1/info");
  p = parse((first + second).substr(p.consumed), r);
  ASSERT_EQ(p.state, ParseState::done);
  EXPECT_EQ(r.method, "DELETE");
  EXPECT_FALSE(r.keep_alive);
}

TEST(HttpParse, EveryCutOfARequestNeedsMore) {
  std::string text =
      "POST /v1/ports HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"p\r\n2;ext=1\r\nx}\r\n0\r\nTrailer: y\r\n\r\n";
  for (size_t cut = 0; cut < text.size(); cut++) {
    Request r;
    EXPECT_EQ(parse(text.substr(0, cut), r).state, ParseState::need_more) << "cut at " << cut;
  }
  Request r;
  ParseResult p = parse(text, r);
  ASSERT_EQ(p.state, ParseState::done);
  EXPECT_EQ(p.consumed, text.size());
  EXPECT_EQ(r.body, "{\"px}");
}

TEST(HttpParse, ChunkedWinsOverContentLength) {
  Request r;
  ParseResult p = parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n", r);
  ASSERT_EQ(p.state, ParseState::done);
  EXPECT_EQ(r.body, "a");
}

TEST(HttpParse, Http10KeepsAliveOnlyWhenAsked) {
  Request r;
  ASSERT_EQ(parse("GET /v1/info HTTP/1.0\r\n\r\n", r).state, ParseState::done);
  EXPECT_EQ(r.minor_version, 0);
  EXPECT_FALSE(r.keep_alive);
  ASSERT_EQ(parse("GET /v1/info HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", r).state, ParseState::done);
  EXPECT_TRUE(r.keep_alive);
}

TEST(HttpParse, PercentDecodedPathAndAbsoluteForm) {
  Request r;
  ASSERT_EQ(parse("DELETE http://rootlesskit/v1/ports/%33 HTTP/1.1\r\nHost: x\r\n\r\n", r).state, ParseState::done);
  EXPECT_EQ(r.path, "/v1/ports/3");
}

struct BadCase {
  const char* text;
  int status;
  const char* detail;
};

TEST(HttpParse, BadRequestsAnswerAsGo) {
  const BadCase cases[] = {
      {"garbage\r\n\r\n", 400, ""},
      {"GET /v1/info\r\n\r\n", 400, ""},
      {"GET /v1/info HTTP/1.1\r\n\r\n", 400, "missing required Host header"},
      {"GET /v1/info HTTP/2.0\r\nHost: x\r\n\r\n", 505, "unsupported protocol version"},
      {"GET /v1/info HTTPS/1.1\r\nHost: x\r\n\r\n", 400, ""},
      {"GET /v1/info HTTP/1.1\r\nHost: x\r\nbad header\r\n\r\n", 400, ""},
      {"GET /v1/info HTTP/1.1\r\nHost: x\r\nbad name: v\r\n\r\n", 400, ""},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, ""},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, ""},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "unsupported transfer encoding"},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, ""},
      {"GET nopath HTTP/1.1\r\nHost: x\r\n\r\n", 400, ""},
      {"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, ""},
      {"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, ""},
  };
  for (const BadCase& c : cases) {
    Request r;
    ParseResult p = parse(c.text, r);
    EXPECT_EQ(p.state, ParseState::error) << c.text;
    EXPECT_EQ(p.error_status, c.status) << c.text;
    EXPECT_EQ(p.error_detail, c.detail) << c.text;
  }
}

TEST(HttpParse, LimitsOnHeaderAndBody) {
  Limits limits;
  limits.max_header_bytes = 100;
  limits.max_body_bytes = 10;
  Request r;
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(200, 'a'), r, limits).error_status, 431);
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", r, limits).error_status, 413);
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n", r, limits).error_status,
            413);
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n123", r, limits).state, ParseState::need_more);
}

TEST(HttpParse, ResponsesWithLengthChunkedOrUntilClose) {
  Response r;
  Limits limits;
  std::string text = "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}";
  ParseResult p = parse_response(text, limits, false, false, r);
  ASSERT_EQ(p.state, ParseState::done);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.reason, "Created");
  EXPECT_EQ(r.body, "{}");
  text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n";
  ASSERT_EQ(parse_response(text, limits, false, false, r).state, ParseState::done);
  EXPECT_EQ(r.body, "ab");
  text = "HTTP/1.0 200 OK\r\n\r\nuntil close";
  EXPECT_EQ(parse_response(text, limits, false, false, r).state, ParseState::need_more);
  ASSERT_EQ(parse_response(text, limits, true, false, r).state, ParseState::done);
  EXPECT_EQ(r.body, "until close");
  EXPECT_EQ(parse_response("HTTP/1.1 2x0 OK\r\n\r\n", limits, false, false, r).state, ParseState::error);
}

TEST(HttpFormat, ResponseFieldsInGoOrder) {
  Response r;
  r.status = 400;
  r.body = "{\"message\":\"x\"}\n";
  ResponseContext context;
  context.now = 1796352613;  // Fri, 04 Dec 2026 02:50:13 GMT
  EXPECT_EQ(format_response(r, context),
            "HTTP/1.1 400 Bad Request\r\nDate: Fri, 04 Dec 2026 02:50:13 GMT\r\nContent-Length: 16\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n{\"message\":\"x\"}\n");
  r = Response{};
  r.headers.add("X-Content-Type-Options", "nosniff");
  r.headers.add("Content-Type", "application/json");
  r.body = "null";
  context.close = true;
  EXPECT_EQ(format_response(r, context),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n"
            "Date: Fri, 04 Dec 2026 02:50:13 GMT\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnull");
  context = ResponseContext{};
  context.now = 1796352613;
  context.minor_version = 0;
  context.keep_alive_1_0 = true;
  context.head = true;
  r = Response{};
  r.status = 405;
  EXPECT_EQ(format_response(r, context),
            "HTTP/1.0 405 Method Not Allowed\r\nDate: Fri, 04 Dec 2026 02:50:13 GMT\r\nConnection: keep-alive\r\n\r\n");
}

TEST(HttpFormat, ParseErrorAsGoWritesIt) {
  EXPECT_EQ(format_parse_error(400, ""),
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request");
  EXPECT_EQ(format_parse_error(400, "missing required Host header"),
            "HTTP/1.1 400 Bad Request: missing required Host header\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Connection: close\r\n\r\n400 Bad Request: missing required Host header");
}

Request request_for(const std::string& method, const std::string& target) {
  Request r;
  EXPECT_EQ(parse(method + " " + target + " HTTP/1.1\r\nHost: x\r\n\r\n", r).state, ParseState::done);
  return r;
}

TEST(HttpRouter, MethodPathAndParameters) {
  Router router;
  std::string seen;
  router.add("GET", "/v1/ports", [&](const Request&, const PathParams&) { seen = "list"; return Response{}; });
  router.add("DELETE", "/v1/ports/{id}", [&](const Request&, const PathParams& p) { seen = "delete " + p.at("id"); return Response{}; });
  EXPECT_EQ(router.route(request_for("GET", "/v1/ports?x=1")).status, 200);
  EXPECT_EQ(seen, "list");
  EXPECT_EQ(router.route(request_for("DELETE", "/v1/ports/abc")).status, 200);
  EXPECT_EQ(seen, "delete abc");
  Response r = router.route(request_for("DELETE", "/v1/ports/"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "404 page not found\n");
  EXPECT_EQ(router.route(request_for("PUT", "/v1/ports")).status, 405);
  EXPECT_EQ(router.route(request_for("GET", "/v1/ports/3")).status, 405);
  r = router.route(request_for("GET", "//v1/./ports?a=b"));
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(*r.headers.find("Location"), "/v1/ports?a=b");
}

TEST(HttpRouter, CleanPath) {
  EXPECT_EQ(clean_path("/"), "/");
  EXPECT_EQ(clean_path("/a//b/./c/../d"), "/a/b/d");
  EXPECT_EQ(clean_path("/v1/ports/"), "/v1/ports/");
  EXPECT_EQ(clean_path("/../x"), "/x");
}

int open_fds() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (readdir(d)) n++;
  closedir(d);
  return n;
}

// A server on its own thread's event loop, stopped through an eventfd.
class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/roost-http-test.XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    path_ = dir_ + "/api.sock";
    fds_before_ = open_fds();
    wake_ = UniqueFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    Limits limits;
    limits.max_header_bytes = 4096;
    limits.max_body_bytes = 4096;
    server_ = std::make_unique<Server>(loop_, listen_unix(path_, 0600), [](const Request& r) {
      Response response;
      response.body = r.method + " " + r.path + " " + r.body;
      return response;
    }, limits);
    loop_.add(wake_.get(), EPOLLIN, [this](uint32_t) { loop_.stop(); });
    thread_ = std::thread([this] { loop_.run(); });
  }
  void TearDown() override {
    uint64_t one = 1;
    (void)!write(wake_.get(), &one, sizeof one);
    thread_.join();
    loop_.remove(wake_.get());
    server_.reset();
    wake_.reset();
    unlink(path_.c_str());
    rmdir(dir_.c_str());
    EXPECT_EQ(open_fds(), fds_before_) << "an fd was left open";
  }
  UniqueFd raw_connect() {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path_.c_str());
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    EXPECT_EQ(connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
  }
  std::string exchange(const std::string& bytes) {  // sends, half-closes, reads to the end
    UniqueFd fd = raw_connect();
    EXPECT_EQ(write(fd.get(), bytes.data(), bytes.size()), ssize_t(bytes.size()));
    shutdown(fd.get(), SHUT_WR);
    std::string answer;
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd.get(), buffer, sizeof buffer)) > 0) answer.append(buffer, size_t(n));
    return answer;
  }
  std::string dir_, path_;
  int fds_before_ = 0;
  EventLoop loop_;
  UniqueFd wake_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(ServerFixture, SocketIsOnlyTheUsers) {
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(ServerFixture, ClientKeepsTheConnectionAlive) {
  Client client(path_);
  Response r = client.request("POST", "/v1/ports", "{}");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /v1/ports {}");
  int fds_with_connection = open_fds();
  r = client.request("GET", "/v1/info");
  EXPECT_EQ(r.body, "GET /v1/info ");
  EXPECT_EQ(open_fds(), fds_with_connection) << "the second request opened a new connection";
}

TEST_F(ServerFixture, PipelinedAndSplitRequests) {
  std::string answer = exchange("GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nz");
  EXPECT_NE(answer.find("GET /a "), std::string::npos);
  EXPECT_NE(answer.find("POST /b z"), std::string::npos);
  UniqueFd fd = raw_connect();
  for (char c : std::string("GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) {
    ASSERT_EQ(write(fd.get(), &c, 1), 1);
    usleep(100);
  }
  char buffer[4096];
  std::string reply;
  ssize_t n;
  while ((n = read(fd.get(), buffer, sizeof buffer)) > 0) reply.append(buffer, size_t(n));
  EXPECT_NE(reply.find("GET /slow "), std::string::npos);
  EXPECT_NE(reply.find("Connection: close"), std::string::npos);
}

TEST_F(ServerFixture, ExpectContinueGetsContinueBeforeTheBody) {
  UniqueFd fd = raw_connect();
  std::string head = "POST /big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(write(fd.get(), head.data(), head.size()), ssize_t(head.size()));
  char buffer[4096];
  std::string continued(25, '\0');
  ASSERT_EQ(read(fd.get(), continued.data(), continued.size()), 25);
  EXPECT_EQ(continued, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_EQ(write(fd.get(), "abc", 3), 3);
  std::string reply;
  ssize_t n;
  while ((n = read(fd.get(), buffer, sizeof buffer)) > 0) reply.append(buffer, size_t(n));
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("POST /big abc"), std::string::npos);
}

TEST_F(ServerFixture, GarbageGetsGosBadRequestAndIsClosed) {
  EXPECT_EQ(exchange("garbage\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), format_parse_error(400, ""));
  EXPECT_EQ(exchange("GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(8000, 'a') + "\r\n\r\n"), format_parse_error(431, ""));
  EXPECT_EQ(exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n"), format_parse_error(413, ""));
}

TEST_F(ServerFixture, HangUpsMidRequestCostNothing) {
  int serving = open_fds();  // listener, eventfd, epoll: what the running server holds
  for (int i = 0; i < 20; i++) EXPECT_EQ(exchange("POST /v1/ports HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"pro"), "");
  for (int i = 0; i < 20; i++) raw_connect();  // connect and close at once
  {
    Client client(path_);
    EXPECT_EQ(client.request("GET", "/after").status, 200);  // the server still serves
  }
  // The server closes each connection once it sees the hang-up, on its own thread: wait for it.
  for (int i = 0; i < 100 && open_fds() != serving; i++) usleep(10000);
  EXPECT_EQ(open_fds(), serving) << "the server kept a connection's fd";
}

TEST(HttpClient, UnreachableSocketIsOneLine) {
  Client client("/nonexistent/api.sock");
  EXPECT_THROW(client.request("GET", "/v1/info"), Error);
}

}  // namespace
}  // namespace roost::http
