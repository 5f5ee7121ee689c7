// The k8s-file log (monitor/k8s_log): records as conmon writes them (the lines below are from a
// real `podman run --log-driver k8s-file` here), read back as `roost logs` shows them.
#include "monitor/k8s_log.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "util/error.hpp"
#include "util/file.hpp"

using namespace roost::monitor;

namespace {

// podman 4.3 (conmon), `sh -c 'echo hello; printf partial; sleep 0.2; echo " more"; echo err >&2; printf "a\nb"'`.
const char* const kPodmanLog =
    "2026-12-06T22:28:25.312093607+00:00 stdout F hello\n"
    "2026-12-06T22:28:25.312093607+00:00 stdout P partial\n"
    "2026-12-06T22:28:25.516300601+00:00 stdout F  more\n"
    "2026-12-06T22:28:25.516300601+00:00 stdout F a\n"
    "2026-12-06T22:28:25.516300601+00:00 stdout P b\n"
    "2026-12-06T22:28:25.516401424+00:00 stderr F err\n";

class MonitorK8sLogFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/roost-k8s-log-XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    dir_ = tmpl;
    path_ = dir_ + "/ctr.log";
    int out[2], err[2];
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    ASSERT_EQ(pipe2(err, O_CLOEXEC), 0);
    out_read_.reset(out[0]), out_write_.reset(out[1]), err_read_.reset(err[0]), err_write_.reset(err[1]);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs read_logs and returns what went to stdout and stderr.
  std::pair<std::string, std::string> read(LogReadOptions options) {
    options.stdout_fd = out_write_.get();
    options.stderr_fd = err_write_.get();
    read_logs(path_, options);
    out_write_.reset(), err_write_.reset();
    return {drain(out_read_.get()), drain(err_read_.get())};
  }
  static std::string drain(int fd) {
    std::string s;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
    return s;
  }

  std::string dir_, path_;
  roost::UniqueFd out_read_, out_write_, err_read_, err_write_;
};

}  // namespace

TEST(MonitorK8sLog, RecordsOfAChunkOneLineEach) {
  EXPECT_EQ(k8s_records(LogStream::Stdout, "a\nb", "T"), "T stdout F a\nT stdout P b\n");
  EXPECT_EQ(k8s_records(LogStream::Stderr, "err\n", "T"), "T stderr F err\n");
  EXPECT_EQ(k8s_records(LogStream::Stdout, "\n\n", "T"), "T stdout F \nT stdout F \n");
  EXPECT_EQ(k8s_records(LogStream::Stdout, "", "T"), "");
}

TEST(MonitorK8sLog, TimestampIsConmonsForm) {
  setenv("TZ", "UTC", 1);
  tzset();
  timespec when{1796594905, 312093607};  // 2026-12-06T22:08:25.312093607Z
  EXPECT_EQ(k8s_timestamp(when), "2026-12-06T22:08:25.312093607+00:00");
  setenv("TZ", "EST5", 1);
  tzset();
  EXPECT_EQ(k8s_timestamp(when), "2026-12-06T17:08:25.312093607-05:00");
  timespec early{1796594905, 5};
  EXPECT_EQ(k8s_timestamp(early), "2026-12-06T17:08:25.000000005-05:00");
  unsetenv("TZ");
  tzset();
}

TEST(MonitorK8sLog, WrittenRecordsParseBack) {
  timespec when{1796594905, 1};
  const std::string records = k8s_records(LogStream::Stderr, "x y\n", k8s_timestamp(when));
  auto record = parse_k8s_record(records.substr(0, records.size() - 1));
  ASSERT_TRUE(record);
  EXPECT_EQ(record->time_ns, 1796594905LL * 1000000000 + 1);
  EXPECT_EQ(record->stream, LogStream::Stderr);
  EXPECT_FALSE(record->partial);
  EXPECT_EQ(record->message, "x y");
}

