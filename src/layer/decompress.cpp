#include "layer/decompress.hpp"

#include <isa-l/igzip_lib.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <mutex>
#include <vector>

#include "util/error.hpp"
#include "util/shared_library.hpp"

namespace roost::layer {

namespace {

// Inflated bytes go on in chunks of this size: large enough that the stages after (hash, tar
// parser, write(2) of file content) see few calls, small enough to stay in L2.
constexpr size_t kOutChunk = 256 * 1024;

// libisal's inflater, bound once per process on first use.
struct IsalApi {
  void (*inflate_init)(inflate_state*) = nullptr;
  int (*inflate)(inflate_state*) = nullptr;
  bool usable() const { return inflate_init != nullptr && inflate != nullptr; }
};

const IsalApi& isal_api() {
  static IsalApi api;
  static std::once_flag once;
  std::call_once(once, [] {
    static util::SharedLibrary lib({"libisal.so.2", "libisal.so"});
    if (!lib.loaded()) return;
    IsalApi bound;
    if (lib.bind(bound.inflate_init, "isal_inflate_init") && lib.bind(bound.inflate, "isal_inflate"))
      api = bound;
  });
  return api;
}

// The gzip framing both inflaters share: members one after another (RFC 1952 2.2), each
// followed only by another member's magic or the end; anything else is an error, as it is for
// Go's compress/gzip that containerd and podman read layers with.
class GzipBase : public util::ByteSink {
 public:
  explicit GzipBase(util::ByteSink& out) : out_(out), buf_(kOutChunk) {}

  void write(const uint8_t* data, size_t size) override {
    while (size > 0) {
      if (between_members_) {
        // A new member must start with 1f 8b; look at the magic before handing bytes to the
        // inflater so that garbage gets its own message, not "invalid gzip header".
        while (size > 0 && magic_seen_ < 2) {
          static constexpr uint8_t kMagic[2] = {0x1f, 0x8b};
          if (*data != kMagic[magic_seen_])
            throw Error(members_ == 0 ? "not a gzip stream (bad magic)"
                                      : "trailing garbage after gzip member " + std::to_string(members_));
          magic_[magic_seen_++] = *data++;
          --size;
        }
        if (magic_seen_ < 2) return;
        between_members_ = false;
        magic_seen_ = 0;
        start_member();
        size_t used = inflate_some(magic_, 2);  // a header is longer than 2 bytes: all taken
        (void)used;
        continue;
      }
      size_t used = inflate_some(data, size);
      data += used;
      size -= used;
    }
  }

  void finish() override {
    if (between_members_ ? (members_ == 0 || magic_seen_ != 0) : true)
      throw Error("gzip stream truncated");
    out_.finish();
  }

 protected:
  // Begins a new member (resets the inflater's state).
  virtual void start_member() = 0;
  // Inflates from data until it is used up or the member ended; returns the bytes taken.
  // Calls member_done() at the member's end (after its trailer was checked).
  virtual size_t inflate_some(const uint8_t* data, size_t size) = 0;

  void member_done() {
    ++members_;
    between_members_ = true;
  }
  void emit(size_t n) {
    if (n > 0) out_.write(buf_.data(), n);
  }

  util::ByteSink& out_;
  std::vector<uint8_t> buf_;

 private:
  bool between_members_ = true;
  int magic_seen_ = 0;
  uint8_t magic_[2] = {};
  int members_ = 0;
};

class IsalGzip final : public GzipBase {
 public:
  using GzipBase::GzipBase;

 private:
  void start_member() override {
    isal_api().inflate_init(&state_);
    state_.crc_flag = ISAL_GZIP;
  }

  size_t inflate_some(const uint8_t* data, size_t size) override {
    state_.next_in = const_cast<uint8_t*>(data);
    state_.avail_in = static_cast<uint32_t>(std::min<size_t>(size, UINT32_MAX));
    const uint32_t given = state_.avail_in;
    for (;;) {
      state_.next_out = buf_.data();
      state_.avail_out = static_cast<uint32_t>(buf_.size());
      int rc = isal_api().inflate(&state_);
      if (rc < 0) throw Error(isal_message(rc));
      emit(buf_.size() - state_.avail_out);
      if (state_.block_state == ISAL_BLOCK_FINISH) {
        // The trailer (CRC-32 and ISIZE) was checked; isa-l hands back the bytes it read ahead.
        member_done();
        return given - state_.avail_in;
      }
      if (state_.avail_in == 0 && state_.avail_out != 0) return given;
    }
  }

