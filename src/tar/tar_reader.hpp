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

}  // namespace roost::tar
