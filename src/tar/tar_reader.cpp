#include "tar/tar_reader.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <optional>
#include <string>

#include "util/error.hpp"

namespace roost::tar {

namespace {

constexpr size_t kBlock = 512;
// Caps against hostile input: a layer comes from the network and is parsed before anything checks
// what it holds, so no header may make the reader hold more than a few MiB.
constexpr int64_t kMaxPaxHeader = 1 << 20;    // one 'x' or 'g' header's records
constexpr int64_t kMaxName = 64 << 10;        // a GNU 'L'/'K' name, a PAX path or linkpath
constexpr size_t kMaxXattrs = 1024;           // SCHILY.xattr.* records for one member
constexpr size_t kMaxXattrBytes = 1 << 20;    // their names and values together

// The ustar header's fields: offset and length.
struct Field {
  size_t at, len;
};
constexpr Field kName{0, 100}, kMode{100, 8}, kUid{108, 8}, kGid{116, 8}, kSize{124, 12},
    kMtime{136, 12}, kChksum{148, 8}, kLinkname{157, 100}, kDevMajor{329, 8}, kDevMinor{337, 8},
    kPrefix{345, 155};
constexpr size_t kTypeflag = 156, kMagic = 257;

int64_t padding_of(int64_t size) { return (kBlock - static_cast<uint64_t>(size) % kBlock) % kBlock; }

std::string at_offset(int64_t offset) { return " at offset " + std::to_string(offset); }

// A header field as a string: up to its first NUL.
std::string text_field(const uint8_t* block, Field f) {
  const char* p = reinterpret_cast<const char*>(block + f.at);
  return std::string(p, strnlen(p, f.len));
}

// A numeric field: octal digits (padded with spaces or NULs on either side, as the writers of
// different tars do), or GNU's base-256 (first byte 0x80 for positive, 0xff for negative numbers,
// then big-endian two's complement), which GNU tar and Go use for sizes >= 8 GiB, big ids and
// mtimes before 1970. False when the field is neither or does not fit in 63 bits.
bool parse_number(const uint8_t* block, Field f, int64_t& out) {
  const uint8_t* p = block + f.at;
  if (p[0] & 0x80) {
    const uint8_t invert = (p[0] & 0x40) ? 0xff : 0;
    uint64_t value = 0;
    for (size_t i = 0; i < f.len; i++) {
      uint8_t c = p[i] ^ invert;
      if (i == 0) c &= 0x7f;
      if (value >> 56) return false;
      value = value << 8 | c;
    }
    if (value >> 63) return false;
    out = invert ? ~static_cast<int64_t>(value) : static_cast<int64_t>(value);
    return true;
  }
  size_t begin = 0, end = f.len;
  while (begin < end && (p[begin] == ' ' || p[begin] == 0)) begin++;
  while (end > begin && (p[end - 1] == ' ' || p[end - 1] == 0)) end--;
  uint64_t value = 0;
  for (size_t i = begin; i < end; i++) {
    if (p[i] < '0' || p[i] > '7') return false;
    if (value > (static_cast<uint64_t>(INT64_MAX) >> 3)) return false;
    value = value << 3 | static_cast<uint64_t>(p[i] - '0');
  }
  out = static_cast<int64_t>(value);
  return true;
}

// tar accepts the checksum computed over signed or unsigned bytes (some old tars used signed
// chars), with the checksum field itself counted as eight spaces.
bool checksum_ok(const uint8_t* block) {
  int64_t stored;
  if (!parse_number(block, kChksum, stored)) return false;
  int64_t unsigned_sum = 0, signed_sum = 0;
  for (size_t i = 0; i < kBlock; i++) {
    bool in_field = i >= kChksum.at && i < kChksum.at + kChksum.len;
    uint8_t c = in_field ? ' ' : block[i];
    unsigned_sum += c;
    signed_sum += static_cast<int8_t>(c);
  }
  return stored == unsigned_sum || stored == signed_sum;
}

bool all_zero(const uint8_t* block) {
  for (size_t i = 0; i < kBlock; i++)
    if (block[i] != 0) return false;
  return true;
}

std::string type_name(uint8_t type) {
  if (type >= 0x21 && type < 0x7f) return std::string("'") + static_cast<char>(type) + "'";
  static const char hex[] = "0123456789abcdef";
  return std::string("0x") + hex[type >> 4] + hex[type & 15];
}

// A PAX decimal: digits only, no sign, fits in int64.
bool parse_decimal(const std::string& s, int64_t& out) {
  if (s.empty()) return false;
  uint64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    if (value > (static_cast<uint64_t>(INT64_MAX) - 9) / 10) return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  out = static_cast<int64_t>(value);
  return true;
}

// A PAX time: [-]SECONDS[.FRACTION]; the fraction is kept to nanoseconds (further digits cut).
bool parse_pax_time(const std::string& s, timespec& out) {
  bool negative = !s.empty() && s[0] == '-';
  std::string body = negative ? s.substr(1) : s;
  size_t dot = body.find('.');
  std::string whole = body.substr(0, dot);
  int64_t sec;
  if (!parse_decimal(whole, sec)) return false;
  int64_t nsec = 0;
  if (dot != std::string::npos) {
    std::string frac = body.substr(dot + 1);
    if (frac.empty()) return false;
    int digits = 0;
    for (char c : frac) {
      if (c < '0' || c > '9') return false;
      if (digits < 9) {
        nsec = nsec * 10 + (c - '0');
        digits++;
      }
    }
    for (; digits < 9; digits++) nsec *= 10;
  }
  if (negative) {
    sec = -sec;
    if (nsec != 0) {  // -1.25 is 2 seconds before the epoch plus 0.75
      sec -= 1;
      nsec = 1000000000 - nsec;
    }
  }
  out.tv_sec = static_cast<time_t>(sec);
  out.tv_nsec = static_cast<long>(nsec);
  return true;
}

// "./a" -> "a", "./" and "." -> "."; a leading "/" stays, so the applier sees (and refuses) an
// absolute name. A directory loses its trailing "/"s.
std::string normalize_path(std::string path, bool directory) {
  if (directory)
    while (path.size() > 1 && path.back() == '/') path.pop_back();
  size_t start = 0;
  while (path.compare(start, 2, "./") == 0) {
    start += 2;
    while (start < path.size() && path[start] == '/') start++;
  }
  path.erase(0, start);
  if (path.empty() && start > 0) path = ".";
  return path;
}

enum class Phase { Header, Meta, Content, Padding, End, Failed };

}  // namespace

struct Reader::State {
  EntrySink& sink;
  RawObserver* observer;
  Phase phase = Phase::Header;
  uint8_t block[kBlock];
  size_t fill = 0;             // bytes of `block` read so far
  int64_t offset = 0;          // bytes consumed
  int64_t header_offset = 0;   // where the header being read (or the last one) started
  int64_t remaining = 0;       // content or metadata bytes still to come
  int64_t padding = 0;         // padding bytes after them
  bool zero_block = false;     // the previous header block was all zeros

