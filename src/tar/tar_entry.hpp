// One member of a tar stream as the reader hands it on: ustar/GNU/PAX headers already merged
// (PAX path/linkpath/size/uid/gid/mtime, SCHILY.xattr.*, GNU long names).
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

namespace roost::tar {

enum class EntryType { Regular, Hardlink, Symlink, CharDevice, BlockDevice, Directory, Fifo };

struct Entry {
  std::string path;         // as in the archive after PAX/GNU names; "./" prefixes and trailing
                            // "/" removed, a leading "/" kept; never checked for safety here (the
                            // applier confines it)
  std::string link_target;  // Symlink: the target as written; Hardlink: the archive path it names
  EntryType type = EntryType::Regular;
  uint32_t mode = 0;        // permission bits with setuid/setgid/sticky (07777)
  uint32_t uid = 0, gid = 0;
  int64_t size = 0;         // bytes of content that follow (Regular only; 0 for the others)
  timespec mtime{};         // PAX mtime keeps the fraction
  uint32_t dev_major = 0, dev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;  // from SCHILY.xattr.NAME, in order
};

// Receives entries in order: begin, then the content in chunks (Regular), then end.
class EntrySink {
 public:
  virtual ~EntrySink() = default;
  virtual void begin(const Entry& entry) = 0;
  virtual void data(const uint8_t* bytes, size_t size) = 0;
  virtual void end() = 0;
};

}  // namespace roost::tar
