// The control socket's messages (monitor/ctl_protocol): what the engine and the monitor exchange.
#include "monitor/ctl_protocol.hpp"

#include <gtest/gtest.h>

#include "util/error.hpp"

using namespace roost::monitor;

TEST(MonitorCtlProtocol, FrameCarriesKindByteThenPayload) {
  const std::string message = encode_frame(FrameKind::Stderr, "oops\n");
  ASSERT_EQ(message.size(), 6u);
  EXPECT_EQ(message[0], '\x02');
  auto frame = decode_frame(message);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->kind, FrameKind::Stderr);
  EXPECT_EQ(frame->payload, "oops\n");
}

TEST(MonitorCtlProtocol, KindNumbersAreThePlansNumbers) {
  EXPECT_EQ(encode_frame(FrameKind::Stdin, "")[0], '\0');
  EXPECT_EQ(encode_frame(FrameKind::Stdout, "")[0], '\1');
  EXPECT_EQ(encode_frame(FrameKind::Exit, "")[0], '\3');
  EXPECT_EQ(encode_frame(FrameKind::Resize, "")[0], '\4');
  EXPECT_EQ(encode_frame(FrameKind::StdinClosed, "")[0], '\5');
}

TEST(MonitorCtlProtocol, EmptyPayloadFrameDecodes) {
  auto frame = decode_frame(std::string(1, '\5'));
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->kind, FrameKind::StdinClosed);
  EXPECT_TRUE(frame->payload.empty());
}

TEST(MonitorCtlProtocol, BinaryPayloadSurvives) {
  const std::string bytes("\0\xff\n\x03", 4);
  // The frame views the encoded message: keep the message alive while the frame is read.
  const std::string message = encode_frame(FrameKind::Stdout, bytes);
  auto frame = decode_frame(message);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->payload, bytes);
}

TEST(MonitorCtlProtocol, FrameSizeLimit) {
  EXPECT_NO_THROW(encode_frame(FrameKind::Stdout, std::string(kMaxFramePayload, 'x')));
  EXPECT_THROW(encode_frame(FrameKind::Stdout, std::string(kMaxFramePayload + 1, 'x')), roost::Error);
  EXPECT_FALSE(decode_frame(std::string(kMaxFrameSize + 1, '\1')));
}

TEST(MonitorCtlProtocol, UnknownOrEmptyFrameIsRejected) {
  EXPECT_FALSE(decode_frame(""));
  EXPECT_FALSE(decode_frame("\x06hello"));
  EXPECT_FALSE(decode_frame("{\"op\":\"kill\"}"));
}

TEST(MonitorCtlProtocol, ExitPayload) {
  EXPECT_EQ(encode_exit_payload(137), "137");
  EXPECT_EQ(decode_exit_payload("0"), 0);
  EXPECT_EQ(decode_exit_payload("143"), 143);
  EXPECT_FALSE(decode_exit_payload(""));
  EXPECT_FALSE(decode_exit_payload("-1"));
  EXPECT_FALSE(decode_exit_payload("256"));
  EXPECT_FALSE(decode_exit_payload("12x"));
}

TEST(MonitorCtlProtocol, ResizePayloadIsRowsSpaceCols) {
  EXPECT_EQ(encode_resize_payload({24, 80}), "24 80");
  EXPECT_EQ(decode_resize_payload("50 132"), (WindowSize{50, 132}));
  EXPECT_FALSE(decode_resize_payload("50"));
  EXPECT_FALSE(decode_resize_payload("0 80"));
  EXPECT_FALSE(decode_resize_payload("24 80 1"));
  EXPECT_FALSE(decode_resize_payload("24  80"));
  EXPECT_FALSE(decode_resize_payload("70000 80"));
}

TEST(MonitorCtlProtocol, RequestsRoundTrip) {
  Request attach;
  attach.attach_stdin = true;
  EXPECT_EQ(encode_request(attach), R"({"op":"attach","stdin":true})");
  EXPECT_EQ(decode_request(encode_request(attach)), attach);
  attach.window = WindowSize{31, 97};
  EXPECT_EQ(encode_request(attach), R"({"op":"attach","stdin":true,"window":"31 97"})");
  EXPECT_EQ(decode_request(encode_request(attach)), attach);

  Request kill;
  kill.op = Request::Op::Kill;
  kill.signal = 9;
  EXPECT_EQ(decode_request(encode_request(kill)), kill);

  Request stop;
  stop.op = Request::Op::Stop;
  stop.signal = 15;
  stop.timeout_seconds = 10;
  EXPECT_EQ(decode_request(R"({"op":"stop","signal":15,"timeout":10})"), stop);

  Request console;
  console.op = Request::Op::Console;
  EXPECT_EQ(encode_request(console), R"({"op":"console"})");
  EXPECT_EQ(decode_request(encode_request(console)), console);
}

