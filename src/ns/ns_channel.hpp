// The parent <-> child channel of roost ns: a SOCK_SEQPACKET pair, one small JSON object per
// message, {"type": ..., fields...}. Types, in order: ids_mapped (P->C), userns_ready (C->P),
// network {"network": ChildNetwork} (P->C), child_ready (C->P), start (P->C); error {"message"}
// (C->P) at any step ends the run with that one line.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "util/unique_fd.hpp"

namespace roost::ns {

class NsChannel {
 public:
  NsChannel() = default;
  explicit NsChannel(UniqueFd fd) : fd_(std::move(fd)) {}
  int fd() const { return fd_.get(); }
  bool valid() const { return fd_.valid(); }
  void close() { fd_.reset(); }

  // Throws SysError; EPIPE when the peer is gone.
  void send(const std::string& type, nlohmann::json fields = nlohmann::json::object()) const;
  // One message; nullopt at end of stream. Throws on a message that is not a JSON object.
  std::optional<nlohmann::json> receive() const;

 private:
  UniqueFd fd_;
};

// A connected pair, both ends close-on-exec: first for the parent, second for the child.
std::pair<UniqueFd, UniqueFd> seqpacket_pair();

}  // namespace roost::ns
