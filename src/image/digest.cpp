#include "image/digest.hpp"

#include <openssl/evp.h>

#include "util/error.hpp"

namespace roost::image {

namespace {

bool lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return !s.empty();
}

}  // namespace

bool Digest::valid(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view alg = text.substr(0, colon), hex = text.substr(colon + 1);
  if (alg == "sha256") return hex.size() == 64 && lower_hex(hex);
  if (alg == "sha512") return hex.size() == 128 && lower_hex(hex);
  return false;
}

Digest Digest::parse(std::string_view text) {
  if (!valid(text)) throw Error("invalid digest \"" + std::string(text.substr(0, 200)) + "\"");
  size_t colon = text.find(':');
  return Digest{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) throw Error("sha256: cannot initialise OpenSSL's digest");
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::update(const void* data, size_t size) {
  if (size != 0 && EVP_DigestUpdate(ctx_, data, size) != 1) throw Error("sha256: digest update failed");
}

Digest Sha256::digest() const {
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  bool ok = copy != nullptr && EVP_MD_CTX_copy_ex(copy, ctx_) == 1 && EVP_DigestFinal_ex(copy, out, &len) == 1;
  EVP_MD_CTX_free(copy);
  if (!ok) throw Error("sha256: digest final failed");
  static const char* kHex = "0123456789abcdef";
  std::string hex(len * 2, '0');
  for (unsigned i = 0; i < len; ++i) {
    hex[2 * i] = kHex[out[i] >> 4];
    hex[2 * i + 1] = kHex[out[i] & 15];
  }
  return Digest{"sha256", hex};
}

Digest sha256_of(std::string_view bytes) {
  Sha256 h;
  h.update(bytes.data(), bytes.size());
  return h.digest();
}

Digest chain_id(const Digest& parent_chain_id, const Digest& diff_id) {
  return sha256_of(parent_chain_id.str() + " " + diff_id.str());
}

std::vector<Digest> chain_ids(const std::vector<Digest>& diff_ids) {
  std::vector<Digest> out;
  out.reserve(diff_ids.size());
  for (const Digest& d : diff_ids) out.push_back(out.empty() ? d : chain_id(out.back(), d));
  return out;
}

}  // namespace roost::image
