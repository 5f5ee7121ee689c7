// libFuzzer target: the layer applier under hostile entry sequences. The input is read as a list
// of entries whose names and link targets are built from a small alphabet of the dangerous parts
// ("..", ".", "", absolute prefixes, whiteout and opaque prefixes, names reused as files, dirs,
// symlinks to outside and hardlinks). Whatever the sequence, the applier may only answer with
// roost::Error, and nothing outside the layer's directory may change: a sandbox holds the layer
// and, beside it, a sentinel directory that is checked after every input.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "layer/layer_applier.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace {

const char* const kParts[] = {"a", "b", "..", ".", "", ".wh.a", ".wh..wh..opq", ".wh.", "c"};
std::string sandbox;

std::string take_path(const uint8_t*& p, const uint8_t* end, bool target) {
  std::string out;
  if (p == end) return out;
  uint8_t head = *p++;
  if (target && (head & 0x80)) out = (head & 0x40) ? sandbox + "/outside" : "/";
  int n = 1 + (head & 3);
  for (int i = 0; i < n && p != end; ++i) {
    if (!out.empty() && out.back() != '/') out += '/';
    out += kParts[*p++ % (sizeof kParts / sizeof kParts[0])];
  }
  return out;
}

// The sentinel's listing: names with their types and sizes.
std::string listing(const std::string& dir) {
  std::string out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) abort();
  while (dirent* e = ::readdir(d)) {
    struct stat st;
    std::string path = dir + "/" + e->d_name;
    if (::lstat(path.c_str(), &st) != 0) abort();
    out += std::string(e->d_name) + ":" + std::to_string(st.st_mode) + ":" + std::to_string(st.st_size) + ";";
  }
  ::closedir(d);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::string before;
  if (sandbox.empty()) {
    char tmpl[] = "/tmp/roost-fuzz-layer.XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) abort();
    sandbox = tmpl;
    roost::make_dirs(sandbox + "/outside/a");
    roost::write_file(sandbox + "/outside/b", "sentinel", O_WRONLY | O_CREAT);
    before = listing(sandbox + "/outside") + "|" + listing(sandbox + "/outside/a");
    std::atexit([] {
      if (std::system(("chmod -R u+rwx '" + sandbox + "'; rm -rf '" + sandbox + "'").c_str()) != 0) {
      }
    });
  }
  const std::string layer = sandbox + "/layer";
  roost::make_dirs(layer);
  int fd = ::open(layer.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) abort();
  roost::layer::ApplyOptions options;
  options.squash_ids = true;
  options.warn = [](const std::string&) {};
  roost::layer::Stats stats;
  {
    roost::layer::LayerApplier applier(fd, options, stats);
    const uint8_t* p = data;
    const uint8_t* end = data + size;
    try {
      while (p != end) {
        roost::tar::Entry e;
        uint8_t kind = *p++;
        e.type = static_cast<roost::tar::EntryType>(kind % 7);
        e.mode = 0644 | ((kind & 0x80) ? 04000 : 0);
        e.path = take_path(p, end, false);
        if (e.type == roost::tar::EntryType::Symlink || e.type == roost::tar::EntryType::Hardlink)
          e.link_target = take_path(p, end, true);
        std::string content;
        if (e.type == roost::tar::EntryType::Regular && p != end) content.assign(static_cast<size_t>(*p++ % 5), 'x');
        e.size = static_cast<int64_t>(content.size());
        applier.begin(e);
        if (!content.empty()) applier.data(reinterpret_cast<const uint8_t*>(content.data()), content.size());
        applier.end();
      }
      applier.finish();
      std::vector<int> lowers = {::open((sandbox + "/outside").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
      try {
        applier.link_from_lowers(lowers);
      } catch (const roost::Error&) {
      }
      ::close(lowers[0]);
    } catch (const roost::Error&) {
      // Refused: fine, as long as nothing outside changed.
    }
  }
  ::close(fd);
  const std::string after = listing(sandbox + "/outside") + "|" + listing(sandbox + "/outside/a");
  if (after != before) {
    std::fprintf(stderr, "outside changed:\n before %s\n after  %s\n", before.c_str(), after.c_str());
    abort();
  }
  if (roost::read_file(sandbox + "/outside/b") != "sentinel") abort();
  // Removed in-process (root, as in CI, needs no permission); as another user a directory the
  // layer made without write or search permission needs opening up first, and only directories
  // are: a regular file of the layer may be a hard link to the sentinel's inode (a link to a lower
  // file is kept as one inode), and chmod on it would change the sentinel itself.
  try {
    roost::remove_tree(layer);
  } catch (const roost::Error&) {
    if (std::system(("find '" + layer + "' -type d -exec chmod u+rwx {} + && rm -rf '" + layer + "'").c_str()) != 0)
      abort();
  }
  return 0;
}
