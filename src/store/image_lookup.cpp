#include "store/image_lookup.hpp"

#include <algorithm>

#include "util/error.hpp"

namespace roost::store {
namespace {

bool is_hex(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// An ID or an ID prefix; throws when a prefix is ambiguous.
std::optional<size_t> by_id(const std::vector<ImageRecord>& images, const std::string& hex) {
  std::vector<size_t> hits;
  for (size_t i = 0; i < images.size(); ++i) {
    if (images[i].id.hex == hex) return i;
    if (images[i].id.hex.compare(0, hex.size(), hex) == 0) hits.push_back(i);
  }
  if (hits.size() > 1) throw Error("multiple IDs found with provided prefix: " + hex);
  if (hits.size() == 1) return hits[0];
  return std::nullopt;
}

bool has_name(const ImageRecord& r, const std::string& name) {
  return std::find(r.names.begin(), r.names.end(), name) != r.names.end() ||
         std::find(r.repo_digests.begin(), r.repo_digests.end(), name) != r.repo_digests.end();
}

std::optional<size_t> by_name(const std::vector<ImageRecord>& images, const std::string& name) {
  for (size_t i = 0; i < images.size(); ++i)
    if (has_name(images[i], name)) return i;
  return std::nullopt;
}

// "repo" and its ":tag" / "@digest" suffix ("latest" when neither is given).
void split_reference(const std::string& text, std::string& repo, std::string& suffix) {
  const auto at = text.find('@');
  if (at != std::string::npos) {
    repo = text.substr(0, at);
    suffix = text.substr(at);
    // "name:tag@digest": the digest decides; the tag is dropped as Docker does.
    const auto colon = repo.rfind(':');
    if (colon != std::string::npos && repo.find('/', colon) == std::string::npos) repo.resize(colon);
    return;
  }
  const auto colon = text.rfind(':');
  if (colon != std::string::npos && text.find('/', colon) == std::string::npos) {
    repo = text.substr(0, colon);
    suffix = text.substr(colon);
  } else {
    repo = text;
    suffix = ":latest";
  }
}

}  // namespace

bool has_domain(const std::string& reference) {
  const auto slash = reference.find('/');
  if (slash == std::string::npos) return false;
  const std::string first = reference.substr(0, slash);
  return first.find_first_of(".:") != std::string::npos || first == "localhost";
}

std::optional<size_t> lookup_image(const std::vector<ImageRecord>& images, const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (text.rfind("sha256:", 0) == 0) {
    const std::string hex = text.substr(7);
    if (hex.size() < 3 || hex.size() > 64 || !is_hex(hex)) return std::nullopt;
    return by_id(images, hex);
  }
  if (auto i = by_name(images, text)) return i;
  if (text.size() >= 3 && text.size() <= 64 && is_hex(text))
    if (auto i = by_id(images, text)) return i;

  std::string repo, suffix;
  split_reference(text, repo, suffix);
  if (repo.empty()) return std::nullopt;
  if (has_domain(text)) return by_name(images, repo + suffix);

  const std::string docker = "docker.io/" + (repo.find('/') == std::string::npos ? "library/" + repo : repo);
  if (auto i = by_name(images, docker + suffix)) return i;
  if (auto i = by_name(images, "localhost/" + repo + suffix)) return i;

  // Any registry's repository ending in this path, when only one image has one.
  const std::string tail = "/" + repo + suffix;
  std::vector<size_t> hits;
  std::vector<std::string> matched;
  for (size_t i = 0; i < images.size(); ++i) {
    for (const auto* list : {&images[i].names, &images[i].repo_digests})
      for (const auto& name : *list)
        if (name.size() > tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0) {
          if (hits.empty() || hits.back() != i) hits.push_back(i);
          matched.push_back(name);
        }
  }
  if (hits.size() > 1) {
    std::string list;
    for (const auto& m : matched) list += (list.empty() ? "" : ", ") + m;
    throw Error("short name \"" + text + "\" matches more than one image (" + list + "): use the full name");
  }
  if (hits.size() == 1) return hits[0];
  return std::nullopt;
}

}  // namespace roost::store