TEST(MonitorK8sLog, ParsesPodmansRecords) {
  auto record = parse_k8s_record("2026-12-06T22:28:25.516300601+00:00 stdout F  more");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->timestamp, "2026-12-06T22:28:25.516300601+00:00");
  EXPECT_EQ(record->message, " more");  // the message's own leading space is kept
  auto partial = parse_k8s_record("2026-12-06T22:28:25.312093607+00:00 stdout P partial");
  ASSERT_TRUE(partial);
  EXPECT_TRUE(partial->partial);
  auto empty = parse_k8s_record("2026-12-06T22:28:25.312093607+00:00 stdout F");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->message, "");
}

TEST(MonitorK8sLog, RejectsLinesThatAreNotRecords) {
  EXPECT_FALSE(parse_k8s_record(""));
  EXPECT_FALSE(parse_k8s_record("2026-12-06T22:28:25.3+00:00 stdin F x"));
  EXPECT_FALSE(parse_k8s_record("2026-12-06T22:28:25.3+00:00 stdout X x"));
  EXPECT_FALSE(parse_k8s_record("yesterday stdout F x"));
  EXPECT_FALSE(parse_k8s_record("2026-12-06T22:28:25.3+00:00 stdout Fx"));
}

TEST(MonitorK8sLog, Rfc3339ZonesAndFractions) {
  EXPECT_EQ(parse_rfc3339_ns("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339_ns("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(parse_rfc3339_ns("1970-01-01T00:00:01.5Z"), 1500000000);
  EXPECT_EQ(parse_rfc3339_ns("1969-12-31T19:00:00-05:00"), 0);
  EXPECT_FALSE(parse_rfc3339_ns("1970-01-01T00:00:00"));
  EXPECT_FALSE(parse_rfc3339_ns("1970-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339_ns("1970-01-01T00:00:00.Z"));
}

TEST(MonitorK8sLog, DisplayTimestampIsGoRfc3339Nano) {
  // podman logs -t printed "2026-12-06T22:28:25.312093607Z" for the first podman record.
  EXPECT_EQ(display_timestamp("2026-12-06T22:28:25.312093607+00:00"), "2026-12-06T22:28:25.312093607Z");
  EXPECT_EQ(display_timestamp("2026-12-06T22:28:25.312090000+00:00"), "2026-12-06T22:28:25.31209Z");
  EXPECT_EQ(display_timestamp("2026-12-06T22:28:25.000000000+00:00"), "2026-12-06T22:28:25Z");
  EXPECT_EQ(display_timestamp("2026-12-06T17:28:25.100000000-05:00"), "2026-12-06T17:28:25.1-05:00");
}

TEST(MonitorK8sLog, LogTimesAsPodmanTakesThem) {
  const int64_t now = 1796594905LL * 1000000000;
  EXPECT_EQ(parse_log_time("2026-12-06T22:28:25.4Z", now), parse_rfc3339_ns("2026-12-06T22:28:25.4Z"));
  EXPECT_EQ(parse_log_time("10m", now), now - 600LL * 1000000000);
  EXPECT_EQ(parse_log_time("1h30m", now), now - 5400LL * 1000000000);
  EXPECT_EQ(parse_log_time("250ms", now), now - 250000000);
  EXPECT_EQ(parse_log_time("1700000000", now), 1700000000LL * 1000000000);
  // Past int64 nanoseconds' end (2262): later than any line, not wrapped to before them.
  EXPECT_GT(parse_log_time("2999-01-01T00:00:00Z", now), now);
  EXPECT_GT(parse_log_time("2999-01-01", now), now);
  EXPECT_GT(parse_log_time("99999999999999", now), now);
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(parse_log_time("2026-12-06", now), parse_rfc3339_ns("2026-12-06T00:00:00Z"));
  EXPECT_EQ(parse_log_time("2026-12-06T01:02:03", now), parse_rfc3339_ns("2026-12-06T01:02:03Z"));
  unsetenv("TZ");
  tzset();
  EXPECT_THROW(parse_log_time("yesterday", now), roost::Error);
  EXPECT_THROW(parse_log_time("10x", now), roost::Error);
}

TEST(MonitorK8sLog, AssemblerJoinsPartialsPerStream) {
  LogLineAssembler assembler;
  auto rec = [](LogStream s, bool partial, std::string msg, int64_t t) {
    return LogRecord{"t" + std::to_string(t), t, s, partial, std::move(msg)};
  };
  EXPECT_FALSE(assembler.add(rec(LogStream::Stdout, true, "par", 1)));
  auto err = assembler.add(rec(LogStream::Stderr, false, "err", 2));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->text, "err\n");
  auto out = assembler.add(rec(LogStream::Stdout, false, "tial", 3));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->text, "partial\n");
  EXPECT_EQ(out->timestamp, "t1");  // the line's time is its first record's
  EXPECT_FALSE(assembler.add(rec(LogStream::Stdout, true, "b", 4)));
  auto rest = assembler.flush();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].text, "b");
  EXPECT_TRUE(assembler.flush().empty());
}

