// `-u user[:group]` resolved against the text of the image's /etc/passwd and /etc/group (the
// engine reads them confined in the rootfs and passes the text; a missing file is ""), as runc's
// GetExecUser does it for podman. Pure.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace roost::ctr {

struct ResolvedUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> additional_gids;  // the groups listing the user as a member (implicit group only)
  std::string home = "/";              // the passwd entry's home; "/" without one
};

// spec: "" (root), "1000", "name", "1000:1000", "name:group", "name:100".
// - a number needs no entry (gid 0 and home "/" when none matches); a name must have one:
//   roost::Error "unable to find user NAME: no matching entries in passwd file";
// - a group given by name must be in /etc/group ("unable to find group NAME: no matching
//   entries in group file"); given explicitly, there are no additional groups;
// - without a group: the passwd entry's gid, and the gids of the groups whose member list names
//   the user.
ResolvedUser resolve_user(const std::string& spec, const std::string& passwd_text, const std::string& group_text);

}  // namespace roost::ctr
