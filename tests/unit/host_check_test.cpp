// roost check's probes against fake host trees (a temp dir standing for /: proc/sys, etc,
// sys/fs/cgroup, dev, usr/bin), and the parts they are made of.
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "check/host_check.hpp"
#include "idmap/host_advice.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

using namespace roost;
using namespace roost::check;
namespace fs = std::filesystem;

namespace {

class FakeHost {
 public:
  FakeHost() {
    std::string tmpl = (fs::temp_directory_path() / "roost-host-check-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw_errno("mkdtemp");
    host.root = tmpl;
  }
  ~FakeHost() { fs::remove_all(host.root); }
  // Writes the file at the host path (below the fake root), with its directories.
  void put(const std::string& path, const std::string& content, mode_t mode = 0644) {
    const fs::path p = host.at(path);
    fs::create_directories(p.parent_path());
    write_file(p.string(), content, O_CREAT | O_TRUNC, mode);
    ::chmod(p.c_str(), mode);
  }
  void dir(const std::string& path, mode_t mode = 0755) {
    fs::create_directories(host.at(path));
    ::chmod(host.at(path).c_str(), mode);
  }
  HostRoot host;
};

Caller user(uid_t uid = 1001, const std::string& name = "alice") {
  Caller c;
  c.uid = uid;
  c.gid = uid;
  c.name = name;
  return c;
}

Caller root_caller() { return user(0, "root"); }

LiveFindings live_ok() {
  LiveFindings l;
  l.tried = true;
  l.map_summary = "0:1001:1,1:100000:65536";
  return l;
}

}  // namespace

TEST(HostCheck, KernelVersion) {
  FakeHost f;
  EXPECT_EQ(check_kernel(f.host).status, CheckStatus::Warn);  // unreadable
  f.put("/proc/sys/kernel/osrelease", "6.1.0-13-amd64\n");
  auto r = check_kernel(f.host);
  EXPECT_EQ(r.status, CheckStatus::Ok);
  EXPECT_NE(r.detail.find("6.1.0-13-amd64"), std::string::npos);
  f.put("/proc/sys/kernel/osrelease", "5.10.0-28-amd64\n");
  r = check_kernel(f.host);
  EXPECT_EQ(r.status, CheckStatus::Warn);
  EXPECT_NE(r.detail.find("5.11"), std::string::npos);
  f.put("/proc/sys/kernel/osrelease", "3.2.0\n");
  EXPECT_EQ(check_kernel(f.host).status, CheckStatus::Fail);
}

TEST(HostCheck, UserNamespacesAllowed) {
  FakeHost f;
  f.put("/proc/sys/user/max_user_namespaces", "63219\n");
  auto r = check_user_namespaces(f.host, user(), LiveFindings{});
  EXPECT_EQ(r.status, CheckStatus::Ok);
  EXPECT_EQ(r.detail, "allowed (user.max_user_namespaces=63219)");
  r = check_user_namespaces(f.host, user(), live_ok());
  EXPECT_EQ(r.status, CheckStatus::Ok);
  EXPECT_NE(r.detail.find("mapped: 0:1001:1,1:100000:65536"), std::string::npos);
}

TEST(HostCheck, UnprivilegedUsernsCloneZero) {
  FakeHost f;
  f.put("/proc/sys/user/max_user_namespaces", "63219\n");
  f.put("/proc/sys/kernel/unprivileged_userns_clone", "0\n");
  auto r = check_user_namespaces(f.host, user(), LiveFindings{});
  EXPECT_EQ(r.status, CheckStatus::Fail);
  EXPECT_NE(r.detail.find("kernel.unprivileged_userns_clone=0"), std::string::npos);
  EXPECT_TRUE(r.fix.as_root);
  EXPECT_EQ(r.fix.command.rfind("sysctl -w kernel.unprivileged_userns_clone=1 && echo kernel.unprivileged_userns_clone=1 > "
                                "/etc/sysctl.d/", 0), 0u);
  // Root is not held back by it.
  EXPECT_EQ(check_user_namespaces(f.host, root_caller(), LiveFindings{}).status, CheckStatus::Ok);
  f.put("/proc/sys/kernel/unprivileged_userns_clone", "1\n");
  EXPECT_EQ(check_user_namespaces(f.host, user(), LiveFindings{}).status, CheckStatus::Ok);
}

TEST(HostCheck, MaxUserNamespacesZeroStopsRootToo) {
  FakeHost f;
  f.put("/proc/sys/user/max_user_namespaces", "0\n");
  for (const Caller& c : {user(), root_caller()}) {
    auto r = check_user_namespaces(f.host, c, LiveFindings{});
    EXPECT_EQ(r.status, CheckStatus::Fail);
    EXPECT_NE(r.fix.command.find("sysctl -w user.max_user_namespaces=15000"), std::string::npos);
  }
  f.put("/proc/sys/user/max_user_namespaces", "10\n");
  EXPECT_EQ(check_user_namespaces(f.host, user(), LiveFindings{}).status, CheckStatus::Warn);
}

TEST(HostCheck, AppArmorRestriction) {
  FakeHost f;
  f.put("/proc/sys/user/max_user_namespaces", "63219\n");
  f.put("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1\n");
  LiveFindings failed = live_ok();
  failed.userns_error = "make / private: EPERM";
  auto r = check_user_namespaces(f.host, user(), failed);
  EXPECT_EQ(r.status, CheckStatus::Fail);
  EXPECT_NE(r.detail.find("AppArmor"), std::string::npos);
  EXPECT_NE(r.detail.find("EPERM"), std::string::npos);
  EXPECT_NE(r.fix.command.find("sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"), std::string::npos);
  EXPECT_EQ(check_user_namespaces(f.host, user(), LiveFindings{}).status, CheckStatus::Fail);
  // A profile with the userns rule lets the program through: the live namespace decides.
  r = check_user_namespaces(f.host, user(), live_ok());
  EXPECT_EQ(r.status, CheckStatus::Ok);
  EXPECT_NE(r.detail.find("AppArmor profile"), std::string::npos);
}

TEST(HostCheck, LiveFailureWithoutSysctlReason) {
  FakeHost f;
  LiveFindings l = live_ok();
  l.userns_error = "unshare a user namespace: ENOSPC";
  auto r = check_user_namespaces(f.host, user(), l);
  EXPECT_EQ(r.status, CheckStatus::Fail);
  EXPECT_NE(r.detail.find("ENOSPC"), std::string::npos);
}

TEST(HostCheck, SubuidMissingGivesUsermodWithAFreeRange) {
  FakeHost f;
  auto r = check_subid(f.host, user(1002, "roost-nosub"), "subuid");
  EXPECT_EQ(r.status, CheckStatus::Fail);
  EXPECT_NE(r.detail.find("/etc/subuid does not exist"), std::string::npos);
  EXPECT_EQ(r.fix.text(), "run as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 roost-nosub");

  f.put("/etc/subuid", "bob:100000:65536\n");
  f.put("/etc/subgid", "bob:100000:65536\ncarol:165536:65536\n");
  r = check_subid(f.host, user(1002, "roost-nosub"), "subgid");
  EXPECT_EQ(r.status, CheckStatus::Fail);
  EXPECT_NE(r.detail.find("no range for roost-nosub in /etc/subgid"), std::string::npos);
  EXPECT_EQ(r.fix.command, "usermod --add-subuids 231072-296607 --add-subgids 231072-296607 roost-nosub");
  EXPECT_EQ(format_text({r}), "  FAIL  subgid: " + r.detail + ": run as root: " + r.fix.command + "\n");
}

TEST(HostCheck, SubuidByNameAndByUid) {
  FakeHost f;
  f.put("/etc/subuid", "# ranges\nalice:200000:65536\n");
  f.put("/etc/subgid", "1001:300000:65536\n");
  auto r = check_subid(f.host, user(), "subuid");
  EXPECT_EQ(r.status, CheckStatus::Ok);
  EXPECT_EQ(r.detail, "alice has 200000-265535 (65536 ids) in /etc/subuid");
  r = check_subid(f.host, user(), "subgid");
  EXPECT_EQ(r.status, CheckStatus::Ok);
  EXPECT_NE(r.detail.find("300000-365535"), std::string::npos);
  EXPECT_EQ(check_subid(f.host, root_caller(), "subuid").status, CheckStatus::Ok);
}

TEST(HostCheck, SmallSubuidRangeWarns) {
  FakeHost f;
  f.put("/etc/subuid", "alice:200000:1000\n");
  auto r = check_subid(f.host, user(), "subuid");
  EXPECT_EQ(r.status, CheckStatus::Warn);
  EXPECT_NE(r.detail.find("fewer than 65536"), std::string::npos);
  EXPECT_NE(r.fix.command.find("usermod --add-subuids 100000-165535"), std::string::npos);
}

TEST(HostAdvice, FreeSubidRange) {
  EXPECT_EQ(idmap::free_subid_range("", ""), (idmap::SubIdRange{100000, 65536}));
  // A range out of the way leaves 100000 free; one overlapping it pushes past its end.
  EXPECT_EQ(idmap::free_subid_range("a:200000:65536\n", "a:200000:65536\n"), (idmap::SubIdRange{100000, 65536}));
  EXPECT_EQ(idmap::free_subid_range("a:150000:10\n", ""), (idmap::SubIdRange{150010, 65536}));
  // Ranges out of order, in either file.
  EXPECT_EQ(idmap::free_subid_range("b:165536:65536\nbad line\n", "a:100000:65536\n"), (idmap::SubIdRange{231072, 65536}));
}

TEST(HostCheck, FileCapsParsing) {
  auto v2 = [](uint32_t magic, uint32_t permitted0, uint32_t permitted1 = 0) {
    std::string s(20, '\0');
    auto put = [&](size_t at, uint32_t v) {
      for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
    };
    put(0, magic);
    put(4, permitted0);
    put(12, permitted1);
    return s;
  };
  const uint32_t setuid_bit = 1u << CAP_SETUID, setgid_bit = 1u << CAP_SETGID;
  EXPECT_TRUE(file_caps_grant(v2(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, setuid_bit), CAP_SETUID));
  EXPECT_FALSE(file_caps_grant(v2(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, setuid_bit), CAP_SETGID));
  EXPECT_TRUE(file_caps_grant(v2(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, setgid_bit | setuid_bit), CAP_SETGID));
  // Permitted without the effective bit: a program that does not raise it itself gets nothing.
  EXPECT_FALSE(file_caps_grant(v2(VFS_CAP_REVISION_2, setuid_bit), CAP_SETUID));
  EXPECT_TRUE(file_caps_grant(v2(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, 0, 1u << (40 - 32)), 40));
  EXPECT_FALSE(file_caps_grant(v2(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, setuid_bit).substr(0, 12), CAP_SETUID));
  std::string v3 = v2(VFS_CAP_REVISION_3 | VFS_CAP_FLAGS_EFFECTIVE, setuid_bit) + std::string(4, '\0');
  EXPECT_TRUE(file_caps_grant(v3, CAP_SETUID));
  v3[20] = 1;  // root id 1: a namespace's capability, nothing on the host
  EXPECT_FALSE(file_caps_grant(v3, CAP_SETUID));
  EXPECT_FALSE(file_caps_grant("", CAP_SETUID));
}

TEST(HostCheck, NewuidmapMissingOrWithoutSetuid) {
  FakeHost f;
  auto r = check_id_helper(f.host, user(), "newuidmap");
  EXPECT_EQ(r.status, CheckStatus::Fail);
  EXPECT_EQ(r.fix.text(), "run as root: apt-get install uidmap");
  EXPECT_EQ(check_id_helper(f.host, root_caller(), "newuidmap").status, CheckStatus::Warn);

  f.put("/usr/bin/newuidmap", "#!/bin/sh\n", 0755);
  r = check_id_helper(f.host, user(), "newuidmap");
  if (::geteuid() != 0) {
    EXPECT_EQ(r.status, CheckStatus::Fail);
    EXPECT_NE(r.detail.find("neither setuid root nor has cap_setuid+ep"), std::string::npos);
    EXPECT_NE(r.fix.command.find("chmod u+s " + f.host.at("/usr/bin/newuidmap").string()), std::string::npos);
  }
  // A setuid bit on a file someone else than root owns is no better.
  f.put("/usr/bin/newgidmap", "#!/bin/sh\n", 0755);
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(f.host.at("/usr/bin/newgidmap").c_str(), 1001, 1001), 0);
  }
  ::chmod(f.host.at("/usr/bin/newgidmap").c_str(), 04755);
  r = check_id_helper(f.host, user(), "newgidmap");
  EXPECT_EQ(r.status, CheckStatus::Fail);
  EXPECT_NE(r.detail.find("cap_setgid+ep"), std::string::npos);
}

