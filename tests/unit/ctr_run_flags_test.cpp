// run's flags against podman 4.3.1's behaviour (the forms and error words were tried with
// Debian's podman as an unprivileged user): -p, -v, --mount, --tmpfs, --env-file, -e, --restart,
// --memory, --cpus, --add-host.
#include "ctr/run_flags.hpp"

#include <gtest/gtest.h>

#include "util/error.hpp"

using namespace roost::ctr;

namespace {

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const roost::Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(CtrPublish, Forms) {
  EXPECT_EQ(parse_publish("80"), (std::vector<PortMapping>{{"", 0, 80, "tcp"}}));
  EXPECT_EQ(parse_publish("8080:80"), (std::vector<PortMapping>{{"", 8080, 80, "tcp"}}));
  EXPECT_EQ(parse_publish("127.0.0.1:8080:80"), (std::vector<PortMapping>{{"127.0.0.1", 8080, 80, "tcp"}}));
  EXPECT_EQ(parse_publish("127.0.0.1::80"), (std::vector<PortMapping>{{"127.0.0.1", 0, 80, "tcp"}}));
  EXPECT_EQ(parse_publish(":80"), (std::vector<PortMapping>{{"", 0, 80, "tcp"}}));
  EXPECT_EQ(parse_publish("0.0.0.0:80:80"), (std::vector<PortMapping>{{"", 80, 80, "tcp"}}));
  EXPECT_EQ(parse_publish("[::1]:8080:80"), (std::vector<PortMapping>{{"::1", 8080, 80, "tcp"}}));
  EXPECT_EQ(parse_publish("[0:0::1]:8080:80/udp"), (std::vector<PortMapping>{{"::1", 8080, 80, "udp"}}));
  EXPECT_EQ(parse_publish("80/udp"), (std::vector<PortMapping>{{"", 0, 80, "udp"}}));
  EXPECT_EQ(parse_publish("8000-8001:80-81"),
            (std::vector<PortMapping>{{"", 8000, 80, "tcp"}, {"", 8001, 81, "tcp"}}));
  EXPECT_EQ(parse_publish("80-81"), (std::vector<PortMapping>{{"", 0, 80, "tcp"}, {"", 0, 81, "tcp"}}));
}

TEST(CtrPublish, PodmansErrors) {
  EXPECT_EQ(error_of([] { parse_publish("[::1]:80"); }),
            "invalid port format - must provide host and destination port if specifying an IP");
  EXPECT_EQ(error_of([] { parse_publish("8000-8002:80-81"); }),
            "host and container port ranges have different lengths: 3 vs 2");
  EXPECT_EQ(error_of([] { parse_publish("80/"); }), "must provide a non-empty protocol to publish");
  EXPECT_EQ(error_of([] { parse_publish("80/tcp/udp"); }), "invalid port format - protocol can only be specified once");
  EXPECT_EQ(error_of([] { parse_publish("0"); }),
            "parsing container port: port numbers must be between 1 and 65535 (inclusive), got 0");
  EXPECT_EQ(error_of([] { parse_publish("70000"); }),
            "parsing container port: port numbers must be between 1 and 65535 (inclusive), got 70000");
  EXPECT_EQ(error_of([] { parse_publish("abc"); }),
            "parsing container port: invalid port number: strconv.Atoi: parsing \"abc\": invalid syntax");
  EXPECT_EQ(error_of([] { parse_publish("81-80"); }),
            "parsing container port: the end port of a range must be higher than the start port - 80 is not "
            "higher than 81");
  EXPECT_EQ(error_of([] { parse_publish("80-"); }), "parsing container port: must provide ending number for port range");
  EXPECT_EQ(error_of([] { parse_publish("-80"); }), "parsing container port: port numbers cannot be negative");
  EXPECT_EQ(error_of([] { parse_publish("1.2.3:80:80"); }), "cannot parse \"1.2.3\" as an IP address");
  EXPECT_EQ(error_of([] { parse_publish(":8080:80"); }), "must provide a non-empty container host IP to publish");
  EXPECT_EQ(error_of([] { parse_publish("[::1]8080:80"); }),
            "invalid port format - IPv6 address must be followed by a colon (':')");
  EXPECT_EQ(error_of([] { parse_publish("1:2:3:4"); }),
            "invalid port format - format is [[hostIP:]hostPort:]containerPort");
  EXPECT_EQ(error_of([] { parse_publish("8080:"); }), "must provide a non-empty container port to publish");
  EXPECT_NE(error_of([] { parse_publish("80/sctp"); }).find("not supported"), std::string::npos);
}

TEST(CtrVolume, BindsNamedAndAnonymous) {
  const std::filesystem::path cwd = "/home/u/proj";
  EXPECT_EQ(parse_volume("/tmp:/x", cwd), (MountRequest{"bind", "/tmp", "/x", {}, false}));
  EXPECT_EQ(parse_volume("/tmp/:/x/:ro,Z", cwd), (MountRequest{"bind", "/tmp", "/x", {"Z"}, true}));
  EXPECT_EQ(parse_volume("./d:/x", cwd), (MountRequest{"bind", "/home/u/proj/d", "/x", {}, false}));
  EXPECT_EQ(parse_volume("../d:/x:rw", cwd), (MountRequest{"bind", "/home/u/d", "/x", {}, false}));
  EXPECT_EQ(parse_volume("d:/x", cwd), (MountRequest{"volume", "d", "/x", {}, false}));
  EXPECT_EQ(parse_volume("vol1:/y:ro", cwd), (MountRequest{"volume", "vol1", "/y", {}, true}));
  EXPECT_EQ(parse_volume("/x", cwd), (MountRequest{"volume", "", "/x", {}, false}));
  EXPECT_EQ(parse_volume("/tmp:/x:U,nosuid,noexec,nodev,rbind,rslave", cwd),
            (MountRequest{"bind", "/tmp", "/x", {"U", "nosuid", "noexec", "nodev", "rbind", "rslave"}, false}));
}

TEST(CtrVolume, PodmansErrors) {
  const std::filesystem::path cwd = "/";
  EXPECT_EQ(error_of([&] { parse_volume("x", cwd); }), "invalid container path \"x\", must be an absolute path");
  EXPECT_EQ(error_of([&] { parse_volume(":/x", cwd); }), "host directory cannot be empty");
  EXPECT_EQ(error_of([&] { parse_volume("/tmp:", cwd); }), "container directory cannot be empty");
  EXPECT_EQ(error_of([&] { parse_volume("/tmp:x", cwd); }), "invalid container path \"x\", must be an absolute path");
  EXPECT_EQ(error_of([&] { parse_volume("/tmp:/x:bogus", cwd); }), "invalid option type \"bogus\"");
  EXPECT_EQ(error_of([&] { parse_volume("/tmp:/x:", cwd); }), "invalid option type \"\"");
  EXPECT_EQ(error_of([&] { parse_volume("/tmp:/x:ro,rw", cwd); }),
            "invalid options \"ro, rw\", can only specify 1 'rw' or 'ro' option");
  EXPECT_EQ(error_of([&] { parse_volume("/tmp:/x:Z,z", cwd); }),
            "invalid options \"Z, z\", can only specify 1 'z', 'Z', or 'O' option");
  EXPECT_EQ(error_of([&] { parse_volume("/tmp:/x:U,U", cwd); }), "invalid options \"U, U\", can only specify 1 'U' option");
  EXPECT_EQ(error_of([&] { parse_volume("/tmp:/x:ro:z", cwd); }),
            "/tmp:/x:ro:z: incorrect volume format, should be [host-dir:]ctr-dir[:option]");
}

TEST(CtrMount, Kinds) {
  const std::filesystem::path cwd = "/home/u";
  EXPECT_EQ(parse_mount("type=bind,src=/tmp,dst=/x", cwd), (MountRequest{"bind", "/tmp", "/x", {}, false}));
  EXPECT_EQ(parse_mount("type=bind,source=/tmp,target=/x,ro", cwd), (MountRequest{"bind", "/tmp", "/x", {}, true}));
  EXPECT_EQ(parse_mount("type=bind,src=/tmp,destination=/x,readonly=true", cwd),
            (MountRequest{"bind", "/tmp", "/x", {}, true}));
  EXPECT_EQ(parse_mount("type=bind,src=/tmp,dst=/x,readonly=false", cwd), (MountRequest{"bind", "/tmp", "/x", {}, false}));
  EXPECT_EQ(parse_mount("type=bind,src=d,dst=/x", cwd), (MountRequest{"bind", "/home/u/d", "/x", {}, false}));
  EXPECT_EQ(parse_mount("type=bind,src=/tmp,dst=/x,relabel=shared,bind-propagation=rslave,U", cwd),
            (MountRequest{"bind", "/tmp", "/x", {"z", "rslave", "U"}, false}));
  EXPECT_EQ(parse_mount("type=volume,src=v2,dst=/x", cwd), (MountRequest{"volume", "v2", "/x", {}, false}));
  EXPECT_EQ(parse_mount("type=volume,dst=/x", cwd), (MountRequest{"volume", "", "/x", {}, false}));
  EXPECT_EQ(parse_mount("type=tmpfs,dst=/x,tmpfs-size=64m,tmpfs-mode=1770", cwd),
            (MountRequest{"tmpfs", "tmpfs", "/x", {"size=64m", "mode=1770", "nosuid", "nodev"}, false}));
  EXPECT_EQ(parse_mount("type=tmpfs,dst=/x,ro,noexec,suid", cwd),
            (MountRequest{"tmpfs", "tmpfs", "/x", {"noexec", "suid", "nodev"}, true}));
}

TEST(CtrMount, PodmansErrors) {
  const std::filesystem::path cwd = "/";
  EXPECT_EQ(error_of([&] { parse_mount("type=foo,dst=/x", cwd); }), "invalid filesystem type \"foo\"");
  EXPECT_EQ(error_of([&] { parse_mount("src=/tmp,dst=/x", cwd); }),
            "incorrect mount format: should be --mount type=<bind|tmpfs|volume>,[src=<host-dir|volume-name>,]"
            "target=<ctr-dir>[,options]");
  EXPECT_EQ(error_of([&] { parse_mount("type=bind,src=/tmp", cwd); }), "must set volume destination");
  EXPECT_EQ(error_of([&] { parse_mount("type=bind,src=/tmp,dst=/x,bogus=1", cwd); }), "bogus: invalid mount option");
  EXPECT_EQ(error_of([&] { parse_mount("type=bind,src=/a,src=/b,dst=/x", cwd); }),
            "cannot pass \"src\" option more than once");
  EXPECT_EQ(error_of([&] { parse_mount("type=tmpfs,dst=/x,tmpfs-size=1m,src=/a", cwd); }),
            "source is not supported with tmpfs mounts");
  EXPECT_EQ(error_of([&] { parse_mount("type=bind,dst=/x", cwd); }), "a bind mount needs src= (the host directory)");
  EXPECT_EQ(error_of([&] { parse_mount("type=tmpfs,dst=rel", cwd); }), "invalid container path \"rel\", must be an absolute path");
}

TEST(CtrTmpfs, DefaultsAndOptions) {
  EXPECT_EQ(parse_tmpfs("/x"), (MountRequest{"tmpfs", "tmpfs", "/x", {"nosuid", "nodev", "tmpcopyup"}, false}));
  EXPECT_EQ(parse_tmpfs("/x:size=64m,mode=1777"),
            (MountRequest{"tmpfs", "tmpfs", "/x", {"size=64m", "mode=1777", "nosuid", "nodev", "tmpcopyup"}, false}));
  EXPECT_EQ(parse_tmpfs("/x:ro"), (MountRequest{"tmpfs", "tmpfs", "/x", {"nosuid", "nodev", "tmpcopyup"}, true}));
  EXPECT_EQ(parse_tmpfs("/x:noexec,suid,notmpcopyup"), (MountRequest{"tmpfs", "tmpfs", "/x", {"noexec", "suid", "nodev"}, false}));
  EXPECT_EQ(error_of([] { parse_tmpfs("x"); }), "invalid container path \"x\", must be an absolute path");
  EXPECT_EQ(error_of([] { parse_tmpfs("/x:bogus"); }), "unknown mount option \"bogus\": invalid mount option");
}

TEST(CtrEnv, FileAndHostValues) {
  EXPECT_EQ(parse_env_file("A=1\n\n# comment\n   B=two words\r\n\tC\n  #x=y\nD=\n"),
            (std::vector<std::string>{"A=1", "B=two words", "C", "D="}));
  const char* host[] = {"HOME=/root", "PATHX=no", "PATH=/bin", "EMPTY=", nullptr};
  EXPECT_EQ(resolve_env_arg("K=V=W", host), "K=V=W");
  EXPECT_EQ(resolve_env_arg("PATH", host), "PATH=/bin");
  EXPECT_EQ(resolve_env_arg("EMPTY", host), "EMPTY=");
  EXPECT_EQ(resolve_env_arg("ABSENT", host), "");
  EXPECT_EQ(resolve_env_arg("PAT", host), "");
  EXPECT_THROW(resolve_env_arg("=x", host), roost::Error);
  EXPECT_THROW(resolve_env_arg("A B=x", host), roost::Error);
}

TEST(CtrEnv, PrefixStarTakesEveryMatchingHostVariable) {
  const char* host[] = {"FOO1=a", "FOOB=b", "BAR=c", "FOO=d", nullptr};
  EXPECT_EQ(resolve_env_args("FOO*", host), (std::vector<std::string>{"FOO1=a", "FOOB=b", "FOO=d"}));
  EXPECT_EQ(resolve_env_args("NOPE*", host), std::vector<std::string>{});
  EXPECT_EQ(resolve_env_args("BAR", host), std::vector<std::string>{"BAR=c"});
  EXPECT_EQ(resolve_env_args("ABSENT", host), std::vector<std::string>{});
  EXPECT_EQ(resolve_env_args("K=V*", host), std::vector<std::string>{"K=V*"});
}

TEST(CtrExpose, PortsRangesProtocols) {
  EXPECT_EQ(parse_expose("80"), std::vector<std::string>{"80/tcp"});
  EXPECT_EQ(parse_expose("90-91/udp"), (std::vector<std::string>{"90/udp", "91/udp"}));
  EXPECT_EQ(error_of([] { parse_expose("abc"); }),
            "invalid range format for --expose: abc: strconv.ParseUint: parsing \"abc\": invalid syntax");
  EXPECT_EQ(error_of([] { parse_expose("80/xyz"); }),
            "validating protocols for exposed port 80: unrecognized protocol \"xyz\" in port mapping");
  EXPECT_THROW(parse_expose("0"), roost::Error);
  EXPECT_THROW(parse_expose("81-80"), roost::Error);
}

TEST(CtrRestart, Policies) {
  EXPECT_EQ(parse_restart("no"), (RestartPolicy{"no", 0}));
  EXPECT_EQ(parse_restart(""), (RestartPolicy{"no", 0}));
  EXPECT_EQ(parse_restart("always"), (RestartPolicy{"always", 0}));
  EXPECT_EQ(parse_restart("unless-stopped"), (RestartPolicy{"unless-stopped", 0}));
  EXPECT_EQ(parse_restart("on-failure"), (RestartPolicy{"on-failure", 0}));
  EXPECT_EQ(parse_restart("on-failure:5"), (RestartPolicy{"on-failure", 5}));
  EXPECT_EQ(error_of([] { parse_restart("always:3"); }),
            "restart policy retries can only be specified with on-failure restart policy");
  EXPECT_EQ(error_of([] { parse_restart("on-failure:x"); }),
            "parsing restart policy retry count: strconv.Atoi: parsing \"x\": invalid syntax");
  EXPECT_EQ(error_of([] { parse_restart("on-failure:-1"); }), "must specify restart policy retry count as a number greater than 0");
  EXPECT_EQ(error_of([] { parse_restart("on-failure:1:2"); }), "invalid restart policy: may specify retries at most once");
  EXPECT_EQ(error_of([] { parse_restart("sometimes"); }), "\"sometimes\" is not a valid restart policy: invalid argument");
}

TEST(CtrMemory, Sizes) {
  EXPECT_EQ(parse_memory("1024"), 1024);
  EXPECT_EQ(parse_memory("1048576b"), 1048576);
  EXPECT_EQ(parse_memory("512m"), 512LL << 20);
  EXPECT_EQ(parse_memory("512M"), 512LL << 20);
  EXPECT_EQ(parse_memory("1g"), 1LL << 30);
  EXPECT_EQ(parse_memory("1.5g"), 3LL << 29);
  EXPECT_EQ(parse_memory("64MiB"), 64LL << 20);
  EXPECT_EQ(parse_memory("2kb"), 2048);
  EXPECT_EQ(parse_memory("1 t"), 1LL << 40);
  for (const char* bad : {"", "m", "1x", "1.g", "-1m", "1mm", "9999999p"})
    EXPECT_EQ(error_of([&] { parse_memory(bad); }), std::string("invalid size: '") + bad + "'") << bad;
}

TEST(CtrCpus, QuotaAndPeriod) {
  int64_t quota = -1, period = -1;
  parse_cpus("1.5", quota, period);
  EXPECT_EQ(period, 100000);
  EXPECT_EQ(quota, 150000);
  parse_cpus("0.5", quota, period);
  EXPECT_EQ(quota, 50000);
  parse_cpus("0", quota, period);
  EXPECT_EQ(quota, 0);
  EXPECT_EQ(period, 0);
  EXPECT_THROW(parse_cpus("x", quota, period), roost::Error);
  EXPECT_THROW(parse_cpus("1x", quota, period), roost::Error);
  EXPECT_THROW(parse_cpus("-1", quota, period), roost::Error);
  EXPECT_THROW(parse_cpus("0.001", quota, period), roost::Error);
}

TEST(CtrAddHost, NameAndAddress) {
  EXPECT_EQ(parse_add_host("db:10.0.0.2"), (std::pair<std::string, std::string>{"db", "10.0.0.2"}));
  EXPECT_EQ(parse_add_host("v6:::1"), (std::pair<std::string, std::string>{"v6", "::1"}));
  EXPECT_EQ(parse_add_host("v6:[fe80::0:1]"), (std::pair<std::string, std::string>{"v6", "fe80::1"}));
  EXPECT_EQ(error_of([] { parse_add_host("nocolon"); }), "bad format for add-host: \"nocolon\"");
  EXPECT_EQ(error_of([] { parse_add_host("db:notanip"); }), "invalid IP address in add-host: \"notanip\"");
}

}  // namespace
