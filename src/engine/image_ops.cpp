#include "engine/image_ops.hpp"

#include <algorithm>

#include "engine/builtin_image.hpp"
#include "image/reference.hpp"
#include "util/error.hpp"

namespace roost::engine {
namespace {

bool is_busybox_short_name(const std::string& text) { return text == "busybox" || text == "busybox:latest"; }

bool has_name(const store::ImageRecord& img, const std::string& name) {
  return std::find(img.names.begin(), img.names.end(), name) != img.names.end();
}

}  // namespace

std::optional<std::string> selected_name(const store::ImageRecord& img, const std::string& text) {
  if (text.find('@') != std::string::npos) return std::nullopt;
  try {
    const image::Reference ref = image::parse_reference(text);
    const std::string full = ref.name() + ":" + ref.tag;
    if (has_name(img, full)) return full;
    if (!ref.domain_given) {
      std::string wanted = text.find(':') == std::string::npos ? text + ":latest" : text;
      for (const auto& n : img.names)
        if (n.size() > wanted.size() && n.ends_with(wanted) && n[n.size() - wanted.size() - 1] == '/') return n;
    }
  } catch (const Error&) {
    // Not a reference (an ID prefix can be one too, but then no name matches it).
  }
  return std::nullopt;
}

std::optional<store::ImageRecord> find_image(store::Store& store, const std::string& text) {
  if (is_busybox_short_name(text) && !store.find_image("docker.io/library/busybox:latest") &&
      !store.find_image("localhost/busybox:latest")) {
    if (auto layout = builtin_busybox_layout()) return store_builtin_busybox(store, *layout);
  }
  return store.find_image(text);
}

store::ImageRecord require_image(store::Store& store, const std::string& text) {
  if (auto img = find_image(store, text)) return *img;
  throw Error(text + ": image not known");
}

void tag_image(store::Store& store, const std::string& source, const std::vector<std::string>& targets) {
  const store::ImageRecord img = require_image(store, source);
  std::vector<std::string> names;
  for (const auto& t : targets) {
    image::Reference ref = image::parse_reference(t);
    if (!ref.domain_given) ref = image::parse_reference("localhost/" + t);
    if (ref.digest) throw Error(t + ": a tag cannot contain a digest");
    names.push_back(ref.name() + ":" + ref.tag);
  }
  for (const auto& n : names) store.tag(img.id, n);
}

RmiResult remove_images(store::Store& store, const std::vector<std::string>& refs, bool force, bool all) {
  RmiResult r;
  if (all && !refs.empty()) {
    r.errors.push_back("when using the --all switch, you may not pass any images names or IDs");
    r.exit_code = 125;
    return r;
  }
  if (!all && refs.empty()) {
    r.errors.push_back("image name or ID must be specified");
    r.exit_code = 125;
    return r;
  }
  bool unknown = false, other = false;
  auto delete_whole = [&](const store::ImageRecord& img) {
    for (const auto& n : img.names) {
      store.untag(n);
      r.output += "Untagged: " + n + "\n";
    }
    store.remove_image(img.id);
    r.output += "Deleted: " + img.id.hex + "\n";
  };
  if (all) {
    for (const auto& img : store.images()) delete_whole(img);
    return r;
  }
  for (const auto& text : refs) {
    try {
      std::optional<store::ImageRecord> img = store.find_image(text);
      if (!img) {
        r.errors.push_back(text + ": image not known");
        unknown = true;
        continue;
      }
      if (auto name = selected_name(*img, text); name && img->names.size() > 1) {
        store.untag(*name);  // other names remain: the image stays
        r.output += "Untagged: " + *name + "\n";
        continue;
      }
      if (img->names.size() > 1 && !force) {
        std::string list;
        for (const auto& n : img->names) list += (list.empty() ? "" : " ") + n;
        throw Error("unable to delete image \"" + img->id.hex + "\" by ID with more than one tag ([" + list +
                    "]): please force removal");
      }
      delete_whole(*img);
    } catch (const Error& e) {
      r.errors.push_back(e.what());
      other = true;
    }
  }
  r.exit_code = other ? 125 : unknown ? 1 : 0;
  return r;
}

}  // namespace roost::engine
