// Image references ("busybox", "quay.io/a/b:1", "localhost:5000/x@sha256:...") parsed and
// normalised as Docker does (distribution/reference): a name with no domain is docker.io's,
// a one-component docker.io name gets "library/", no tag and no digest means ":latest".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "image/digest.hpp"

namespace roost::image {

struct Reference {
  std::string domain;            // "docker.io", "localhost:5000", "127.0.0.1:5443"
  std::string path;              // "library/busybox"
  std::string tag;               // "latest" when neither tag nor digest was given; "" with a digest only
  std::optional<Digest> digest;  // from "@sha256:..."
  bool domain_given = false;     // false for a short name ("busybox", "user/app")

  std::string name() const { return domain + "/" + path; }  // "docker.io/library/busybox"
  // name:tag, name@digest or name:tag@digest
  std::string str() const;
  // The host the registry API is reached at: registry-1.docker.io for docker.io, else the domain.
  std::string api_host() const;
  // What the manifest is fetched by: the digest when there is one, else the tag.
  std::string manifest_ref() const { return digest ? digest->str() : tag; }
  // Docker's short form for display: "busybox:latest" for docker.io/library/busybox:latest.
  std::string familiar() const;
};

// Parses and normalises; throws roost::Error ("invalid reference format: ...") as Docker words it
// for upper-case repositories, empty parts, bad tags (more than 128 chars, bad characters) and bad
// digests. "docker.io/busybox" and "index.docker.io/busybox" become docker.io/library/busybox.
Reference parse_reference(std::string_view text);

}  // namespace roost::image
