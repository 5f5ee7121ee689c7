#include "engine/pull.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/context.hpp"
#include "image/digest.hpp"
#include "image/image_config.hpp"
#include "image/manifest.hpp"
#include "image/reference.hpp"
#include "layer/layer_writer.hpp"
#include "registry/registries_conf.hpp"
#include "store/userns_session.hpp"
#include "store/layer_commit.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace roost::engine {
namespace {

using image::Digest;

// One place the image can come from: a registry host and the repository path there.
struct Source {
  std::string display;  // "docker.io/library/busybox:latest" as the user's reference reads there
  std::string host;     // the API host (registry-1.docker.io for docker.io)
  std::string repository;
  bool insecure = false;
  bool mirror = false;
};

std::string api_host_of(const std::string& domain) { return domain == "docker.io" ? "registry-1.docker.io" : domain; }

// The endpoints of one normalised reference, from registries.conf (mirrors first), each a Source.
// An endpoint's location is the repository as reached there: "host[:port]/path".
std::vector<Source> sources_for(const registry::RegistriesConf& conf, const image::Reference& ref) {
  std::vector<Source> out;
  for (const auto& ep : conf.endpoints_for(ref.name(), ref.digest.has_value())) {
    const size_t slash = ep.location.find('/');
    Source s;
    s.host = api_host_of(slash == std::string::npos ? ep.location : ep.location.substr(0, slash));
    s.repository = slash == std::string::npos ? ref.path : ep.location.substr(slash + 1);
    s.insecure = ep.insecure;
    s.mirror = ep.mirror;
    s.display = ref.str();
    out.push_back(s);
  }
  if (out.empty()) out.push_back({ref.str(), ref.api_host(), ref.path, false, false});
  return out;
}

// What the user's text names: one reference, or (a short name with unqualified-search-registries
// configured) one per search registry, in order.
std::vector<image::Reference> candidates(const registry::RegistriesConf& conf, const std::string& text) {
  image::Reference ref = image::parse_reference(text);
  if (ref.domain_given || conf.unqualified_search.empty()) return {ref};
  std::vector<image::Reference> out;
  for (const auto& reg : conf.unqualified_search) out.push_back(image::parse_reference(reg + "/" + text));
  return out;
}

// The stored image `name` (a tag) or a digest reference already names, when its recorded digests
// include `digest`: pulling it again would store the same thing.
std::optional<store::ImageRecord> stored_with_digest(const store::Store& store, const image::Reference& ref,
                                                     const Digest& digest) {
  const std::string repo_digest = ref.name() + "@" + digest.str();
  for (const auto& img : store.images()) {
    const bool named = ref.digest ? true : std::find(img.names.begin(), img.names.end(), ref.name() + ":" + ref.tag) != img.names.end();
    if (!named) continue;
    if (img.manifest_digest == digest ||
        std::find(img.repo_digests.begin(), img.repo_digests.end(), repo_digest) != img.repo_digests.end())
      return img;
  }
  return std::nullopt;
}

// The layers of one pull, written in parallel; a layer commits only once every layer below it is
// committed (its hardlinks to lower files are copied from them first).
class LayerJobs {
 public:
  LayerJobs(store::Store& store, registry::RegistryClient& client, Progress& progress,
            const std::vector<image::Descriptor>& blobs, const std::vector<Digest>& diff_ids,
            const std::vector<Digest>& chain)
      : store_(store), client_(client), progress_(progress), blobs_(blobs), diff_ids_(diff_ids), chain_(chain),
        committed_(blobs.size(), false), slot_(blobs.size(), 0) {}

