// Columns as podman's tables lay them out (Go's text/tabwriter with minwidth 12, padding 2, spaces):
// every column but the last is as wide as its widest cell plus two, at least twelve.
#pragma once

#include <string>
#include <vector>

namespace roost::engine {

// rows[0] is the header. Each row ends with a newline; the last column is not padded.
std::string format_table(const std::vector<std::vector<std::string>>& rows);

}  // namespace roost::engine
