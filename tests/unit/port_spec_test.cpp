// parse_port_spec / validate_port_spec against what Debian's rootlesskit 1.1 answers (each
// message below was seen from `rootlesskit -p SPEC` or `rootlessctl add-ports SPEC`).
#include "ns/port/port_spec.hpp"

#include <gtest/gtest.h>

#include "util/error.hpp"

namespace roost::ns {
namespace {

PortSpec spec(std::string proto, std::string parent_ip, int parent_port, int child_port, std::string child_ip = "") {
  return PortSpec{std::move(proto), std::move(parent_ip), parent_port, child_port, std::move(child_ip)};
}

std::string parse_error(const std::string& text) {
  try {
    parse_port_spec(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "(parsed)";
}

std::string validate_error(const PortSpec& s) {
  try {
    validate_port_spec(s);
  } catch (const Error& e) {
    return e.what();
  }
  return "(valid)";
}

TEST(PortSpecParse, GoodSpecs) {
  EXPECT_EQ(parse_port_spec("127.0.0.1:8080:80/tcp"), spec("tcp", "127.0.0.1", 8080, 80));
  EXPECT_EQ(parse_port_spec("0.0.0.0:8080:10.0.2.100:80/tcp"), spec("tcp", "0.0.0.0", 8080, 80, "10.0.2.100"));
  EXPECT_EQ(parse_port_spec("[::1]:8080:[::1]:80/tcp6"), spec("tcp6", "::1", 8080, 80, "::1"));
  EXPECT_EQ(parse_port_spec("[::1]:8080:80/tcp"), spec("tcp", "::1", 8080, 80));
  EXPECT_EQ(parse_port_spec("127.0.0.1:8080:[::1]:80/tcp4"), spec("tcp4", "127.0.0.1", 8080, 80, "::1"));
  EXPECT_EQ(parse_port_spec("[fe80::1:2]:1:[2001:db8::5]:65535/udp6"), spec("udp6", "fe80::1:2", 1, 65535, "2001:db8::5"));
  EXPECT_EQ(parse_port_spec(":8080:80/udp"), spec("udp", "", 8080, 80));
  EXPECT_EQ(parse_port_spec("[]:8080:80/udp4"), spec("udp4", "", 8080, 80));
  EXPECT_EQ(parse_port_spec("127.0.0.2:19088:80/sctp"), spec("sctp", "127.0.0.2", 19088, 80));
  EXPECT_EQ(parse_port_spec("10.0.0.1:5:6/sctp4").proto, "sctp4");
  EXPECT_EQ(parse_port_spec("[::]:5:6/sctp6").proto, "sctp6");
  // Leading zeros are decimal to Atoi (Go's scanner only complains on stderr).
  EXPECT_EQ(parse_port_spec("127.0.0.1:019100:0080/tcp"), spec("tcp", "127.0.0.1", 19100, 80));
  // White space between the scanned fields is dropped by Go's scanner.
  EXPECT_EQ(parse_port_spec(" 127.0.0.1 : 19002 :80/tcp"), spec("tcp", "127.0.0.1", 19002, 80));
  // A fourth field is appended to the child port, as rootlesskit's loop does ({... 80 109 ...}).
  EXPECT_EQ(parse_port_spec("1.2.3.4:80:5.6.7.8:9:10/tcp"), spec("tcp", "1.2.3.4", 80, 109, "5.6.7.8"));
  // Out-of-range ports parse; validation refuses them.
  EXPECT_EQ(parse_port_spec("127.0.0.1:0:70000/tcp"), spec("tcp", "127.0.0.1", 0, 70000));
}

TEST(PortSpecParse, BadSpecsGiveRootlesskitsMessages) {
  EXPECT_EQ(parse_error("127.0.0.1:8080:80"), "missing proto in PortSpec string: \"127.0.0.1:8080:80\"");
  EXPECT_EQ(parse_error("127.0.0.1:8080:80/foo"),
            "invalid PortSpec string: \"127.0.0.1:8080:80/foo\": unknown proto: \"foo\"");
  EXPECT_EQ(parse_error("127.0.0.1:8080:80/"), "invalid PortSpec string: \"127.0.0.1:8080:80/\": unknown proto: \"\"");
  EXPECT_EQ(parse_error("127.0.0.1:8080:80/TCP"),
            "invalid PortSpec string: \"127.0.0.1:8080:80/TCP\": unknown proto: \"TCP\"");
  EXPECT_EQ(parse_error("80/tcp"), "unexpected PortSpec string: \"80/tcp\"");
  // rootlesskit 1.1 (and 3.0) has no "PORT:PORT" form: the first field is always the parent IP.
  EXPECT_EQ(parse_error("8080:80/tcp"), "unexpected ParentIP in PortSpec string: \"8080:80/tcp\"");
  EXPECT_EQ(parse_error("abc:8080:80/tcp"), "unexpected ParentIP in PortSpec string: \"abc:8080:80/tcp\"");
  EXPECT_EQ(parse_error("::1:19089:80/tcp"), "unexpected ParentIP in PortSpec string: \"::1:19089:80/tcp\"");
  EXPECT_EQ(parse_error("127.0.0.01:80:80/tcp"), "unexpected ParentIP in PortSpec string: \"127.0.0.01:80:80/tcp\"");
  // rootlesskit names the wrong field in these three; scripts match them, so they stay.
  EXPECT_EQ(parse_error("127.0.0.1:8080:abc:80/tcp"),
            "unexpected ParentIP in PortSpec string: \"127.0.0.1:8080:abc:80/tcp\"");
  EXPECT_EQ(parse_error("127.0.0.1:80x:80/tcp"),
            "unexpected ChildPort in PortSpec string: \"127.0.0.1:80x:80/tcp\": strconv.Atoi: parsing \"80x\": invalid syntax");
  EXPECT_EQ(parse_error("127.0.0.1:8080:8y/tcp"),
            "unexpected ParentPort in PortSpec string: \"127.0.0.1:8080:8y/tcp\": strconv.Atoi: parsing \"8y\": invalid syntax");
  EXPECT_EQ(parse_error(" 127.0.0.1 : 19002 : 80 /tcp"),
            "unexpected ParentPort in PortSpec string: \" 127.0.0.1 : 19002 : 80 /tcp\": strconv.Atoi: parsing \" 80 \": invalid syntax");
  EXPECT_EQ(parse_error("127.0.0.1::80/tcp"),
            "unexpected ChildPort in PortSpec string: \"127.0.0.1::80/tcp\": strconv.Atoi: parsing \"\": invalid syntax");
  EXPECT_EQ(parse_error("127.0.0.1:99999999999999999999:80/tcp"),
            "unexpected ChildPort in PortSpec string: \"127.0.0.1:99999999999999999999:80/tcp\": strconv.Atoi: parsing \"99999999999999999999\": value out of range");
  EXPECT_EQ(parse_error("1.2.3.4:80:5.6.7.8:9:10:11/tcp"), "unexpected PortSpec string: \"1.2.3.4:80:5.6.7.8:9:10:11/tcp\"");
  EXPECT_EQ(parse_error("a\tb:1:2/tcp"), "unexpected ParentIP in PortSpec string: \"a\\tb:1:2/tcp\"");
}

TEST(PortSpecValidate, RulesAndMessages) {
  EXPECT_EQ(validate_error(spec("tcp", "127.0.0.1", 8080, 80)), "(valid)");
  EXPECT_EQ(validate_error(spec("udp6", "::1", 1, 65535, "::1")), "(valid)");
  EXPECT_EQ(validate_error(spec("sctp", "", 5000, 5000)), "(valid)");
  EXPECT_EQ(validate_error(spec("tcp", "127.0.0.1", 0, 80)), "invalid ParentPort: '\\x00'");
  EXPECT_EQ(validate_error(spec("tcp", "127.0.0.1", 65536, 80)), "invalid ParentPort: '\U00010000'");
  EXPECT_EQ(validate_error(spec("tcp", "127.0.0.1", 19001, 70000)), "invalid ChildPort: '\U00011170'");
  EXPECT_EQ(validate_error(spec("tcp", "127.0.0.1", -1, 80)), "invalid ParentPort: '\uFFFD'");
  EXPECT_EQ(validate_error(spec("tcp", "127.0.0.1", 2000000, 80)), "invalid ParentPort: '\uFFFD'");
  EXPECT_EQ(validate_error(spec("tcp", "127.0.0.1", 80, 0)), "invalid ChildPort: '\\x00'");
  EXPECT_EQ(validate_error(spec("tcp", "localhost", 80, 80)), "invalid ParentIP: \"localhost\"");
  EXPECT_EQ(validate_error(spec("tcp", "127.0.0.1", 80, 80, "10.0.2")), "invalid ChildIP: \"10.0.2\"");
  EXPECT_EQ(validate_error(spec("icmp", "", 80, 80)), "unknown proto: \"icmp\"");
  EXPECT_EQ(validate_error(spec("", "", 80, 80)), "unknown proto: \"\"");
}

}  // namespace
}  // namespace roost::ns
