// Copying a directory's contents into a fresh tmpfs mounted over it (the "tmpcopyup" mount option),
// so a read-only container still finds its image's /run, /tmp or /var/tmp contents there.
#pragma once

#include <string>

namespace roost {

// Copies everything under the directory `from` into `to` (both directory fds): files, directories,
// symlinks, with modes, owners and times. Special files are skipped. Never follows a symlink.
// `what` names the mount in errors.
void copy_tree(int from, int to, const std::string& what);

}  // namespace roost
