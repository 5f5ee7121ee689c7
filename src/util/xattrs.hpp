// Extended attributes of an open file: all of them read at once (names and values), for the
// copies that carry them along (a layer's copy-up, roost cp).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace roost {

using Xattrs = std::vector<std::pair<std::string, std::string>>;

// Every extended attribute of fd the caller may read, in the kernel's order; values are binary.
// A file system without xattrs gives none; one that vanishes between the list and the read is
// skipped. Throws roost::Error on another failure.
Xattrs read_xattrs(int fd);

}  // namespace roost
