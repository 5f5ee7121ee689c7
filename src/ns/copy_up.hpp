// --copy-up DIR (rootlesskit's tmpfs+symlink mode): a writable tmpfs is mounted over DIR, the
// original tree is kept under it at DIR/.roXXXXXX (a recursive bind), and every entry of the
// original gets a symlink DIR/NAME -> .roXXXXXX/NAME (a symlink is copied as it is). New files go
// to the tmpfs; removing an entry removes only its link. Separate from rootfs/copy_up, the
// runtime's tmpcopyup, which copies the files themselves.
#pragma once

#include <string>
#include <vector>

namespace roost::ns {

// In the child's mount namespace, with CAP_SYS_ADMIN there. Throws roost::Error naming the dir.
void copy_up(const std::string& dir);

}  // namespace roost::ns
