// The tar-split record of a layer: enough to write the layer's tar again, byte for byte, from its
// unpacked files, so `roost save` gives the same DiffID without keeping the compressed blob (what
// containers/storage's tar-split files do). The record is a sequence of
//   raw bytes (headers, padding, end blocks), and
//   "content of PATH, SIZE bytes" (read back from the layer's diff dir),
// written by TarSplitRecorder while the layer is applied and read by replay_tar_split.
//
// The format (roost's own; version 1):
//   "roost-tar-split 1\n"                         the magic, 18 bytes
//   then records, each [u8 kind][uvarint length][length bytes]:
//     kind 1 RAW      the bytes, verbatim (headers, PAX/GNU records, padding, end blocks and
//                     whatever followed them)
//     kind 2 CONTENT  [uvarint size][path]: `size` (> 0) bytes of the member at `path` (the
//                     archive path as the Reader normalised it: no "./", the name the applier
//                     gave the file)
//     kind 0 END      length 0; the last record: a record without it, or with bytes after it, is
//                     refused (a torn write is an error, not a shorter tar)
//   uvarint: 7 bits a byte, least significant first, high bit set on all but the last byte.
// Members of size 0 and members with no content (links, directories, devices) leave no CONTENT
// record: their headers are in the RAW bytes. Consecutive raw bytes share one record (flushed
// every 1 MiB), so a layer's record is about 1 KiB per member before the store compresses it.
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
  // Flushes buffered raw bytes into the record and writes the END record; does not call
  // out.finish() (the caller owns `out`, e.g. a compressor that it ends itself).
  void finish();

 private:
  void start();  // the magic, once
  void flush();  // pending_ as one RAW record
  util::ByteSink& out_;
  std::string pending_;
  bool started_ = false, finished_ = false;
};

// Where replay reads a member's content from: opens PATH (the archive path of the member) and
// writes exactly SIZE bytes of it to the sink; throws when the file is missing or shorter.
using ContentSource = std::function<void(const std::string& path, int64_t size, util::ByteSink& out)>;

// Reads a whole record (`record` as it was written) and writes the tar to `out`; does not call
// out.finish(). Throws roost::Error on a record that does not parse, and when `content` wrote
// more or fewer bytes than asked for.
void replay_tar_split(const std::string& record, const ContentSource& content, util::ByteSink& out);

}  // namespace roost::tar
