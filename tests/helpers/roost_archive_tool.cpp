// A small driver of archive/ before the engine's CLI has `roost load` and `roost save`:
//   roost-archive-tool load STORE_ROOT FILE|DIR|-
//   roost-archive-tool save STORE_ROOT FILE FORMAT REF...
//   roost-archive-tool images STORE_ROOT          (ID and names, one image a line)
// It enters the user namespace as the engine will (store/userns_session) and opens the store at
// STORE_ROOT (data STORE_ROOT, run-time state STORE_ROOT/run). Output is podman's: "Loaded image:
// NAME" per name; progress lines on stderr.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>

#include "archive/archive_source.hpp"
#include "archive/exporter.hpp"
#include "archive/importer.hpp"
#include "image/reference.hpp"
#include "store/store.hpp"
#include "store/userns_session.hpp"
#include "util/error.hpp"

using namespace roost;

namespace {

int usage() {
  std::cerr << "usage: roost-archive-tool load STORE_ROOT FILE|DIR|-\n"
               "       roost-archive-tool save STORE_ROOT FILE FORMAT REF...\n"
               "       roost-archive-tool images STORE_ROOT\n";
  return 125;
}

store::Store open_store(const std::string& root) {
  store::StorePaths paths;
  paths.data_root = root;
  paths.run_root = std::filesystem::path(root) / "run";
  return store::Store::open(paths);
}

int load(const std::string& root, const std::string& file) {
  const store::UsernsSession& session = store::enter_user_namespace();
  store::Store store = open_store(root);
  std::filesystem::path tmp = store.paths().storage() / "tmp";
  archive::ArchiveSource source =
      file == "-" ? archive::ArchiveSource::open_fd(0, "stdin", tmp) : archive::ArchiveSource::open(file, tmp);
  archive::ImportOptions options;
  options.apply.squash_ids = session.squash_ids;
  options.apply.real_root = session.real_root;
  options.apply.warn = [](const std::string& w) { std::cerr << "WARN: " << w << "\n"; };
  options.progress = [](const std::string& line) { std::cerr << line << "\n"; };
  for (const archive::ImportedImage& img : archive::import_images(store, source, options)) {
    if (img.names.empty()) std::cout << "Loaded image: " << img.id.str() << "\n";
    for (const std::string& n : img.names) std::cout << "Loaded image: " << n << "\n";
  }
  return 0;
}

int save(const std::string& root, const std::string& file, const std::string& format, const std::vector<std::string>& refs) {
  archive::SaveFormat f = archive::parse_save_format(format);
  store::enter_user_namespace();
  store::Store store = open_store(root);
  // One entry per image; a REF that names the image (not an ID) is recorded as its name.
  std::vector<archive::ExportImage> images;
  std::map<std::string, size_t> at;
  for (const std::string& ref : refs) {
    std::optional<store::ImageRecord> rec = store.find_image(ref);
    if (!rec) throw Error(ref + ": image not known");
    auto [it, fresh] = at.emplace(rec->id.hex, images.size());
    if (fresh) images.push_back({rec->id, {}});
    archive::ExportImage& img = images[it->second];
    // A REF that is an ID records no name (as podman saves an image given by ID); a full name
    // records itself; a short name ("busybox") the stored name it found.
    bool by_id = ref.starts_with("sha256:") || ref.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (by_id || rec->names.empty()) continue;
    std::string name;
    try {
      name = image::parse_reference(ref).str();
    } catch (const Error&) {
    }
    bool stored = std::find(rec->names.begin(), rec->names.end(), name) != rec->names.end();
    img.names.push_back(stored ? name : rec->names.front());
  }
  archive::export_images(store, images, f, file);
  return 0;
}

int list(const std::string& root) {
  store::enter_user_namespace();
  store::Store store = open_store(root);
  for (const store::ImageRecord& r : store.images()) {
    std::cout << r.id.hex;
    for (const std::string& n : r.names) std::cout << " " << n;
    std::cout << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 3 && args[0] == "load") return load(args[1], args[2]);
    if (args.size() >= 5 && args[0] == "save") return save(args[1], args[2], args[3], {args.begin() + 4, args.end()});
    if (args.size() == 2 && args[0] == "images") return list(args[1]);
    return usage();
  } catch (const std::exception& e) {
    std::cerr << "Error: " << e.what() << "\n";
    return 125;
  }
}
