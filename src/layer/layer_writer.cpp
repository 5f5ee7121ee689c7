#include "layer/layer_writer.hpp"

#include "layer/decompress.hpp"
#include "layer/layer_applier.hpp"
#include "tar/tar_reader.hpp"
#include "tar/tar_split.hpp"
#include "util/error.hpp"

namespace roost::layer {

namespace {

// The inflated side of the pipeline: every tar byte is hashed and counted (the DiffID) and goes on
// to the tar parser. One stage, so a chunk costs one virtual call here. An uncompressed blob is
// its own tar: its DiffID is the blob's digest, already computed, so it is not hashed again.
class DiffTee final : public util::ByteSink {
 public:
  DiffTee(util::ByteSink& next, bool hash) : next_(next), hash_bytes_(hash) {}
  void write(const uint8_t* data, size_t size) override {
    if (hash_bytes_) hash_.update(data, size);
    size_ += static_cast<int64_t>(size);
    next_.write(data, size);
  }
  void finish() override { next_.finish(); }
  image::Digest digest() const { return hash_.digest(); }
  int64_t size() const { return size_; }

 private:
  util::ByteSink& next_;
  bool hash_bytes_;
  image::Sha256 hash_;
  int64_t size_ = 0;
};

}  // namespace

struct LayerWriter::Impl {
  Impl(int diff_dir_fd, Expectations e, ApplyOptions o, util::ByteSink* split_out)
      : expect(std::move(e)),
        options(std::move(o)),
        applier(diff_dir_fd, options, stats),
        recorder(split_out ? std::make_unique<tar::TarSplitRecorder>(*split_out) : nullptr),
        reader(applier, recorder.get()),
        tee(reader, expect.compression != image::LayerCompression::None),
        inflater(make_decompressor(expect.compression, tee)) {}

  // "layer sha256:...: " when the digest is known, so every error names the layer.
  std::string prefix() const {
    return expect.blob_digest ? "layer " + expect.blob_digest->str() + ": " : std::string("layer: ");
  }
  [[noreturn]] void rethrow(const std::exception& e) const {
    if (const auto* sys = dynamic_cast<const SysError*>(&e)) throw Error(prefix() + sys->what());
    throw Error(prefix() + e.what());
  }

  Expectations expect;
  ApplyOptions options;
  Stats stats;
  LayerApplier applier;
  std::unique_ptr<tar::TarSplitRecorder> recorder;
  tar::Reader reader;
  DiffTee tee;
  std::unique_ptr<util::ByteSink> inflater;
  image::Sha256 blob_hash;
  int64_t blob_bytes = 0;
  bool failed = false;
  bool finished = false;
};

LayerWriter::LayerWriter(int diff_dir_fd, Expectations expect, ApplyOptions options, util::ByteSink* tar_split_out)
    : impl_(std::make_unique<Impl>(diff_dir_fd, std::move(expect), std::move(options), tar_split_out)) {}

LayerWriter::~LayerWriter() = default;

void LayerWriter::write(const uint8_t* data, size_t size) {
  Impl& m = *impl_;
  if (m.failed) throw Error(m.prefix() + "written to after an error");
  if (m.expect.blob_size >= 0 && static_cast<int64_t>(size) > m.expect.blob_size - m.blob_bytes) {
    m.failed = true;
    throw Error(m.prefix() + "size mismatch (more than the " + std::to_string(m.expect.blob_size) +
                " bytes the manifest says)");
  }
  m.blob_bytes += static_cast<int64_t>(size);
  m.blob_hash.update(data, size);
  try {
    m.inflater->write(data, size);
  } catch (const std::exception& e) {
    m.failed = true;
    m.rethrow(e);
  }
}

void LayerWriter::finish() {
  Impl& m = *impl_;
  if (m.failed) throw Error(m.prefix() + "finished after an error");
  m.failed = true;  // until every check below passed
  // A short blob first: it is why the inflater or the tar would stop early.
  if (m.expect.blob_size >= 0 && m.blob_bytes != m.expect.blob_size)
    throw Error(m.prefix() + "size mismatch (got " + std::to_string(m.blob_bytes) + " bytes, expected " +
                std::to_string(m.expect.blob_size) + ")");
  try {
    m.inflater->finish();  // inflater, then the tar reader: truncation errors
    if (m.recorder) m.recorder->finish();
    m.applier.finish();
  } catch (const std::exception& e) {
    m.rethrow(e);
  }
  m.stats.blob_digest = m.blob_hash.digest();
  m.stats.blob_size = m.blob_bytes;
  m.stats.diff_id = m.expect.compression == image::LayerCompression::None ? m.stats.blob_digest : m.tee.digest();
  m.stats.diff_size = m.tee.size();
  if (m.expect.blob_digest && *m.expect.blob_digest != m.stats.blob_digest)
    throw Error(m.prefix() + "digest mismatch (got " + m.stats.blob_digest.str() + ")");
  if (m.expect.diff_id && *m.expect.diff_id != m.stats.diff_id)
    throw Error(m.prefix() + "DiffID mismatch (the config says " + m.expect.diff_id->str() + ", the layer is " +
                m.stats.diff_id.str() + ")");
  m.failed = false;
  m.finished = true;
}

const Stats& LayerWriter::stats() const {
  if (!impl_->finished) throw Error("LayerWriter::stats() before a successful finish()");
  return impl_->stats;
}

int64_t LayerWriter::blob_bytes() const { return impl_->blob_bytes; }

const std::vector<std::pair<std::string, std::string>>& LayerWriter::pending_lower_links() const {
  return impl_->applier.pending_links();
}

void LayerWriter::link_from_lowers(const std::vector<int>& lower_diff_fds) {
  Impl& m = *impl_;
  if (!m.finished) throw Error(m.prefix() + "link_from_lowers() before a successful finish()");
  try {
    m.applier.link_from_lowers(lower_diff_fds);
  } catch (const std::exception& e) {
    m.rethrow(e);
  }
}

}  // namespace roost::layer