TEST_F(MonitorK8sLogFile, PodmansLogReadBackAsPodmanShowsIt) {
  roost::write_file(path_, kPodmanLog, O_WRONLY | O_CREAT | O_TRUNC);
  auto [out, err] = read({});
  EXPECT_EQ(out, "hello\npartial more\na\nb");
  EXPECT_EQ(err, "err\n");
}

TEST_F(MonitorK8sLogFile, TimestampsPrefixEachLine) {
  roost::write_file(path_, kPodmanLog, O_WRONLY | O_CREAT | O_TRUNC);
  LogReadOptions options;
  options.timestamps = true;
  auto [out, err] = read(options);
  EXPECT_EQ(out,
            "2026-12-06T22:28:25.312093607Z hello\n"
            "2026-12-06T22:28:25.312093607Z partial more\n"
            "2026-12-06T22:28:25.516300601Z a\n"
            "2026-12-06T22:28:25.516300601Z b");
  EXPECT_EQ(err, "2026-12-06T22:28:25.516401424Z err\n");
}

TEST_F(MonitorK8sLogFile, TailCountsJoinedLinesOfBothStreams) {
  roost::write_file(path_, kPodmanLog, O_WRONLY | O_CREAT | O_TRUNC);
  LogReadOptions options;
  options.tail = 2;
  auto [out, err] = read(options);
  EXPECT_EQ(out, "b");
  EXPECT_EQ(err, "err\n");
}

TEST_F(MonitorK8sLogFile, TailZeroPrintsNothing) {
  roost::write_file(path_, kPodmanLog, O_WRONLY | O_CREAT | O_TRUNC);
  LogReadOptions options;
  options.tail = 0;
  auto [out, err] = read(options);
  EXPECT_EQ(out + err, "");
}

TEST_F(MonitorK8sLogFile, SinceSkipsOlderLines) {
  roost::write_file(path_, kPodmanLog, O_WRONLY | O_CREAT | O_TRUNC);
  LogReadOptions options;
  options.since_ns = parse_rfc3339_ns("2026-12-06T22:28:25.4Z");
  auto [out, err] = read(options);
  // "partial more" began before --since: as a line, it goes with its first record.
  EXPECT_EQ(out, "a\nb");
  EXPECT_EQ(err, "err\n");
}

TEST_F(MonitorK8sLogFile, MissingLogIsEmpty) {
  auto [out, err] = read({});
  EXPECT_EQ(out + err, "");
}

TEST_F(MonitorK8sLogFile, WriterAppendsRecordsTheReaderJoins) {
  {
    K8sLogWriter writer(path_);
    writer.write(LogStream::Stdout, "one\ntw");
    writer.write(LogStream::Stderr, "oops\n");
    writer.write(LogStream::Stdout, "o\n");
  }
  EXPECT_EQ(std::filesystem::status(path_).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto [out, err] = read({});
  EXPECT_EQ(out, "one\ntwo\n");
  EXPECT_EQ(err, "oops\n");
}

TEST_F(MonitorK8sLogFile, FollowReadsWhatIsAppendedUntilTheContainerStops) {
  roost::write_file(path_, "2026-12-06T22:28:25.1+00:00 stdout F first\n", O_WRONLY | O_CREAT | O_TRUNC);
  int polls = 0;
  LogReadOptions options;
  options.still_running = [&] {
    if (++polls == 2) {
      K8sLogWriter writer(path_);
      writer.write(LogStream::Stdout, "second\n");
    }
    return polls < 3;
  };
  auto [out, err] = read(options);
  EXPECT_EQ(out, "first\nsecond\n");
  EXPECT_GE(polls, 3);
}
