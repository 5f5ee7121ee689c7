// libFuzzer target: a layer's tar as it comes off the network. The reader may only answer with
// entries or a roost::Error; pushed whole or in chunks (sizes taken from the input's first byte)
// it gives the same entries or the same error; and when it accepts a stream, the tar-split
// record it wrote replays that stream byte for byte from the entries' contents.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "tar/tar_reader.hpp"
#include "tar/tar_split.hpp"
#include "util/byte_sink.hpp"
#include "util/error.hpp"

namespace {

struct Member {
  roost::tar::Entry entry;
  std::string content;
};

class Collector : public roost::tar::EntrySink {
 public:
  void begin(const roost::tar::Entry& e) override {
    if (open) abort();
    open = true;
    members.push_back({e, ""});
  }
  void data(const uint8_t* b, size_t n) override {
    if (!open || n == 0) abort();
    members.back().content.append(reinterpret_cast<const char*>(b), n);
    if (members.back().content.size() > static_cast<uint64_t>(members.back().entry.size)) abort();
  }
  void end() override {
    if (!open || members.back().content.size() != static_cast<uint64_t>(members.back().entry.size)) abort();
    open = false;
  }
  bool open = false;
  std::vector<Member> members;
};

std::string summary(const std::vector<Member>& members) {
  std::string out;
  for (const auto& m : members) {
    const auto& e = m.entry;
    out += e.path + '\0' + e.link_target + '\0' + std::to_string(static_cast<int>(e.type)) + ' ' +
           std::to_string(e.mode) + ' ' + std::to_string(e.uid) + ' ' + std::to_string(e.gid) + ' ' +
           std::to_string(e.size) + ' ' + std::to_string(e.mtime.tv_sec) + '.' + std::to_string(e.mtime.tv_nsec) +
           ' ' + std::to_string(e.dev_major) + ',' + std::to_string(e.dev_minor) + '\0' + m.content + '\0';
    for (const auto& [name, value] : e.xattrs) out += name + '=' + value + '\0';
  }
  return out;
}

// Pushes `data` in `chunk`-byte pieces; returns the error, empty when accepted.
std::string read(const uint8_t* data, size_t size, size_t chunk, Collector& sink, roost::tar::RawObserver* observer) {
  roost::tar::Reader reader(sink, observer);
  try {
    for (size_t at = 0; at < size; at += chunk) reader.write(data + at, std::min(chunk, size - at));
    reader.finish();
  } catch (const roost::Error& e) {
    return std::string("error: ") + e.what();
  }
  if (reader.offset() != static_cast<int64_t>(size)) abort();
  return "";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 67;  // small and odd sizes cross every field boundary
  data++;
  size--;

  roost::util::StringSink record(size_t{64} << 20, "tar-split");
  roost::tar::TarSplitRecorder recorder(record);
  Collector whole;
  const std::string whole_error = read(data, size, size + 1, whole, &recorder);
  Collector chunked;
  const std::string chunked_error = read(data, size, chunk, chunked, nullptr);
  if (whole_error != chunked_error) abort();
  if (!whole_error.empty()) {
    // Up to the error, both saw the same members (the last one may have had less content).
    return 0;
  }
  if (summary(whole.members) != summary(chunked.members)) abort();

  recorder.finish();
  roost::util::StringSink out(size + 1, "tar");
  size_t next = 0;
  roost::tar::replay_tar_split(
      record.bytes(),
      [&](const std::string& path, int64_t want, roost::util::ByteSink& sink) {
        while (next < whole.members.size() && whole.members[next].content.empty()) next++;
        if (next >= whole.members.size()) abort();
        const Member& m = whole.members[next++];
        if (m.entry.path != path || static_cast<int64_t>(m.content.size()) != want) abort();
        sink.write(reinterpret_cast<const uint8_t*>(m.content.data()), m.content.size());
      },
      out);
  if (out.bytes().size() != size || out.bytes().compare(0, size, reinterpret_cast<const char*>(data), size) != 0)
    abort();
  return 0;
}
