// The image store on a temporary root: layers and images with made-up records and small diff
// trees, names and the short-name rules, and the crash and concurrency rules of the layout
// (stale partial layers, two writers of one layer in two processes, symlinks planted in a layer).
#include "store/store.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <gtest/gtest.h>

#include "store/image_lookup.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace fs = std::filesystem;
using roost::image::Digest;
using roost::image::sha256_of;
using namespace roost::store;

namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/roost-store-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    paths_.data_root = root_ / "data";
    paths_.run_root = root_ / "run";
  }
  void TearDown() override { roost::remove_tree(root_.string()); }

  // A layer with one file `name` holding `content`, and a tar-split record `split`.
  Digest add_layer(Store& store, const std::string& diff_text, std::optional<Digest> parent = std::nullopt,
                   int64_t bytes = 4096, const std::string& split = "split") {
    Digest diff = sha256_of(diff_text);
    Digest chain = parent ? roost::image::chain_id(*parent, diff) : diff;
    auto t = store.begin_layer(chain);
    EXPECT_TRUE(t.has_value());
    if (!t) return chain;
    int fd = ::openat(t->diff_fd(), "file", O_WRONLY | O_CREAT | O_EXCL, 0644);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::write(fd, diff_text.data(), diff_text.size()), ssize_t(diff_text.size()));
    ::close(fd);
    t->tar_split().write(reinterpret_cast<const uint8_t*>(split.data()), split.size());
    LayerRecord r;
    r.chain_id = chain;
    r.diff_id = diff;
    r.parent = parent;
    r.allocated_bytes = bytes;
    r.apparent_bytes = bytes;
    r.inodes = 2;
    t->commit(r);
    return chain;
  }

  ImageRecord put(Store& store, const std::string& config, std::vector<Digest> layers,
                  std::vector<std::string> names) {
    ImageRecord r;
    r.id = sha256_of(config);
    r.names = std::move(names);
    const std::string manifest = "{\"manifest\":\"" + config + "\"}";
    r.manifest_digest = sha256_of(manifest);
    r.manifest_media_type = "application/vnd.oci.image.manifest.v1+json";
    r.layers = std::move(layers);
    r.created = "2026-01-01T00:00:00Z";
    store.put_image(r, manifest, config);
    return *store.find_image(r.id.hex);
  }

  fs::path layers_dir() const { return paths_.storage() / "layers"; }

  fs::path root_;
  StorePaths paths_;
};

TEST_F(StoreTest, LayersImagesNamesAndRemoval) {
  Store store = Store::open(paths_);
  Digest base = add_layer(store, "base", std::nullopt, 8192);
  Digest a_top = add_layer(store, "a", base, 4096);
  Digest b_top = add_layer(store, "b", base, 1024);
  EXPECT_EQ(store.layers().size(), 3u);
  EXPECT_EQ(store.layer(a_top)->parent, base);
  EXPECT_EQ(roost::read_file((store.layer_diff_path(a_top) / "file").string()), "a");
  EXPECT_EQ(store.layer_tar_split(a_top), "split");

  ImageRecord a = put(store, "config-a", {base, a_top}, {"docker.io/library/alpha:latest"});
  ImageRecord b = put(store, "config-b", {base, b_top}, {"localhost/beta:1"});
  EXPECT_EQ(a.size, 8192 + 4096);
  EXPECT_EQ(store.image_config(a.id), "config-a");
  EXPECT_EQ(store.images().size(), 2u);

  // Found by full ID, prefix, sha256:ID, name and short name.
  EXPECT_EQ(store.find_image(a.id.hex)->id, a.id);
  EXPECT_EQ(store.find_image(a.id.hex.substr(0, 5))->id, a.id);
  EXPECT_EQ(store.find_image("sha256:" + a.id.hex)->id, a.id);
  EXPECT_EQ(store.find_image("docker.io/library/alpha:latest")->id, a.id);
  EXPECT_EQ(store.find_image("alpha")->id, a.id);
  EXPECT_EQ(store.find_image("beta:1")->id, b.id);
  EXPECT_FALSE(store.find_image("beta"));  // :latest is not :1
  EXPECT_FALSE(store.find_image("nothing"));

  // A name moves from the image that had it.
  store.tag(b.id, "docker.io/library/alpha:latest");
  EXPECT_EQ(store.find_image("alpha")->id, b.id);
  EXPECT_TRUE(store.find_image(a.id.hex)->names.empty());
  EXPECT_EQ(store.usage().dangling_images, 1);
  EXPECT_TRUE(store.untag("localhost/beta:1"));
  EXPECT_FALSE(store.untag("localhost/beta:1"));
  EXPECT_EQ(store.find_image(b.id.hex)->names, std::vector<std::string>{"docker.io/library/alpha:latest"});
  EXPECT_THROW(store.tag(sha256_of("not stored"), "x/y:z"), roost::Error);

  // Usage from the records: the shared base once.
  Usage u = store.usage();
  EXPECT_EQ(u.images, 2);
  EXPECT_EQ(u.layers, 3);
  EXPECT_EQ(u.layer_bytes, 8192 + 4096 + 1024);
  EXPECT_EQ(u.unused_layer_bytes, 0);

  // Removing a takes its own top layer only; the base stays for b.
  auto removed = store.remove_image(a.id);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0], a_top);
  EXPECT_FALSE(store.layer(a_top));
  EXPECT_FALSE(fs::exists(layers_dir() / (a_top.hex + ".lock")));
  EXPECT_TRUE(store.layer(base));
  EXPECT_THROW(store.remove_image(a.id), roost::Error);
  removed = store.remove_image(b.id);
  EXPECT_EQ(removed.size(), 2u);
  EXPECT_TRUE(store.layers().empty());
  EXPECT_TRUE(store.images().empty());
  // Nothing left but the lock files of the store.
  for (const auto& e : fs::directory_iterator(layers_dir())) ADD_FAILURE() << "left: " << e.path();
}

