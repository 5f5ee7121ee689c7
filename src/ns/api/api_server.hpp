// rootlesskit's REST API (API version 1.1.1) on $STATE/api.sock, served from the parent's event
// loop: GET /v1/info, GET and POST /v1/ports, DELETE /v1/ports/{id}.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "ns/net/network_driver.hpp"
#include "ns/port/port_manager.hpp"
#include "util/event_loop.hpp"

namespace roost::ns {

// What GET /v1/info reports besides the ports.
struct ApiInfo {
  std::string version;             // implementation version, "1.1.0"-style
  std::string state_dir;
  pid_t child_pid = 0;
  ChildNetwork network;            // driver "host" too: clients dereference networkDriver
};

class ApiServer {
 public:
  // Binds and listens on `socket_path` (mode 0600), serving from `loop`. `ports` outlives it.
  ApiServer(EventLoop& loop, const std::string& socket_path, const ApiInfo& info, PortManager& ports);
  ~ApiServer();  // closes the listener and every connection, unlinks the socket
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace roost::ns
