// The config.json that `roost-runtime spec` writes.
#pragma once

#include <string>

namespace roost::oci {

// A ready-to-run config for a bundle whose rootfs is ./rootfs. The rootless variant adds a user
// namespace with no mappings, so that create maps the caller and its /etc/subuid range at run time.
std::string default_spec_json(bool rootless);

}  // namespace roost::oci
