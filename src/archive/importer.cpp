#include "archive/importer.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "image/image_config.hpp"
#include "layer/decompress.hpp"
#include "store/layer_commit.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"

namespace roost::archive {

namespace {

// Layers of one image applied at once: inflating and hashing keep a core busy each; more than
// four only adds seeks on a disk.
constexpr size_t kMaxWorkers = 4;

// What the pre-flight found out about one image, used by the writing pass.
struct Plan {
  const SourceImage* source = nullptr;
  image::ImageConfig config;
  std::vector<image::Digest> chain_ids;
};

image::LayerCompression magic_of(const std::string& head) {
  auto b = [&](size_t i) { return static_cast<uint8_t>(head[i]); };
  if (head.size() >= 2 && b(0) == 0x1f && b(1) == 0x8b) return image::LayerCompression::Gzip;
  if (head.size() >= 4 && b(0) == 0x28 && b(1) == 0xb5 && b(2) == 0x2f && b(3) == 0xfd) return image::LayerCompression::Zstd;
  return image::LayerCompression::None;
}

const char* oci_layer_type(image::LayerCompression c) {
  switch (c) {
    case image::LayerCompression::Gzip: return image::media_type::kOciLayerGzip;
    case image::LayerCompression::Zstd: return image::media_type::kOciLayerZstd;
    default: return image::media_type::kOciLayer;
  }
}

Plan preflight(const store::Store& store, const ArchiveSource& source, const SourceImage& img) {
  const std::string where = source.name() + ": " + img.where;
  Plan plan;
  plan.source = &img;
  try {
    plan.config = image::parse_image_config(img.config);
  } catch (const Error& e) {
    throw Error(where + ": " + e.what());
  }
  const image::Digest id = image::sha256_of(img.config);
  if (!img.manifest.empty()) {
    image::Manifest m = image::parse_manifest(img.manifest, img.manifest_media_type);
    if (m.config.digest != id || m.config.size != int64_t(img.config.size()))
      throw Error(where + ": the config is " + id.str() + " (" + std::to_string(img.config.size()) + " bytes), the manifest says " +
                  m.config.digest.str() + " (" + std::to_string(m.config.size) + " bytes)");
    for (size_t i = 0; i < m.layers.size(); ++i)
      if (!image::is_layer_media_type(m.layers[i].media_type))
        throw Error(where + ": layers[" + std::to_string(i) + "]: unknown layer media type \"" + m.layers[i].media_type + "\"");
  }
  if (plan.config.diff_ids.size() != img.layers.size())
    throw Error(where + ": the config lists " + std::to_string(plan.config.diff_ids.size()) + " layers (rootfs.diff_ids), the manifest " +
                std::to_string(img.layers.size()));
  plan.chain_ids = image::chain_ids(plan.config.diff_ids);
  for (size_t i = 0; i < img.layers.size(); ++i) {
    if (img.layers[i].member || store.layer(plan.chain_ids[i])) continue;
    const std::string blob = img.layers[i].descriptor ? img.layers[i].descriptor->digest.str() : plan.config.diff_ids[i].str();
    throw Error(where + ": layer " + blob + " is not in the archive");
  }
  return plan;
}

// A layer the store lacks, from its transaction to its commit. The apply half runs on a worker
// thread (layers of one image are independent until hardlinks into lower layers are resolved);
// the commit half runs in layer order on the calling thread.
struct LayerJob {
  size_t index = 0;
  std::unique_ptr<store::LayerTransaction> txn;
  std::unique_ptr<layer::LayerWriter> writer;
  image::LayerCompression found = image::LayerCompression::None;
  std::exception_ptr error;
};

void apply_layer(LayerJob& job, const ArchiveSource& source, const Plan& plan, const layer::ApplyOptions& apply) {
  const SourceLayer& sl = plan.source->layers[job.index];
  const Member& member = *sl.member;
  layer::Expectations expect;
  expect.diff_id = plan.config.diff_ids[job.index];
  expect.blob_size = member.size;
  if (sl.descriptor) expect.blob_digest = sl.descriptor->digest;
  // Compression by magic rather than by media type: the blob digest is checked either way, and
  // docker-archive members carry no media type at all. Known before the first byte, so an
  // uncompressed member's DiffID is its blob digest, hashed once.
  job.found = magic_of(source.peek(member, 4));
  expect.compression = job.found;
  job.writer = std::make_unique<layer::LayerWriter>(job.txn->diff_fd(), expect, apply, &job.txn->tar_split());
  source.copy(member, *job.writer);
  job.writer->finish();
}

// Resolves hardlinks into lower layers (all committed by now: this runs in layer order) and
// commits; returns the blob's descriptor as read.
image::Descriptor commit_layer(store::Store& store, LayerJob& job, const Plan& plan) {
  const size_t i = job.index;
  const SourceLayer& sl = plan.source->layers[i];
  layer::LayerWriter& writer = *job.writer;
  store::link_from_lower_layers(store, writer, plan.chain_ids, i);
  job.txn->commit(store::written_layer_record(writer, plan.chain_ids, i, job.found != image::LayerCompression::None));
  const layer::Stats& st = writer.stats();

  image::Descriptor d;
  d.media_type = sl.descriptor ? sl.descriptor->media_type : oci_layer_type(job.found);
  d.digest = st.blob_digest;
  d.size = st.blob_size;
  return d;
}

// The LayerWriter names the layer by its blob digest when it knows it ("layer sha256:...: ");
// else ("layer: ...") it gets the name shown in progress lines.
std::string layer_message(const std::string& shown, const std::string& what) {
  if (what.starts_with("layer: ")) return "layer " + shown + ": " + what.substr(7);
  if (what.starts_with("layer sha256:")) return what;
  return "layer " + shown + ": " + what;
}

// Runs apply_layer over the jobs on up to kMaxWorkers threads; each job keeps its own error.
void apply_all(std::vector<LayerJob*>& jobs, const ArchiveSource& source, const Plan& plan, const ImportOptions& options) {
  if (jobs.empty()) return;
  std::mutex warn_lock;
  layer::ApplyOptions apply = options.apply;
  if (options.apply.warn)
    apply.warn = [&](const std::string& w) {
      std::lock_guard<std::mutex> hold(warn_lock);
      options.apply.warn(w);
    };
  // The inflaters are opened on first use; open them here, before any worker could race to.
  (void)layer::gzip_implementation();
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1)) < jobs.size();) {
      try {
        apply_layer(*jobs[k], source, plan, apply);
      } catch (...) {
        jobs[k]->error = std::current_exception();
      }
    }
  };
  size_t workers = std::min<size_t>({jobs.size(), kMaxWorkers, std::max(1u, std::thread::hardware_concurrency())});
  std::vector<std::thread> threads;
  for (size_t t = 1; t < workers; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
}