TEST(HostCheck, NewuidmapSetuidRootOrFileCaps) {
  if (::geteuid() != 0) GTEST_SKIP() << "making a setuid-root file and a security.capability xattr needs root";
  FakeHost f;
  f.put("/usr/bin/newuidmap", "#!/bin/sh\n", 0755);
  ::chmod(f.host.at("/usr/bin/newuidmap").c_str(), 04755);
  auto r = check_id_helper(f.host, user(), "newuidmap");
  struct statvfs vfs;
  ASSERT_EQ(::statvfs(f.host.root.c_str(), &vfs), 0);
  if (vfs.f_flag & ST_NOSUID) {
    EXPECT_EQ(r.status, CheckStatus::Fail);
    EXPECT_NE(r.detail.find("nosuid"), std::string::npos);
  } else {
    EXPECT_EQ(r.status, CheckStatus::Ok) << r.detail;
    EXPECT_NE(r.detail.find("setuid root"), std::string::npos);
  }
  // cap_setgid+ep, as Fedora ships it: VFS_CAP_REVISION_2 with the effective flag.
  f.put("/usr/bin/newgidmap", "#!/bin/sh\n", 0755);
  std::string caps(20, '\0');
  const uint32_t magic = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, permitted = 1u << CAP_SETGID;
  for (int i = 0; i < 4; ++i) {
    caps[i] = static_cast<char>(magic >> (8 * i));
    caps[4 + i] = static_cast<char>(permitted >> (8 * i));
  }
  if (::setxattr(f.host.at("/usr/bin/newgidmap").c_str(), "security.capability", caps.data(), caps.size(), 0) < 0)
    GTEST_SKIP() << "this file system takes no security.capability: " << errno_name(errno);
  r = check_id_helper(f.host, user(), "newgidmap");
  if (!(vfs.f_flag & ST_NOSUID)) {
    EXPECT_EQ(r.status, CheckStatus::Ok) << r.detail;
    EXPECT_NE(r.detail.find("file capability cap_setgid+ep"), std::string::npos);
  }
}

