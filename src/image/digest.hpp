// Content digests (image-spec descriptor.md): "sha256:<64 lowercase hex>", the streaming hash
// that computes them (OpenSSL's EVP SHA-256, which uses SHA-NI where the CPU has it), and the
// ChainID that names a layer in the store (image-spec config.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/byte_sink.hpp"

struct evp_md_ctx_st;

namespace roost::image {

struct Digest {
  std::string algorithm;  // "sha256" (the only one roost computes; sha512 is parsed, refused when checked)
  std::string hex;        // lowercase

  // Parses "ALG:HEX" as descriptor.md's grammar says; sha256 needs exactly 64 lowercase hex
  // digits, sha512 128. Throws roost::Error naming the bad text.
  static Digest parse(std::string_view text);
  static bool valid(std::string_view text);
  std::string str() const { return algorithm + ":" + hex; }
  bool empty() const { return hex.empty(); }
  bool operator==(const Digest&) const = default;
  auto operator<=>(const Digest&) const = default;
};

// Streaming SHA-256. Also a ByteSink, so it can sit in a pipeline.
class Sha256 : public util::ByteSink {
 public:
  Sha256();
  ~Sha256() override;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t size);
  void write(const uint8_t* data, size_t size) override { update(data, size); }
  void finish() override {}
  // The digest of everything so far; the hash can go on afterwards.
  Digest digest() const;

 private:
  evp_md_ctx_st* ctx_;
};

Digest sha256_of(std::string_view bytes);

// ChainID(L0) = DiffID(L0); ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + DiffID(Ln)).
Digest chain_id(const Digest& parent_chain_id, const Digest& diff_id);
// The ChainIDs of every prefix of the stack: result[i] is the ChainID of layers 0..i.
std::vector<Digest> chain_ids(const std::vector<Digest>& diff_ids);

}  // namespace roost::image
