#include "engine/progress.hpp"

#include <unistd.h>

#include "engine/humanize.hpp"

namespace roost::engine {
namespace {

using Clock = std::chrono::steady_clock;

std::string short_digest(const std::string& digest) {
  size_t colon = digest.find(':');
  return colon == std::string::npos ? digest.substr(0, 12) : digest.substr(0, colon + 1 + 12);
}

}  // namespace

ProgressMode progress_mode_for_stderr(bool quiet) {
  if (quiet) return ProgressMode::Quiet;
  return ::isatty(2) ? ProgressMode::Tty : ProgressMode::Plain;
}

std::string format_rate(int64_t bytes, double seconds) {
  if (seconds <= 0.0 || bytes <= 0) return "-";
  return human_size(static_cast<double>(bytes) / seconds, 3) + "/s";
}

std::string format_blob_line(const std::string& digest, int64_t done, int64_t total, double seconds, bool finished) {
  std::string line = "Copying blob " + short_digest(digest) + "  " + human_size(static_cast<double>(done), 3);
  if (total >= 0) line += " / " + human_size(static_cast<double>(total), 3);
  // The first fraction of a second says nothing about the rate (one buffer arrived at once).
  line += "  " + (finished || seconds >= 0.25 ? format_rate(done, seconds) : std::string("-"));
  if (finished) line += "  done";
  return line;
}

Progress::Progress(ProgressMode mode, std::FILE* out) : mode_(mode), out_(out) {}

void Progress::message(const std::string& text) {
  if (mode_ == ProgressMode::Quiet) return;
  std::lock_guard lock(mu_);
  std::fprintf(out_, "%s\n", text.c_str());
  // Lines printed below the blobs' block: redraw the block below them from now on.
  if (mode_ == ProgressMode::Tty) drawn_ = 0;
  std::fflush(out_);
}

size_t Progress::add_blob(const std::string& digest, int64_t total) {
  std::lock_guard lock(mu_);
  Blob b;
  b.digest = digest;
  b.total = total;
  b.started = Clock::now();
  blobs_.push_back(b);
  return blobs_.size() - 1;
}

void Progress::blob_skipped(const std::string& digest) {
  if (mode_ == ProgressMode::Quiet) return;
  std::lock_guard lock(mu_);
  std::fprintf(out_, "Copying blob %s skipped: already exists\n", digest.c_str());
  std::fflush(out_);
}

void Progress::blob_bytes(size_t slot, int64_t done) {
  std::lock_guard lock(mu_);
  if (slot >= blobs_.size()) return;
  Blob& b = blobs_[slot];
  if (done > 0 && b.done == 0) b.started = Clock::now();  // time from the first byte
  b.done = done;
  if (mode_ == ProgressMode::Tty) draw_locked(false);
}

void Progress::blob_done(size_t slot) {
  std::lock_guard lock(mu_);
  if (slot >= blobs_.size()) return;
  Blob& b = blobs_[slot];
  b.finished = true;
  b.ended = Clock::now();
  if (mode_ == ProgressMode::Plain) {
    std::fprintf(out_, "Copying blob %s done\n", b.digest.c_str());
    std::fflush(out_);
  } else if (mode_ == ProgressMode::Tty) {
    draw_locked(true);
  }
}

void Progress::finish() {
  std::lock_guard lock(mu_);
  if (mode_ == ProgressMode::Tty && !blobs_.empty()) draw_locked(true);
}

void Progress::draw_locked(bool force) {
  const auto now = Clock::now();
  if (!force && drawn_ == blobs_.size() && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  std::string screen;
  if (drawn_ > 0) screen += "\033[" + std::to_string(drawn_) + "A";  // back to the block's first line
  for (const Blob& b : blobs_) {
    const double seconds = std::chrono::duration<double>((b.finished ? b.ended : now) - b.started).count();
    screen += "\r\033[K" + format_blob_line(b.digest, b.done, b.total, seconds, b.finished) + "\n";
  }
  drawn_ = blobs_.size();
  std::fwrite(screen.data(), 1, screen.size(), out_);
  std::fflush(out_);
}

}  // namespace roost::engine
