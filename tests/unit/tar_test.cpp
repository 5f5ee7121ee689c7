// The tar reader, writer and tar-split record: fixtures made at test time by GNU tar, busybox tar
// and python3's tarfile (each described by python3's tarfile, the oracle), by roost's Writer, and
// hand-built header blocks for the corner cases.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "image/digest.hpp"
#include "tar/tar_reader.hpp"
#include "tar/tar_split.hpp"
#include "tar/tar_writer.hpp"
#include "util/byte_sink.hpp"
#include "util/error.hpp"

namespace tar = roost::tar;
using tar::Entry;
using tar::EntryType;

namespace {

const uint8_t* bytes_of(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

std::string hex(const std::string& s) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

char type_char(EntryType t) {
  switch (t) {
    case EntryType::Regular: return 'f';
    case EntryType::Hardlink: return 'h';
    case EntryType::Symlink: return 'l';
    case EntryType::CharDevice: return 'c';
    case EntryType::BlockDevice: return 'b';
    case EntryType::Directory: return 'd';
    case EntryType::Fifo: return 'p';
  }
  return '?';
}

struct Member {
  Entry entry;
  std::string content;
};

// Collects entries and content; with `stream` set, appends the content there too, so that with a
// StreamObserver on the same string the two rebuild the input (the RawObserver contract).
class Collector : public tar::EntrySink {
 public:
  void begin(const Entry& e) override {
    EXPECT_FALSE(open_) << "begin inside a member";
    open_ = true;
    members.push_back({e, ""});
  }
  void data(const uint8_t* b, size_t n) override {
    EXPECT_TRUE(open_);
    EXPECT_GT(n, 0u);
    members.back().content.append(reinterpret_cast<const char*>(b), n);
    if (stream) stream->append(reinterpret_cast<const char*>(b), n);
  }
  void end() override {
    EXPECT_TRUE(open_);
    EXPECT_EQ(static_cast<int64_t>(members.back().content.size()), members.back().entry.size);
    open_ = false;
  }
  std::vector<Member> members;
  std::string* stream = nullptr;

 private:
  bool open_ = false;
};

class StreamObserver : public tar::RawObserver {
 public:
  explicit StreamObserver(std::string& stream) : stream_(stream) {}
  void raw(const uint8_t* b, size_t n) override { stream_.append(reinterpret_cast<const char*>(b), n); }
  void content(const Entry& e, int64_t size) override {
    EXPECT_EQ(e.size, size);
    EXPECT_EQ(e.type, EntryType::Regular);
    contents++;
  }
  int contents = 0;

 private:
  std::string& stream_;
};

// One line per member, every field the reader fills.
std::string describe(const Member& m) {
  const Entry& e = m.entry;
  std::ostringstream out;
  out << e.path << '\t' << type_char(e.type) << '\t' << e.size << '\t' << std::oct << e.mode << std::dec << '\t'
      << e.uid << '\t' << e.gid << '\t' << e.mtime.tv_sec << '\t' << e.mtime.tv_nsec << '\t' << e.link_target
      << '\t' << e.dev_major << '\t' << e.dev_minor << '\t'
      << (e.type == EntryType::Regular ? roost::image::sha256_of(m.content).hex : "-") << '\t';
  for (size_t i = 0; i < e.xattrs.size(); i++)
    out << (i ? ";" : "") << e.xattrs[i].first << '=' << hex(e.xattrs[i].second);
  return out.str();
}

std::string describe_all(const std::vector<Member>& members) {
  std::string out;
  for (const auto& m : members) out += describe(m) + "\n";
  return out;
}

// Reads `bytes` pushing `chunk` bytes at a time; checks the RawObserver contract on the way.
std::vector<Member> read_tar(const std::string& bytes, size_t chunk = 0) {
  std::string stream;
  Collector sink;
  sink.stream = &stream;
  StreamObserver observer(stream);
  tar::Reader reader(sink, &observer);
  if (chunk == 0) chunk = bytes.size() + 1;
  for (size_t at = 0; at < bytes.size(); at += chunk)
    reader.write(bytes_of(bytes) + at, std::min(chunk, bytes.size() - at));
  reader.finish();
  EXPECT_EQ(reader.offset(), static_cast<int64_t>(bytes.size()));
  EXPECT_TRUE(stream == bytes) << "raw bytes and content do not rebuild the stream";
  return sink.members;
}

// The error message a bad stream gets, pushed whole.
std::string read_error(const std::string& bytes, size_t chunk = 0) {
  try {
    read_tar(bytes, chunk);
  } catch (const roost::Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string record_of(const std::string& bytes, std::vector<Member>* members = nullptr) {
  roost::util::StringSink out(1 << 30, "tar-split");
  tar::TarSplitRecorder recorder(out);
  Collector sink;
  tar::Reader reader(sink, &recorder);
  reader.write(bytes_of(bytes), bytes.size());
  reader.finish();
  recorder.finish();
  if (members) *members = sink.members;
  return out.take();
}

// Replays `record`, serving the members' contents in archive order.
std::string replay(const std::string& record, const std::vector<Member>& members) {
  size_t next = 0;
  roost::util::StringSink out(1 << 30, "tar");
  tar::replay_tar_split(
      record,
      [&](const std::string& path, int64_t size, roost::util::ByteSink& sink) {
        while (next < members.size() && members[next].content.empty()) next++;
        if (next >= members.size()) throw roost::Error("no more content for " + path);
        const Member& m = members[next++];
        EXPECT_EQ(m.entry.path, path);
        EXPECT_EQ(static_cast<int64_t>(m.content.size()), size);
        sink.write(bytes_of(m.content), m.content.size());
      },
      out);
  return out.take();
}

void expect_tar_split_exact(const std::string& bytes) {
  std::vector<Member> members;
  std::string record = record_of(bytes, &members);
  std::string again = replay(record, members);
  EXPECT_EQ(roost::image::sha256_of(again), roost::image::sha256_of(bytes));
  EXPECT_TRUE(again == bytes);
}

// A temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/roost-tar-test.XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
    path = tmpl;
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string path;
};

int run(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

// python3's tarfile describes a tar the way describe() does: the oracle for the reader.
const char* kDescribe = R"PY(
import hashlib, sys, tarfile
def norm(name, isdir):
    if isdir:
        while len(name) > 1 and name.endswith('/'): name = name[:-1]
    start = 0
    while name.startswith('./', start):
        start += 2
        while name.startswith('/', start): start += 1
    out = name[start:]
    return '.' if out == '' and start > 0 else out
def ns(m):
    raw = m.pax_headers.get('mtime')
    if raw is None: return int(m.mtime), 0
    neg = raw.startswith('-'); body = raw[1:] if neg else raw
    whole, _, frac = body.partition('.')
    sec = int(whole); nsec = int((frac + '000000000')[:9]) if frac else 0
    if neg:
        sec = -sec
        if nsec: sec -= 1; nsec = 1000000000 - nsec
    return sec, nsec
with tarfile.open(sys.argv[1]) as tf:
    for m in tf:
        t = 'f' if m.isreg() else 'h' if m.islnk() else 'l' if m.issym() else 'c' if m.ischr() else \
            'b' if m.isblk() else 'd' if m.isdir() else 'p' if m.isfifo() else '?'
        name = norm(m.name.encode('utf-8', 'surrogateescape').decode('utf-8', 'surrogateescape'), m.isdir())
        link = m.linkname
        if m.islnk(): link = norm(link, False)
        if not (m.islnk() or m.issym()): link = ''
        sec, nsec = ns(m)
        digest = hashlib.sha256(tf.extractfile(m).read()).hexdigest() if m.isreg() else '-'
        dev = (m.devmajor, m.devminor) if (m.ischr() or m.isblk()) else (0, 0)
        xattrs = ';'.join(k[13:] + '=' + v.encode('utf-8', 'surrogateescape').hex()
                          for k, v in m.pax_headers.items() if k.startswith('SCHILY.xattr.'))
        line = '\t'.join(str(x) for x in [name, t, m.size if m.isreg() else 0, oct(m.mode & 0o7777)[2:],
                         m.uid, m.gid, sec, nsec, link, dev[0], dev[1], digest, xattrs])
        sys.stdout.buffer.write(line.encode('utf-8', 'surrogateescape') + b'\n')
)PY";

std::string python_describe(const TempDir& dir, const std::string& tar_path) {
  spit(dir.path + "/describe.py", kDescribe);
  const std::string out = dir.path + "/describe.out";
  EXPECT_EQ(run("python3 '" + dir.path + "/describe.py' '" + tar_path + "' > '" + out + "'"), 0);
  return slurp(out);
}

// Makes tars with python3's tarfile in every format it writes.
const char* kPythonTars = R"PY(
import io, sys, tarfile
d = sys.argv[1]
def reg(name, data, **kw):
    ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = 0o644; ti.mtime = 1700000000
    for k, v in kw.items(): setattr(ti, k, v)
    return ti, data
def other(name, type, **kw):
    ti = tarfile.TarInfo(name); ti.type = type; ti.mode = 0o755; ti.mtime = 1700000000
    for k, v in kw.items(): setattr(ti, k, v)
    return ti, None
common = [
    other('./dir/', tarfile.DIRTYPE),
    reg('./dir/file.txt', b'hello\n' * 100, uid=1000, gid=1000, mode=0o4755),
    reg('dir/' + 'd' * 60 + '/' + 'f' * 80 + '.bin', bytes(range(256)) * 7),
    reg('dir/empty', b''),
    reg('dir/one', b'1'), reg('dir/block', b'b' * 512), reg('dir/block1', b'c' * 513),
    other('dir/link', tarfile.SYMTYPE, linkname='file.txt'),
    other('./dir/hard', tarfile.LNKTYPE, linkname='./dir/file.txt'),
    other('dir/fifo', tarfile.FIFOTYPE, mode=0o600),
    other('dev/null', tarfile.CHRTYPE, devmajor=1, devminor=3, mode=0o666),
    other('dev/sda', tarfile.BLKTYPE, devmajor=8, devminor=0, mode=0o660),
]
extended = [
    reg('long/' + 'x' * 150 + '/' + 'y' * 120, b'long name'),
    other('long/link', tarfile.SYMTYPE, linkname='t' * 200),
    reg('bigid', b'id', uid=3000000, gid=4000000),
    reg('old', b'before 1970', mtime=-100),
]
pax_only = [
    reg('frac', b'half a second', mtime=1700000000.5),
    reg('\u00fcn\u00ef/\u0444\u0430\u0439\u043b', b'unicode'),
]
def write(name, fmt, members, **kw):
    with tarfile.open(d + '/' + name, 'w', format=fmt, **kw) as tf:
        for ti, data in members:
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
write('py-ustar.tar', tarfile.USTAR_FORMAT, common)
write('py-gnu.tar', tarfile.GNU_FORMAT, common + extended)
x = reg('xattrs', b'x')
x[0].pax_headers = {'SCHILY.xattr.user.bin': '\udcff\x00a', 'SCHILY.xattr.user.txt': 'hello',
                    'SCHILY.xattr.security.capability': '\x01\x00\x00\x02\udcff'}
write('py-pax.tar', tarfile.PAX_FORMAT, common + extended + pax_only + [x], pax_headers={'comment': 'global'})
)PY";

// A tree for GNU tar and busybox tar: long names and link targets, links, a fifo, xattrs.
const char* kTree = R"SH(
set -e
cd "$1"
mkdir -p src/dir/sub "src/$(printf 'n%.0s' $(seq 1 120))/$(printf 'm%.0s' $(seq 1 110))"
printf 'hello\n' > src/dir/file.txt
head -c 100000 /dev/urandom > src/dir/random.bin
: > src/dir/empty
head -c 512 /dev/zero > src/dir/sub/zeros
echo long > "src/$(printf 'n%.0s' $(seq 1 120))/$(printf 'm%.0s' $(seq 1 110))/file"
ln -s file.txt src/dir/link
ln -s "$(printf 't%.0s' $(seq 1 150))" src/dir/longlink
ln src/dir/file.txt src/dir/hard
mkfifo src/dir/fifo
chmod 1777 src/dir/sub
touch -d '2020-01-02 03:04:05.123456789' src/dir/file.txt
python3 -c "import os; os.setxattr('src/dir/file.txt', 'user.bin', b'\xff\x00a'); os.setxattr('src/dir/file.txt', 'user.t', b'v')" 2>/dev/null || true
tar --format=pax --xattrs -cf gnu-pax.tar -C src .
tar --format=gnu -cf gnu-gnu.tar -C src .
tar --format=posix --sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -cf gnu-posix-sorted.tar -C src dir
busybox tar -cf busybox.tar -C src . 2>/dev/null || busybox tar -c -f busybox.tar -C src dir
)SH";

// Hand-built header blocks for the corner cases.
struct Header {
  uint8_t b[512] = {};
  Header(const std::string& name, char type, int64_t size = 0) {
    memcpy(b, name.data(), std::min<size_t>(name.size(), 100));
    octal(100, 8, 0644);
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, size);
    octal(136, 12, 1700000000);
    b[156] = static_cast<uint8_t>(type);
    memcpy(b + 257, "ustar\0" "00", 8);
  }
  void octal(size_t at, size_t len, int64_t v) {
    for (size_t i = len - 1; i-- > 0; v >>= 3) b[at + i] = static_cast<uint8_t>('0' + (v & 7));
    b[at + len - 1] = 0;
  }
  void field(size_t at, const std::string& bytes) { memcpy(b + at, bytes.data(), bytes.size()); }
  std::string str(bool sign_sum = false) {
    memset(b + 148, ' ', 8);
    int64_t sum = 0;
    for (uint8_t c : b) sum += sign_sum ? static_cast<int8_t>(c) : c;
    if (sum < 0) throw std::runtime_error("negative checksum");
    octal(148, 7, sum);
    return std::string(reinterpret_cast<const char*>(b), 512);
  }
};

