// Applies a layer's tar entries into its diff directory, as layer_writer.hpp's comment says:
// every path confined, whiteouts and opaque dirs as overlayfs reads them, hardlinks within the
// layer and pending ones to the lowers, ownership, modes, xattrs, mtimes. Internal to layer/.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "layer/layer_writer.hpp"
#include "tar/tar_entry.hpp"
#include "util/unique_fd.hpp"

namespace roost::layer {

class LayerApplier : public tar::EntrySink {
 public:
  // root_fd: the diff directory (not owned). Counts into stats' apparent/allocated/inodes.
  LayerApplier(int root_fd, const ApplyOptions& options, Stats& stats);
  ~LayerApplier() override;

  void begin(const tar::Entry& entry) override;
  void data(const uint8_t* bytes, size_t size) override;
  void end() override;
  // After the last entry: directory modes and mtimes, deepest first (creating a child changes
  // its directory's mtime), and the directories' allocated blocks.
  void finish();

  const std::vector<std::pair<std::string, std::string>>& pending_links() const { return pending_; }
  void link_from_lowers(const std::vector<int>& lower_fds);

  // The name of the opaque-directory xattr this applier writes and reads.
  const char* opaque_xattr() const;

 private:
  struct DirRecord {
    int depth = 0;
    bool created = false;    // made by this layer: its blocks and inode are counted
    bool has_attrs = false;  // named in the tar: mode and mtime to set at the end
    uint32_t mode = 0;
    timespec mtime{};
  };

  // The confined parent directory of `parent` (components joined by "/", "" for the root), made
  // when missing (create) with mode 0755. Borrowed fd (cached for the next entries).
  int parent_fd(const std::string& parent, const std::string& entry_path, bool create);
  void forget_parent_cache();

  // Runs create(dirfd, name) and, when the name exists (EEXIST), removes what is there and runs
  // it once more. create returns 0 or -1 with errno set.
  template <typename Create>
  void create_replacing(int dirfd, const std::string& name, const std::string& path, Create create);
  // Removes whatever `name` is in dirfd (a directory with all below it), keeping the stats right.
  void remove_existing(int dirfd, const std::string& name, const std::string& path);
  void remove_tree_at(int dirfd, const std::string& name, const std::string& path);

  void apply_directory(const tar::Entry& e, const std::string& path, const std::string& parent,
                       const std::string& name, int depth);
  void apply_whiteout(const tar::Entry& e, const std::string& parent, const std::string& name,
                      const std::string& path);
  void apply_opaque(const std::string& parent, const std::string& path);
  void apply_hardlink(const tar::Entry& e, const std::string& path, int dirfd, const std::string& name);
  void set_opaque(int dir_fd, const std::string& path);

  void chown_at(int dirfd, const char* name, uint32_t uid, uint32_t gid, const std::string& path, int flags);
  // Sets the entry's xattrs that survive the filter on fd (when >= 0) or on lpath (l*xattr).
  void set_xattrs(const tar::Entry& e, int fd, const std::string& lpath, const std::string& path);
  void set_xattr(int fd, const std::string& lpath, const std::string& name, const std::string& value,
                 const std::string& path);
  void count_created(int dirfd, const char* name);
  void warn_once(const std::string& kind, const std::string& message);

  void apply_dir_attrs(const std::set<std::string>* only);
  void copy_from_lower(int src_parent, const std::string& src_name, const std::string& link_path);

  int root_fd_;
  const ApplyOptions& options_;
  Stats& stats_;

  std::string cached_parent_;
  UniqueFd cached_parent_fd_;
  bool cache_valid_ = false;

  // The regular file being written, between begin() and end().
  UniqueFd file_;
  std::string file_path_;
  tar::Entry file_entry_;

  std::map<std::string, DirRecord> dirs_;
  std::vector<std::pair<std::string, std::string>> pending_;
  std::set<std::string> warned_;
};

// An archive name split into its confined parts: absolute names and ".." are refused (roost::Error
// naming the entry), "." and empty parts dropped. Exposed for the tests.
std::vector<std::string> confined_parts(const std::string& archive_path, const char* what);

}  // namespace roost::layer
