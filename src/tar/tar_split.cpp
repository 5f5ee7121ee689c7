#include "tar/tar_split.hpp"

#include <cstring>

#include "util/error.hpp"

namespace roost::tar {

namespace {

constexpr char kMagic[] = "roost-tar-split 1\n";
constexpr size_t kMagicSize = sizeof(kMagic) - 1;
constexpr uint8_t kEnd = 0, kRaw = 1, kContent = 2;
// Raw bytes are flushed as a record once this many are buffered: headers are small, so this
// only bounds what a long run of trailing padding or a huge PAX header keeps in memory.
constexpr size_t kFlushAt = 1 << 20;

void put_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// False when the varint runs past the end or does not fit in 64 bits.
bool get_varint(const std::string& in, size_t& pos, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= in.size()) return false;
    uint8_t byte = static_cast<uint8_t>(in[pos++]);
    if (shift == 63 && byte > 1) return false;
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

// Passes a member's content on and counts it, so a ContentSource that writes more or less than it
// was asked for is an error here and not a corrupt tar further on.
class CountingSink : public util::ByteSink {
 public:
  explicit CountingSink(util::ByteSink& out) : out_(out) {}
  void write(const uint8_t* data, size_t size) override {
    out_.write(data, size);
    count += size;
  }
  void finish() override {}
  uint64_t count = 0;

 private:
  util::ByteSink& out_;
};

void write_string(util::ByteSink& out, const std::string& s) {
  out.write(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace

TarSplitRecorder::TarSplitRecorder(util::ByteSink& out) : out_(out) {}

void TarSplitRecorder::start() {
  if (started_) return;
  started_ = true;
  write_string(out_, std::string(kMagic, kMagicSize));
}

void TarSplitRecorder::flush() {
  start();
  if (pending_.empty()) return;
  std::string head(1, static_cast<char>(kRaw));
  put_varint(head, pending_.size());
  write_string(out_, head);
  write_string(out_, pending_);
  pending_.clear();
}

void TarSplitRecorder::raw(const uint8_t* bytes, size_t size) {
  if (finished_) throw Error("tar-split: raw bytes after the record was finished");
  pending_.append(reinterpret_cast<const char*>(bytes), size);
  if (pending_.size() >= kFlushAt) flush();
}

void TarSplitRecorder::content(const Entry& entry, int64_t size) {
  if (finished_) throw Error("tar-split: content after the record was finished");
  if (size < 0) throw Error("tar-split: negative content size for \"" + entry.path + "\"");
  if (size == 0) return;  // nothing to read back
  flush();
  std::string body;
  put_varint(body, static_cast<uint64_t>(size));
  body += entry.path;
  std::string head(1, static_cast<char>(kContent));
  put_varint(head, body.size());
  write_string(out_, head);
  write_string(out_, body);
}

void TarSplitRecorder::finish() {
  if (finished_) return;
  flush();
  const uint8_t end[2] = {kEnd, 0};
  out_.write(end, 2);
  finished_ = true;
}

void replay_tar_split(const std::string& record, const ContentSource& content, util::ByteSink& out) {
  if (record.compare(0, kMagicSize, kMagic, kMagicSize) != 0)
    throw Error("tar-split: not a roost tar-split record (bad magic)");
  size_t pos = kMagicSize;
  for (;;) {
    const size_t at = pos;
    if (pos >= record.size()) throw Error("tar-split: record truncated (no end record)");
    const uint8_t kind = static_cast<uint8_t>(record[pos++]);
    uint64_t length;
    if (!get_varint(record, pos, length) || length > record.size() - pos)
      throw Error("tar-split: bad record length at offset " + std::to_string(at));
    const size_t body = pos;
    pos += static_cast<size_t>(length);
    switch (kind) {
      case kEnd:
        if (length != 0 || pos != record.size())
          throw Error("tar-split: bytes after the end record at offset " + std::to_string(at));
        return;
      case kRaw:
        out.write(reinterpret_cast<const uint8_t*>(record.data() + body), static_cast<size_t>(length));
        break;
      case kContent: {
        std::string fields = record.substr(body, static_cast<size_t>(length));
        size_t p = 0;
        uint64_t size;
        if (!get_varint(fields, p, size) || size == 0 || size > static_cast<uint64_t>(INT64_MAX))
          throw Error("tar-split: bad content size at offset " + std::to_string(at));
        const std::string path = fields.substr(p);
        CountingSink counted(out);
        content(path, static_cast<int64_t>(size), counted);
        if (counted.count != size)
          throw Error("tar-split: the content of \"" + path + "\" was " + std::to_string(counted.count) +
                      " bytes, not " + std::to_string(size));
        break;
      }
      default:
        throw Error("tar-split: unknown record kind " + std::to_string(kind) + " at offset " + std::to_string(at));
    }
  }
}

}  // namespace roost::tar