// A docker-archive layer the store already has: its blob as found in this archive.
image::Descriptor describe_present(const ArchiveSource& source, const Plan& plan, size_t i) {
  const SourceLayer& sl = plan.source->layers[i];
  image::Descriptor d;
  if (!sl.member) {  // checked by preflight: only possible for a layer the store has
    d.media_type = image::media_type::kOciLayer;
    d.digest = plan.config.diff_ids[i];
    return d;
  }
  image::LayerCompression found = magic_of(source.peek(*sl.member, 4));
  d.media_type = oci_layer_type(found);
  d.size = sl.member->size;
  if (found == image::LayerCompression::None) {
    d.digest = plan.config.diff_ids[i];  // an uncompressed layer's blob is its DiffID
  } else {
    image::Sha256 h;
    source.copy(*sl.member, h);
    d.digest = h.digest();
  }
  return d;
}

ImportedImage import_one(store::Store& store, const ArchiveSource& source, const Plan& plan, const ImportOptions& options) {
  const SourceImage& img = *plan.source;
  const std::string where = source.name() + ": " + img.where;
  auto say = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  // Transactions first, in layer order, on this thread (begin_layer may wait for another process
  // writing the same layer, and then finds it done).
  std::vector<LayerJob> jobs(img.layers.size());
  std::vector<LayerJob*> to_apply;
  for (size_t i = 0; i < img.layers.size(); ++i) {
    jobs[i].index = i;
    if (store.layer(plan.chain_ids[i])) continue;
    if (std::optional<store::LayerTransaction> txn = store.begin_layer(plan.chain_ids[i])) {
      jobs[i].txn = std::make_unique<store::LayerTransaction>(std::move(*txn));
      to_apply.push_back(&jobs[i]);
    }
  }
  apply_all(to_apply, source, plan, options);

  // A layer that failed its checks fails the image before any layer of it is committed.
  for (const LayerJob& job : jobs) {
    if (!job.error) continue;
    const SourceLayer& sl = img.layers[job.index];
    const std::string shown = sl.descriptor ? sl.descriptor->digest.str() : plan.config.diff_ids[job.index].str();
    try {
      std::rethrow_exception(job.error);
    } catch (const Error& e) {
      throw Error(where + ": " + layer_message(shown, e.what()));
    }
  }

  std::vector<image::Descriptor> blobs;
  for (size_t i = 0; i < img.layers.size(); ++i) {
    const SourceLayer& sl = img.layers[i];
    const std::string shown = sl.descriptor ? sl.descriptor->digest.str() : plan.config.diff_ids[i].str();
    LayerJob& job = jobs[i];
    if (!job.txn) {
      say("Copying blob " + shown + " skipped: already exists");
      blobs.push_back(sl.descriptor ? *sl.descriptor : describe_present(source, plan, i));
      continue;
    }
    try {
      blobs.push_back(commit_layer(store, job, plan));
    } catch (const Error& e) {
      throw Error(where + ": " + layer_message(shown, e.what()));
    }
    say("Copying blob " + shown + " done");
  }
  const image::Digest id = image::sha256_of(img.config);
  say("Copying config " + id.str() + " done");

  std::string manifest = img.manifest.empty() ? docker_archive_manifest(img.config, blobs) : img.manifest;
  store::ImageRecord rec;
  rec.id = id;
  rec.names = img.names;
  rec.manifest_digest = image::sha256_of(manifest);
  rec.manifest_media_type = img.manifest.empty() ? image::media_type::kOciManifest : img.manifest_media_type;
  rec.layers = plan.chain_ids;
  rec.created = plan.config.created;
  rec.stored_at = now_rfc3339();
  for (const image::Digest& c : plan.chain_ids)
    if (auto l = store.layer(c)) rec.size += l->allocated_bytes;
  say("Writing manifest to image destination");
  store.put_image(rec, manifest, img.config);
  return ImportedImage{id, img.names};
}

}  // namespace

std::string docker_archive_manifest(const std::string& config, const std::vector<image::Descriptor>& layers) {
  image::Manifest m;
  m.media_type = image::media_type::kOciManifest;
  m.config.media_type = image::media_type::kOciConfig;
  m.config.digest = image::sha256_of(config);
  m.config.size = int64_t(config.size());
  m.layers = layers;
  return image::manifest_json(m);
}

std::vector<ImportedImage> import_images(store::Store& store, const ArchiveSource& source, const ImportOptions& options) {
  std::vector<Plan> plans;
  for (const SourceImage& img : source.images()) plans.push_back(preflight(store, source, img));
  std::vector<ImportedImage> out;
  for (const Plan& plan : plans) out.push_back(import_one(store, source, plan, options));
  return out;
}

}  // namespace roost::archive