std::string padded(const std::string& s) { return s + std::string((512 - s.size() % 512) % 512, '\0'); }
const std::string kEnd(1024, '\0');

std::string pax_record(const std::string& key, const std::string& value) {
  size_t rest = key.size() + value.size() + 3;
  size_t n = rest + std::to_string(rest).size();
  if (std::to_string(n).size() != std::to_string(rest).size()) n = rest + std::to_string(n).size();
  return std::to_string(n) + " " + key + "=" + value + "\n";
}

std::string pax_member(const std::string& records, const std::string& name = "f", const std::string& content = "x") {
  return Header("PaxHeaders/f", 'x', static_cast<int64_t>(records.size())).str() + padded(records) +
         Header(name, '0', static_cast<int64_t>(content.size())).str() + padded(content);
}

class ToolTars : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    spit(dir_->path + "/make.py", kPythonTars);
    spit(dir_->path + "/tree.sh", kTree);
    ASSERT_EQ(run("python3 '" + dir_->path + "/make.py' '" + dir_->path + "'"), 0);
    ASSERT_EQ(run("sh '" + dir_->path + "/tree.sh' '" + dir_->path + "'"), 0);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string path(const std::string& name) { return dir_->path + "/" + name; }
  static TempDir* dir_;
};
TempDir* ToolTars::dir_ = nullptr;

