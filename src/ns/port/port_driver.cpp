#include "ns/port/port_driver.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "ns/port/builtin/builtin_driver.hpp"
#include "ns/port/builtin/child_connector.hpp"
#include "ns/port/implicit_port_driver.hpp"
#include "ns/port/slirp4netns_port_driver.hpp"
#include "util/error.hpp"

namespace roost::ns {

void check_port_driver_choice(const PortDriverOptions& options, const std::string& network_driver,
                              size_t publish_count) {
  const std::string& d = options.driver;
  if (d == "none") {
    if (publish_count != 0) throw Error("port driver \"none\" does not support publishing ports");
  } else if (d == "slirp4netns") {
    if (network_driver != "slirp4netns") throw Error("port driver requires slirp4netns network");
  } else if (d == "builtin") {
    if (network_driver == "host" || network_driver.empty()) throw Error("port driver requires non-host network");
  } else if (d == "implicit") {
    if (network_driver != "pasta") throw Error("port driver requires pasta network");
  } else {
    throw Error("unknown port driver: " + d);
  }
}

std::unique_ptr<PortDriver> make_port_driver(const PortDriverOptions& options, EventLoop& loop,
                                             UniqueFd child_channel) {
  if (options.driver == "none") return nullptr;
  if (options.driver == "builtin")
    return std::make_unique<builtin::BuiltinDriver>(options, loop, std::move(child_channel));
  if (options.driver == "slirp4netns") return std::make_unique<Slirp4netnsPortDriver>(options);
  if (options.driver == "implicit") return std::make_unique<ImplicitPortDriver>(options);
  throw Error("unknown port driver: " + options.driver);
}

void serve_port_driver_child(const PortDriverOptions& options, EventLoop& loop, UniqueFd channel) {
  if (options.driver == "builtin") {
    // Owned by its own channel handler: it lives as long as the loop watches the channel.
    auto connector = std::make_shared<builtin::ChildConnector>(loop, std::move(channel));
    connector->keep_alive(connector);
    return;
  }
  // No child half: the channel is kept open (and drained) until the parent closes it.
  auto kept = std::make_shared<UniqueFd>(std::move(channel));
  loop.add(kept->get(), EPOLLIN, [&loop, kept](uint32_t) {
    char byte;
    if (::recv(kept->get(), &byte, 1, MSG_DONTWAIT) <= 0 && errno != EAGAIN) loop.remove(kept->get());
  });
}

}  // namespace roost::ns
