// The tar-split record of a layer: enough to write the layer's tar again, byte for byte, from its
// unpacked files, so `roost save` gives the same DiffID without keeping the compressed blob (what
// containers/storage's tar-split files do). The record is a sequence of
//   raw bytes (headers, padding, end blocks), and
//   "content of PATH, SIZE bytes" (read back from the layer's diff dir),
// written by TarSplitRecorder while the layer is applied and read by replay_tar_split.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "tar/tar_reader.hpp"
#include "util/byte_sink.hpp"

namespace roost::tar {

// Writes the record to `out` (the store compresses it).
class TarSplitRecorder : public RawObserver {
 public:
  explicit TarSplitRecorder(util::ByteSink& out);
  void raw(const uint8_t* bytes, size_t size) override;
  void content(const Entry& entry, int64_t size) override;
  void finish();  // flushes buffered raw bytes into the record

 private:
  util::ByteSink& out_;
  std::string pending_;
};

// Where replay reads a member's content from: opens PATH (the archive path of the member) and
// writes exactly SIZE bytes of it to the sink; throws when the file is missing or shorter.
using ContentSource = std::function<void(const std::string& path, int64_t size, util::ByteSink& out)>;

// Reads a whole record (`record` as it was written) and writes the tar to `out`.
void replay_tar_split(const std::string& record, const ContentSource& content, util::ByteSink& out);

}  // namespace roost::tar
