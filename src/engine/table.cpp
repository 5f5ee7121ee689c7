#include "engine/table.hpp"

#include <algorithm>

namespace roost::engine {

std::string format_table(const std::vector<std::vector<std::string>>& rows) {
  constexpr size_t kMinWidth = 12, kPadding = 2;
  std::vector<size_t> width;
  for (const auto& row : rows)
    for (size_t c = 0; c + 1 < row.size(); ++c) {
      if (width.size() <= c) width.resize(c + 1, 0);
      width[c] = std::max(width[c], row[c].size());
    }
  std::string out;
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      out += row[c];
      if (c + 1 < row.size()) out.append(std::max(kMinWidth, width[c] + kPadding) - row[c].size(), ' ');
    }
    out += '\n';
  }
  return out;
}

}  // namespace roost::engine
