#include "http/router.hpp"

#include <optional>

namespace roost::http {

namespace {

std::vector<std::string> split_segments(const std::string& path) {
  std::vector<std::string> segments;
  size_t pos = 1;  // after the leading '/'
  for (;;) {
    size_t slash = path.find('/', pos);
    segments.push_back(path.substr(pos, slash - pos));
    if (slash == std::string::npos) return segments;
    pos = slash + 1;
  }
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::optional<PathParams> match(const std::vector<std::string>& pattern, const std::vector<std::string>& path) {
  if (pattern.size() != path.size()) return std::nullopt;
  PathParams params;
  for (size_t i = 0; i < pattern.size(); i++) {
    if (is_param(pattern[i])) {
      if (path[i].empty()) return std::nullopt;
      params[pattern[i].substr(1, pattern[i].size() - 2)] = path[i];
    } else if (pattern[i] != path[i]) {
      return std::nullopt;
    }
  }
  return params;
}

Response not_found() {
  Response r;
  r.status = 404;
  r.headers.add("Content-Type", "text/plain; charset=utf-8");
  r.headers.add("X-Content-Type-Options", "nosniff");
  r.body = "404 page not found\n";
  return r;
}

}  // namespace

std::string clean_path(const std::string& path) {
  std::vector<std::string> kept;
  for (const std::string& segment : split_segments(path)) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
      continue;
    }
    kept.push_back(segment);
  }
  std::string out;
  for (const std::string& segment : kept) out += "/" + segment;
  if (out.empty() || (path.size() > 1 && path.back() == '/')) out += "/";
  return out;
}

void Router::add(std::string method, const std::string& pattern, Handler handler) {
  routes_.push_back(Route{std::move(method), split_segments(pattern), std::move(handler)});
}

Response Router::route(const Request& request) const {
  if (std::string clean = clean_path(request.path); clean != request.path) {
    Response r;
    r.status = 301;
    size_t query = request.target.find('?');
    r.headers.add("Location", clean + (query == std::string::npos ? "" : request.target.substr(query)));
    return r;
  }
  std::vector<std::string> segments = split_segments(request.path);
  bool path_known = false;
  for (const Route& route : routes_) {
    auto params = match(route.segments, segments);
    if (!params) continue;
    if (route.method == request.method) return route.handler(request, *params);
    path_known = true;
  }
  if (path_known) {
    Response r;
    r.status = 405;
    return r;
  }
  return not_found();
}

}  // namespace roost::http
