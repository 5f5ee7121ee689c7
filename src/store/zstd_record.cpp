#include "store/zstd_record.hpp"

#include <zstd.h>

#include <vector>

#include "util/error.hpp"

namespace roost::store {
namespace {

class ZstdWriter : public util::ByteSink {
 public:
  ZstdWriter(util::ByteSink& out, int level) : out_(out), ctx_(ZSTD_createCCtx()), buf_(ZSTD_CStreamOutSize()) {
    if (!ctx_) throw Error("zstd: cannot allocate a compression context");
    ZSTD_CCtx_setParameter(ctx_, ZSTD_c_compressionLevel, level);
  }
  ~ZstdWriter() override { ZSTD_freeCCtx(ctx_); }

  void write(const uint8_t* data, size_t size) override {
    if (finished_) throw Error("zstd: data after the end of the record");
    ZSTD_inBuffer in{data, size, 0};
    while (in.pos < in.size) pump(in, ZSTD_e_continue);
  }

  void finish() override {
    if (finished_) return;
    ZSTD_inBuffer in{nullptr, 0, 0};
    while (pump(in, ZSTD_e_end) != 0) {
    }
    finished_ = true;
    out_.finish();
  }

 private:
  size_t pump(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer o{buf_.data(), buf_.size(), 0};
    size_t left = ZSTD_compressStream2(ctx_, &o, &in, mode);
    if (ZSTD_isError(left)) throw Error(std::string("zstd: ") + ZSTD_getErrorName(left));
    if (o.pos) out_.write(buf_.data(), o.pos);
    return left;
  }

  util::ByteSink& out_;
  ZSTD_CCtx* ctx_;
  std::vector<uint8_t> buf_;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<util::ByteSink> make_zstd_record_writer(util::ByteSink& out, int level) {
  return std::make_unique<ZstdWriter>(out, level);
}

std::string zstd_inflate_all(const std::string& compressed, size_t cap, const std::string& what) {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  if (!ctx) throw Error("zstd: cannot allocate a decompression context");
  std::string out;
  std::vector<char> buf(ZSTD_DStreamOutSize());
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  size_t last = 1;
  try {
    for (;;) {
      ZSTD_outBuffer o{buf.data(), buf.size(), 0};
      last = ZSTD_decompressStream(ctx, &o, &in);
      if (ZSTD_isError(last)) throw Error(what + ": " + ZSTD_getErrorName(last));
      if (out.size() + o.pos > cap) throw Error(what + ": more than " + std::to_string(cap) + " bytes inflated");
      out.append(buf.data(), o.pos);
      if (in.pos == in.size && (last == 0 || o.pos < o.size)) break;  // done, or starved
    }
    if (last != 0) throw Error(what + ": truncated zstd stream");
  } catch (...) {
    ZSTD_freeDCtx(ctx);
    throw;
  }
  ZSTD_freeDCtx(ctx);
  return out;
}

}  // namespace roost::store
