// rootlesskit's REST API JSON, byte for byte against what Debian's rootlesskit 1.1.0 and
// rootlessctl gave (recorded live; tests/ns/fixtures/rootlesskit-1.1 has the whole sessions).
#include <gtest/gtest.h>

#include <climits>

#include "ns/api/api_json.hpp"
#include "ns/api/go_json.hpp"
#include "util/error.hpp"

namespace roost::ns {
namespace {

InfoDocument slirp_info() {
  InfoDocument info;
  info.api_version = "1.1.1";
  info.version = "1.1.0";
  info.state_dir = "/tmp/rk";
  info.child_pid = 8019;
  info.network = InfoDocument::Network{"slirp4netns", {"10.0.2.3"}, "10.0.2.100", false};
  info.ports = InfoDocument::Ports{"builtin", {"tcp", "tcp4", "tcp6", "udp", "udp4", "udp6"}, false};
  return info;
}

const char* const recorded_info =
    R"({"apiVersion":"1.1.1","version":"1.1.0","stateDir":"/tmp/rk","childPID":8019,"networkDriver":{"driver":"slirp4netns","dns":["10.0.2.3"],"childIP":"10.0.2.100"},"portDriver":{"driver":"builtin","protos":["tcp","tcp4","tcp6","udp","udp4","udp6"]}})";

TEST(NsApiJson, InfoAsRootlesskit) { EXPECT_EQ(info_json(slirp_info()), recorded_info); }

TEST(NsApiJson, InfoWithoutDrivers) {
  InfoDocument info = slirp_info();
  info.state_dir = "/tmp/rk2";
  info.child_pid = 10452;
  info.network.reset();
  info.ports.reset();
  EXPECT_EQ(info_json(info), R"({"apiVersion":"1.1.1","version":"1.1.0","stateDir":"/tmp/rk2","childPID":10452})");
}

TEST(NsApiJson, InfoOptionalFields) {
  InfoDocument info = slirp_info();
  info.network = InfoDocument::Network{"host", {}, "", false};
  info.ports = InfoDocument::Ports{"slirp4netns", {"tcp", "tcp4", "udp", "udp4"}, true};
  EXPECT_EQ(info_json(info),
            R"({"apiVersion":"1.1.1","version":"1.1.0","stateDir":"/tmp/rk","childPID":8019,"networkDriver":{"driver":"host"},)"
            R"("portDriver":{"driver":"slirp4netns","protos":["tcp","tcp4","udp","udp4"],"disallowLoopbackChildIP":true}})");
}

TEST(NsApiJson, InfoIndentedAsRootlessctl) {
  EXPECT_EQ(info_json(slirp_info(), 4),
            "{\n    \"apiVersion\": \"1.1.1\",\n    \"version\": \"1.1.0\",\n    \"stateDir\": \"/tmp/rk\",\n"
            "    \"childPID\": 8019,\n    \"networkDriver\": {\n        \"driver\": \"slirp4netns\",\n"
            "        \"dns\": [\n            \"10.0.2.3\"\n        ],\n        \"childIP\": \"10.0.2.100\"\n    },\n"
            "    \"portDriver\": {\n        \"driver\": \"builtin\",\n        \"protos\": [\n            \"tcp\",\n"
            "            \"tcp4\",\n            \"tcp6\",\n            \"udp\",\n            \"udp4\",\n            \"udp6\"\n"
            "        ]\n    }\n}");
}

TEST(NsApiJson, PortsOmitEmptyFieldsAndListNull) {
  PortStatus a{1, PortSpec{"tcp", "127.0.0.1", 20080, 80, ""}};
  PortStatus b{2, PortSpec{"tcp", "", 20081, 80, "127.0.0.1"}};
  EXPECT_EQ(port_status_json(a), R"({"id":1,"spec":{"proto":"tcp","parentIP":"127.0.0.1","parentPort":20080,"childPort":80}})");
  EXPECT_EQ(port_status_json(b), R"({"id":2,"spec":{"proto":"tcp","parentPort":20081,"childPort":80,"childIP":"127.0.0.1"}})");
  EXPECT_EQ(port_list_json({}), "null");
  EXPECT_EQ(port_list_json({a, b}), "[" + port_status_json(a) + "," + port_status_json(b) + "]");
  EXPECT_EQ(port_spec_json(PortSpec{}), "{}");
}

TEST(NsApiJson, ErrorBodiesWithGoEscaping) {
  EXPECT_EQ(error_json("conflict with ID 1"), "{\"message\":\"conflict with ID 1\"}\n");
  EXPECT_EQ(error_json("invalid ChildIP: \"<>&\""), "{\"message\":\"invalid ChildIP: \\\"\\u003c\\u003e\\u0026\\\"\"}\n");
  EXPECT_EQ(error_json("invalid ChildPort: '\\x00'"), "{\"message\":\"invalid ChildPort: '\\\\x00'\"}\n");
  EXPECT_EQ(error_json("invalid ParentPort: '\xF0\x91\x85\xB0'"), "{\"message\":\"invalid ParentPort: '\xF0\x91\x85\xB0'\"}\n");
}

TEST(NsApiJson, GoStringEscaping) {
  EXPECT_EQ(go_json_quote("a\nb\tc\rd\x01\x7f"), "\"a\\nb\\tc\\rd\\u0001\x7f\"");
  EXPECT_EQ(go_json_quote("\xE2\x80\xA8\xE2\x80\xA9"), "\"\\u2028\\u2029\"");
  EXPECT_EQ(go_json_quote("bad \xFF utf8 \xC3"), "\"bad \\ufffd utf8 \\ufffd\"");
  EXPECT_EQ(go_json_quote("\xC3\xA9"), "\"\xC3\xA9\"");
}

TEST(NsApiJson, DecodeSpecAsGo) {
  PortSpec spec = decode_port_spec(R"({"proto":"tcp","parentIP":"127.0.0.1","parentPort":20085,"childPort":80,"extra":1})");
  EXPECT_EQ(spec, (PortSpec{"tcp", "127.0.0.1", 20085, 80, ""}));
  spec = decode_port_spec(R"({"PROTO":"udp","ParentPort":5,"childip":null} trailing)");
  EXPECT_EQ(spec, (PortSpec{"udp", "", 5, 0, ""}));
  EXPECT_EQ(decode_port_spec("null"), PortSpec{});
  EXPECT_EQ(decode_port_spec(R"({"parentPort":1099511627776})").parent_port, INT_MIN);  // a Go int, not a rune
}

void expect_decode_error(const std::string& body, const std::string& message) {
  try {
    decode_port_spec(body);
    ADD_FAILURE() << "no error for " << body;
  } catch (const Error& e) {
    EXPECT_EQ(e.what(), message) << body;
  }
}

TEST(NsApiJson, DecodeErrorsAsRootlesskitGave) {
  expect_decode_error("not json", "invalid character 'o' in literal null (expecting 'u')");
  expect_decode_error("", "EOF");
  expect_decode_error(" \n", "EOF");
  expect_decode_error(R"({"proto":"tcp","parentIP":"127.0.0.1","parentPort":"20085","childPort":80})",
                      "json: cannot unmarshal string into Go struct field Spec.parentPort of type int");
  expect_decode_error("[1]", "json: cannot unmarshal array into Go value of type port.Spec");
  expect_decode_error(R"({"proto":1})", "json: cannot unmarshal number into Go struct field Spec.proto of type string");
  expect_decode_error(R"({"childPort":1.5})", "json: cannot unmarshal number 1.5 into Go struct field Spec.childPort of type int");
  expect_decode_error(R"({"proto":"tcp")", "unexpected EOF");
  expect_decode_error("x", "invalid character 'x' looking for beginning of value");
  EXPECT_THROW(decode_port_spec(R"({"proto":55E5555555555})"), Error);  // beyond a double (found by fuzz_http)
}

TEST(NsApiJson, DecodeWhatTheServerSends) {
  InfoDocument info = decode_info(recorded_info);
  EXPECT_EQ(info_json(info), recorded_info);
  std::vector<PortStatus> ports = decode_port_list(
      R"([{"id":6,"spec":{"proto":"tcp","parentIP":"127.0.0.1","parentPort":20088,"childPort":80}},{"id":2,"spec":{"proto":"tcp","parentPort":20081,"childPort":80,"childIP":"127.0.0.1"}}])");
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0].id, 6);
  EXPECT_EQ(ports[1].spec.child_ip, "127.0.0.1");
  EXPECT_TRUE(decode_port_list("null").empty());
  EXPECT_EQ(decode_error_message("{\"message\":\"unknown id: 999\"}\n"), "unknown id: 999");
  EXPECT_EQ(decode_error_message("404 page not found\n"), "404 page not found");
}

}  // namespace
}  // namespace roost::ns
