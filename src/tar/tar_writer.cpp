#include "tar/tar_writer.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "util/error.hpp"

namespace roost::tar {

namespace {

constexpr size_t kBlock = 512;
constexpr int64_t kMaxOctal11 = 077777777777;  // 12-byte fields: size, mtime
constexpr int64_t kMaxOctal7 = 07777777;       // 8-byte fields: mode, ids, device numbers
const uint8_t kZeros[kBlock] = {};

// Writes `value` as `len - 1` octal digits and a NUL (the form GNU tar and Go write).
void put_octal(uint8_t* field, size_t len, int64_t value) {
  for (size_t i = len - 1; i-- > 0;) {
    field[i] = static_cast<uint8_t>('0' + (value & 7));
    value >>= 3;
  }
  field[len - 1] = 0;
}

void put_text(uint8_t* field, size_t len, const std::string& s) { memcpy(field, s.data(), std::min(len, s.size())); }

// "LENGTH key=value\n", LENGTH counting its own digits.
void add_record(std::string& out, const std::string& key, const std::string& value) {
  const size_t rest = 1 + key.size() + 1 + value.size() + 1;  // " key=value\n"
  size_t length = rest + std::to_string(rest).size();
  if (std::to_string(length).size() != std::to_string(rest).size()) length = rest + std::to_string(length).size();
  out += std::to_string(length);
  out += ' ';
  out += key;
  out += '=';
  out += value;
  out += '\n';
}

std::string pax_time(const timespec& t) {
  // Seconds and a fraction, the fraction without trailing zeros; before the epoch the value is
  // negative and the fraction counts away from zero (-1.25 is 1.25 s before).
  int64_t sec = t.tv_sec;
  long nsec = t.tv_nsec;
  std::string sign;
  if (sec < 0 && nsec > 0) {
    sec += 1;
    nsec = 1000000000 - nsec;
  }
  if (sec < 0 || (sec == 0 && t.tv_sec < 0)) {
    sign = "-";
    sec = -sec;
  }
  std::string s = sign + std::to_string(sec);
  if (nsec != 0) {
    std::string frac = std::to_string(nsec);
    frac.insert(0, 9 - frac.size(), '0');
    while (frac.back() == '0') frac.pop_back();
    s += "." + frac;
  }
  return s;
}

char type_flag(EntryType type) {
  switch (type) {
    case EntryType::Regular: return '0';
    case EntryType::Hardlink: return '1';
    case EntryType::Symlink: return '2';
    case EntryType::CharDevice: return '3';
    case EntryType::BlockDevice: return '4';
    case EntryType::Directory: return '5';
    case EntryType::Fifo: return '6';
  }
  return '0';
}

// Splits `path` into ustar's prefix (155) and name (100) at a "/", when it fits.
bool split_ustar(const std::string& path, std::string& prefix, std::string& name) {
  if (path.size() <= 100) {
    prefix.clear();
    name = path;
    return true;
  }
  if (path.size() > 256) return false;
  for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    if (slash > 155) break;
    if (path.size() - slash - 1 <= 100 && slash + 1 < path.size() && slash > 0) {
      prefix = path.substr(0, slash);
      name = path.substr(slash + 1);
      return true;
    }
  }
  return false;
}

void finish_header(uint8_t* block) {
  memset(block + 148, ' ', 8);
  int64_t sum = 0;
  for (size_t i = 0; i < kBlock; i++) sum += block[i];
  put_octal(block + 148, 7, sum);  // six digits, a NUL, and the space already there
}

void fill_header(uint8_t* block, const std::string& name, const std::string& prefix, const std::string& link,
                 char type, uint32_t mode, int64_t uid, int64_t gid, int64_t size, int64_t mtime,
                 uint32_t major, uint32_t minor) {
  memset(block, 0, kBlock);
  put_text(block + 0, 100, name);
  put_octal(block + 100, 8, mode & 07777);
  put_octal(block + 108, 8, uid);
  put_octal(block + 116, 8, gid);
  put_octal(block + 124, 12, size);
  put_octal(block + 136, 12, mtime);
  block[156] = static_cast<uint8_t>(type);
  put_text(block + 157, 100, link);
  memcpy(block + 257, "ustar\0" "00", 8);
  put_octal(block + 329, 8, major);
  put_octal(block + 337, 8, minor);
  put_text(block + 345, 155, prefix);
  finish_header(block);
}

}  // namespace

Writer::Writer(util::ByteSink& out) : out_(out) {}