  static std::string isal_message(int rc) {
    switch (rc) {
      case ISAL_INVALID_WRAPPER: return "invalid gzip header";
      case ISAL_UNSUPPORTED_METHOD: return "gzip member is not deflate-compressed";
      case ISAL_INCORRECT_CHECKSUM: return "gzip checksum mismatch (corrupt data)";
      case ISAL_NEED_DICT: return "gzip stream needs a preset dictionary";
      default: return "corrupt gzip data (isa-l error " + std::to_string(rc) + ")";
    }
  }

  inflate_state state_{};
};

class ZlibGzip final : public GzipBase {
 public:
  explicit ZlibGzip(util::ByteSink& out) : GzipBase(out) {
    if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) throw Error("zlib: inflateInit2 failed");
  }
  ~ZlibGzip() override { inflateEnd(&z_); }

 private:
  void start_member() override {
    if (inflateReset(&z_) != Z_OK) throw Error("zlib: inflateReset failed");
  }

  size_t inflate_some(const uint8_t* data, size_t size) override {
    z_.next_in = const_cast<Bytef*>(data);
    z_.avail_in = static_cast<uInt>(std::min<size_t>(size, UINT32_MAX));
    const uInt given = z_.avail_in;
    for (;;) {
      z_.next_out = buf_.data();
      z_.avail_out = static_cast<uInt>(buf_.size());
      int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR)
        throw Error(std::string("corrupt gzip data (") + (z_.msg ? z_.msg : "zlib error") + ")");
      emit(buf_.size() - z_.avail_out);
      if (rc == Z_STREAM_END) {
        member_done();
        return given - z_.avail_in;
      }
      if (z_.avail_in == 0 && z_.avail_out != 0) return given;
      // Z_BUF_ERROR with input left and the output not full cannot happen; with the output full
      // it means "call again".
    }
  }

  z_stream z_{};
};

class ZstdDecompressor final : public util::ByteSink {
 public:
  explicit ZstdDecompressor(util::ByteSink& out) : out_(out), dctx_(ZSTD_createDCtx()), buf_(kOutChunk) {
    if (dctx_ == nullptr) throw Error("zstd: cannot create a decompression context");
  }
  ~ZstdDecompressor() override { ZSTD_freeDCtx(dctx_); }

  void write(const uint8_t* data, size_t size) override {
    if (size > 0) seen_input_ = true;
    ZSTD_inBuffer in{data, size, 0};
    // Loop until the input is used and the output was not full (zstd may still hold bytes).
    for (;;) {
      ZSTD_outBuffer out{buf_.data(), buf_.size(), 0};
      size_t rc = ZSTD_decompressStream(dctx_, &out, &in);
      if (ZSTD_isError(rc)) throw Error(std::string("corrupt zstd data (") + ZSTD_getErrorName(rc) + ")");
      frame_open_ = rc != 0;
      if (out.pos > 0) out_.write(buf_.data(), out.pos);
      if (in.pos == in.size && out.pos < out.size) return;
    }
  }

  void finish() override {
    if (!seen_input_ || frame_open_) throw Error("unexpected end of zstd stream");
    out_.finish();
  }

 private:
  util::ByteSink& out_;
  ZSTD_DCtx* dctx_;
  std::vector<uint8_t> buf_;
  bool seen_input_ = false;
  bool frame_open_ = false;
};

class Passthrough final : public util::ByteSink {
 public:
  explicit Passthrough(util::ByteSink& out) : out_(out) {}
  void write(const uint8_t* data, size_t size) override { out_.write(data, size); }
  void finish() override { out_.finish(); }

 private:
  util::ByteSink& out_;
};

// Holds the first bytes until the magic says which inflater they need.
class Sniffer final : public util::ByteSink {
 public:
  explicit Sniffer(util::ByteSink& out) : out_(out) {}