  void run() {
    apply_ = apply_options(store_);
    std::vector<size_t> todo;
    for (size_t i = 0; i < blobs_.size(); ++i) {
      if (store_.layer(chain_[i])) {
        committed_[i] = true;
        progress_.blob_skipped(blobs_[i].digest.str());
      } else {
        slot_[i] = progress_.add_blob(blobs_[i].digest.str(), blobs_[i].size);
        todo.push_back(i);
      }
    }
    if (todo.empty()) return;
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (;;) {
        const size_t k = next.fetch_add(1);
        if (k >= todo.size() || failed()) return;
        try {
          fetch_one(todo[k]);
        } catch (...) {
          fail(std::current_exception());
          return;
        }
      }
    };
    std::vector<std::thread> threads;
    const size_t n = std::min(kMaxParallelLayers, todo.size());
    for (size_t t = 0; t < n; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    progress_.finish();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  bool failed() {
    std::lock_guard lock(mu_);
    return error_ != nullptr;
  }
  void fail(std::exception_ptr e) {
    std::lock_guard lock(mu_);
    if (!error_) error_ = e;
    cv_.notify_all();
  }

  void fetch_one(size_t i) {
    const image::Descriptor& blob = blobs_[i];
    std::optional<store::LayerTransaction> txn = store_.begin_layer(chain_[i]);
    if (!txn) {  // another process stored it meanwhile
      progress_.blob_done(slot_[i]);
      mark_committed(i);
      return;
    }
    layer::Expectations expect;
    expect.blob_digest = blob.digest;
    expect.blob_size = blob.size;
    expect.diff_id = diff_ids_[i];
    expect.compression = image::layer_compression(blob.media_type);
    layer::LayerWriter writer(txn->diff_fd(), expect, apply_, &txn->tar_split());
    const size_t slot = slot_[i];
    client_.fetch_blob(blob, writer, [&](int64_t done) { progress_.blob_bytes(slot, done); });
    writer.finish();
    wait_for_lowers(i);
    store::link_from_lower_layers(store_, writer, chain_, i);
    txn->commit(store::written_layer_record(writer, chain_, i, expect.compression != image::LayerCompression::None));
    progress_.blob_done(slot);
    mark_committed(i);
  }

  void wait_for_lowers(size_t i) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] {
      if (error_) return true;
      for (size_t j = 0; j < i; ++j)
        if (!committed_[j]) return false;
      return true;
    });
    if (error_) throw Error("pull aborted");  // the first error is the one reported
  }

  void mark_committed(size_t i) {
    std::lock_guard lock(mu_);
    committed_[i] = true;
    cv_.notify_all();
  }

  store::Store& store_;
  registry::RegistryClient& client_;
  Progress& progress_;
  const std::vector<image::Descriptor>& blobs_;
  const std::vector<Digest>& diff_ids_;
  const std::vector<Digest>& chain_;
  std::vector<bool> committed_;
  std::vector<size_t> slot_;
  layer::ApplyOptions apply_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::exception_ptr error_;
};

registry::ClientOptions client_options(const PullOptions& options, const Source& source) {
  registry::ClientOptions co;
  co.tls_verify = options.tls_verify && !source.insecure;
  co.auth_file = options.auth_file;
  co.credentials = options.credentials;
  co.cert_dir = options.cert_dir;
  return co;
}