TEST(HostCheck, CgroupLayouts) {
  std::string mount;
  EXPECT_EQ(cgroup_layout("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n", &mount), CgroupLayout::V2);
  EXPECT_EQ(mount, "/sys/fs/cgroup");
  EXPECT_EQ(cgroup_layout("tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n"
                          "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n", &mount),
            CgroupLayout::Hybrid);
  EXPECT_EQ(mount, "/sys/fs/cgroup/unified");
  EXPECT_EQ(cgroup_layout("cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n", &mount), CgroupLayout::V1);
  EXPECT_EQ(mount, "");
}

TEST(HostCheck, CgroupV2Delegated) {
  FakeHost f;
  const std::string own = "/user.slice/user-1001.slice/user@1001.service/app.slice/roost.scope";
  f.put("/proc/self/mounts", "proc /proc proc rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0\n");
  f.put("/proc/self/cgroup", "0::" + own + "\n");
  f.put("/sys/fs/cgroup" + own + "/cgroup.controllers", "cpuset cpu io memory pids\n");
  f.put("/sys/fs/cgroup" + own + "/cgroup.subtree_control", "\n");
  Caller me = user(::geteuid(), "alice");
  auto r = check_cgroups(f.host, me);
  EXPECT_EQ(r.status, CheckStatus::Ok) << r.detail;
  EXPECT_NE(r.detail.find("v2, your cgroup " + own), std::string::npos);
  EXPECT_NE(r.detail.find("controllers: cpuset cpu io memory pids, enabled for children: none"), std::string::npos);
  EXPECT_NE(r.detail.find("limits work"), std::string::npos);

  // The same cgroup, someone else's.
  r = check_cgroups(f.host, user(::geteuid() + 1, "bob"));
  EXPECT_EQ(r.status, CheckStatus::Warn);
  EXPECT_NE(r.detail.find("not you"), std::string::npos);
  EXPECT_NE(r.detail.find("nothing is delegated"), std::string::npos);
  EXPECT_NE(r.fix.command.find("Delegate="), std::string::npos);

  // Yours, but without the pids and cpu controllers.
  f.put("/sys/fs/cgroup" + own + "/cgroup.controllers", "memory\n");
  r = check_cgroups(f.host, me);
  EXPECT_EQ(r.status, CheckStatus::Warn);
  EXPECT_NE(r.detail.find("limits that need pids, cpu are unavailable"), std::string::npos);
}