const std::vector<std::string> kToolTars = {"py-ustar.tar", "py-gnu.tar",    "py-pax.tar",
                                            "gnu-pax.tar",  "gnu-gnu.tar",   "gnu-posix-sorted.tar",
                                            "busybox.tar"};

}  // namespace

TEST_F(ToolTars, ReaderAgreesWithPythonTarfile) {
  for (const auto& name : kToolTars) {
    SCOPED_TRACE(name);
    const std::string bytes = slurp(path(name));
    ASSERT_GT(bytes.size(), 1024u);
    EXPECT_EQ(describe_all(read_tar(bytes)), python_describe(*dir_, path(name)));
  }
}

TEST_F(ToolTars, ChunkSizesGiveTheSameResult) {
  for (const auto& name : {"py-pax.tar", "gnu-pax.tar", "py-gnu.tar", "busybox.tar"}) {
    SCOPED_TRACE(name);
    const std::string bytes = slurp(path(name));
    const std::string whole = describe_all(read_tar(bytes));
    for (size_t chunk : {1, 7, 511, 512, 513, 4096}) EXPECT_EQ(describe_all(read_tar(bytes, chunk)), whole) << chunk;
  }
}

TEST_F(ToolTars, FixturesHoldWhatTheTestsAreAbout) {
  // So the agreement above is about PAX, GNU long names, xattrs and every entry type.
  auto pax = read_tar(slurp(path("py-pax.tar")));
  std::map<std::string, Member> by_path;
  for (auto& m : pax) by_path[m.entry.path] = m;
  ASSERT_TRUE(by_path.count("xattrs"));
  ASSERT_EQ(by_path["xattrs"].entry.xattrs.size(), 3u);
  EXPECT_EQ(by_path["xattrs"].entry.xattrs[0], std::make_pair(std::string("user.bin"), std::string("\xff\0a", 3)));
  EXPECT_EQ(by_path["frac"].entry.mtime.tv_nsec, 500000000);
  EXPECT_EQ(by_path["old"].entry.mtime.tv_sec, -100);
  EXPECT_EQ(by_path["bigid"].entry.uid, 3000000u);
  EXPECT_EQ(by_path["long/link"].entry.link_target, std::string(200, 't'));
  EXPECT_EQ(by_path["dev/null"].entry.type, EntryType::CharDevice);
  EXPECT_EQ(by_path["dev/null"].entry.dev_minor, 3u);
  EXPECT_EQ(by_path["dir/hard"].entry.link_target, "dir/file.txt");
  EXPECT_EQ(by_path["dir"].entry.type, EntryType::Directory);
  EXPECT_EQ(by_path["dir/file.txt"].entry.mode, 04755u);
  auto gnu = read_tar(slurp(path("py-gnu.tar")));
  bool long_name = false;
  for (auto& m : gnu) long_name |= m.entry.path == "long/" + std::string(150, 'x') + "/" + std::string(120, 'y');
  EXPECT_TRUE(long_name);
  const std::string raw = slurp(path("py-gnu.tar"));
  EXPECT_NE(raw.find("././@LongLink"), std::string::npos);  // the GNU 'L' header is there
  for (auto& m : gnu) {
    if (m.entry.path == "old") { EXPECT_EQ(m.entry.mtime.tv_sec, -100); }  // base-256, negative
  }
  // GNU tar pads to a 10240-byte record: the end is followed by more zeros.
  EXPECT_EQ(slurp(path("gnu-pax.tar")).size() % 10240, 0u);
}

