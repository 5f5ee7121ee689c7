// Streaming inflaters as ByteSinks: gzip through isa-l's igzip (about 3x zlib here; libisal is
// opened with dlopen on first use, so commands that never inflate do not load it, and zlib takes
// over when it is not installed), zstd through libzstd, and none. Each passes what it inflates on
// to the next sink, and finish() checks that the compressed stream ended where it should (a
// truncated gzip is an error, not a short layer).
#pragma once

#include <memory>
#include <string>

#include "image/manifest.hpp"
#include "util/byte_sink.hpp"

namespace roost::layer {

// LayerCompression::Unknown means: look at the first bytes (gzip 1f 8b, zstd 28 b5 2f fd, else none).
std::unique_ptr<util::ByteSink> make_decompressor(image::LayerCompression compression, util::ByteSink& out);

// Which gzip inflater is in use ("isa-l" or "zlib"), for `roost info`.
std::string gzip_implementation();

// A zstd compressor (level 1 by default), for the store's tar-split records.
std::unique_ptr<util::ByteSink> make_zstd_compressor(util::ByteSink& out, int level = 1);

// Inflates a whole zstd buffer (a tar-split record as read from disk).
std::string zstd_decompress_all(const std::string& compressed, size_t cap);

}  // namespace roost::layer