  void write(const uint8_t* data, size_t size) override {
    if (next_) return next_->write(data, size);
    while (size > 0 && head_len_ < sizeof head_) {
      head_[head_len_++] = *data++;
      --size;
    }
    if (head_len_ < sizeof head_) return;
    choose();
    if (size > 0) next_->write(data, size);
  }

  void finish() override {
    if (!next_) choose();  // fewer than 4 bytes: whatever they start with decides
    next_->finish();
  }

 private:
  void choose() {
    static constexpr uint8_t kZstd[4] = {0x28, 0xb5, 0x2f, 0xfd};
    image::LayerCompression kind = image::LayerCompression::None;
    if (head_len_ >= 2 && head_[0] == 0x1f && head_[1] == 0x8b)
      kind = image::LayerCompression::Gzip;
    else if (head_len_ == 4 && std::memcmp(head_, kZstd, 4) == 0)
      kind = image::LayerCompression::Zstd;
    next_ = make_decompressor(kind, out_);
    if (head_len_ > 0) next_->write(head_, head_len_);
  }

  util::ByteSink& out_;
  std::unique_ptr<util::ByteSink> next_;
  uint8_t head_[4] = {};
  size_t head_len_ = 0;
};

class ZstdCompressor final : public util::ByteSink {
 public:
  ZstdCompressor(util::ByteSink& out, int level) : out_(out), cctx_(ZSTD_createCCtx()), buf_(ZSTD_CStreamOutSize()) {
    if (cctx_ == nullptr) throw Error("zstd: cannot create a compression context");
    size_t rc = ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level);
    if (ZSTD_isError(rc)) throw Error(std::string("zstd: compression level ") + std::to_string(level) + ": " + ZSTD_getErrorName(rc));
  }
  ~ZstdCompressor() override { ZSTD_freeCCtx(cctx_); }

  void write(const uint8_t* data, size_t size) override { run(data, size, ZSTD_e_continue); }
  void finish() override {
    run(nullptr, 0, ZSTD_e_end);
    out_.finish();
  }

 private:
  void run(const uint8_t* data, size_t size, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{data, size, 0};
    for (;;) {
      ZSTD_outBuffer out{buf_.data(), buf_.size(), 0};
      size_t left = ZSTD_compressStream2(cctx_, &out, &in, mode);
      if (ZSTD_isError(left)) throw Error(std::string("zstd compression: ") + ZSTD_getErrorName(left));
      if (out.pos > 0) out_.write(buf_.data(), out.pos);
      if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size) return;
    }
  }

  util::ByteSink& out_;
  ZSTD_CCtx* cctx_;
  std::vector<uint8_t> buf_;
};

}  // namespace

std::unique_ptr<util::ByteSink> make_gzip_decompressor(util::ByteSink& out, GzipInflater which) {
  if (which == GzipInflater::Auto) which = isal_api().usable() ? GzipInflater::IsaL : GzipInflater::Zlib;
  if (which == GzipInflater::IsaL) {
    if (!isal_api().usable()) throw Error("isa-l's inflater is not available (libisal.so.2)");
    return std::make_unique<IsalGzip>(out);
  }
  return std::make_unique<ZlibGzip>(out);
}

std::unique_ptr<util::ByteSink> make_decompressor(image::LayerCompression compression, util::ByteSink& out) {
  switch (compression) {
    case image::LayerCompression::Gzip: return make_gzip_decompressor(out, GzipInflater::Auto);
    case image::LayerCompression::Zstd: return std::make_unique<ZstdDecompressor>(out);
    case image::LayerCompression::None: return std::make_unique<Passthrough>(out);
    case image::LayerCompression::Unknown: return std::make_unique<Sniffer>(out);
  }
  throw Error("unknown layer compression");
}

std::string gzip_implementation() { return isal_api().usable() ? "isa-l" : "zlib"; }

std::unique_ptr<util::ByteSink> make_zstd_compressor(util::ByteSink& out, int level) {
  return std::make_unique<ZstdCompressor>(out, level);
}

std::string zstd_decompress_all(const std::string& compressed, size_t cap) {
  util::StringSink sink(cap, "zstd record");
  ZstdDecompressor z(sink);
  z.write(reinterpret_cast<const uint8_t*>(compressed.data()), compressed.size());
  z.finish();
  return sink.take();
}

}  // namespace roost::layer