TEST_F(ToolTars, TarSplitReplaysEveryFixtureByteForByte) {
  for (const auto& name : kToolTars) {
    SCOPED_TRACE(name);
    expect_tar_split_exact(slurp(path(name)));
  }
}

TEST(TarReader, NamesAreNormalised) {
  std::string t = Header("./a", '0').str() + Header("./", '5').str() + Header("/abs", '0').str() +
                  Header("d//", '5').str() + Header(".//x", '0').str() + Header("old/", '\0').str() +
                  Header("old", '\0').str() + Header("f", '7').str() + kEnd;
  auto m = read_tar(t);
  ASSERT_EQ(m.size(), 8u);
  EXPECT_EQ(m[0].entry.path, "a");
  EXPECT_EQ(m[1].entry.path, ".");
  EXPECT_EQ(m[2].entry.path, "/abs");  // kept: the applier refuses absolute names
  EXPECT_EQ(m[3].entry.path, "d");
  EXPECT_EQ(m[4].entry.path, "x");
  EXPECT_EQ(m[5].entry.type, EntryType::Directory);
  EXPECT_EQ(m[5].entry.path, "old");
  EXPECT_EQ(m[6].entry.type, EntryType::Regular);
  EXPECT_EQ(m[7].entry.type, EntryType::Regular);
}

TEST(TarReader, UstarPrefixJoinsTheName) {
  Header h("name", '0');
  h.field(345, "the/prefix");
  auto m = read_tar(h.str() + kEnd);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].entry.path, "the/prefix/name");
  // GNU's magic has no prefix field (it holds times there).
  Header g("name", '0');
  g.field(257, std::string("ustar  \0", 8));
  g.field(345, "00000000000");
  EXPECT_EQ(read_tar(g.str() + kEnd)[0].entry.path, "name");
}

TEST(TarReader, ChecksumSignedOrUnsigned) {
  Header h("\xe9t\xe9", '0');  // high bytes: the signed and unsigned sums differ
  EXPECT_EQ(read_tar(h.str(false) + kEnd).size(), 1u);
  EXPECT_EQ(read_tar(h.str(true) + kEnd).size(), 1u);
  std::string bad = Header("a", '0').str() + Header("b", '0').str();
  bad[512 + 1] = 'X';
  EXPECT_EQ(read_error(bad), "tar: bad header checksum at offset 512");
  EXPECT_EQ(read_error(bad, 1), "tar: bad header checksum at offset 512");
}

TEST(TarReader, EndBlocksAndWhatFollows) {
  std::string t = Header("a", '0', 3).str() + padded("abc") + kEnd + std::string(10240 - 2048, '\0') + "junk";
  auto m = read_tar(t);  // read_tar checks that the junk reached the observer
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].content, "abc");
  // No end blocks, a lone zero block at the end: accepted, as tar does.
  EXPECT_EQ(read_tar(Header("a", '0').str()).size(), 1u);
  EXPECT_EQ(read_tar(Header("a", '0').str() + std::string(512, '\0')).size(), 1u);
  EXPECT_EQ(read_tar("").size(), 0u);
  // A zero block and then a header is not an end.
  EXPECT_EQ(read_error(std::string(512, '\0') + Header("a", '0').str()),
            "tar: a lone zero block before the header at offset 512");
}

