// Routes a request by method and path pattern ("/v1/ports/{id}"), answering what gorilla/mux
// (rootlesskit's router) answers otherwise: 404 "404 page not found" for an unknown path, 405 with
// an empty body for a known path with another method, 301 to the cleaned path for "//" or "/./".
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace roost::http {

using PathParams = std::map<std::string, std::string>;  // "{id}" -> "3"

class Router {
 public:
  using Handler = std::function<Response(const Request&, const PathParams&)>;
  // A "{name}" segment matches one non-empty path segment.
  void add(std::string method, const std::string& pattern, Handler handler);
  Response route(const Request& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// Go's path.Clean, keeping a trailing slash as gorilla/mux does.
std::string clean_path(const std::string& path);

}  // namespace roost::http
