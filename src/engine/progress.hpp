// What a pull (or load) tells the user on stderr while it works. On a terminal, one line per
// layer, redrawn in place at most ten times a second, with bytes done/total and the rate; on
// anything else, one plain line when each layer completes ("Copying blob sha256:... done"), so a
// log stays readable; with -q, nothing. Thread-safe: layers report from their own threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace roost::engine {

enum class ProgressMode { Tty, Plain, Quiet };

// Tty when fd 2 is a terminal, else Plain; Quiet when `quiet`.
ProgressMode progress_mode_for_stderr(bool quiet);

// "Copying blob sha256:0123456789ab  12.3MB / 45.6MB  8.1MB/s" (the tty line of one layer);
// `total` < 0 unknown; the rate is "-" for the first quarter second of a blob still copying.
std::string format_blob_line(const std::string& digest, int64_t done, int64_t total, double seconds, bool finished);
// "1.5MB/s"; "-" before there is anything to measure.
std::string format_rate(int64_t bytes, double seconds);

class Progress {
 public:
  explicit Progress(ProgressMode mode, std::FILE* out = stderr);
  ProgressMode mode() const { return mode_; }

  // A line of its own ("Trying to pull ...", "Writing manifest to image destination").
  void message(const std::string& text);
  // A blob that will be copied; returns its slot. Register every blob before the first bytes.
  size_t add_blob(const std::string& digest, int64_t total);
  // A blob that needs no copy ("Copying blob sha256:... skipped: already exists").
  void blob_skipped(const std::string& digest);
  void blob_bytes(size_t slot, int64_t done);
  void blob_done(size_t slot);
  // The tty lines' last drawing (after the last blob_done).
  void finish();

 private:
  struct Blob {
    std::string digest;
    int64_t total = -1, done = 0;
    bool finished = false;
    std::chrono::steady_clock::time_point started, ended;
  };
  void draw_locked(bool force);

  ProgressMode mode_;
  std::FILE* out_;
  std::mutex mu_;
  std::vector<Blob> blobs_;
  size_t drawn_ = 0;  // tty lines on screen that belong to blobs_
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace roost::engine