TEST(TarReader, TruncationIsAnErrorAtFinish) {
  std::string t = Header("a", '0', 1000).str() + padded(std::string(1000, 'z')) + kEnd;
  EXPECT_EQ(read_error(t.substr(0, 100)), "tar: truncated inside the header at offset 0");
  EXPECT_EQ(read_error(t.substr(0, 900)), "tar: truncated inside the content of \"a\" at offset 900");
  EXPECT_EQ(read_error(t.substr(0, 1520), 3), "tar: truncated inside the padding at offset 1520");
  EXPECT_EQ(read_error(t.substr(0, 1536)).find("(no error)"), 0u);  // at a member boundary
  std::string pax = pax_member(pax_record("path", "p"));
  EXPECT_EQ(read_error(pax.substr(0, 515)), "tar: truncated inside the metadata header at offset 0");
  EXPECT_EQ(read_error(pax.substr(0, 700)), "tar: truncated inside the padding at offset 700");
  EXPECT_EQ(read_error(pax.substr(0, 1024)),
            "tar: truncated: the metadata header at offset 0 is followed by no member");
  EXPECT_EQ(read_error(pax.substr(0, 1024) + kEnd), "tar: metadata header at offset 0 is followed by no member");
}

TEST(TarReader, PaxRecords) {
  std::string records = pax_record("path", "a/very/long/" + std::string(300, 'p')) + pax_record("linkpath", "ignored") +
                        pax_record("uid", "4294967295") + pax_record("gid", "7") +
                        pax_record("mtime", "1700000000.123456789123") + pax_record("atime", "1.5") +
                        pax_record("SCHILY.xattr.user.a", std::string("\0\n=\xff", 4)) +
                        pax_record("SCHILY.xattr.user.b", "") + pax_record("size", "5");
  auto m = read_tar(pax_member(records, "short", "hello") + Header("next", '0').str() + kEnd);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].entry.path, "a/very/long/" + std::string(300, 'p'));
  EXPECT_EQ(m[0].entry.link_target, "");  // a linkpath means nothing on a regular file
  EXPECT_EQ(m[0].entry.uid, 4294967295u);
  EXPECT_EQ(m[0].entry.gid, 7u);
  EXPECT_EQ(m[0].entry.mtime.tv_sec, 1700000000);
  EXPECT_EQ(m[0].entry.mtime.tv_nsec, 123456789);
  ASSERT_EQ(m[0].entry.xattrs.size(), 2u);
  EXPECT_EQ(m[0].entry.xattrs[0].second, std::string("\0\n=\xff", 4));
  EXPECT_EQ(m[0].entry.xattrs[1].second, "");
  EXPECT_EQ(m[0].content, "hello");
  // 'x' applies to the next member only.
  EXPECT_EQ(m[1].entry.path, "next");
  EXPECT_EQ(m[1].entry.uid, 0u);
  EXPECT_TRUE(m[1].entry.xattrs.empty());
  // Negative times keep the fraction.
  auto n = read_tar(pax_member(pax_record("mtime", "-1.25")) + kEnd);
  EXPECT_EQ(n[0].entry.mtime.tv_sec, -2);
  EXPECT_EQ(n[0].entry.mtime.tv_nsec, 750000000);
  // An empty value deletes the keyword: the header's name counts again.
  EXPECT_EQ(read_tar(pax_member(pax_record("path", "x") + pax_record("path", ""), "hdr") + kEnd)[0].entry.path, "hdr");
  // A global header is read and ignored.
  std::string g = pax_record("path", "global") + pax_record("uid", "9");
  auto gm = read_tar(Header("g", 'g', static_cast<int64_t>(g.size())).str() + padded(g) + Header("f", '0').str() + kEnd);
  ASSERT_EQ(gm.size(), 1u);
  EXPECT_EQ(gm[0].entry.path, "f");
  EXPECT_EQ(gm[0].entry.uid, 0u);
}

TEST(TarReader, BadPaxRecordsAreRefused) {
  auto err = [](const std::string& records) { return read_error(pax_member(records) + kEnd); };
  EXPECT_EQ(err("11 path=ab\n"), "(no error)");
  EXPECT_EQ(err("10 path=ab\n"), "tar: bad PAX record at offset 512: its length is wrong");
  EXPECT_EQ(err("12 path=ab\n"), "tar: bad PAX record at offset 512: its length runs past the header");
  EXPECT_EQ(err("11 path=ab\n" "9 x"), "tar: bad PAX record at offset 523: its length runs past the header");
  EXPECT_EQ(err("11 path=ab\n" "3 x"), "tar: bad PAX record at offset 523: its length is wrong");
  EXPECT_EQ(err("11 pathxab\n"), "tar: bad PAX record at offset 512: no KEY=VALUE");
  EXPECT_EQ(err("11 =pathab\n"), "tar: bad PAX record at offset 512: no KEY=VALUE");
  EXPECT_EQ(err("11 path=abX"), "tar: bad PAX record at offset 512: its length is wrong");
  EXPECT_EQ(err("5 p=\n" "5 a=\n"), "(no error)");
  EXPECT_EQ(err("a0 path=ab\n"), "tar: bad PAX record at offset 512: no length");
  EXPECT_EQ(err("-1 path=ab\n"), "tar: bad PAX record at offset 512: no length");
  EXPECT_EQ(err("99999999999999999999999 x=y\n"), "tar: bad PAX record at offset 512: its length runs past the header");
  EXPECT_EQ(err(pax_record("path", std::string("a\0b", 3))), "tar: PAX path at offset 512 holds a NUL");
  EXPECT_EQ(err(pax_record("size", "-1")), "tar: bad PAX size \"-1\" at offset 512");
  EXPECT_EQ(err(pax_record("uid", "4294967296")), "tar: bad PAX uid \"4294967296\" at offset 512");
  EXPECT_EQ(err(pax_record("mtime", "1.")), "tar: bad PAX mtime \"1.\" at offset 512");
  EXPECT_EQ(err(pax_record("mtime", "1e5")), "tar: bad PAX mtime \"1e5\" at offset 512");
  EXPECT_EQ(err(pax_record("GNU.sparse.major", "1")),
            "tar: GNU sparse member (PAX GNU.sparse.major) at offset 512: not supported (image layers should not "
            "hold sparse files)");
  EXPECT_EQ(err(pax_record("SCHILY.xattr.", "v")), "tar: PAX xattr record with no name at offset 512");
}

