// zstd for the store's tar-split records, straight over libzstd. layer/decompress.hpp has a
// compressor too, whose finish() ends a frame and finishes its sink on every call; this one's
// finish() is idempotent (a transaction's commit may meet a record already finished). Folding the
// two into one is left for later.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "util/byte_sink.hpp"

namespace roost::store {

// Compresses what it is given into `out`; finish() ends the frame (once; later calls do nothing).
std::unique_ptr<util::ByteSink> make_zstd_record_writer(util::ByteSink& out, int level = 1);

// Inflates a whole zstd buffer; refuses more than `cap` bytes of output. `what` names it in errors.
std::string zstd_inflate_all(const std::string& compressed, size_t cap, const std::string& what);

}  // namespace roost::store