TEST(MonitorCtlProtocol, AttachWithoutStdinFieldDoesNotFeedStdin) {
  EXPECT_FALSE(decode_request(R"({"op":"attach"})").attach_stdin);
}

TEST(MonitorCtlProtocol, MalformedRequestsAreErrors) {
  EXPECT_THROW(decode_request("not json"), roost::Error);
  EXPECT_THROW(decode_request("[1]"), roost::Error);
  EXPECT_THROW(decode_request(R"({"signal":9})"), roost::Error);
  EXPECT_THROW(decode_request(R"({"op":"exec"})"), roost::Error);
  EXPECT_THROW(decode_request(R"({"op":"kill"})"), roost::Error);
  EXPECT_THROW(decode_request(R"({"op":"kill","signal":0})"), roost::Error);
  EXPECT_THROW(decode_request(R"({"op":"kill","signal":"9"})"), roost::Error);
  EXPECT_THROW(decode_request(R"({"op":"stop","signal":15})"), roost::Error);
  EXPECT_THROW(decode_request(R"({"op":"stop","signal":15,"timeout":-1})"), roost::Error);
  EXPECT_THROW(decode_request(R"({"op":"attach","stdin":"yes"})"), roost::Error);
  EXPECT_THROW(decode_request(R"({"op":"attach","window":"0 80"})"), roost::Error);
  EXPECT_THROW(decode_request(R"({"op":"attach","window":[24,80]})"), roost::Error);
}

TEST(MonitorCtlProtocol, Replies) {
  EXPECT_EQ(encode_reply({}), R"({"ok":true})");
  EXPECT_EQ(encode_reply({"", 143}), R"({"exit_code":143,"ok":true})");
  EXPECT_EQ(decode_reply(R"({"ok":true,"exit_code":0})"), (Reply{"", 0}));
  Reply error = decode_reply(R"({"error":"the container is not running"})");
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.error, "the container is not running");
  EXPECT_THROW(decode_reply(R"({"ok":false})"), roost::Error);
  EXPECT_THROW(decode_reply("{}"), roost::Error);
  EXPECT_THROW(decode_reply(R"({"error":""})"), roost::Error);
}

TEST(MonitorCtlProtocol, StartReplyIsOneJsonLine) {
  EXPECT_EQ(encode_start_reply({4242, "", 0}), "{\"pid\":4242}\n");
  EXPECT_EQ(decode_start_reply("{\"pid\":4242}\n"), (StartReply{4242, "", 0}));
  const std::string failed = encode_start_reply({0, "exec \"nope\": executable file not found", 127});
  EXPECT_EQ(failed.back(), '\n');
  EXPECT_EQ(failed.find('\n'), failed.size() - 1);
  EXPECT_EQ(decode_start_reply(failed), (StartReply{0, "exec \"nope\": executable file not found", 127}));
  EXPECT_EQ(decode_start_reply(R"({"error":"x"})").exit_code, 125);
  EXPECT_THROW(decode_start_reply(""), roost::Error);
  EXPECT_THROW(decode_start_reply(R"({"pid":0})"), roost::Error);
}

TEST(MonitorCtlProtocol, StartFailureExitCodesFollowTheRuntimesWords) {
  // roost-runtime's own words (container/process_exec.cpp), as podman reads runc's.
  EXPECT_EQ(start_failure_exit_code("exec \"/no/such/command\": no such file or directory (ENOENT)"), 127);
  EXPECT_EQ(start_failure_exit_code("exec \"nosuchcommand\": executable file not found in the container's PATH (/bin)"), 127);
  EXPECT_EQ(start_failure_exit_code("exec \"/etc\": Permission denied (EACCES)"), 126);
  EXPECT_EQ(start_failure_exit_code("mount proc on /proc: EPERM"), 125);
}