TEST(TarReader, HostileSizesAreCapped) {
  EXPECT_EQ(read_error(Header("p", 'x', 2 << 20).str()),
            "tar: PAX header at offset 0 is 2097152 bytes, more than the 1048576 allowed");
  EXPECT_EQ(read_error(Header("././@LongLink", 'L', 1 << 20).str()),
            "tar: GNU long name at offset 0 is 1048576 bytes, more than the 65536 allowed");
  EXPECT_EQ(read_error(pax_member(pax_record("path", std::string(70000, 'a'))) + kEnd),
            "tar: PAX path at offset 512 is longer than 65536 bytes");
  std::string many;
  for (int i = 0; i < 1025; i++) many += pax_record("SCHILY.xattr.user." + std::to_string(i), "v");
  EXPECT_EQ(read_error(pax_member(many) + kEnd).find("tar: more than 1024 xattrs for one member at offset"), 0u);
  // A base-256 size far beyond the stream: the member starts, and the end says it was cut.
  Header huge("huge", '0');
  huge.field(124, std::string("\x80\0\0\0\x40\0\0\0\0\0\0\0", 12));
  EXPECT_EQ(read_error(huge.str() + "abc"), "tar: truncated inside the content of \"huge\" at offset 515");
  Collector sink;
  tar::Reader reader(sink);
  std::string h = huge.str();
  reader.write(bytes_of(h), h.size());
  ASSERT_EQ(sink.members.size(), 1u);
  EXPECT_EQ(sink.members[0].entry.size, int64_t{1} << 62);
  // Past 63 bits, in octal or base-256: refused.
  Header over("o", '0');
  over.field(124, std::string("\x80\x80\0\0\0\0\0\0\0\0\0\0", 12));
  EXPECT_EQ(read_error(over.str()), "tar: bad size field in the header at offset 0");
  Header spaced("o", '0');
  spaced.field(124, "0000 000001\0");
  EXPECT_EQ(read_error(spaced.str()), "tar: bad size field in the header at offset 0");
  Header negative("n", '0');
  negative.field(124, std::string(12, '\xff'));
  EXPECT_EQ(read_error(negative.str()), "tar: bad size field in the header at offset 0");
  Header digits("d", '0');
  digits.field(124, "0000000009\0");
  EXPECT_EQ(read_error(digits.str()), "tar: bad size field in the header at offset 0");
}

TEST(TarReader, GnuLongNamesAndBase256) {
  std::string name = "deep/" + std::string(300, 'n');
  std::string link = std::string(200, 'l');
  std::string t = Header("././@LongLink", 'L', static_cast<int64_t>(name.size() + 1)).str() + padded(name + '\0') +
                  Header("././@LongLink", 'K', static_cast<int64_t>(link.size() + 1)).str() + padded(link + '\0');
  Header sym("trunc", '2');
  sym.field(108, std::string("\x80\0\0\0\0\x2d\xc6\xc0", 8));  // uid 3000000 in base-256
  sym.field(136, std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x9c", 12));  // -100
  t += sym.str() + kEnd;
  auto m = read_tar(t);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].entry.path, name);
  EXPECT_EQ(m[0].entry.link_target, link);
  EXPECT_EQ(m[0].entry.type, EntryType::Symlink);
  EXPECT_EQ(m[0].entry.uid, 3000000u);
  EXPECT_EQ(m[0].entry.mtime.tv_sec, -100);
  // PAX wins over GNU names, as in GNU tar and Go.
  std::string both = Header("././@LongLink", 'L', 4).str() + padded(std::string("gnu\0", 4)) +
                     pax_member(pax_record("path", "pax"), "hdr") + kEnd;
  EXPECT_EQ(read_tar(both)[0].entry.path, "pax");
}

TEST(TarReader, UnsupportedTypesAreRefused) {
  EXPECT_EQ(read_error(Header("s", 'S').str()),
            "tar: GNU sparse member at offset 0: not supported (image layers should not hold sparse files)");
  EXPECT_EQ(read_error(Header("a", '0').str() + Header("v", 'V').str()), "tar: unsupported entry type 'V' at offset 512");
  EXPECT_EQ(read_error(Header("v", '\x01').str()), "tar: unsupported entry type 0x01 at offset 0");
}

TEST(TarReader, NonRegularMembersHaveNoContent) {
  // A size on a link or a directory header is not content (Go's archive/tar reads it so too).
  std::string t = Header("d/", '5', 700).str() + Header("l", '2', 700).str() + Header("f", '0', 1).str() +
                  padded("1") + kEnd;
  auto m = read_tar(t);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].entry.size, 0);
  EXPECT_EQ(m[1].entry.size, 0);
  EXPECT_EQ(m[2].content, "1");
}

TEST(TarReader, AfterAnErrorTheReaderRefuses) {
  Collector sink;
  tar::Reader reader(sink);
  std::string bad(512, 'x');
  EXPECT_THROW(reader.write(bytes_of(bad), bad.size()), roost::Error);
  EXPECT_THROW(reader.write(bytes_of(bad), 1), roost::Error);
  EXPECT_THROW(reader.finish(), roost::Error);
}

