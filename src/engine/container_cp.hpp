// `roost cp [-a] SRC DST`: files between the host and a container, one side CTR:PATH, the other a
// host path or `-` (a tar stream on stdin or stdout), with Docker's and podman's path rules.
//
// How, and why it is safe: the host side is opened with the caller's own rights first and kept as
// fds. Then, for a running container, this process joins the user namespace of the container's
// init (setns: single-threaded) and opens /proc/PID/root, the container's own view with its
// volumes and binds; for a stopped one it enters the user's user namespace (a private mount
// namespace too) and mounts the container's layers and upper dir (and its volumes and binds) the
// way start does, under the container's lock. Every container path is resolved beneath that root
// with openat2 RESOLVE_IN_ROOT, and the copy walks by directory fds with O_NOFOLLOW: a symlink in
// the container never leads out of it. Files copied in belong to the container's root, files
// copied out to the caller (both are uid 0 of the namespace), unless -a keeps the ids. A file with
// several names inside the copy stays one file (a hardlink entry to the first name met, as the
// tar streams of docker cp and podman cp carry it).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ctr/container_store.hpp"

namespace roost::engine {

// One side of cp as written: a container's path ("CTR:PATH"), a host path, or "-".
struct CpLocation {
  std::string container;  // "" for the host (or the stream)
  std::string path;
  bool stream = false;    // "-"
};

// Pure. Docker's rule: a path that starts with "/" or "." is local whatever colons it holds;
// otherwise a colon splits CTR from PATH. "-" is the stream. An empty container path is "/"'s
// cousin "" (refused by the caller); "CTR:" is refused.
CpLocation parse_cp_location(const std::string& arg);

// What exists at a path, as seen by whoever can see it.
enum class FileKind { Missing, Directory, Other };

// Pure: where a copy lands, from the source's kind and the destination's, with the rules of
// `docker cp`/`podman cp`:
//   source file:  DST missing -> a file named DST (DST ending in "/": error, no such directory);
//                 DST a file -> overwritten; DST a dir -> DST/basename(SRC).
//   source dir:   DST missing -> DST made, the content of SRC copied into it;
//                 DST a file -> error; DST a dir -> DST/basename(SRC), or with SRC ending in
//                 "/." the content of SRC into DST.
//   a source file named with a trailing "/" (or "/."): error, not a directory.
// The destination's parent must exist (the caller checks it: the plan names it).
struct CpPlan {
  std::string dest_dir;   // an existing directory the copy goes into
  std::string dest_name;  // the name the source takes in it ("" = SRC's content right into dest_dir)
};
// Throws roost::Error with the words podman prints.
CpPlan plan_copy(const std::string& src_path, FileKind src_kind, const std::string& dst_path, FileKind dst_kind);

// The last component of a path as cp names a copy ("/a/b/" -> "b"; "/" -> "/" is the root).
std::string cp_basename(const std::string& path);
// The directory holding it ("/a/b" -> "/a", "b" -> ".", "/a" -> "/").
std::string cp_dirname(const std::string& path);

struct CpRequest {
  std::string source, destination;  // as the user wrote them
  bool archive = false;             // -a: keep uid/gid
};

// Runs the copy; roost::Error (exit 125) with one line when it cannot.
void copy_files(const ctr::ContainerStore& containers, const CpRequest& request);

// A stopped container's root file system mounted at its rootfs dir (layers + upper, then its
// volumes and bind mounts), in this process's private mount namespace (the caller has entered the
// user's user namespace), unmounted when this goes. The engine's start mounts the same stack
// (engine/container_start.cpp); cp needs it without a monitor.
class ContainerRootfsMount {
 public:
  ContainerRootfsMount(const ctr::ContainerStore& containers, const ctr::ContainerConfig& config);
  ~ContainerRootfsMount();
  ContainerRootfsMount(const ContainerRootfsMount&) = delete;
  ContainerRootfsMount& operator=(const ContainerRootfsMount&) = delete;
  const std::filesystem::path& target() const { return target_; }

 private:
  void undo();  // the binds, then the layers
  std::filesystem::path target_;
  std::vector<std::filesystem::path> binds_;  // the volumes' and binds' targets, undone first
};

}  // namespace roost::engine