TEST(HostCheck, CgroupHybridAndV1) {
  FakeHost f;
  f.put("/proc/self/mounts",
        "tmpfs /sys/fs/cgroup tmpfs rw,mode=755 0 0\n"
        "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
        "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n"
        "cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0\n"
        "cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0\n"
        "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n");
  f.put("/proc/self/cgroup", "4:memory:/x\n0::/\n");
  f.put("/sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
  f.put("/sys/fs/cgroup/unified/cgroup.subtree_control", "");
  auto r = check_cgroups(f.host, root_caller());
  EXPECT_EQ(r.status, CheckStatus::Warn);
  EXPECT_NE(r.detail.find("hybrid: the v1 hierarchies hold cpu memory pids"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("/sys/fs/cgroup/unified has your cgroup / "), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("controllers: hugetlb"), std::string::npos);
  EXPECT_NE(r.detail.find("--memory, --cpus and --pids-limit are unavailable"), std::string::npos);
  EXPECT_NE(r.fix.command.find("systemd.unified_cgroup_hierarchy=1"), std::string::npos);

  f.put("/proc/self/mounts", "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n");
  r = check_cgroups(f.host, user());
  EXPECT_EQ(r.status, CheckStatus::Warn);
  EXPECT_NE(r.detail.find("v1 only (memory), no v2 tree"), std::string::npos) << r.detail;
}

TEST(HostCheck, Devices) {
  FakeHost f;
  auto r = check_device(f.host, "/dev/net/tun", "/dev/net/tun", "slirp4netns and pasta need it", true);
  EXPECT_EQ(r.status, CheckStatus::Fail);
  EXPECT_EQ(r.fix.text(), "run as root: modprobe tun");
  f.put("/dev/fuse", "not a device");
  r = check_device(f.host, "/dev/fuse", "/dev/fuse", "fuse-overlayfs needs it", false);
  EXPECT_EQ(r.status, CheckStatus::Warn);
  EXPECT_NE(r.detail.find("not a character device"), std::string::npos);
  // A real character device, through the real root.
  r = check_device(HostRoot{}, "/dev/null", "/dev/null", "nothing", true);
  EXPECT_EQ(r.status, CheckStatus::Ok);
  EXPECT_EQ(r.detail, "character device 1:3, mode 0666, opens read-write");
}

TEST(HostCheck, UnprivilegedPortsAndPing) {
  FakeHost f;
  f.put("/proc/sys/net/ipv4/ip_unprivileged_port_start", "1024\n");
  f.put("/proc/sys/net/ipv4/ping_group_range", "1\t0\n");
  auto r = check_unprivileged_ports(f.host, user());
  EXPECT_EQ(r.status, CheckStatus::Warn);
  EXPECT_NE(r.fix.command.find("sysctl -w net.ipv4.ip_unprivileged_port_start=80"), std::string::npos);
  EXPECT_EQ(check_unprivileged_ports(f.host, root_caller()).status, CheckStatus::Ok);
  r = check_ping_group_range(f.host, user());
  EXPECT_EQ(r.status, CheckStatus::Warn);
  EXPECT_NE(r.detail.find("gid 1001 is outside net.ipv4.ping_group_range (1 0)"), std::string::npos);
  EXPECT_EQ(r.fix.command.rfind("sysctl -w 'net.ipv4.ping_group_range=0 2147483647' && echo "
                                "'net.ipv4.ping_group_range=0 2147483647' > ", 0), 0u);

  f.put("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0\n");
  f.put("/proc/sys/net/ipv4/ping_group_range", "0\t2147483647\n");
  EXPECT_EQ(check_unprivileged_ports(f.host, user()).status, CheckStatus::Ok);
  EXPECT_EQ(check_ping_group_range(f.host, user()).status, CheckStatus::Ok);
  // A supplementary group in the range is enough.
  f.put("/proc/sys/net/ipv4/ping_group_range", "2000\t2000\n");
  Caller c = user();
  EXPECT_EQ(check_ping_group_range(f.host, c).status, CheckStatus::Warn);
  c.groups = {2000};
  EXPECT_EQ(check_ping_group_range(f.host, c).status, CheckStatus::Ok);
}

TEST(HostCheck, XdgRuntimeDir) {
  FakeHost f;
  Caller c = user(::geteuid() == 0 ? 1001 : ::geteuid(), "alice");
  if (::geteuid() == 0) c.uid = ::geteuid() + 1001;  // root's files are "someone else's" below
  EXPECT_EQ(check_xdg_runtime_dir(f.host, c).status, CheckStatus::Warn);  // unset
  c.xdg_runtime_dir = "/run/user/1001";
  auto r = check_xdg_runtime_dir(f.host, c);
  EXPECT_EQ(r.status, CheckStatus::Fail);
  EXPECT_NE(r.detail.find("does not exist"), std::string::npos);
  EXPECT_NE(r.fix.command.find("loginctl enable-linger alice"), std::string::npos);
  f.dir("/run/user/1001", 0755);
  Caller owner = c;
  owner.uid = ::geteuid();
  r = check_xdg_runtime_dir(f.host, owner);
  if (owner.uid != 0) {
    EXPECT_EQ(r.status, CheckStatus::Warn);
    EXPECT_EQ(r.fix.text(), "run: chmod 0700 /run/user/1001");
    f.dir("/run/user/1001", 0700);
    EXPECT_EQ(check_xdg_runtime_dir(f.host, owner).status, CheckStatus::Ok);
  }
  Caller other = c;
  other.uid = ::geteuid() + 1;
  r = check_xdg_runtime_dir(f.host, other);
  EXPECT_EQ(r.status, CheckStatus::Fail);
  EXPECT_NE(r.detail.find("not to you"), std::string::npos);
}

TEST(HostCheck, NetworkHelpers) {
  FakeHost f;
  auto rs = check_network_helpers(f.host);
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].status, CheckStatus::Fail);
  EXPECT_EQ(rs[1].status, CheckStatus::Fail);
  EXPECT_EQ(rs[0].fix.command, "apt-get install slirp4netns passt");
  f.put("/usr/bin/slirp4netns", "#!/bin/sh\necho 'slirp4netns version 9.8.7'\necho 'commit: x'\n", 0755);
  rs = check_network_helpers(f.host);
  EXPECT_EQ(rs[0].status, CheckStatus::Ok);
  EXPECT_NE(rs[0].detail.find(": slirp4netns version 9.8.7"), std::string::npos) << rs[0].detail;
  EXPECT_EQ(rs[1].status, CheckStatus::Warn);
  EXPECT_EQ(rs[1].fix.command, "apt-get install passt");
}