  // A metadata member ('x', 'g', 'L', 'K') being read.
  uint8_t meta_type = 0;
  std::string meta;

  // What metadata members said about the next member.
  bool pending = false;
  int64_t pending_offset = 0;
  std::optional<std::string> gnu_name, gnu_link, pax_path, pax_link;
  std::optional<int64_t> pax_size, pax_uid, pax_gid;
  std::optional<timespec> pax_mtime;
  std::vector<std::pair<std::string, std::string>> xattrs;
  size_t xattr_bytes = 0;

  Entry entry;

  State(EntrySink& s, RawObserver* o) : sink(s), observer(o) {}

  [[noreturn]] void fail(const std::string& what) {
    phase = Phase::Failed;
    throw Error("tar: " + what);
  }

  void clear_pending() {
    pending = false;
    gnu_name.reset();
    gnu_link.reset();
    pax_path.reset();
    pax_link.reset();
    pax_size.reset();
    pax_uid.reset();
    pax_gid.reset();
    pax_mtime.reset();
    xattrs.clear();
    xattr_bytes = 0;
  }

  void consume(const uint8_t* data, size_t size);
  void header();
  void start_meta(uint8_t type, int64_t size);
  void end_meta();
  void parse_pax(bool global);
  void pax_record(const std::string& key, const std::string& value, int64_t at);
  void member(uint8_t type, int64_t header_size);
  void after_data() {
    phase = padding > 0 ? Phase::Padding : Phase::Header;
  }
};

void Reader::State::header() {
  const int64_t at = header_offset;
  if (all_zero(block)) {
    if (pending) fail("metadata header" + at_offset(pending_offset) + " is followed by no member");
    if (zero_block) {
      phase = Phase::End;  // the rest, usually zero padding to a 10240-byte record, is raw
    } else {
      zero_block = true;
    }
    return;
  }
  if (zero_block) fail("a lone zero block before the header" + at_offset(at));
  if (!checksum_ok(block)) fail("bad header checksum" + at_offset(at));
  int64_t size;
  if (!parse_number(block, kSize, size) || size < 0) fail("bad size field in the header" + at_offset(at));
  const uint8_t type = block[kTypeflag];
  switch (type) {
    case 'x':
    case 'g':
      if (size > kMaxPaxHeader)
        fail("PAX header" + at_offset(at) + " is " + std::to_string(size) + " bytes, more than the " +
             std::to_string(kMaxPaxHeader) + " allowed");
      start_meta(type, size);
      return;
    case 'L':
    case 'K':
      if (size > kMaxName)
        fail("GNU long " + std::string(type == 'L' ? "name" : "link") + at_offset(at) + " is " +
             std::to_string(size) + " bytes, more than the " + std::to_string(kMaxName) + " allowed");
      start_meta(type, size);
      return;
    case 'S':
      fail("GNU sparse member" + at_offset(at) +
           ": not supported (image layers should not hold sparse files)");
    case 0:
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
      member(type, size);
      return;
    default:
      fail("unsupported entry type " + type_name(type) + at_offset(at));
  }
}

void Reader::State::start_meta(uint8_t type, int64_t size) {
  if (!pending) pending_offset = header_offset;
  pending = type != 'g' || pending;  // a global header alone does not wait for a member
  meta_type = type;
  meta.clear();
  meta.reserve(static_cast<size_t>(size));
  remaining = size;
  padding = padding_of(size);
  phase = Phase::Meta;
  if (remaining == 0) end_meta();
}

void Reader::State::end_meta() {
  switch (meta_type) {
    case 'x':
      parse_pax(false);
      break;
    case 'g':
      parse_pax(true);
      break;
    case 'L':
    case 'K': {
      // GNU tar writes the name with a terminating NUL, counted in the size.
      std::string name(meta.c_str());
      (meta_type == 'L' ? gnu_name : gnu_link) = std::move(name);
      break;
    }
  }
  meta.clear();
  after_data();
}

// Records are "LENGTH KEY=VALUE\n", LENGTH in decimal counting the whole record (its own digits,
// the space and the newline too). Values may hold any byte (xattrs are binary).
void Reader::State::parse_pax(bool global) {
  const int64_t data_at = header_offset + static_cast<int64_t>(kBlock);
  size_t pos = 0;
  while (pos < meta.size()) {
    const int64_t at = data_at + static_cast<int64_t>(pos);
    size_t i = pos;
    uint64_t length = 0;
    while (i < meta.size() && meta[i] >= '0' && meta[i] <= '9') {
      length = length * 10 + static_cast<uint64_t>(meta[i] - '0');
      if (length > meta.size()) fail("bad PAX record" + at_offset(at) + ": its length runs past the header");
      i++;
    }
    if (i == pos || i >= meta.size() || meta[i] != ' ') fail("bad PAX record" + at_offset(at) + ": no length");
    const size_t end = pos + static_cast<size_t>(length);
    if (end > meta.size()) fail("bad PAX record" + at_offset(at) + ": its length runs past the header");
    if (end < i + 3 || meta[end - 1] != '\n') fail("bad PAX record" + at_offset(at) + ": its length is wrong");
    const size_t key_at = i + 1;
    const size_t eq = meta.find('=', key_at);
    if (eq == std::string::npos || eq >= end - 1 || eq == key_at) fail("bad PAX record" + at_offset(at) + ": no KEY=VALUE");
    std::string key = meta.substr(key_at, eq - key_at);
    if (key.find('\0') != std::string::npos) fail("bad PAX record" + at_offset(at) + ": a NUL in the key");
    if (!global) pax_record(key, meta.substr(eq + 1, end - 1 - (eq + 1)), at);
    pos = end;
  }
}

void Reader::State::pax_record(const std::string& key, const std::string& value, int64_t at) {
  // An empty value deletes the keyword: the ustar field (or GNU name) counts again.
  auto name_value = [&](std::optional<std::string>& slot) {
    if (value.find('\0') != std::string::npos) fail("PAX " + key + at_offset(at) + " holds a NUL");
    if (static_cast<int64_t>(value.size()) > kMaxName)
      fail("PAX " + key + at_offset(at) + " is longer than " + std::to_string(kMaxName) + " bytes");
    if (value.empty()) slot.reset(); else slot = value;
  };
  auto number_value = [&](std::optional<int64_t>& slot, int64_t max) {
    int64_t n;
    if (value.empty()) { slot.reset(); return; }
    if (!parse_decimal(value, n) || n > max) fail("bad PAX " + key + " \"" + value.substr(0, 40) + "\"" + at_offset(at));
    slot = n;
  };
  if (key == "path") {
    name_value(pax_path);
  } else if (key == "linkpath") {
    name_value(pax_link);
  } else if (key == "size") {
    number_value(pax_size, INT64_MAX);
  } else if (key == "uid") {
    number_value(pax_uid, UINT32_MAX);
  } else if (key == "gid") {
    number_value(pax_gid, UINT32_MAX);
  } else if (key == "mtime") {
    timespec t;
    if (value.empty()) pax_mtime.reset();
    else if (!parse_pax_time(value, t)) fail("bad PAX mtime \"" + value.substr(0, 40) + "\"" + at_offset(at));
    else pax_mtime = t;
  } else if (key.compare(0, 13, "SCHILY.xattr.") == 0) {
    std::string name = key.substr(13);
    if (name.empty()) fail("PAX xattr record with no name" + at_offset(at));
    auto same = std::find_if(xattrs.begin(), xattrs.end(), [&](const auto& x) { return x.first == name; });
    if (same != xattrs.end()) {
      xattr_bytes -= same->second.size();
      same->second = value;
      xattr_bytes += value.size();
    } else {
      if (xattrs.size() >= kMaxXattrs) fail("more than " + std::to_string(kMaxXattrs) + " xattrs for one member" + at_offset(at));
      xattr_bytes += name.size() + value.size();
      xattrs.emplace_back(std::move(name), value);
    }
    if (xattr_bytes > kMaxXattrBytes) fail("xattrs of more than " + std::to_string(kMaxXattrBytes) + " bytes for one member" + at_offset(at));
  } else if (key.compare(0, 11, "GNU.sparse.") == 0) {
    fail("GNU sparse member (PAX " + key + ")" + at_offset(at) +
         ": not supported (image layers should not hold sparse files)");
  }
  // Other keys (atime, ctime, uname, gname, comment, charset, hdrcharset, vendor keys) say
  // nothing a layer's files keep.
}

void Reader::State::member(uint8_t type, int64_t header_size) {
  const int64_t at = header_offset;
  const bool ustar = memcmp(block + kMagic, "ustar\0", 6) == 0;    // POSIX: has the prefix field
  const bool gnu = memcmp(block + kMagic, "ustar  \0", 8) == 0;   // GNU: no prefix field
  Entry e;
  if (gnu_name) {
    e.path = *gnu_name;
  } else {
    e.path = text_field(block, kName);
    if (ustar) {
      std::string prefix = text_field(block, kPrefix);
      if (!prefix.empty()) e.path = prefix + "/" + e.path;
    }
  }
  if (pax_path) e.path = *pax_path;
  e.link_target = gnu_link ? *gnu_link : text_field(block, kLinkname);
  if (pax_link) e.link_target = *pax_link;

  int64_t mode, uid, gid, mtime;
  if (!parse_number(block, kMode, mode) || mode < 0) fail("bad mode field in the header" + at_offset(at));
  if (!parse_number(block, kUid, uid) || uid < 0 || uid > UINT32_MAX) fail("bad uid field in the header" + at_offset(at));
  if (!parse_number(block, kGid, gid) || gid < 0 || gid > UINT32_MAX) fail("bad gid field in the header" + at_offset(at));
  if (!parse_number(block, kMtime, mtime)) fail("bad mtime field in the header" + at_offset(at));
  e.mode = static_cast<uint32_t>(mode & 07777);
  e.uid = static_cast<uint32_t>(pax_uid ? *pax_uid : uid);
  e.gid = static_cast<uint32_t>(pax_gid ? *pax_gid : gid);
  if (pax_mtime) e.mtime = *pax_mtime;
  else e.mtime.tv_sec = static_cast<time_t>(mtime);

  switch (type) {
    case 0:  // old tars: a regular file, or a directory when the name ends in "/"
      e.type = !e.path.empty() && e.path.back() == '/' ? EntryType::Directory : EntryType::Regular;
      break;
    case '0':
    case '7':  // contiguous file: a regular file everywhere but on one old system
      e.type = EntryType::Regular;
      break;
    case '1': e.type = EntryType::Hardlink; break;
    case '2': e.type = EntryType::Symlink; break;
    case '3': e.type = EntryType::CharDevice; break;
    case '4': e.type = EntryType::BlockDevice; break;
    case '5': e.type = EntryType::Directory; break;
    case '6': e.type = EntryType::Fifo; break;
  }
  if (e.type == EntryType::CharDevice || e.type == EntryType::BlockDevice) {
    int64_t major = 0, minor = 0;
    if ((ustar || gnu) && (!parse_number(block, kDevMajor, major) || !parse_number(block, kDevMinor, minor) ||
                           major < 0 || major > UINT32_MAX || minor < 0 || minor > UINT32_MAX))
      fail("bad device number fields in the header" + at_offset(at));
    e.dev_major = static_cast<uint32_t>(major);
    e.dev_minor = static_cast<uint32_t>(minor);
  }
  e.path = normalize_path(std::move(e.path), e.type == EntryType::Directory);
  if (e.type == EntryType::Hardlink) e.link_target = normalize_path(std::move(e.link_target), false);
  if (e.type != EntryType::Symlink && e.type != EntryType::Hardlink) e.link_target.clear();
  e.xattrs = std::move(xattrs);
  // Only regular files have content: a size on a link, device, directory or fifo header is
  // ignored, as Go's archive/tar (which wrote most layers) ignores it.
  const int64_t size = pax_size ? *pax_size : header_size;
  e.size = e.type == EntryType::Regular ? size : 0;
  clear_pending();

  entry = std::move(e);
  sink.begin(entry);
  if (entry.type != EntryType::Regular) {
    sink.end();
    phase = Phase::Header;
    return;
  }
  if (observer) observer->content(entry, entry.size);
  remaining = entry.size;
  padding = padding_of(entry.size);
  if (remaining == 0) {
    sink.end();
    after_data();
  } else {
    phase = Phase::Content;
  }
}

Reader::Reader(EntrySink& sink, RawObserver* observer) : state_(std::make_unique<State>(sink, observer)) {}

Reader::~Reader() = default;

int64_t Reader::offset() const { return state_->offset; }

void Reader::write(const uint8_t* data, size_t size) {
  State& s = *state_;
  try {
    s.consume(data, size);
  } catch (...) {
    s.phase = Phase::Failed;  // a sink's error too: the stream cannot go on from the middle
    throw;
  }
}

void Reader::State::consume(const uint8_t* data, size_t size) {
  State& s = *this;
  while (size > 0) {
    size_t take = 0;
    switch (s.phase) {
      case Phase::Header:
        if (s.fill == 0) s.header_offset = s.offset;
        take = std::min(kBlock - s.fill, size);
        memcpy(s.block + s.fill, data, take);
        s.fill += take;
        if (s.observer) s.observer->raw(data, take);
        s.offset += static_cast<int64_t>(take);
        data += take;
        size -= take;
        if (s.fill == kBlock) {
          s.fill = 0;
          s.header();
        }
        continue;
      case Phase::Content:
        // Straight from the caller's buffer, in the largest piece it has.
        take = static_cast<size_t>(std::min<int64_t>(s.remaining, static_cast<int64_t>(size)));
        s.sink.data(data, take);
        s.remaining -= static_cast<int64_t>(take);
        s.offset += static_cast<int64_t>(take);
        data += take;
        size -= take;
        if (s.remaining == 0) {
          s.sink.end();
          s.after_data();
        }
        continue;
      case Phase::Meta:
        take = static_cast<size_t>(std::min<int64_t>(s.remaining, static_cast<int64_t>(size)));
        s.meta.append(reinterpret_cast<const char*>(data), take);
        s.remaining -= static_cast<int64_t>(take);
        break;
      case Phase::Padding:
        take = static_cast<size_t>(std::min<int64_t>(s.padding, static_cast<int64_t>(size)));
        s.padding -= static_cast<int64_t>(take);
        break;
      case Phase::End:
        take = size;
        break;
      case Phase::Failed:
        throw Error("tar: the stream already failed" + at_offset(s.offset));
    }
    if (s.observer) s.observer->raw(data, take);
    s.offset += static_cast<int64_t>(take);
    data += take;
    size -= take;
    if (s.phase == Phase::Meta && s.remaining == 0) s.end_meta();
    else if (s.phase == Phase::Padding && s.padding == 0) s.phase = Phase::Header;
  }
}

void Reader::finish() {
  State& s = *state_;
  switch (s.phase) {
    case Phase::End:
      return;
    case Phase::Header:
      if (s.fill != 0) s.fail("truncated inside the header" + at_offset(s.header_offset));
      if (s.pending) s.fail("truncated: the metadata header" + at_offset(s.pending_offset) + " is followed by no member");
      return;
    case Phase::Content:
      s.fail("truncated inside the content of \"" + s.entry.path + "\"" + at_offset(s.offset));
    case Phase::Meta:
      s.fail("truncated inside the metadata header" + at_offset(s.header_offset));
    case Phase::Padding:
      s.fail("truncated inside the padding" + at_offset(s.offset));
    case Phase::Failed:
      throw Error("tar: the stream already failed" + at_offset(s.offset));
  }
}

}  // namespace roost::tar
