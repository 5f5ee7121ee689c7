// find_image's rules over a list of image records (Store::find_image reads the records and asks
// here), kept apart so that they can be tested without a store:
//  1. "sha256:HEX": an ID or an ID prefix (3 hex digits at least).
//  2. A stored name or repo digest, exactly as given.
//  3. 3..64 lowercase hex digits: an ID or a unique ID prefix.
//  4. A name with a domain ("quay.io/a/b", "localhost:5000/x"): with ":latest" when it has
//     neither tag nor digest.
//  5. A short name ("busybox", "user/app:1", "busybox@sha256:..."): docker.io/library/busybox (or
//     docker.io/user/app) first, then localhost/busybox, then the one stored name whose
//     repository path ends in "/busybox" with that tag or digest.
// An ID prefix that matches several images, or a short name that matches several images in step
// 5, is an error (roost::Error); nothing matching is nullopt.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace roost::store {

std::optional<size_t> lookup_image(const std::vector<ImageRecord>& images, const std::string& text);

// True when the first component of a reference names a registry (it has a '.' or a ':', or is
// "localhost"), as Docker decides (distribution/reference splitDockerDomain).
bool has_domain(const std::string& reference);

}  // namespace roost::store
