#include "ns/port/port_manager.hpp"

#include "util/error.hpp"

namespace roost::ns {

PortManager::PortManager(std::unique_ptr<PortDriver> driver) : driver_(std::move(driver)) {}

PortStatus PortManager::add(const PortSpec& spec) {
  if (!driver_) throw Error("no PortDriver is available");
  validate_port_spec(spec);
  for (const auto& [id, existing] : ports_)
    if (existing.proto == spec.proto && existing.parent_ip == spec.parent_ip && existing.parent_port == spec.parent_port)
      throw Error("conflict with ID " + std::to_string(id));
  // The id is taken only once the driver has the port: a failed add leaves no gap in the ids,
  // as rootlesskit's does.
  int id = next_id_;
  driver_->add(id, spec);
  next_id_++;
  ports_[id] = spec;
  return PortStatus{id, spec};
}

void PortManager::remove(int id) {
  if (!driver_) throw Error("no PortDriver is available");
  auto it = ports_.find(id);
  if (it == ports_.end()) throw Error("unknown id: " + std::to_string(id));
  // Forgotten first: should the driver fail half-way, the id is not left pointing at a port that
  // may or may not still forward.
  ports_.erase(it);
  driver_->remove(id);
}

std::vector<PortStatus> PortManager::list() const {
  std::vector<PortStatus> out;
  for (const auto& [id, spec] : ports_) out.push_back(PortStatus{id, spec});
  return out;
}

}  // namespace roost::ns
