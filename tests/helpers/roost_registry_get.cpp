// A manifest or blob through registry::RegistryClient, for tests/images/registry.bats: the
// client against real registries without the engine above it.
//
//   roost-registry-get HOST REPO REF [--head] [--blob DIGEST SIZE] [--out FILE] [--parallel N]
//                      [--login] [--tls-verify=false] [--cert-dir D] [--creds U:P]
//                      [--identity-token T] [--authfile F]
//
// Prints "digest D", "bytes N" and, for manifests, "content-type T"; --head prints the HEAD's
// digest ("digest none" when the registry sends none); --login runs check_login and prints
// "login ok". --parallel N fetches the blob N times at once from N threads. Errors: "Error: ..."
// on stderr, exit 125.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "image/digest.hpp"
#include "registry/registry_client.hpp"
#include "util/byte_sink.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"

using namespace roost;

namespace {

class CountingHash : public util::ByteSink {
 public:
  explicit CountingHash(util::ByteSink* also) : also_(also) {}
  void write(const uint8_t* data, size_t size) override {
    hash.update(data, size);
    bytes += static_cast<int64_t>(size);
    if (also_) also_->write(data, size);
  }
  void finish() override { ++finished; }
  image::Sha256 hash;
  int64_t bytes = 0;
  int finished = 0;

 private:
  util::ByteSink* also_;
};

[[noreturn]] void usage() {
  std::cerr << "usage: roost-registry-get HOST REPO REF [--head] [--blob DIGEST SIZE] [--out FILE] "
               "[--parallel N] [--login] [--tls-verify=false] [--cert-dir D] [--creds U:P] "
               "[--identity-token T] [--authfile F]\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> positional;
  registry::ClientOptions options;
  bool head = false, login = false;
  std::string blob_digest, out_path;
  int64_t blob_size = -1;
  int parallel = 1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "--head") {
      head = true;
    } else if (a == "--login") {
      login = true;
    } else if (a == "--blob") {
      blob_digest = next();
      blob_size = std::stoll(next());
    } else if (a == "--out") {
      out_path = next();
    } else if (a == "--parallel") {
      parallel = std::stoi(next());
    } else if (a == "--tls-verify=false") {
      options.tls_verify = false;
    } else if (a == "--tls-verify=true") {
      options.tls_verify = true;
    } else if (a == "--cert-dir") {
      options.cert_dir = next();
    } else if (a == "--authfile") {
      options.auth_file = next();
    } else if (a == "--creds") {
      std::string c = next();
      size_t colon = c.find(':');
      if (colon == std::string::npos) usage();
      options.credentials = registry::Credentials{c.substr(0, colon), c.substr(colon + 1), {}};
    } else if (a == "--identity-token") {
      options.credentials = registry::Credentials{"<token>", "", next()};
    } else if (!a.empty() && a[0] == '-') {
      usage();
    } else {
      positional.push_back(a);
    }
  }
  if (positional.size() != 3 && !(login && positional.size() >= 1)) usage();
  try {
    std::string reason = registry::curl_unavailable_reason();
    if (!reason.empty()) throw Error(reason);
    registry::RegistryClient client(positional[0], positional.size() > 1 ? positional[1] : "", options);
    if (login) {
      client.check_login();
      std::cout << "login ok\n";
      return 0;
    }
    const std::string& ref = positional[2];
    if (head) {
      auto d = client.head_manifest(ref);
      std::cout << "digest " << (d ? d->str() : "none") << "\n";
      return 0;
    }
    if (blob_digest.empty()) {
      registry::FetchedDocument doc = client.get_manifest(ref);
      std::cout << "digest " << doc.digest.str() << "\ncontent-type " << doc.content_type << "\nbytes "
                << doc.bytes.size() << "\n";
      if (!out_path.empty()) {
        UniqueFd fd(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!fd) throw_errno("open " + out_path);
        util::FdSink(fd.get()).write(reinterpret_cast<const uint8_t*>(doc.bytes.data()), doc.bytes.size());
      }
      return 0;
    }
    image::Descriptor blob;
    blob.digest = image::Digest::parse(blob_digest);
    blob.size = blob_size;
    UniqueFd out;
    if (!out_path.empty()) {
      out = UniqueFd(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
      if (!out) throw_errno("open " + out_path);
    }
    util::FdSink file(out.get());
    std::vector<std::unique_ptr<CountingHash>> sinks;
    for (int i = 0; i < parallel; ++i) sinks.push_back(std::make_unique<CountingHash>(i == 0 && out ? &file : nullptr));
    std::vector<std::string> errors(static_cast<size_t>(parallel));
    std::vector<std::thread> threads;
    for (int i = 0; i < parallel; ++i)
      threads.emplace_back([&, i] {
        try {
          client.fetch_blob(blob, *sinks[static_cast<size_t>(i)]);
        } catch (const std::exception& e) {
          errors[static_cast<size_t>(i)] = e.what();
        }
      });
    for (auto& t : threads) t.join();
    for (const auto& e : errors)
      if (!e.empty()) throw Error(e);
    for (const auto& s : sinks) {
      // Every thread's copy is the whole blob: same digest, same size, finished once.
      if (s->finished != 1) throw Error("the sink was finished " + std::to_string(s->finished) + " times");
      std::cout << "digest " << s->hash.digest().str() << "\nbytes " << s->bytes << "\n";
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "Error: " << e.what() << "\n";
    return 125;
  }
}
