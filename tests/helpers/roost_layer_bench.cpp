// The layer pipeline's speed on a real layer file:
//   roost-layer-bench inflate FILE.tar.gz       isa-l against zlib, inflating only
//   roost-layer-bench apply FILE EMPTY_DIR      the whole LayerWriter (digests, inflate, tar, files,
//                                               tar-split record) into EMPTY_DIR
// Prints wall and CPU seconds and MB/s of each (CPU time is the figure to trust on a busy machine).
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "layer/decompress.hpp"
#include "layer/layer_writer.hpp"
#include "util/error.hpp"

namespace {

struct Clocks {
  timespec wall{}, cpu{};
  static Clocks now() {
    Clocks c;
    clock_gettime(CLOCK_MONOTONIC, &c.wall);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c.cpu);
    return c;
  }
  static double secs(const timespec& a, const timespec& b) {
    return static_cast<double>(b.tv_sec - a.tv_sec) + static_cast<double>(b.tv_nsec - a.tv_nsec) / 1e9;
  }
};

class Counter : public roost::util::ByteSink {
 public:
  void write(const uint8_t*, size_t size) override { bytes += size; }
  void finish() override {}
  size_t bytes = 0;
};

// Feeds FILE in 1 MiB reads, as a download's chunks would come.
size_t feed(const char* file, roost::util::ByteSink& sink) {
  int fd = ::open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) roost::throw_errno(std::string("open ") + file);
  std::vector<uint8_t> buf(1 << 20);
  size_t total = 0;
  for (ssize_t n; (n = ::read(fd, buf.data(), buf.size())) > 0;) {
    sink.write(buf.data(), static_cast<size_t>(n));
    total += static_cast<size_t>(n);
  }
  ::close(fd);
  sink.finish();
  return total;
}

void report(const char* what, const Clocks& a, const Clocks& b, size_t in, size_t out) {
  const double wall = Clocks::secs(a.wall, b.wall), cpu = Clocks::secs(a.cpu, b.cpu);
  std::printf("%-8s %zu -> %zu bytes: wall %.2f s (%.0f MB/s out), cpu %.2f s (%.0f MB/s out, %.0f MB/s in)\n", what,
              in, out, wall, static_cast<double>(out) / wall / 1e6, cpu, static_cast<double>(out) / cpu / 1e6,
              static_cast<double>(in) / cpu / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 3 && std::strcmp(argv[1], "inflate") == 0) {
      for (auto which : {roost::layer::GzipInflater::IsaL, roost::layer::GzipInflater::Zlib}) {
        Counter out;
        auto inflater = roost::layer::make_gzip_decompressor(out, which);
        Clocks a = Clocks::now();
        size_t in = feed(argv[2], *inflater);
        report(which == roost::layer::GzipInflater::IsaL ? "isa-l" : "zlib", a, Clocks::now(), in, out.bytes);
      }
      return 0;
    }
    if (argc == 4 && std::strcmp(argv[1], "apply") == 0) {
      int dir = ::open(argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir < 0) roost::throw_errno(std::string("open ") + argv[3]);
      roost::layer::ApplyOptions options;
      options.squash_ids = geteuid() != 0;
      options.warn = [](const std::string& w) { std::fprintf(stderr, "warning: %s\n", w.c_str()); };
      Counter split;
      Clocks a = Clocks::now();
      roost::layer::LayerWriter writer(dir, {}, options, &split);
      size_t in = feed(argv[2], writer);
      Clocks b = Clocks::now();
      const roost::layer::Stats& s = writer.stats();
      report("apply", a, b, in, static_cast<size_t>(s.diff_size));
      std::printf("%s %s, %lld inodes, %lld bytes apparent, %lld allocated, tar-split %zu bytes\n",
                  s.blob_digest.str().c_str(), s.diff_id.str().c_str(), static_cast<long long>(s.inodes),
                  static_cast<long long>(s.apparent_bytes), static_cast<long long>(s.allocated_bytes), split.bytes);
      return 0;
    }
    std::fprintf(stderr, "usage: roost-layer-bench inflate FILE.tar.gz | apply FILE EMPTY_DIR\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "roost-layer-bench: %s\n", e.what());
    return 1;
  }
}