TEST_F(StoreTest, PutImageChecksItsInput) {
  Store store = Store::open(paths_);
  Digest l = add_layer(store, "l");
  ImageRecord r;
  r.id = sha256_of("config");
  r.manifest_digest = sha256_of("manifest");
  r.layers = {l};
  EXPECT_THROW(store.put_image(r, "manifest", "other config"), roost::Error);
  EXPECT_THROW(store.put_image(r, "other manifest", "config"), roost::Error);
  r.layers = {l, sha256_of("missing")};
  try {
    store.put_image(r, "manifest", "config");
    ADD_FAILURE() << "an image with a missing layer was stored";
  } catch (const roost::Error& e) {
    EXPECT_NE(std::string(e.what()).find("is not in the store"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(store.images().empty());
  r.layers = {l};
  r.names = {"localhost/x:1"};
  store.put_image(r, "manifest", "config");
  // Stored again under another name: both names, the new one first.
  r.names = {"localhost/x:2"};
  store.put_image(r, "manifest", "config");
  EXPECT_EQ(store.find_image("localhost/x:1")->names, (std::vector<std::string>{"localhost/x:2", "localhost/x:1"}));
  EXPECT_THROW(store.layer(Digest{"sha256", "../../etc"}), roost::Error);
}

TEST_F(StoreTest, UnusedLayersAreRemovedAndCounted) {
  Store store = Store::open(paths_);
  Digest used = add_layer(store, "used", std::nullopt, 100);
  Digest unused = add_layer(store, "unused", std::nullopt, 50);
  put(store, "c", {used}, {"localhost/u:latest"});
  EXPECT_EQ(store.usage().unused_layer_bytes, 50);
  EXPECT_EQ(store.remove_unused_layers(), std::vector<Digest>{unused});
  EXPECT_EQ(store.usage().layer_bytes, 100);
}

TEST(ImageLookup, ShortNamesFollowTheOrder) {
  auto rec = [](const std::string& config, std::vector<std::string> names, std::vector<std::string> digests = {}) {
    ImageRecord r;
    r.id = sha256_of(config);
    r.names = std::move(names);
    r.repo_digests = std::move(digests);
    return r;
  };
  std::vector<ImageRecord> images = {
      rec("local", {"localhost/busybox:latest"}),
      rec("quay", {"quay.io/x/busybox:latest", "quay.io/x/tool:1"}),
      rec("hub", {"docker.io/library/busybox:latest"}, {"docker.io/library/busybox@sha256:" + std::string(64, 'a')}),
  };
  EXPECT_EQ(lookup_image(images, "busybox"), 2u);  // docker.io/library first
  EXPECT_EQ(lookup_image(images, "busybox:latest"), 2u);
  EXPECT_EQ(lookup_image(images, "busybox@sha256:" + std::string(64, 'a')), 2u);
  images.pop_back();
  EXPECT_EQ(lookup_image(images, "busybox"), 0u);  // then localhost
  EXPECT_EQ(lookup_image(images, "tool:1"), 1u);   // then the one name ending in /tool
  EXPECT_EQ(lookup_image(images, "x/tool:1"), 1u);
  EXPECT_FALSE(lookup_image(images, "ool:1"));     // a whole component, not a suffix
  EXPECT_FALSE(lookup_image(images, "quay.io/busybox"));  // a domain: exact only
  EXPECT_EQ(lookup_image(images, "quay.io/x/busybox"), 1u);
  images.erase(images.begin());
  images.push_back(rec("ghcr", {"ghcr.io/y/busybox:latest"}));
  try {
    lookup_image(images, "busybox");
    ADD_FAILURE() << "an ambiguous short name was resolved";
  } catch (const roost::Error& e) {
    EXPECT_NE(std::string(e.what()).find("quay.io/x/busybox:latest"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("ghcr.io/y/busybox:latest"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(has_domain("localhost:5000/a"));
  EXPECT_FALSE(has_domain("user/app"));
}

TEST(ImageLookup, AmbiguousIdPrefixIsAnError) {
  // Two configs whose IDs share a first hex digit, found by search.
  std::vector<ImageRecord> images;
  for (int i = 0; images.size() < 2; ++i) {
    ImageRecord r;
    r.id = sha256_of("config " + std::to_string(i));
    if (images.empty() || images[0].id.hex.substr(0, 3) == r.id.hex.substr(0, 3)) images.push_back(r);
  }
  const std::string prefix = images[0].id.hex.substr(0, 3);
  try {
    lookup_image(images, prefix);
    ADD_FAILURE() << "an ambiguous prefix was resolved";
  } catch (const roost::Error& e) {
    EXPECT_EQ(std::string(e.what()), "multiple IDs found with provided prefix: " + prefix);
  }
  EXPECT_THROW(lookup_image(images, "sha256:" + prefix), roost::Error);
  EXPECT_EQ(lookup_image(images, images[1].id.hex), 1u);
  EXPECT_FALSE(lookup_image(images, "ab"));  // too short for a prefix: a name, which none has
}

TEST_F(StoreTest, PartialLayerOfADeadWriterIsRemovedAtOpen) {
  Store::open(paths_);
  const std::string hex = sha256_of("partial").hex;
  const fs::path stale = layers_dir() / (".partial-" + hex + "-000000000000");
  fs::create_directories(stale / "diff/sub");
  roost::write_file((stale / "lock").string(), "", O_CREAT);
  roost::write_file((stale / "diff/sub/f").string(), "x", O_CREAT);
  // A live one: its lock held (another open file description, as another process would hold it).
  const std::string live_hex = sha256_of("live").hex;
  const fs::path live = layers_dir() / (".partial-" + live_hex + "-111111111111");
  fs::create_directories(live / "diff");
  int held = ::open((live / "lock").c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_EQ(::flock(held, LOCK_EX), 0);
  Store store = Store::open(paths_);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(store.layers().empty());  // a partial is never a layer
  ::close(held);
  Store::open(paths_);
  EXPECT_FALSE(fs::exists(live));
}

TEST_F(StoreTest, UncommittedLayerIsRemoved) {
  Store store = Store::open(paths_);
  Digest d = sha256_of("never");
  {
    auto t = store.begin_layer(d);
    ASSERT_TRUE(t);
    ASSERT_EQ(::mkdirat(t->diff_fd(), "dir", 0755), 0);
  }
  EXPECT_FALSE(store.layer(d));
  for (const auto& e : fs::directory_iterator(layers_dir()))
    EXPECT_EQ(e.path().filename().string().rfind(".partial-", 0), std::string::npos) << e.path();
  EXPECT_TRUE(store.begin_layer(d));
}

// Two processes write one layer: the second waits on the layer's lock, then finds it done.
TEST_F(StoreTest, SecondWriterOfALayerWaitsAndFindsItDone) {
  Store::open(paths_);
  const Digest d = sha256_of("shared layer");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int rc = 1;
    try {
      Store s = Store::open(paths_);
      auto t = s.begin_layer(d);
      if (t) {
        ::write(ready[1], "x", 1);
        ::usleep(300 * 1000);
        LayerRecord r;
        r.chain_id = d;
        r.diff_id = d;
        t->commit(r);
        rc = 0;
      }
    } catch (...) {
    }
    ::_exit(rc);
  }
  ::close(ready[1]);
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);  // the child holds the layer now
  ::close(ready[0]);
  Store store = Store::open(paths_);
  auto t = store.begin_layer(d);
  EXPECT_FALSE(t.has_value());
  EXPECT_TRUE(store.layer(d));
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// A writer killed mid-layer: its partial is never a layer, and the next writer redoes it.
TEST_F(StoreTest, KilledWriterIsRedone) {
  Store::open(paths_);
  const Digest d = sha256_of("killed");
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Store s = Store::open(paths_);
    auto t = s.begin_layer(d);
    ::mkdirat(t->diff_fd(), "half", 0755);
    ::kill(::getpid(), SIGKILL);
    ::_exit(1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  Store store = Store::open(paths_);
  EXPECT_FALSE(store.layer(d));
  auto t = store.begin_layer(d);
  ASSERT_TRUE(t);
  struct stat st;
  EXPECT_NE(::fstatat(t->diff_fd(), "half", &st, 0), 0);  // a fresh diff dir
}

TEST_F(StoreTest, RemovalNeverFollowsSymlinksInALayer) {
  const fs::path outside = root_ / "outside";
  fs::create_directories(outside / "dir");
  roost::write_file((outside / "precious").string(), "keep", O_CREAT);
  roost::write_file((outside / "dir/inner").string(), "keep", O_CREAT);
  Store store = Store::open(paths_);
  const Digest d = sha256_of("evil");
  auto t = store.begin_layer(d);
  ASSERT_TRUE(t);
  ASSERT_EQ(::symlinkat(outside.c_str(), t->diff_fd(), "to-dir"), 0);
  ASSERT_EQ(::symlinkat((outside / "precious").c_str(), t->diff_fd(), "to-file"), 0);
  ASSERT_EQ(::mkdirat(t->diff_fd(), "sub", 0755), 0);
  ASSERT_EQ(::symlinkat((outside / "dir").c_str(), t->diff_fd(), "sub/deeper"), 0);
  LayerRecord r;
  r.chain_id = d;
  r.diff_id = d;
  t->commit(r);
  ImageRecord img = put(store, "evil config", {d}, {});
  EXPECT_EQ(store.remove_image(img.id).size(), 1u);
  EXPECT_EQ(roost::read_file((outside / "precious").string()), "keep");
  EXPECT_EQ(roost::read_file((outside / "dir/inner").string()), "keep");
  EXPECT_FALSE(store.layer(d));
}

TEST_F(StoreTest, LayersAreKeptWhileAnotherProcessStoresAnImage) {
  Store store = Store::open(paths_);
  Digest l = add_layer(store, "l");
  ImageRecord img = put(store, "c", {l}, {"localhost/x:latest"});
  // Another store (another process's) that has begun a pull holds layers.lock shared.
  std::optional<Store> puller = Store::open(paths_);
  EXPECT_FALSE(puller->begin_layer(l).has_value());
  EXPECT_TRUE(store.remove_image(img.id).empty());
  EXPECT_TRUE(store.layer(l));
  EXPECT_EQ(store.usage().unused_layer_bytes, 4096);
  puller.reset();  // that pull ended
  EXPECT_EQ(store.remove_unused_layers(), std::vector<Digest>{l});
}

TEST_F(StoreTest, ResetEmptiesEverything) {
  Store store = Store::open(paths_);
  put(store, "c", {add_layer(store, "l")}, {"localhost/x:latest"});
  roost::write_file((paths_.run_root / "overlay-probe").string(), "{}", O_CREAT);
  store.reset();
  EXPECT_TRUE(store.images().empty());
  EXPECT_TRUE(store.layers().empty());
  EXPECT_TRUE(fs::is_empty(paths_.run_root));
  for (const auto& e : fs::directory_iterator(paths_.data_root))
    EXPECT_EQ(e.path().filename(), "storage") << e.path();
  EXPECT_TRUE(store.begin_layer(sha256_of("again")));
}

}  // namespace
