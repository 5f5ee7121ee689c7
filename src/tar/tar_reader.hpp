// A push parser for tar streams (POSIX ustar, PAX extended headers, GNU long names): bytes go in
// as they arrive from the network or the inflater, entries come out to an EntrySink. Push, not
// pull, so one pass over a layer's bytes can hash, inflate, parse and apply with no thread and no
// temporary file; and hand-written (not libarchive) because saving an image again must reproduce
// the layer's exact bytes (its DiffID): the RawObserver sees every header byte as it was.
#pragma once

#include <cstdint>
#include <memory>

#include "tar/tar_entry.hpp"
#include "util/byte_sink.hpp"

namespace roost::tar {

// Sees the stream as the tar-split record needs it: every byte that is not a member's content
// (headers, PAX/GNU records, padding, the end blocks and anything after them), and each member's
// content as a length.
class RawObserver {
 public:
  virtual ~RawObserver() = default;
  virtual void raw(const uint8_t* bytes, size_t size) = 0;
  virtual void content(const Entry& entry, int64_t size) = 0;
};

class Reader : public util::ByteSink {
 public:
  explicit Reader(EntrySink& sink, RawObserver* observer = nullptr);
  ~Reader() override;
  void write(const uint8_t* data, size_t size) override;
  // The stream ended: throws roost::Error when it stopped inside a member or a header ("truncated
  // tar"). A stream that ends at a member boundary without the two zero blocks is accepted, as GNU
  // tar and Go's archive/tar accept it.
  void finish() override;
  // Bytes consumed so far.
  int64_t offset() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Bad headers throw roost::Error with the byte offset: a bad checksum, a size or number field that
// does not parse, a PAX record that does not parse, a name with a NUL, an unknown type flag that
// is not a file (types 'g' global PAX headers are read and ignored; 'x' applies to the next member).
//
// What the reader decides, in detail:
// - Formats: ustar (prefix + "/" + name), GNU ('L'/'K' long names, base-256 numbers, magic
//   "ustar  " without a prefix field), v7 (no magic), PAX 'x' (path, linkpath, size, uid, gid,
//   mtime with its fraction, SCHILY.xattr.NAME with binary values; an empty value deletes the
//   keyword; other keys are ignored). PAX wins over GNU names, GNU names over the header's. The
//   checksum may be the signed or the unsigned sum, as tar accepts both.
// - Types: '0', '\0' and '7' are regular files ('\0' with a name ending in "/" a directory, as
//   old tars wrote them); '1'-'6' the others. Only regular files have content: a size on any other
//   header is ignored (as Go's archive/tar, which wrote most layers, ignores it). GNU sparse files
//   ('S', or PAX GNU.sparse.*) are refused: the image spec says layers SHOULD NOT hold them, and
//   no layer tool writes them. Every other type flag is refused.
// - Names: leading "./" removed ("./" alone becomes "."); a directory's trailing "/" removed; a
//   leading "/" is KEPT, so the applier sees an absolute name and refuses it. A hardlink's target
//   is normalised the same way (it names a member); a symlink's target is kept as written.
// - The end: two zero blocks. Anything after them (tar pads to a 10240-byte record) goes to the
//   RawObserver and is otherwise ignored. A lone zero block followed by a header is an error; a
//   stream that ends after one zero block, or at a member boundary, is accepted.
// - Caps against hostile input: a PAX header of at most 1 MiB, a GNU long name or PAX
//   path/linkpath of at most 64 KiB, at most 1024 xattrs (1 MiB together) per member. Memory is
//   one header block plus the metadata being read; content is never buffered.
// - Sinks: EntrySink gets begin (after all of a member's metadata), then data straight from the
//   caller's buffer in the largest pieces it holds, then end once the content is complete (before
//   the padding). RawObserver::content comes right after begin, for every regular member (size 0
//   too). An exception from a sink, or a bad header, leaves the reader failed: every later call
//   throws.

}  // namespace roost::tar
