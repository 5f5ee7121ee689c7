// layer/: the inflaters (isa-l and zlib gzip, zstd, by magic), the applier (whiteouts, opaque
// dirs, hardlinks within and below the layer, escapes refused, devices, xattrs, ownership, modes,
// mtimes) and the whole LayerWriter with its digest, size and DiffID checks.
#include <dlfcn.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>
#include <string>
#include <vector>

#include "../helpers/private_netns.hpp"
#include "layer/decompress.hpp"
#include "layer/layer_applier.hpp"
#include "layer/layer_writer.hpp"
#include "tar/tar_split.hpp"
#include "tar/tar_writer.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

using roost::Error;
using roost::UniqueFd;
using roost::image::LayerCompression;
using roost::layer::ApplyOptions;
using roost::layer::GzipInflater;
using roost::layer::LayerApplier;
using roost::layer::Stats;
using roost::tar::Entry;
using roost::tar::EntryType;

namespace {

// ---- data ---------------------------------------------------------------------------------------

std::string sample_bytes(size_t n, unsigned seed = 1) {
  // Half text-like (compressible), half random, so the inflaters see stored and Huffman blocks.
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(n);
  while (s.size() < n) {
    if ((s.size() / 65536) % 2 == 0)
      s += "the quick brown fox " + std::to_string(rng() % 1000) + "\n";
    else
      s.push_back(static_cast<char>(rng()));
  }
  s.resize(n);
  return s;
}

std::string gzip_member(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string zstd_frame(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// Pushes `in` through a sink in chunks of `chunk` bytes, then finishes it.
void push(roost::util::ByteSink& sink, const std::string& in, size_t chunk) {
  for (size_t off = 0; off < in.size(); off += chunk) {
    size_t n = std::min(chunk, in.size() - off);
    sink.write(reinterpret_cast<const uint8_t*>(in.data() + off), n);
  }
  sink.finish();
}

// Counts the finish() calls that reach the end of a chain.
class FinishedSink : public roost::util::StringSink {
 public:
  FinishedSink() : StringSink(1 << 30) {}
  void finish() override { ++finished; }
  int finished = 0;
};

std::string inflate_with(GzipInflater which, const std::string& in, size_t chunk) {
  FinishedSink out;
  auto z = roost::layer::make_gzip_decompressor(out, which);
  push(*z, in, chunk);
  EXPECT_EQ(out.finished, 1);
  return out.bytes();
}

std::vector<GzipInflater> inflaters() {
  std::vector<GzipInflater> all = {GzipInflater::Zlib};
  if (roost::layer::gzip_implementation() == "isa-l") all.push_back(GzipInflater::IsaL);
  return all;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

// ---- decompressors ------------------------------------------------------------------------------

TEST(Decompress, GzipRoundTripsThroughBothInflatersInAnyChunking) {
  const std::string data = sample_bytes(3 << 20);
  const std::string gz = gzip_member(data);
  for (GzipInflater which : inflaters()) {
    for (size_t chunk : {size_t{1} << 20, size_t{4093}, size_t{65536}}) {
      EXPECT_EQ(inflate_with(which, gz, chunk), data) << static_cast<int>(which) << " chunk " << chunk;
    }
  }
  // Byte by byte over a small member: the header and trailer split anywhere.
  const std::string small = sample_bytes(5000, 2);
  for (GzipInflater which : inflaters()) EXPECT_EQ(inflate_with(which, gzip_member(small), 1), small);
}

TEST(Decompress, IsaLIsPreferredWhenInstalled) {
  // What `roost info` reports follows whether libisal.so.2 can be opened at all.
  void* isal = ::dlopen("libisal.so.2", RTLD_NOW | RTLD_LOCAL);
  EXPECT_EQ(roost::layer::gzip_implementation(), isal != nullptr ? "isa-l" : "zlib");
  if (isal == nullptr) {
    roost::util::StringSink out(16);
    EXPECT_NE(error_of([&] { roost::layer::make_gzip_decompressor(out, GzipInflater::IsaL); }).find("isa-l"),
              std::string::npos);
  }
}

TEST(Decompress, GzipMembersFollowOneAnother) {
  const std::string a = sample_bytes(200000, 3), b = sample_bytes(70000, 4), c;
  const std::string gz = gzip_member(a) + gzip_member(b) + gzip_member(c) + gzip_member("end");
  for (GzipInflater which : inflaters()) {
    for (size_t chunk : {size_t{1}, size_t{17}, size_t{1} << 20})
      EXPECT_EQ(inflate_with(which, gz, chunk), a + b + c + "end") << static_cast<int>(which) << " " << chunk;
  }
}

TEST(Decompress, TruncatedGzipIsAnError) {
  const std::string gz = gzip_member(sample_bytes(100000, 5));
  for (GzipInflater which : inflaters()) {
    for (size_t cut : {size_t{0}, size_t{1}, size_t{5}, gz.size() / 2, gz.size() - 4, gz.size() - 1}) {
      std::string msg = error_of([&] { inflate_with(which, gz.substr(0, cut), 4096); });
      EXPECT_EQ(msg, "gzip stream truncated") << static_cast<int>(which) << " cut at " << cut;
    }
    // One byte of a second member's magic.
    EXPECT_EQ(error_of([&] { inflate_with(which, gz + "\x1f", 4096); }), "gzip stream truncated");
  }
}

TEST(Decompress, TrailingGarbageAndCorruptionAreErrors) {
  const std::string data = sample_bytes(100000, 6);
  const std::string gz = gzip_member(data);
  for (GzipInflater which : inflaters()) {
    EXPECT_EQ(error_of([&] { inflate_with(which, gz + "garbage", 4096); }), "trailing garbage after gzip member 1");
    EXPECT_EQ(error_of([&] { inflate_with(which, gz + std::string(512, '\0'), 4096); }),
              "trailing garbage after gzip member 1");
    EXPECT_EQ(error_of([&] { inflate_with(which, "plain text", 4096); }), "not a gzip stream (bad magic)");
    std::string bad_crc = gz;
    bad_crc[bad_crc.size() - 6] ^= 0x55;  // in the CRC-32 of the trailer
    EXPECT_NE(error_of([&] { inflate_with(which, bad_crc, 4096); }).find("gzip"), std::string::npos);
    EXPECT_NE(error_of([&] { inflate_with(which, bad_crc, 4096); }), "(no error)");
  }
}

TEST(Decompress, ZstdStreamsAndChecksItsEnd) {
  const std::string data = sample_bytes(2 << 20, 7);
  const std::string zst = zstd_frame(data) + zstd_frame("second frame");
  FinishedSink out;
  auto z = roost::layer::make_decompressor(LayerCompression::Zstd, out);
  push(*z, zst, 10007);
  EXPECT_EQ(out.bytes(), data + "second frame");
  EXPECT_EQ(out.finished, 1);

  const std::string one = zstd_frame(data);
  for (size_t cut : {size_t{0}, size_t{3}, one.size() / 2, one.size() - 1}) {
    FinishedSink sink;
    auto d = roost::layer::make_decompressor(LayerCompression::Zstd, sink);
    EXPECT_EQ(error_of([&] { push(*d, one.substr(0, cut), 4096); }), "unexpected end of zstd stream") << cut;
  }
  FinishedSink sink;
  auto d = roost::layer::make_decompressor(LayerCompression::Zstd, sink);
  EXPECT_NE(error_of([&] { push(*d, one + "garbage!", 4096); }).find("corrupt zstd data"), std::string::npos);
}

TEST(Decompress, ZstdCompressorAndWholeBufferInflate) {
  const std::string data = sample_bytes(300000, 8);
  roost::util::StringSink packed(1 << 24);
  auto c = roost::layer::make_zstd_compressor(packed, 1);
  push(*c, data, 1000);
  EXPECT_LT(packed.bytes().size(), data.size());
  EXPECT_EQ(roost::layer::zstd_decompress_all(packed.bytes(), data.size()), data);
  EXPECT_NE(error_of([&] { roost::layer::zstd_decompress_all(packed.bytes(), data.size() - 1); }).find("larger than"),
            std::string::npos);
  EXPECT_EQ(error_of([&] { roost::layer::zstd_decompress_all(packed.bytes().substr(0, 100), data.size()); }),
            "unexpected end of zstd stream");
}

TEST(Decompress, UnknownDetectsByMagic) {
  const std::string data = sample_bytes(50000, 9);
  for (const std::string& in : {gzip_member(data), zstd_frame(data), data}) {
    for (size_t chunk : {size_t{1}, size_t{3}, size_t{65536}}) {
      FinishedSink out;
      auto d = roost::layer::make_decompressor(LayerCompression::Unknown, out);
      push(*d, in, chunk);
      EXPECT_EQ(out.bytes(), data);
      EXPECT_EQ(out.finished, 1);
    }
  }
  // Shorter than any magic: passed through as it is.
  for (const std::string& in : {std::string(), std::string("ab")}) {
    FinishedSink out;
    auto d = roost::layer::make_decompressor(LayerCompression::Unknown, out);
    push(*d, in, 1);
    EXPECT_EQ(out.bytes(), in);
  }
  // The gzip magic alone is a truncated gzip, not two bytes of plain data.
  FinishedSink out;
  auto d = roost::layer::make_decompressor(LayerCompression::Unknown, out);
  EXPECT_EQ(error_of([&] { push(*d, "\x1f\x8b", 1); }), "gzip stream truncated");
}

// ---- the applier --------------------------------------------------------------------------------

namespace {

class TempDir {
 public:
  explicit TempDir(const char* base = "/tmp") {
    std::string tmpl_s = std::string(base) + "/roost-layer-test.XXXXXX";
    std::vector<char> tmpl(tmpl_s.begin(), tmpl_s.end());
    tmpl.push_back('\0');
    if (::mkdtemp(tmpl.data()) == nullptr) roost::throw_errno("mkdtemp");
    path_ = tmpl.data();
    fd_ = UniqueFd(::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
  ~TempDir() {
    fd_.reset();
    // Read-only directories are made writable first, so the removal of the test's tree succeeds.
    std::string cmd = "chmod -R u+rwx '" + path_ + "' 2>/dev/null; rm -rf '" + path_ + "'";
    if (std::system(cmd.c_str()) != 0) {
    }
  }
  const std::string& path() const { return path_; }
  int fd() const { return fd_.get(); }
  std::string at(const std::string& rel) const { return path_ + "/" + rel; }
  // A subdirectory as a diff dir of its own (a lower layer next to the one under test).
  std::string sub(const std::string& name) const {
    roost::make_dirs(at(name));
    return at(name);
  }

 private:
  std::string path_;
  UniqueFd fd_;
};

Entry entry(const std::string& path, EntryType type, uint32_t mode) {
  Entry e;
  e.path = path;
  e.type = type;
  e.mode = mode;
  e.uid = geteuid();  // so that the tests run as any user (those about other ids need root)
  e.gid = getegid();
  e.mtime = {1600000000, 500};
  return e;
}

Entry file(const std::string& path, uint32_t mode = 0644) { return entry(path, EntryType::Regular, mode); }
Entry dir(const std::string& path, uint32_t mode = 0755) { return entry(path, EntryType::Directory, mode); }
Entry symlink_entry(const std::string& path, const std::string& target) {
  Entry e = entry(path, EntryType::Symlink, 0777);
  e.link_target = target;
  return e;
}
Entry hardlink(const std::string& path, const std::string& target) {
  Entry e = entry(path, EntryType::Hardlink, 0644);
  e.link_target = target;
  return e;
}

void put(LayerApplier& a, Entry e, const std::string& content = "") {
  e.size = static_cast<int64_t>(content.size());
  a.begin(e);
  // In two pieces, as the tar reader hands content on in chunks.
  size_t half = content.size() / 2;
  if (half > 0) a.data(reinterpret_cast<const uint8_t*>(content.data()), half);
  if (content.size() > half) a.data(reinterpret_cast<const uint8_t*>(content.data()) + half, content.size() - half);
  a.end();
}

struct stat lstat_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) roost::throw_errno("lstat " + path);
  return st;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

std::string xattr_of(const std::string& path, const char* name) {
  char buf[256];
  ssize_t n = ::lgetxattr(path.c_str(), name, buf, sizeof buf);
  return n < 0 ? std::string("(none)") : std::string(buf, static_cast<size_t>(n));
}

bool user_xattrs_supported(const std::string& dir) {
  std::string probe = dir + "/.xattr-probe";
  roost::write_file(probe, "", O_WRONLY | O_CREAT | O_TRUNC);
  bool ok = ::setxattr(probe.c_str(), "user.roost-probe", "1", 1, 0) == 0;
  ::unlink(probe.c_str());
  return ok;
}

struct Applied {
  ApplyOptions options;
  Stats stats;
  std::vector<std::string> warnings;
  std::unique_ptr<LayerApplier> applier;
  explicit Applied(int fd, bool squash = false, bool real_root = false) {
    options.squash_ids = squash;
    options.real_root = real_root;
    options.warn = [this](const std::string& w) { warnings.push_back(w); };
    applier = std::make_unique<LayerApplier>(fd, options, stats);
  }
  LayerApplier& operator*() { return *applier; }
  LayerApplier* operator->() { return applier.get(); }
};

}  // namespace

TEST(LayerApply, FilesDirsSymlinksAndStats) {
  TempDir t;
  Applied a(t.fd());
  put(*a, dir("etc"));
  put(*a, file("etc/hostname", 0640), "box\n");
  put(*a, file("usr/bin/tool", 0755), sample_bytes(100000));  // parents not listed: made
  put(*a, symlink_entry("bin", "usr/bin"));
  put(*a, symlink_entry("etc/abs", "/etc/shadow"));  // a link may point anywhere: it is never followed
  put(*a, entry("run/fifo", EntryType::Fifo, 0600));
  a->finish();
  EXPECT_EQ(roost::read_file(t.at("etc/hostname")), "box\n");
  EXPECT_EQ(lstat_of(t.at("etc/hostname")).st_mode & 07777, 0640u);
  EXPECT_EQ(roost::read_file(t.at("usr/bin/tool")), sample_bytes(100000));
  EXPECT_TRUE(S_ISLNK(lstat_of(t.at("bin")).st_mode));
  EXPECT_TRUE(S_ISFIFO(lstat_of(t.at("run/fifo")).st_mode));
  char target[64] = {};
  ASSERT_GT(::readlink(t.at("etc/abs").c_str(), target, sizeof target), 0);
  EXPECT_STREQ(target, "/etc/shadow");
  EXPECT_EQ(lstat_of(t.at("etc/hostname")).st_mtim.tv_sec, 1600000000);
  EXPECT_EQ(lstat_of(t.at("etc/abs")).st_mtim.tv_sec, 1600000000);
  EXPECT_EQ(a.stats.apparent_bytes, 4 + 100000);
  // etc, hostname, usr, usr/bin, tool, bin, abs, run, fifo
  EXPECT_EQ(a.stats.inodes, 9);
  EXPECT_GE(a.stats.allocated_bytes, 100000);
}

TEST(LayerApply, WhiteoutsAndOpaqueDirs) {
  TempDir t;
  if (!user_xattrs_supported(t.path())) GTEST_SKIP() << "/tmp takes no user.* xattrs here";
  Applied a(t.fd());
  put(*a, dir("a"));
  put(*a, file("a/.wh.gone"));
  put(*a, dir("b"));
  put(*a, file("b/.wh..wh..opq"));
  put(*a, file("b/kept"), "x");
  put(*a, file(".wh.top"));
  EXPECT_EQ(error_of([&] { put(*a, file("a/.wh.")); }).find("names no file") != std::string::npos, true);
  EXPECT_NE(error_of([&] { put(*a, file("a/.wh...")); }).find("names no file"), std::string::npos);
  a->finish();
  struct stat st = lstat_of(t.at("a/gone"));
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  EXPECT_FALSE(exists(t.at("a/.wh.gone")));
  EXPECT_TRUE(S_ISCHR(lstat_of(t.at("top")).st_mode));
  EXPECT_EQ(xattr_of(t.at("b"), "user.overlay.opaque"), "y");
  EXPECT_EQ(xattr_of(t.at("a"), "user.overlay.opaque"), "(none)");
  EXPECT_FALSE(exists(t.at("b/.wh..wh..opq")));
  EXPECT_EQ(roost::read_file(t.at("b/kept")), "x");
}

TEST(LayerApply, OpaqueAsRealRootIsTrusted) {
  if (geteuid() != 0) GTEST_SKIP() << "trusted.* xattrs need root";
  TempDir t;
  Applied a(t.fd(), false, true);
  put(*a, dir("d"));
  put(*a, file("d/.wh..wh..opq"));
  a->finish();
  EXPECT_EQ(xattr_of(t.at("d"), "trusted.overlay.opaque"), "y");
  EXPECT_EQ(xattr_of(t.at("d"), "user.overlay.opaque"), "(none)");
}

TEST(LayerApply, WhiteoutOfANameInTheSameLayerHidesOnlyTheLowers) {
  TempDir t;
  if (!user_xattrs_supported(t.path())) GTEST_SKIP() << "/tmp takes no user.* xattrs here";
  Applied a(t.fd());
  // A file and its whiteout: the file stays (it shadows the lowers' one anyway).
  put(*a, file("f"), "mine");
  put(*a, file(".wh.f"));
  // A directory and its whiteout: the directory stays, cut off from the lowers' one.
  put(*a, dir("d"));
  put(*a, file("d/child"), "c");
  put(*a, file(".wh.d"));
  // The whiteout first, then the directory: the same.
  put(*a, file(".wh.e"));
  put(*a, dir("e"));
  // The whiteout first, then a file: the file replaces the whiteout.
  put(*a, file(".wh.g"));
  put(*a, file("g"), "new");
  // The whiteout first, then entries below the name (its directory not listed): the same.
  put(*a, file(".wh.h"));
  put(*a, file("h/inside"), "i");
  a->finish();
  EXPECT_EQ(roost::read_file(t.at("h/inside")), "i");
  EXPECT_EQ(xattr_of(t.at("h"), "user.overlay.opaque"), "y");
  EXPECT_EQ(roost::read_file(t.at("f")), "mine");
  EXPECT_EQ(roost::read_file(t.at("d/child")), "c");
  EXPECT_EQ(xattr_of(t.at("d"), "user.overlay.opaque"), "y");
  EXPECT_TRUE(S_ISDIR(lstat_of(t.at("e")).st_mode));
  EXPECT_EQ(xattr_of(t.at("e"), "user.overlay.opaque"), "y");
  EXPECT_EQ(roost::read_file(t.at("g")), "new");
  // f, d, child, e, g, h, inside: the replaced whiteouts are not counted.
  EXPECT_EQ(a.stats.inodes, 7);
}

TEST(LayerApply, DirectoryOverDirectoryKeepsChildrenFileOverDirectoryReplaces) {
  TempDir t;
  Applied a(t.fd());
  put(*a, dir("d", 0755));
  put(*a, file("d/child"), "c");
  Entry again = dir("d", 0710);
  again.mtime = {1500000000, 0};
  put(*a, again);
  put(*a, dir("x"));
  put(*a, file("x/deep/file"), "123");
  put(*a, file("x"), "now a file");
  put(*a, file("y"), "was a file");
  put(*a, dir("y"));
  a->finish();
  EXPECT_EQ(roost::read_file(t.at("d/child")), "c");
  EXPECT_EQ(lstat_of(t.at("d")).st_mode & 07777, 0710u);
  EXPECT_EQ(lstat_of(t.at("d")).st_mtim.tv_sec, 1500000000);
  EXPECT_EQ(roost::read_file(t.at("x")), "now a file");
  EXPECT_TRUE(S_ISDIR(lstat_of(t.at("y")).st_mode));
  // d, child, x (file), y (dir)
  EXPECT_EQ(a.stats.inodes, 4);
  EXPECT_EQ(a.stats.apparent_bytes, 1 + 10);
}

TEST(LayerApply, HardlinksWithinTheLayer) {
  TempDir t;
  Applied a(t.fd());
  put(*a, file("bin/busybox", 0755), "elf");
  put(*a, hardlink("bin/sh", "bin/busybox"));
  put(*a, hardlink("sbin/init", "./bin/busybox"));
  a->finish();
  EXPECT_EQ(lstat_of(t.at("bin/sh")).st_ino, lstat_of(t.at("bin/busybox")).st_ino);
  EXPECT_EQ(lstat_of(t.at("sbin/init")).st_ino, lstat_of(t.at("bin/busybox")).st_ino);
  EXPECT_EQ(lstat_of(t.at("bin/busybox")).st_nlink, 3u);
  EXPECT_TRUE(a->pending_links().empty());
  EXPECT_EQ(a.stats.apparent_bytes, 3);
  EXPECT_EQ(a.stats.inodes, 3);  // bin, busybox, sbin
}

TEST(LayerApply, HardlinkToALowerLayerIsLinkedToTheFirstThatHasIt) {
  TempDir t;
  const std::string lower1 = t.sub("lower1"), lower2 = t.sub("lower2"), top = t.sub("top");
  UniqueFd l1(::open(lower1.c_str(), O_RDONLY | O_DIRECTORY)), l2(::open(lower2.c_str(), O_RDONLY | O_DIRECTORY));
  UniqueFd topfd(::open(top.c_str(), O_RDONLY | O_DIRECTORY));
  roost::make_dirs(lower2 + "/usr/lib");
  roost::write_file(lower2 + "/usr/lib/libc.so", "deep lower", O_WRONLY | O_CREAT, 0755);
  roost::make_dirs(lower1 + "/usr/lib");
  roost::write_file(lower1 + "/usr/lib/libc.so", "near lower", O_WRONLY | O_CREAT, 04711);
  ASSERT_EQ(::chmod((lower1 + "/usr/lib/libc.so").c_str(), 04711), 0);
  Applied a(topfd.get());
  put(*a, dir("usr", 0555));
  put(*a, hardlink("usr/libc-link", "usr/lib/libc.so"));
  put(*a, hardlink("usr/libc-link2", "usr/lib/libc.so"));
  put(*a, hardlink("opt/new/dir/libc", "usr/lib/libc.so"));  // directories not listed in the tar
  a->finish();
  ASSERT_EQ(a->pending_links().size(), 3u);
  EXPECT_EQ(a->pending_links()[0], std::make_pair(std::string("usr/libc-link"), std::string("usr/lib/libc.so")));
  EXPECT_FALSE(exists(top + "/usr/libc-link"));
  const int64_t inodes = a.stats.inodes, allocated = a.stats.allocated_bytes;
  a->link_from_lowers({l1.get(), l2.get()});
  EXPECT_EQ(roost::read_file(top + "/usr/libc-link"), "near lower");
  EXPECT_EQ(lstat_of(top + "/opt/new/dir/libc").st_ino, lstat_of(top + "/usr/libc-link").st_ino);
  // One inode shared with the nearest lower layer: no new inode, no blocks counted twice.
  EXPECT_EQ(a.stats.inodes, inodes);  // the links' directories were made by the entries
  EXPECT_EQ(inodes, 4);               // usr, opt, new, dir
  EXPECT_EQ(a.stats.apparent_bytes, 10);
  EXPECT_EQ(a.stats.allocated_bytes, allocated);
  EXPECT_EQ(lstat_of(top + "/usr/libc-link").st_mode & 07777, 04711u);
  EXPECT_EQ(lstat_of(top + "/usr/libc-link").st_ino, lstat_of(top + "/usr/libc-link2").st_ino);
  EXPECT_EQ(lstat_of(top + "/usr/libc-link").st_ino, lstat_of(lower1 + "/usr/lib/libc.so").st_ino);
  EXPECT_NE(lstat_of(top + "/usr/libc-link").st_ino, lstat_of(lower2 + "/usr/lib/libc.so").st_ino);
  // The directory's mode and mtime are the tar's again after the links went in.
  EXPECT_EQ(lstat_of(top + "/usr").st_mode & 07777, 0555u);
  EXPECT_EQ(lstat_of(top + "/usr").st_mtim.tv_sec, 1600000000);
  EXPECT_TRUE(a->pending_links().empty());
}

TEST(LayerApply, HardlinkToALowerOnAnotherFileSystemIsACopy) {
  // linkat across file systems is EXDEV: the lower's file is copied with its content and attributes.
  TempDir t, other("/dev/shm");
  struct stat a_st, b_st;
  ASSERT_EQ(::stat(t.path().c_str(), &a_st), 0);
  ASSERT_EQ(::stat(other.path().c_str(), &b_st), 0);
  if (a_st.st_dev == b_st.st_dev) GTEST_SKIP() << "/tmp and /dev/shm are one file system here";
  const std::string lower = other.sub("lower"), top = t.sub("top");
  UniqueFd l(::open(lower.c_str(), O_RDONLY | O_DIRECTORY)), topfd(::open(top.c_str(), O_RDONLY | O_DIRECTORY));
  roost::write_file(lower + "/libc.so", "lower bytes", O_WRONLY | O_CREAT, 0755);
  ASSERT_EQ(::chmod((lower + "/libc.so").c_str(), 04711), 0);
  Applied a(topfd.get());
  put(*a, hardlink("libc-link", "libc.so"));
  a->finish();
  const int64_t inodes = a.stats.inodes;
  a->link_from_lowers({l.get()});
  EXPECT_EQ(roost::read_file(top + "/libc-link"), "lower bytes");
  EXPECT_EQ(lstat_of(top + "/libc-link").st_mode & 07777, 04711u);
  EXPECT_EQ(a.stats.inodes, inodes + 1);
  EXPECT_EQ(lstat_of(top + "/libc-link").st_nlink, 1u);
}

TEST(LayerApply, WhiteoutsAndOpaqueDirsInLowersStopTheHardlinkSearch) {
  TempDir t;
  if (!user_xattrs_supported(t.path())) GTEST_SKIP() << "/tmp takes no user.* xattrs here";
  const std::string mid = t.sub("mid"), base = t.sub("base");
  roost::make_dirs(base + "/lib");
  roost::write_file(base + "/lib/a", "a", O_WRONLY | O_CREAT);
  roost::make_dirs(base + "/opq");
  roost::write_file(base + "/opq/b", "b", O_WRONLY | O_CREAT);
  roost::make_dirs(mid + "/lib");
  ASSERT_EQ(::mknod((mid + "/lib/a").c_str(), S_IFCHR | 0600, makedev(0, 0)), 0);  // a whiteout
  roost::make_dirs(mid + "/opq");
  ASSERT_EQ(::setxattr((mid + "/opq").c_str(), "user.overlay.opaque", "y", 1, 0), 0);
  UniqueFd midfd(::open(mid.c_str(), O_RDONLY | O_DIRECTORY)), basefd(::open(base.c_str(), O_RDONLY | O_DIRECTORY));
  for (const char* target : {"lib/a", "opq/b", "nowhere"}) {
    const std::string top = t.sub(std::string("top-") + (target[0] == 'n' ? "n" : target[0] == 'l' ? "l" : "o"));
    UniqueFd topfd(::open(top.c_str(), O_RDONLY | O_DIRECTORY));
    Applied a(topfd.get());
    put(*a, hardlink("link", target));
    a->finish();
    EXPECT_NE(error_of([&] { a->link_from_lowers({midfd.get(), basefd.get()}); }).find("is in no lower layer"),
              std::string::npos)
        << target;
    EXPECT_FALSE(exists(top + "/link"));
  }
  // Without the middle layer the base's files are found.
  const std::string top = t.sub("top-ok");
  UniqueFd topfd(::open(top.c_str(), O_RDONLY | O_DIRECTORY));
  Applied a(topfd.get());
  put(*a, hardlink("link", "opq/b"));
  a->finish();
  a->link_from_lowers({basefd.get()});
  EXPECT_EQ(roost::read_file(top + "/link"), "b");
}

TEST(LayerApply, EscapesAreRefused) {
  TempDir t;
  const std::string outside = t.sub("outside"), layer = t.sub("layer");
  roost::write_file(outside + "/shadow", "secret", O_WRONLY | O_CREAT);
  UniqueFd fd(::open(layer.c_str(), O_RDONLY | O_DIRECTORY));
  Applied a(fd.get());
  EXPECT_NE(error_of([&] { put(*a, file("../x"), "x"); }).find("\"..\" in the name: refused"), std::string::npos);
  EXPECT_NE(error_of([&] { put(*a, file("a/../../x"), "x"); }).find("refused"), std::string::npos);
  EXPECT_NE(error_of([&] { put(*a, file("/abs"), "x"); }).find("an absolute name: refused"), std::string::npos);
  // A symlink to a directory outside, then a file under it.
  put(*a, symlink_entry("a", outside));
  EXPECT_NE(error_of([&] { put(*a, file("a/passwd"), "pwned"); }).find("is not a directory in this layer"),
            std::string::npos);
  put(*a, symlink_entry("etc", "/etc"));
  EXPECT_NE(error_of([&] { put(*a, file("etc/passwd"), "pwned"); }).find("refused"), std::string::npos);
  // Hardlinks out of the tree, directly or through a symlink of the layer.
  EXPECT_NE(error_of([&] { put(*a, hardlink("h", "../outside/shadow")); }).find("\"..\" in the hardlink target"),
            std::string::npos);
  EXPECT_NE(error_of([&] { put(*a, hardlink("h", "../../etc/shadow")); }).find("refused"), std::string::npos);
  EXPECT_NE(error_of([&] { put(*a, hardlink("h", "/etc/shadow")); }).find("an absolute hardlink target"),
            std::string::npos);
  EXPECT_NE(error_of([&] { put(*a, hardlink("h", "a/shadow")); }).find("is not a directory in this layer"),
            std::string::npos);
  // A file over an existing symlink replaces the link, never writes through it.
  put(*a, symlink_entry("s", outside + "/shadow"));
  put(*a, file("s"), "inside");
  a->finish();
  EXPECT_EQ(roost::read_file(outside + "/shadow"), "secret");
  EXPECT_FALSE(exists(outside + "/passwd"));
  EXPECT_FALSE(exists(t.at("x")));
  EXPECT_FALSE(exists(layer + "/h"));
  EXPECT_EQ(roost::read_file(layer + "/s"), "inside");
  EXPECT_TRUE(S_ISREG(lstat_of(layer + "/s").st_mode));
  EXPECT_EQ(::access("/etc/passwd", F_OK), 0);
}

TEST(LayerApply, XattrsAreFiltered) {
  TempDir t;
  if (!user_xattrs_supported(t.path())) GTEST_SKIP() << "/tmp takes no user.* xattrs here";
  Applied a(t.fd());
  Entry e = file("f");
  e.xattrs = {{"user.keep", "1"},
              {"security.selinux", "system_u:object_r:bin_t:s0"},
              {"trusted.overlay.opaque", "y"},
              {"trusted.other", "1"},
              {"user.overlay.redirect", "/x"},
              {"user.rootlesscontainers", "\x08\x01"}};
  put(*a, e, "x");
  Entry d = dir("d");
  d.xattrs = {{"user.overlay.opaque", "y"}, {"user.dirkeep", "2"}};
  put(*a, d);
  // Linux takes no user.* xattrs on symlinks: one warning, not an error.
  Entry l = symlink_entry("l", "f");
  l.xattrs = {{"user.keep", "1"}};
  put(*a, l);
  put(*a, l);
  a->finish();
  ASSERT_EQ(a.warnings.size(), 1u);
  EXPECT_EQ(a.warnings[0], "extended attribute user.keep not kept: EPERM (first on l)");
  EXPECT_TRUE(S_ISLNK(lstat_of(t.at("l")).st_mode));
  EXPECT_EQ(xattr_of(t.at("f"), "user.keep"), "1");
  EXPECT_EQ(xattr_of(t.at("d"), "user.dirkeep"), "2");
  EXPECT_EQ(xattr_of(t.at("d"), "user.overlay.opaque"), "(none)");
  EXPECT_EQ(xattr_of(t.at("f"), "user.overlay.redirect"), "(none)");
  EXPECT_EQ(xattr_of(t.at("f"), "user.rootlesscontainers"), "(none)");
  if (geteuid() == 0) {
    EXPECT_EQ(xattr_of(t.at("f"), "trusted.other"), "(none)");
    EXPECT_EQ(xattr_of(t.at("f"), "trusted.overlay.opaque"), "(none)");
  }
  // No SELinux here: a label would read back as the policy's, not the tar's.
  EXPECT_NE(xattr_of(t.at("f"), "security.selinux"), "system_u:object_r:bin_t:s0");
}

TEST(LayerApply, DirectoryMtimesAndModesAreSetAfterTheirChildren) {
  TempDir t;
  Applied a(t.fd(), /*squash=*/true);
  Entry d = dir("ro", 0555);
  d.mtime = {1234567890, 0};
  put(*a, d);
  put(*a, file("ro/one"), "1");
  Entry sub = dir("ro/sub", 0500);
  sub.mtime = {1111111111, 0};
  put(*a, sub);
  put(*a, file("ro/sub/two"), "2");
  Entry root = dir(".", 0751);
  root.mtime = {1000000000, 0};
  put(*a, root);
  a->finish();
  EXPECT_EQ(lstat_of(t.at("ro")).st_mtim.tv_sec, 1234567890);
  EXPECT_EQ(lstat_of(t.at("ro")).st_mode & 07777, 0555u);
  EXPECT_EQ(lstat_of(t.at("ro/sub")).st_mtim.tv_sec, 1111111111);
  EXPECT_EQ(lstat_of(t.at("ro/sub")).st_mode & 07777, 0500u);
  EXPECT_EQ(lstat_of(t.path()).st_mtim.tv_sec, 1000000000);
  EXPECT_EQ(lstat_of(t.path()).st_mode & 07777, 0751u);
  EXPECT_EQ(roost::read_file(t.at("ro/sub/two")), "2");
}

TEST(LayerApply, SetuidSurvivesTheChown) {
  if (geteuid() != 0) GTEST_SKIP() << "chown to another uid needs root (or a mapped user namespace)";
  TempDir t;
  Applied a(t.fd());
  Entry e = file("usr/bin/su", 04755);
  e.uid = 1000;
  e.gid = 1000;
  put(*a, e, "elf");
  Entry g = file("usr/bin/wall", 02755);
  g.gid = 5;
  put(*a, g, "elf");
  Entry d = dir("tmp", 01777);
  d.uid = 7;
  put(*a, d);
  a->finish();
  struct stat st = lstat_of(t.at("usr/bin/su"));
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 1000u);
  EXPECT_EQ(lstat_of(t.at("usr/bin/wall")).st_mode & 07777, 02755u);
  EXPECT_EQ(lstat_of(t.at("usr/bin/wall")).st_gid, 5u);
  EXPECT_EQ(lstat_of(t.at("tmp")).st_mode & 07777, 01777u);
  EXPECT_EQ(lstat_of(t.at("tmp")).st_uid, 7u);
}

TEST(LayerApply, SquashIdsLeavesEverythingToTheCaller) {
  TempDir t;
  Applied a(t.fd(), /*squash=*/true);
  Entry e = file("f", 0600);
  e.uid = 4242;
  e.gid = 4242;
  put(*a, e, "x");
  a->finish();
  EXPECT_EQ(lstat_of(t.at("f")).st_uid, geteuid());
}

TEST(LayerApply, DevicesAreMadeOrSkippedWithOneWarning) {
  TempDir t;
  if (geteuid() == 0) {
    Applied a(t.fd());
    Entry e = entry("dev/null", EntryType::CharDevice, 0666);
    e.dev_major = 1;
    e.dev_minor = 3;
    put(*a, e);
    a->finish();
    EXPECT_EQ(lstat_of(t.at("dev/null")).st_rdev, makedev(1, 3));
    EXPECT_TRUE(a.warnings.empty());
  }
  // In a user namespace of its own (a one-id map) mknod of a device is EPERM: skipped, one warning.
  const std::string rootless = t.sub("rootless");
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipefd[0]);
    std::string report;
    try {
      roost::test::enter_private_user_and_netns();
      UniqueFd fd(::open(rootless.c_str(), O_RDONLY | O_DIRECTORY));
      Applied a(fd.get());
      for (const char* name : {"dev/null", "dev/zero"}) {
        Entry e = entry(name, EntryType::CharDevice, 0666);
        e.dev_major = 1;
        e.dev_minor = 3;
        put(*a, e);
      }
      Entry b = entry("dev/sda", EntryType::BlockDevice, 0660);
      b.dev_major = 8;
      put(*a, b);
      put(*a, file("dev/.wh.old"));  // whiteouts still work without CAP_MKNOD
      put(*a, file("dev/ok"), "fine");
      a->finish();
      for (const std::string& w : a.warnings) report += w + "\n";
    } catch (const std::exception& e) {
      report = std::string("error: ") + e.what();
    }
    if (::write(pipefd[1], report.data(), report.size()) < 0) _exit(2);
    _exit(0);
  }
  ::close(pipefd[1]);
  std::string report;
  char buf[512];
  for (ssize_t n; (n = ::read(pipefd[0], buf, sizeof buf)) > 0;) report.append(buf, static_cast<size_t>(n));
  ::close(pipefd[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(report, "device nodes skipped: rootless (first: dev/null)\n");
  EXPECT_FALSE(exists(rootless + "/dev/null"));
  EXPECT_FALSE(exists(rootless + "/dev/sda"));
  EXPECT_TRUE(S_ISCHR(lstat_of(rootless + "/dev/old").st_mode));
  EXPECT_EQ(roost::read_file(rootless + "/dev/ok"), "fine");
}

// ---- the whole LayerWriter ----------------------------------------------------------------------

namespace {

using roost::image::Digest;
using roost::layer::Expectations;
using roost::layer::LayerWriter;

// A small but complete layer: directories, a file, a symlink, a hardlink, a whiteout, an opaque dir.
std::string sample_layer_tar() {
  roost::util::StringSink out(1 << 26);
  roost::tar::Writer w(out);
  w.add_directory("etc", 0755);
  w.add_file("etc/os-release", "ID=test\n", 0644);
  w.add_directory("usr/bin", 0755);
  w.add_file("usr/bin/big", sample_bytes(600000, 11), 0755);
  Entry s = symlink_entry("usr/bin/sh", "big");
  w.begin(s);
  w.end();
  Entry h = hardlink("usr/bin/big2", "usr/bin/big");
  w.begin(h);
  w.end();
  w.add_file("etc/.wh.motd", "", 0644);
  w.add_directory("var", 0755);
  w.add_file("var/.wh..wh..opq", "", 0644);
  w.finish();
  return out.take();
}

struct WriteResult {
  std::string error = "(no error)";
  Stats stats;
  std::string split;
};

WriteResult write_layer(int fd, const std::string& blob, const Expectations& expect, size_t chunk = 65536) {
  WriteResult r;
  roost::util::StringSink split(1 << 26);
  ApplyOptions options;
  options.warn = [](const std::string&) {};
  options.squash_ids = geteuid() != 0;  // the tar's files belong to root
  try {
    LayerWriter w(fd, expect, options, &split);
    for (size_t off = 0; off < blob.size(); off += chunk) {
      size_t n = std::min(chunk, blob.size() - off);
      w.write(reinterpret_cast<const uint8_t*>(blob.data() + off), n);
      EXPECT_EQ(w.blob_bytes(), static_cast<int64_t>(off + n));
    }
    w.finish();
    r.stats = w.stats();
  } catch (const Error& e) {
    r.error = e.what();
  }
  r.split = split.bytes();
  return r;
}

}  // namespace

TEST(LayerWriter, AppliesAGzipLayerAndReportsDigestsAndStats) {
  TempDir t;
  if (!user_xattrs_supported(t.path())) GTEST_SKIP() << "/tmp takes no user.* xattrs here";
  const std::string tar = sample_layer_tar();
  const std::string gz = gzip_member(tar);
  Expectations expect;
  expect.blob_digest = roost::image::sha256_of(gz);
  expect.blob_size = static_cast<int64_t>(gz.size());
  expect.diff_id = roost::image::sha256_of(tar);
  expect.compression = LayerCompression::Gzip;
  WriteResult r = write_layer(t.fd(), gz, expect, 7777);
  ASSERT_EQ(r.error, "(no error)");
  EXPECT_EQ(r.stats.blob_digest, *expect.blob_digest);
  EXPECT_EQ(r.stats.blob_size, static_cast<int64_t>(gz.size()));
  EXPECT_EQ(r.stats.diff_id, *expect.diff_id);
  EXPECT_EQ(r.stats.diff_size, static_cast<int64_t>(tar.size()));
  EXPECT_EQ(r.stats.apparent_bytes, 8 + 600000);
  EXPECT_EQ(r.stats.inodes, 8);  // etc, os-release, usr, bin, big, sh, motd (whiteout), var
  EXPECT_GE(r.stats.allocated_bytes, 600000);
  EXPECT_EQ(roost::read_file(t.at("usr/bin/big")), sample_bytes(600000, 11));
  EXPECT_EQ(lstat_of(t.at("usr/bin/big2")).st_ino, lstat_of(t.at("usr/bin/big")).st_ino);
  EXPECT_TRUE(S_ISCHR(lstat_of(t.at("etc/motd")).st_mode));
  EXPECT_EQ(xattr_of(t.at("var"), "user.overlay.opaque"), "y");
  // The tar-split record gives the very same tar back from the unpacked files (the DiffID again).
  roost::util::StringSink again(1 << 26);
  roost::tar::replay_tar_split(
      r.split,
      [&](const std::string& path, int64_t size, roost::util::ByteSink& out) {
        std::string content = roost::read_file(t.at(path));
        ASSERT_EQ(static_cast<int64_t>(content.size()), size);
        out.write(reinterpret_cast<const uint8_t*>(content.data()), content.size());
      },
      again);
  EXPECT_EQ(roost::image::sha256_of(again.bytes()), *expect.diff_id);
}

TEST(LayerWriter, ZstdAndUncompressedLayersByMagic) {
  const std::string tar = sample_layer_tar();
  for (const std::string& blob : {zstd_frame(tar), tar}) {
    TempDir t;
    Expectations expect;  // nothing known: compression by magic, no checks
    WriteResult r = write_layer(t.fd(), blob, expect);
    ASSERT_EQ(r.error, "(no error)");
    EXPECT_EQ(r.stats.diff_id, roost::image::sha256_of(tar));
    EXPECT_EQ(r.stats.blob_digest, roost::image::sha256_of(blob));
    EXPECT_EQ(roost::read_file(t.at("etc/os-release")), "ID=test\n");
  }
}

TEST(LayerWriter, DigestSizeAndDiffIdMismatchesAreErrors) {
  const std::string tar = sample_layer_tar();
  const std::string gz = gzip_member(tar);
  const Digest real = roost::image::sha256_of(gz);
  const Digest other = roost::image::sha256_of("something else");
  {
    TempDir t;
    Expectations e;
    e.blob_digest = other;
    WriteResult r = write_layer(t.fd(), gz, e);
    EXPECT_EQ(r.error, "layer " + other.str() + ": digest mismatch (got " + real.str() + ")");
  }
  {
    TempDir t;
    Expectations e;
    e.blob_digest = real;
    e.diff_id = other;
    WriteResult r = write_layer(t.fd(), gz, e);
    EXPECT_EQ(r.error, "layer " + real.str() + ": DiffID mismatch (the config says " + other.str() +
                           ", the layer is " + roost::image::sha256_of(tar).str() + ")");
  }
  {
    // More bytes than the manifest says: refused at the write that crosses the size.
    TempDir t;
    Expectations e;
    e.blob_digest = real;
    e.blob_size = static_cast<int64_t>(gz.size()) - 1;
    WriteResult r = write_layer(t.fd(), gz, e, 1000);
    EXPECT_EQ(r.error, "layer " + real.str() + ": size mismatch (more than the " + std::to_string(gz.size() - 1) +
                           " bytes the manifest says)");
  }
  {
    TempDir t;
    Expectations e;
    e.blob_digest = real;
    e.blob_size = static_cast<int64_t>(gz.size()) + 1;
    WriteResult r = write_layer(t.fd(), gz, e);
    EXPECT_EQ(r.error, "layer " + real.str() + ": size mismatch (got " + std::to_string(gz.size()) +
                           " bytes, expected " + std::to_string(gz.size() + 1) + ")");
  }
}

TEST(LayerWriter, TruncatedAndCorruptLayersAreErrors) {
  const std::string tar = sample_layer_tar();
  const std::string gz = gzip_member(tar);
  {
    TempDir t;
    Expectations e;
    e.compression = LayerCompression::Gzip;
    WriteResult r = write_layer(t.fd(), gz.substr(0, gz.size() / 2), e);
    EXPECT_EQ(r.error, "layer: gzip stream truncated");
  }
  {
    // A whole gzip member around a tar cut inside a file's content: the tar reader says so.
    roost::util::StringSink out(1 << 20);
    roost::tar::Writer w(out);
    w.add_file("big", std::string(2000, 'b'));
    w.finish();
    TempDir t;
    Expectations e;
    WriteResult r = write_layer(t.fd(), gzip_member(out.bytes().substr(0, 512 + 1000)), e);
    EXPECT_NE(r.error.find("truncated"), std::string::npos) << r.error;
  }
  {
    // An escape inside an otherwise good layer names the layer and the entry.
    roost::util::StringSink out(1 << 20);
    roost::tar::Writer w(out);
    Entry bad = file("../../etc/cron.d/x");
    bad.size = 1;
    w.begin(bad);
    w.data(reinterpret_cast<const uint8_t*>("x"), 1);
    w.end();
    w.finish();
    TempDir t;
    Expectations e;
    e.blob_digest = roost::image::sha256_of(out.bytes());
    WriteResult r = write_layer(t.fd(), out.bytes(), e);
    EXPECT_EQ(r.error, "layer " + e.blob_digest->str() + ": layer entry \"../../etc/cron.d/x\": \"..\" in the name: refused");
  }
}

// umoci (a real image tool) makes a two-layer image: the second whites out a file and a
// directory's child, and relinks a lower file's inode under a new name. The layers applied by
// LayerWriter, checked against the manifest's digests and the config's DiffIDs, and stacked by the
// kernel's overlayfs must be the tree umoci unpacks.
TEST(LayerWriter, UmociLayersStackToTheTreeUmociUnpacks) {
  if (std::system("command -v umoci >/dev/null 2>&1") != 0) GTEST_SKIP() << "umoci is not installed";
  TempDir t;
  const std::string script = "set -e; cd '" + t.path() + "'; exec >/dev/null 2>&1\n"
      "umoci init --layout oci; umoci new --image oci:t; umoci unpack --rootless --image oci:t b\n"
      "mkdir -p b/rootfs/etc b/rootfs/usr/bin b/rootfs/var/cache\n"
      "echo hi > b/rootfs/etc/motd; echo x > b/rootfs/usr/bin/tool; ln b/rootfs/usr/bin/tool b/rootfs/usr/bin/tool2\n"
      "ln -s tool b/rootfs/usr/bin/sl; echo c > b/rootfs/var/cache/c; chmod 4755 b/rootfs/usr/bin/tool\n"
      "umoci repack --refresh-bundle --image oci:t b\n"
      "rm b/rootfs/etc/motd; rm -r b/rootfs/var/cache; mkdir b/rootfs/var/cache; echo new > b/rootfs/var/cache/other\n"
      "ln b/rootfs/usr/bin/tool b/rootfs/etc/tool3\n"
      "umoci repack --image oci:t b\n"
      "umoci unpack --rootless --image oci:t final\n";
  ASSERT_EQ(std::system(("sh -c \"$(cat <<'EOS'\n" + script + "EOS\n)\"").c_str()), 0);
  auto blob = [&](const std::string& digest) { return roost::read_file(t.at("oci/blobs/sha256/" + digest.substr(7))); };
  auto index = nlohmann::json::parse(roost::read_file(t.at("oci/index.json")));
  auto manifest = nlohmann::json::parse(blob(index["manifests"][0]["digest"]));
  auto config = nlohmann::json::parse(blob(manifest["config"]["digest"]));
  ASSERT_EQ(manifest["layers"].size(), 2u);
  std::vector<std::string> dirs;
  std::vector<UniqueFd> fds;
  for (size_t i = 0; i < 2; ++i) {
    const auto& layer = manifest["layers"][i];
    dirs.push_back(t.sub("layer" + std::to_string(i)));
    fds.emplace_back(::open(dirs.back().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    Expectations e;
    e.blob_digest = Digest::parse(layer["digest"].get<std::string>());
    e.blob_size = layer["size"].get<int64_t>();
    e.diff_id = Digest::parse(config["rootfs"]["diff_ids"][i].get<std::string>());
    // umoci's layers are tar+gzip (image::layer_compression is the model's, not linked here).
    ASSERT_EQ(layer["mediaType"], "application/vnd.oci.image.layer.v1.tar+gzip");
    e.compression = LayerCompression::Gzip;
    ApplyOptions options;
    options.squash_ids = geteuid() != 0;
    LayerWriter w(fds.back().get(), e, options, nullptr);
    const std::string bytes = blob(layer["digest"]);
    w.write(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    ASSERT_NO_THROW(w.finish());
    // usr/bin/tool and tool2 name etc/tool3, a member of the same layer: nothing pending.
    EXPECT_TRUE(w.pending_lower_links().empty());
  }
  const std::string& top = dirs[1];
  EXPECT_TRUE(S_ISCHR(lstat_of(top + "/etc/motd").st_mode));
  EXPECT_TRUE(S_ISCHR(lstat_of(top + "/var/cache/c").st_mode));
  EXPECT_EQ(roost::read_file(top + "/var/cache/other"), "new\n");
  EXPECT_EQ(lstat_of(top + "/usr/bin/tool").st_ino, lstat_of(top + "/etc/tool3").st_ino);
  EXPECT_EQ(lstat_of(top + "/etc/tool3").st_mode & 07777, 04755u);
  if (geteuid() != 0) return;  // the overlay mount below needs root
  const std::string merged = t.sub("merged");
  const std::string opts = "lowerdir=" + dirs[1] + ":" + dirs[0] + ",userxattr";
  if (::mount("overlay", merged.c_str(), "overlay", MS_RDONLY, opts.c_str()) != 0)
    GTEST_SKIP() << "overlay mount with userxattr: " << roost::errno_name(errno);
  const std::string diff = "diff -r --no-dereference '" + merged + "' '" + t.at("final/rootfs") + "'";
  int rc = std::system(diff.c_str());
  const std::string same_inode = "test \"$(stat -c %i '" + merged + "/usr/bin/tool')\" = \"$(stat -c %i '" + merged +
                                 "/etc/tool3')\"";
  int linked = std::system(same_inode.c_str());
  ::umount2(merged.c_str(), MNT_DETACH);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(linked, 0);
}

TEST(LayerWriter, AnUncompressedLayersDiffIdIsItsBlobDigestAndStillChecked) {
  const std::string tar = sample_layer_tar();
  {
    TempDir t;
    Expectations e;
    e.compression = LayerCompression::None;
    e.diff_id = roost::image::sha256_of(tar);
    WriteResult r = write_layer(t.fd(), tar, e);
    EXPECT_EQ(r.error, "(no error)");
    EXPECT_EQ(r.stats.diff_id, roost::image::sha256_of(tar));
    EXPECT_EQ(r.stats.blob_digest, r.stats.diff_id);
    EXPECT_EQ(r.stats.diff_size, static_cast<int64_t>(tar.size()));
  }
  {
    TempDir t;
    Expectations e;
    e.compression = LayerCompression::None;
    e.diff_id = roost::image::sha256_of("another layer");
    WriteResult r = write_layer(t.fd(), tar, e);
    EXPECT_NE(r.error.find("DiffID mismatch"), std::string::npos) << r.error;
  }
}