namespace {

std::vector<Member> writer_members() {
  std::vector<Member> out;
  auto add = [&](const std::string& path, EntryType type, const std::string& content = "") {
    Member m;
    m.entry.path = path;
    m.entry.type = type;
    m.entry.mode = type == EntryType::Directory ? 0755 : 0644;
    m.entry.size = type == EntryType::Regular ? static_cast<int64_t>(content.size()) : 0;
    m.entry.mtime.tv_sec = 1700000000;
    m.content = content;
    out.push_back(m);
    return &out.back();
  };
  add("blobs", EntryType::Directory);
  add("blobs/sha256", EntryType::Directory);
  add("blobs/sha256/" + std::string(64, 'a'), EntryType::Regular, std::string(1000, 'q'));
  add("index.json", EntryType::Regular, "{}");
  add("empty", EntryType::Regular);
  add(std::string(90, 'p') + "/" + std::string(99, 'q'), EntryType::Regular, "prefix split");
  add("long/" + std::string(300, 'x'), EntryType::Regular, "pax path");
  add("link", EntryType::Symlink)->entry.link_target = std::string(150, 't');
  add("hard", EntryType::Hardlink)->entry.link_target = "index.json";
  Member* ids = add("ids", EntryType::Regular, "big ids");
  ids->entry.uid = 3000000;
  ids->entry.gid = 100000000;
  ids->entry.mode = 04755;
  Member* frac = add("frac", EntryType::Regular, "f");
  frac->entry.mtime = {1700000000, 123456789};
  add("before", EntryType::Regular, "b")->entry.mtime = {-2, 750000000};
  Member* x = add("xattr", EntryType::Regular, "x");
  x->entry.xattrs = {{"user.bin", std::string("\0\xff\n", 3)}, {"security.capability", "cap"}};
  Member* dev = add("dev/null", EntryType::CharDevice);
  dev->entry.dev_major = 1;
  dev->entry.dev_minor = 3;
  add("dev/sda", EntryType::BlockDevice)->entry.dev_major = 8;
  add("fifo", EntryType::Fifo);
  add("\xc3\xbc" "n\xc3\xaf" "c\xc3\xb6" "de", EntryType::Regular, "utf-8");
  return out;
}

std::string write_tar(const std::vector<Member>& members) {
  roost::util::StringSink out(1 << 30, "tar");
  tar::Writer writer(out);
  for (const auto& m : members) {
    writer.begin(m.entry);
    if (!m.content.empty()) {
      // In two pieces, so data() is called more than once.
      writer.data(bytes_of(m.content), 1);
      writer.data(bytes_of(m.content) + 1, m.content.size() - 1);
    }
    writer.end();
  }
  writer.finish();
  return out.take();
}

}  // namespace

TEST(TarWriter, RoundTripsThroughTheReader) {
  auto members = writer_members();
  std::string bytes = write_tar(members);
  EXPECT_EQ(bytes.size() % 512, 0u);
  EXPECT_EQ(bytes.substr(bytes.size() - 1024), kEnd);
  auto back = read_tar(bytes);
  EXPECT_EQ(describe_all(back), describe_all(members));
  EXPECT_EQ(describe_all(read_tar(bytes, 1)), describe_all(members));
  expect_tar_split_exact(bytes);
  // Deterministic: the same entries give the same bytes.
  EXPECT_EQ(write_tar(members), bytes);
}

TEST(TarWriter, GnuTarAndPythonReadIt) {
  TempDir dir;
  auto members = writer_members();
  spit(dir.path + "/w.tar", write_tar(members));
  EXPECT_EQ(python_describe(dir, dir.path + "/w.tar"), describe_all(members));
  // GNU tar lists it without a warning and extracts the xattrs and times it holds.
  ASSERT_EQ(run("tar -tvf '" + dir.path + "/w.tar' > '" + dir.path + "/list' 2> '" + dir.path + "/err'"), 0);
  EXPECT_EQ(slurp(dir.path + "/err"), "");
  std::string list = slurp(dir.path + "/list");
  EXPECT_NE(list.find("long/" + std::string(300, 'x')), std::string::npos);
  EXPECT_NE(list.find("3000000/100000000"), std::string::npos);
  EXPECT_NE(list.find("link -> " + std::string(150, 't')), std::string::npos);
  EXPECT_NE(list.find("hard link to index.json"), std::string::npos);
  EXPECT_NE(list.find("1,3"), std::string::npos);
  ASSERT_EQ(run("mkdir '" + dir.path + "/x' && tar --xattrs --xattrs-include='user.*' -xf '" + dir.path +
                "/w.tar' -C '" + dir.path + "/x' frac xattr blobs 2>/dev/null"),
            0);
  EXPECT_EQ(slurp(dir.path + "/x/blobs/sha256/" + std::string(64, 'a')), std::string(1000, 'q'));
  EXPECT_EQ(run("python3 -c \"import os, sys; p = sys.argv[1]; "
                "assert os.stat(p + '/frac').st_mtime_ns == 1700000000123456789; "
                "assert os.getxattr(p + '/xattr', 'user.bin') == b'\\x00\\xff\\n'\" '" + dir.path + "/x'"),
            0);
}