TEST(HostCheck, OverlayVerdicts) {
  FakeHost f;
  LiveFindings l = live_ok();
  EXPECT_EQ(overlay_verdict(l).status, CheckStatus::Ok);
  EXPECT_EQ(fuse_overlayfs_verdict(f.host, l).status, CheckStatus::Warn);  // not installed, not needed
  l.kernel_overlay_error = "mount overlay: EINVAL";
  EXPECT_EQ(fuse_overlayfs_verdict(f.host, l).status, CheckStatus::Fail);  // not installed, needed
  EXPECT_EQ(overlay_verdict(l).status, CheckStatus::Warn);                 // fuse-overlayfs passed
  l.fuse_overlay_error = "fuse-overlayfs is not installed";
  auto r = overlay_verdict(l);
  EXPECT_EQ(r.status, CheckStatus::Fail);
  EXPECT_NE(r.detail.find("EINVAL"), std::string::npos);
  EXPECT_EQ(r.fix.command, "apt-get install fuse-overlayfs");
  f.put("/usr/bin/fuse-overlayfs", "#!/bin/sh\necho 'fusermount3 version: 3.14.0'\necho 'fuse-overlayfs: version 1.10'\n", 0755);
  r = fuse_overlayfs_verdict(f.host, l);
  EXPECT_EQ(r.status, CheckStatus::Fail);
  EXPECT_NE(r.detail.find("(fuse-overlayfs: version 1.10)"), std::string::npos) << r.detail;
  l.userns_error = "unshare: EPERM";
  EXPECT_EQ(overlay_verdict(l).status, CheckStatus::Fail);
}