void Writer::begin(const Entry& entry) {
  if (open_) throw Error("tar writer: begin() of \"" + entry.path + "\" before end() of the previous member");
  if (entry.path.empty()) throw Error("tar writer: an entry with an empty path");
  if (entry.path.find('\0') != std::string::npos || entry.link_target.find('\0') != std::string::npos)
    throw Error("tar writer: a NUL in the path or link target of \"" + entry.path.substr(0, entry.path.find('\0')) + "\"");
  const bool regular = entry.type == EntryType::Regular;
  if (entry.size < 0 || (!regular && entry.size != 0))
    throw Error("tar writer: a size of " + std::to_string(entry.size) + " for \"" + entry.path + "\"");
  if (entry.mtime.tv_nsec < 0 || entry.mtime.tv_nsec >= 1000000000)
    throw Error("tar writer: a bad mtime fraction for \"" + entry.path + "\"");
  if (entry.dev_major > kMaxOctal7 || entry.dev_minor > kMaxOctal7)
    throw Error("tar writer: device numbers of \"" + entry.path + "\" do not fit in a ustar header");

  // Directories are written "name/", as tar writes them.
  std::string path = entry.path;
  if (entry.type == EntryType::Directory && path.back() != '/') path += '/';
  std::string records, prefix, name;
  if (!split_ustar(path, prefix, name)) {
    add_record(records, "path", path);
    prefix.clear();
    name = path.substr(0, 100);
  }
  std::string link = entry.link_target;
  if (link.size() > 100) {
    add_record(records, "linkpath", link);
    link.resize(100);
  }
  int64_t size = regular ? entry.size : 0;
  if (size > kMaxOctal11) {
    add_record(records, "size", std::to_string(size));
    size = 0;
  }
  int64_t uid = entry.uid, gid = entry.gid;
  if (uid > kMaxOctal7) {
    add_record(records, "uid", std::to_string(uid));
    uid = 0;
  }
  if (gid > kMaxOctal7) {
    add_record(records, "gid", std::to_string(gid));
    gid = 0;
  }
  int64_t mtime = entry.mtime.tv_sec;
  if (mtime < 0 || mtime > kMaxOctal11 || entry.mtime.tv_nsec != 0) {
    add_record(records, "mtime", pax_time(entry.mtime));
    mtime = std::clamp<int64_t>(mtime, 0, kMaxOctal11);
  }
  for (const auto& [xname, value] : entry.xattrs) {
    if (xname.empty() || xname.find('=') != std::string::npos || xname.find('\0') != std::string::npos)
      throw Error("tar writer: a bad xattr name on \"" + entry.path + "\"");
    add_record(records, "SCHILY.xattr." + xname, value);
  }

  uint8_t block[kBlock];
  if (!records.empty()) {
    // The extended header's own name only matters to tars that do not know PAX.
    std::string base = path;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    base = base.substr(base.rfind('/') == std::string::npos ? 0 : base.rfind('/') + 1);
    std::string pax_name = ("PaxHeaders/" + base).substr(0, 100);
    fill_header(block, pax_name, "", "", 'x', 0644, 0, 0, static_cast<int64_t>(records.size()), mtime, 0, 0);
    out_.write(block, kBlock);
    out_.write(reinterpret_cast<const uint8_t*>(records.data()), records.size());
    out_.write(kZeros, (kBlock - records.size() % kBlock) % kBlock);
  }
  fill_header(block, name, prefix, link, type_flag(entry.type), entry.mode, uid, gid, size, mtime,
              entry.dev_major, entry.dev_minor);
  out_.write(block, kBlock);
  remaining_ = regular ? entry.size : 0;
  written_ = 0;
  open_ = true;
}

void Writer::data(const uint8_t* bytes, size_t size) {
  if (!open_) throw Error("tar writer: data() outside a member");
  if (static_cast<uint64_t>(size) > static_cast<uint64_t>(remaining_))
    throw Error("tar writer: more content than the member's size");
  out_.write(bytes, size);
  remaining_ -= static_cast<int64_t>(size);
  written_ += static_cast<int64_t>(size);
}

void Writer::end() {
  if (!open_) throw Error("tar writer: end() outside a member");
  if (remaining_ != 0)
    throw Error("tar writer: the member ended " + std::to_string(remaining_) + " bytes short of its size");
  out_.write(kZeros, (kBlock - static_cast<uint64_t>(written_) % kBlock) % kBlock);
  open_ = false;
}

void Writer::add_file(const std::string& path, const std::string& content, uint32_t mode) {
  Entry e;
  e.path = path;
  e.type = EntryType::Regular;
  e.mode = mode;
  e.size = static_cast<int64_t>(content.size());
  begin(e);
  data(reinterpret_cast<const uint8_t*>(content.data()), content.size());
  end();
}

void Writer::add_directory(const std::string& path, uint32_t mode) {
  Entry e;
  e.path = path;
  e.type = EntryType::Directory;
  e.mode = mode;
  begin(e);
  end();
}

void Writer::finish() {
  if (open_) throw Error("tar writer: finish() inside a member");
  out_.write(kZeros, kBlock);
  out_.write(kZeros, kBlock);
  out_.finish();
}

}  // namespace roost::tar