// Pulls from one source; returns the image ID.
std::string pull_from(store::Store& store, const image::Reference& ref, const Source& source,
                      const PullOptions& options, Progress& progress) {
  registry::RegistryClient client(source.host, source.repository, client_options(options, source));
  const bool want_platform_given = !options.platform.empty();
  const image::Platform want = want_platform_given ? image::parse_platform(options.platform) : image::host_platform();

  // HEAD first: a tag whose digest is the stored image's costs no manifest GET (Docker Hub counts
  // GETs, not HEADs).
  std::optional<Digest> head = ref.digest ? ref.digest : client.head_manifest(ref.manifest_ref());
  if (head && !want_platform_given)
    if (auto img = stored_with_digest(store, ref, *head)) return img->id.hex;

  registry::FetchedDocument doc = client.get_manifest(ref.manifest_ref());
  std::optional<Digest> index_digest;
  image::DocumentKind kind = image::document_kind(doc.content_type, doc.bytes);
  if (kind == image::DocumentKind::Index) {
    const image::Index index = image::parse_index(doc.bytes, doc.content_type);
    const image::Descriptor* chosen = image::choose_platform(index, want);
    if (!chosen)
      throw Error("choosing an image from manifest list " + ref.str() + ": no image found in image index for " +
                  "architecture " + want.architecture + ", variant \"" + want.variant + "\", OS " + want.os);
    index_digest = doc.digest;
    if (auto img = stored_with_digest(store, ref, chosen->digest)) return img->id.hex;
    doc = client.get_manifest(chosen->digest.str());
    kind = image::document_kind(doc.content_type, doc.bytes);
  }
  if (kind != image::DocumentKind::Manifest)
    throw Error("unsupported manifest type \"" + doc.content_type + "\" for " + ref.str() +
                " (roost reads OCI and Docker schema 2 manifests and indexes)");
  const image::Manifest manifest = image::parse_manifest(doc.bytes, doc.content_type);
  for (const auto& layer : manifest.layers)
    if (image::layer_compression(layer.media_type) == image::LayerCompression::Unknown)
      throw Error("unsupported layer media type \"" + layer.media_type + "\" in " + ref.str());

  progress.message("Getting image source signatures");
  std::string config_bytes = client.get_blob(manifest.config, image::kMaxConfigBytes);
  const image::ImageConfig config = image::parse_image_config(config_bytes);
  if (config.diff_ids.size() != manifest.layers.size())
    throw Error("image " + ref.str() + ": the config lists " + std::to_string(config.diff_ids.size()) +
                " layers (rootfs.diff_ids), the manifest " + std::to_string(manifest.layers.size()));
  if (want_platform_given && (config.platform.os != want.os || config.platform.architecture != want.architecture))
    log::warn("image platform (" + config.platform.str() + ") does not match the expected platform (" + want.str() + ")");
  const std::vector<Digest> chain = image::chain_ids(config.diff_ids);

  LayerJobs jobs(store, client, progress, manifest.layers, config.diff_ids, chain);
  jobs.run();
  progress.message("Copying config " + manifest.config.digest.str() + " done");
  progress.message("Writing manifest to image destination");

  store::ImageRecord record;
  record.id = manifest.config.digest;
  if (!ref.digest) record.names.push_back(ref.name() + ":" + ref.tag);
  record.repo_digests.push_back(ref.name() + "@" + doc.digest.str());
  if (index_digest) record.repo_digests.push_back(ref.name() + "@" + index_digest->str());
  record.manifest_digest = doc.digest;
  record.manifest_media_type = manifest.media_type;
  record.layers = chain;
  record.created = config.created;
  record.stored_at = now_rfc3339();
  for (const auto& c : chain)
    if (auto l = store.layer(c)) record.size += l->allocated_bytes;
  store.put_image(record, doc.bytes, config_bytes);
  return record.id.hex;
}

}  // namespace

registry::Credentials parse_creds(const std::string& text) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0) throw Error("--creds must be USERNAME:PASSWORD, not \"" + text + "\"");
  registry::Credentials c;
  c.username = text.substr(0, colon);
  c.password = text.substr(colon + 1);
  return c;
}

std::string pull(store::Store& store, const std::string& text, const PullOptions& options, Progress& progress) {
  const registry::RegistriesConf conf = registry::load_registries_conf();
  const std::vector<image::Reference> refs = candidates(conf, text);
  std::string errors;
  for (const auto& ref : refs) {
    const std::vector<Source> sources = sources_for(conf, ref);
    for (size_t i = 0; i < sources.size(); ++i) {
      const Source& src = sources[i];
      progress.message("Trying to pull " + ref.str() + "...");
      try {
        return pull_from(store, ref, src, options, progress);
      } catch (const Error& e) {
        const std::string where = src.host + "/" + src.repository;
        // A mirror's failure falls through to the next endpoint; so does one search registry's.
        if (src.mirror && i + 1 < sources.size()) {
          log::warn("pulling from mirror " + where + ": " + e.what());
          continue;
        }
        if (refs.size() == 1) throw;
        errors += (errors.empty() ? "" : "; ") + std::string("pulling ") + ref.str() + ": " + e.what();
      }
    }
  }
  throw Error("short-name \"" + text + "\" did not resolve to an image in any of the unqualified-search registries: " + errors);
}

}  // namespace roost::engine
