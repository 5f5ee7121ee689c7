// One stage of a streaming pipeline: bytes are pushed in, in order, and finish() says the stream
// ended (where a stage checks what it must see at the end: a digest, a size, a tar's last block).
// Pulls, loads and saves are chains of these, so a layer's bytes pass through memory once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace roost::util {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(const uint8_t* data, size_t size) = 0;
  virtual void finish() = 0;
};

// Collects everything into a string (configs, manifests, small blobs); refuses more than `cap`.
class StringSink : public ByteSink {
 public:
  explicit StringSink(size_t cap, std::string what = "blob") : cap_(cap), what_(std::move(what)) {}
  void write(const uint8_t* data, size_t size) override;
  void finish() override {}
  const std::string& bytes() const { return bytes_; }
  std::string take() { return std::move(bytes_); }

 private:
  size_t cap_;
  std::string what_;
  std::string bytes_;
};

// Writes to an fd (a file, a pipe), all of each chunk, retrying on EINTR.
class FdSink : public ByteSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  void write(const uint8_t* data, size_t size) override;
  void finish() override {}

 private:
  int fd_;
};

}  // namespace roost::util
