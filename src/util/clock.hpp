#pragma once

#include <string>

namespace roost {

// The current time as RFC 3339 with nanoseconds, UTC ("2026-11-25T03:43:14.123456789Z").
std::string now_rfc3339();

}  // namespace roost