TEST(TarWriter, RefusesMisuse) {
  roost::util::StringSink out(1 << 20, "tar");
  tar::Writer writer(out);
  Entry e;
  e.path = "f";
  e.size = 3;
  writer.begin(e);
  EXPECT_THROW(writer.begin(e), roost::Error);
  EXPECT_THROW(writer.data(bytes_of("abcd"), 4), roost::Error);
  writer.data(bytes_of("ab"), 2);
  EXPECT_THROW(writer.end(), roost::Error);
  EXPECT_THROW(writer.finish(), roost::Error);
  writer.data(bytes_of("c"), 1);
  writer.end();
  Entry bad;
  bad.path = std::string("a\0b", 3);
  EXPECT_THROW(writer.begin(bad), roost::Error);
  Entry dir;
  dir.path = "d";
  dir.type = EntryType::Directory;
  dir.size = 1;
  EXPECT_THROW(writer.begin(dir), roost::Error);
  // A size over ustar's 8 GiB goes to PAX; the reader gets it back.
  Entry big;
  big.path = "big";
  big.size = int64_t{9} << 30;
  roost::util::StringSink big_out(1 << 20, "tar");
  tar::Writer big_writer(big_out);
  big_writer.begin(big);
  Collector sink;
  tar::Reader reader(sink);
  reader.write(bytes_of(big_out.bytes()), big_out.bytes().size());
  ASSERT_EQ(sink.members.size(), 1u);
  EXPECT_EQ(sink.members[0].entry.size, int64_t{9} << 30);
  EXPECT_NE(big_out.bytes().find("size=9663676416\n"), std::string::npos);
}

TEST(TarSplit, RefusesBadRecords) {
  auto members = writer_members();
  std::string bytes = write_tar(members);
  std::string record = record_of(bytes);
  EXPECT_EQ(record.compare(0, 18, "roost-tar-split 1\n"), 0);
  auto error_of = [&](const std::string& r) -> std::string {
    try {
      replay(r, members);
    } catch (const roost::Error& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_EQ(error_of(record), "(no error)");
  EXPECT_EQ(error_of("not a record"), "tar-split: not a roost tar-split record (bad magic)");
  EXPECT_EQ(error_of(record.substr(0, record.size() - 2)), "tar-split: record truncated (no end record)");
  EXPECT_EQ(error_of(record + "x").find("tar-split: bytes after the end record"), 0u);
  EXPECT_EQ(error_of(record.substr(0, 18) + "\x07\x01x" + record.substr(record.size() - 2)),
            "tar-split: unknown record kind 7 at offset 18");
  EXPECT_EQ(error_of(record.substr(0, 18) + "\x01\xff\xff\xff\xff\x0f"), "tar-split: bad record length at offset 18");
  // A content source that serves too little is caught at the record, not later.
  roost::util::StringSink out(1 << 30, "tar");
  EXPECT_THROW(tar::replay_tar_split(
                   record, [](const std::string&, int64_t, roost::util::ByteSink& s) { s.write(bytes_of("x"), 1); }, out),
               roost::Error);
}

TEST(TarSplit, RecordsOnlyHeadersAndSizes) {
  // A 1 MiB member costs a few bytes of record, not a MiB.
  std::vector<Member> members(1);
  members[0].entry.path = "big";
  members[0].content = std::string(1 << 20, 'b');
  members[0].entry.size = 1 << 20;
  std::string bytes = write_tar(members);
  std::string record = record_of(bytes);
  EXPECT_LT(record.size(), 3000u);
  EXPECT_EQ(replay(record, members), bytes);
}

// The outer archive of `roost save --format oci-archive`: an OCI layout inside a tar that the
// Writer makes. skopeo reads it back and checks every blob's digest on the way.
TEST(TarWriter, SkopeoReadsAnOciArchive) {
  if (run("command -v skopeo >/dev/null") != 0) GTEST_SKIP() << "skopeo is not installed";
  TempDir dir;
  // The layer: a tar of one file, also from the Writer.
  roost::util::StringSink layer_out(1 << 20, "layer");
  tar::Writer layer_writer(layer_out);
  layer_writer.add_directory("etc");
  layer_writer.add_file("etc/hello", "hello from roost\n");
  layer_writer.finish();
  const std::string layer = layer_out.take();
  const auto diff_id = roost::image::sha256_of(layer);
  const std::string config = R"({"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[")" +
                             diff_id.str() + R"("]}})";
  const auto config_digest = roost::image::sha256_of(config);
  const std::string manifest =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
      config_digest.str() + R"(","size":)" + std::to_string(config.size()) +
      R"(},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":")" + diff_id.str() +
      R"(","size":)" + std::to_string(layer.size()) + "}]}";
  const auto manifest_digest = roost::image::sha256_of(manifest);
  const std::string index =
      R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
      manifest_digest.str() + R"(","size":)" + std::to_string(manifest.size()) +
      R"(,"annotations":{"org.opencontainers.image.ref.name":"test"}}]})";

  const int fd = ::open((dir.path + "/image.tar").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  roost::util::FdSink file(fd);
  tar::Writer writer(file);
  writer.add_file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  writer.add_file("index.json", index);
  writer.add_directory("blobs");
  writer.add_directory("blobs/sha256");
  for (const auto* blob : {&layer, &config, &manifest})
    writer.add_file("blobs/sha256/" + roost::image::sha256_of(*blob).hex, *blob);
  writer.finish();
  ::close(fd);

  const std::string inspect = dir.path + "/inspect.json";
  ASSERT_EQ(run("skopeo inspect --raw 'oci-archive:" + dir.path + "/image.tar:test' > '" + inspect + "'"), 0);
  EXPECT_EQ(slurp(inspect), manifest);
  ASSERT_EQ(run("skopeo copy -q 'oci-archive:" + dir.path + "/image.tar:test' 'dir:" + dir.path + "/copy'"), 0);
  EXPECT_EQ(slurp(dir.path + "/copy/" + diff_id.hex), layer);
}
