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
// Each of these sinks (and the compressor below) calls out.finish() from its own finish(), after
// its checks: a chain is finished from its head. Errors are roost::Error ("gzip stream truncated",
// "unexpected end of zstd stream", "trailing garbage after gzip member N", "corrupt ... data").
std::unique_ptr<util::ByteSink> make_decompressor(image::LayerCompression compression, util::ByteSink& out);

// The gzip inflater by name: Auto is isa-l when libisal.so.2 opens, else zlib (what
// make_decompressor uses); IsaL throws when it is missing. The explicit choices are for tests and
// for measuring one against the other.
enum class GzipInflater { Auto, IsaL, Zlib };
std::unique_ptr<util::ByteSink> make_gzip_decompressor(util::ByteSink& out, GzipInflater which);

// Which gzip inflater is in use ("isa-l" or "zlib"), for `roost info`.
std::string gzip_implementation();

// A zstd compressor (level 1 by default), for the store's tar-split records.
std::unique_ptr<util::ByteSink> make_zstd_compressor(util::ByteSink& out, int level = 1);

// Inflates a whole zstd buffer (a tar-split record as read from disk); more than `cap` bytes out
// is an error.
std::string zstd_decompress_all(const std::string& compressed, size_t cap);

}  // namespace roost::layer
