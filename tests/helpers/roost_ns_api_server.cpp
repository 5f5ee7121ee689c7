// Test helper (tests/ns/api.bats): roost's ApiServer on a socket, with a PortManager over a fake
// port driver that forwards nothing and appends "add ID SPEC-JSON" / "remove ID" to a log file.
// The subject under test is the API as real clients see it, not forwarding.
//
//   roost-ns-api-server SOCKET LOG [--net DRIVER] [--state-dir DIR] [--child-pid PID] [--port-driver builtin|slirp4netns] [--no-port-driver] [--fail-port PORT:MESSAGE]
//
// SIGTERM or SIGINT stop it; the socket is removed on the way out.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include "ns/api/api_json.hpp"
#include "ns/api/api_server.hpp"
#include "util/error.hpp"

namespace {

class FakePortDriver : public roost::ns::PortDriver {
 public:
  FakePortDriver(std::string log, std::map<int, std::string> failures, std::string name)
      : log_(std::move(log)), failures_(std::move(failures)), name_(std::move(name)) {}
  // Described as builtin, or as slirp4netns (IPv4 only, no loopback child address) as rootlesskit does.
  std::string name() const override { return name_; }
  std::vector<std::string> protos() const override {
    if (name_ == "slirp4netns") return {"tcp", "tcp4", "udp", "udp4"};
    return {"tcp", "tcp4", "tcp6", "udp", "udp4", "udp6"};
  }
  bool disallow_loopback_child_ip() const override { return name_ == "slirp4netns"; }
  void add(int id, const roost::ns::PortSpec& spec) override {
    if (auto it = failures_.find(spec.parent_port); it != failures_.end()) throw roost::Error(it->second);
    append("add " + std::to_string(id) + " " + roost::ns::port_spec_json(spec));
  }
  void remove(int id) override { append("remove " + std::to_string(id)); }

 private:
  void append(const std::string& line) {
    std::ofstream(log_, std::ios::app) << line << "\n";
  }
  std::string log_;
  std::map<int, std::string> failures_;
  std::string name_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: roost-ns-api-server SOCKET LOG [--net DRIVER] [--state-dir DIR] [--child-pid PID] [--port-driver builtin|slirp4netns] [--no-port-driver] [--fail-port PORT:MESSAGE]\n";
    return 2;
  }
  roost::ns::ApiInfo info;
  info.version = "1.1.0";
  info.state_dir = "/tmp/roost-api-test";
  info.child_pid = getpid();
  info.network.driver = "host";
  bool port_driver = true;
  std::string port_driver_name = "builtin";
  std::map<int, std::string> failures;
  for (int i = 3; i < argc; i++) {
    std::string arg = argv[i];
    if (arg == "--net" && i + 1 < argc) {
      info.network.driver = argv[++i];
      if (info.network.driver == "slirp4netns") info.network.dns = {"10.0.2.3"}, info.network.ip = "10.0.2.100";
    } else if (arg == "--state-dir" && i + 1 < argc) {
      info.state_dir = argv[++i];
    } else if (arg == "--child-pid" && i + 1 < argc) {
      info.child_pid = std::stoi(argv[++i]);
    } else if (arg == "--port-driver" && i + 1 < argc) {
      port_driver_name = argv[++i];
    } else if (arg == "--no-port-driver") {
      port_driver = false;
    } else if (arg == "--fail-port" && i + 1 < argc) {
      std::string spec = argv[++i];
      size_t colon = spec.find(':');
      failures[std::stoi(spec.substr(0, colon))] = spec.substr(colon + 1);
    } else {
      std::cerr << "roost-ns-api-server: unknown argument " << arg << "\n";
      return 2;
    }
  }
  try {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
    roost::UniqueFd signals(signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK));
    roost::EventLoop loop;
    loop.add(signals.get(), EPOLLIN, [&](uint32_t) { loop.stop(); });
    std::unique_ptr<roost::ns::PortDriver> driver;
    if (port_driver) driver = std::make_unique<FakePortDriver>(argv[2], failures, port_driver_name);
    roost::ns::PortManager ports(std::move(driver));
    roost::ns::ApiServer server(loop, argv[1], info, ports);
    loop.run();
  } catch (const std::exception& e) {
    std::cerr << "roost-ns-api-server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