TEST(HostCheck, FormatsAndExitVerdict) {
  std::vector<CheckResult> rs = {
      {"user namespaces", CheckStatus::Ok, "allowed (user.max_user_namespaces=63219)", {}},
      {"ping", CheckStatus::Warn, "outside", {"chmod 0700 /x", false}},
  };
  EXPECT_EQ(format_text(rs),
            "  ok    user namespaces: allowed (user.max_user_namespaces=63219)\n"
            "  warn  ping: outside: run: chmod 0700 /x\n");
  EXPECT_FALSE(any_failed(rs));
  rs.push_back({"subuid", CheckStatus::Fail, "no range", {"usermod x", true}});
  EXPECT_TRUE(any_failed(rs));
  const auto j = nlohmann::json::parse(format_json(rs));
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["status"], "ok");
  EXPECT_EQ(j[0]["fix"], "");
  EXPECT_EQ(j[1]["status"], "warn");
  EXPECT_EQ(j[2]["name"], "subuid");
  EXPECT_EQ(j[2]["status"], "fail");
  EXPECT_EQ(j[2]["fix"], "usermod x");
  EXPECT_EQ(j[2]["fix_as_root"], true);
}

TEST(HostCheck, RunChecksCoversEveryCheckOnce) {
  FakeHost f;
  const auto rs = run_checks(f.host, user(), LiveFindings{});
  std::vector<std::string> names;
  for (const auto& r : rs) names.push_back(r.name);
  const std::vector<std::string> expected = {"kernel", "user namespaces", "subuid", "subgid", "newuidmap", "newgidmap",
                                             "cgroups", "overlayfs", "/dev/fuse", "fuse-overlayfs", "/dev/net/tun",
                                             "slirp4netns", "pasta", "unprivileged ports", "ping", "XDG_RUNTIME_DIR"};
  EXPECT_EQ(names, expected);
  EXPECT_TRUE(any_failed(rs));  // an empty host has nothing rootless use needs
}
