// Writes a tar stream (ustar, with a PAX header for what ustar cannot hold: long names, big sizes,
// ids over 2097151): the outer archives `roost save` writes (docker-archive, oci-archive).
// Deterministic: the bytes depend on the entries alone (no clock, no user names: uname and gname
// stay empty). A PAX 'x' header ("PaxHeaders/BASENAME") comes before a member whose path does
// not fit ustar's prefix/name split, whose link target is over 100 bytes, whose size is 8 GiB or
// more, whose uid or gid is over 07777777, whose mtime has a fraction or is out of ustar's range,
// or that has xattrs (SCHILY.xattr.NAME, values binary). Directories are written "name/". Device
// numbers over 07777777 are refused (PAX has no key for them).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "tar/tar_entry.hpp"
#include "util/byte_sink.hpp"

namespace roost::tar {

class Writer {
 public:
  explicit Writer(util::ByteSink& out);
  // Writes the header of `entry`; a Regular entry's entry.size bytes must follow through data().
  void begin(const Entry& entry);
  void data(const uint8_t* bytes, size_t size);
  // Pads the member to 512 bytes; throws when fewer or more than entry.size bytes were written.
  void end();
  // A whole regular file from memory.
  void add_file(const std::string& path, const std::string& content, uint32_t mode = 0644);
  void add_directory(const std::string& path, uint32_t mode = 0755);
  // The two zero blocks, then out.finish().
  void finish();

 private:
  util::ByteSink& out_;
  int64_t remaining_ = 0;
  int64_t written_ = 0;
  bool open_ = false;
};

}  // namespace roost::tar
