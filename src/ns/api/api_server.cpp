#include "ns/api/api_server.hpp"

#include <unistd.h>

#include <optional>


#include "http/router.hpp"
#include "http/server.hpp"
#include "ns/api/api_json.hpp"
#include "ns/port/go_format.hpp"
#include "util/error.hpp"

namespace roost::ns {

namespace {

http::Response json_response(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

// rootlesskit writes the status before it sets Content-Type, so Go sniffs the error body's type:
// "text/plain; charset=utf-8" (left to http::format_response here, as there).
http::Response error_response(const std::string& message) {
  http::Response r;
  r.status = 400;
  r.body = error_json(message);
  return r;
}

// rootlesskit's DELETE names the id it could not read.
int parse_id(const std::string& text) {
  std::string error;
  std::optional<int> id = go::atoi(text, error);
  if (!id) throw Error("bad id " + text + ": " + error);
  return *id;
}

InfoDocument info_document(const ApiInfo& info, const PortDriver* driver) {
  InfoDocument doc;
  doc.api_version = api_version;
  doc.version = info.version;
  doc.state_dir = info.state_dir;
  doc.child_pid = info.child_pid;
  // Always present, "host" included: docker reads networkDriver.driver without a nil check.
  doc.network = InfoDocument::Network{info.network.driver.empty() ? "host" : info.network.driver, info.network.dns,
                                      info.network.ip, false};
  if (driver) doc.ports = InfoDocument::Ports{driver->name(), driver->protos(), driver->disallow_loopback_child_ip()};
  return doc;
}

}  // namespace

struct ApiServer::Impl {
  ApiInfo info;
  PortManager& ports;
  std::string socket_path;
  http::Router router;
  std::unique_ptr<http::Server> server;

  Impl(const ApiInfo& i, PortManager& p, std::string path) : info(i), ports(p), socket_path(std::move(path)) {}

  void add_routes() {
    router.add("GET", "/v1/info", [this](const http::Request&, const http::PathParams&) {
      return json_response(200, info_json(info_document(info, ports.driver())));
    });
    router.add("GET", "/v1/ports", [this](const http::Request&, const http::PathParams&) {
      return with_driver([&] { return json_response(200, port_list_json(ports.list())); });
    });
    router.add("POST", "/v1/ports", [this](const http::Request& request, const http::PathParams&) {
      return with_driver([&] { return json_response(201, port_status_json(ports.add(decode_port_spec(request.body)))); });
    });
    router.add("DELETE", "/v1/ports/{id}", [this](const http::Request&, const http::PathParams& params) {
      return with_driver([&] {
        ports.remove(parse_id(params.at("id")));
        http::Response r;
        r.status = 200;
        return r;
      });
    });
  }

  // Every ports endpoint answers 400 without a port driver, and turns roost::Error (bad JSON, bad
  // spec, conflict, bind failure, unknown id) into rootlesskit's 400 JSON error.
  template <typename Body>
  http::Response with_driver(Body body) {
    if (!ports.driver()) return error_response("no PortDriver is available");
    try {
      return body();
    } catch (const Error& e) {
      return error_response(e.what());
    }
  }
};

ApiServer::ApiServer(EventLoop& loop, const std::string& socket_path, const ApiInfo& info, PortManager& ports)
    : impl_(std::make_unique<Impl>(info, ports, socket_path)) {
  impl_->add_routes();
  UniqueFd listener = http::listen_unix(socket_path, 0600);
  impl_->server = std::make_unique<http::Server>(loop, std::move(listener),
                                                 [this](const http::Request& r) { return impl_->router.route(r); });
}

ApiServer::~ApiServer() {
  impl_->server.reset();
  unlink(impl_->socket_path.c_str());
}

}  // namespace roost::ns
