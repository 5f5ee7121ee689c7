// The engine's pure parts: podman's sizes, ages and tables, the --format template subset, the
// progress lines.
#include <gtest/gtest.h>

#include "engine/humanize.hpp"
#include "engine/images.hpp"
#include "engine/system.hpp"
#include "engine/progress.hpp"
#include "engine/table.hpp"
#include "engine/template.hpp"
#include "util/error.hpp"

namespace roost::engine {
namespace {

TEST(Humanize, SizesAsPodmanPrintsThem) {
  // Figures seen from podman 4.3 on this machine (images: 1987655 bytes; system df: twice that).
  EXPECT_EQ(image_size(1987655), "1.99 MB");
  EXPECT_EQ(df_size(3975310), "3.975MB");
  EXPECT_EQ(df_size(0), "0B");
  EXPECT_EQ(image_size(0), "0 B");
  EXPECT_EQ(image_size(999), "999 B");
  EXPECT_EQ(image_size(1000), "1 kB");
  EXPECT_EQ(image_size(4260), "4.26 kB");
  EXPECT_EQ(image_size(1500000000), "1.5 GB");
  EXPECT_EQ(human_size(123456789, 3), "123MB");
}

TEST(Humanize, DurationsAsGoUnits) {
  EXPECT_EQ(human_duration(0), "Less than a second");
  EXPECT_EQ(human_duration(1), "1 second");
  EXPECT_EQ(human_duration(59), "59 seconds");
  EXPECT_EQ(human_duration(60), "About a minute");
  EXPECT_EQ(human_duration(119), "About a minute");
  EXPECT_EQ(human_duration(120), "2 minutes");
  EXPECT_EQ(human_duration(3599), "59 minutes");
  EXPECT_EQ(human_duration(3600), "About an hour");
  EXPECT_EQ(human_duration(2 * 3600), "2 hours");
  EXPECT_EQ(human_duration(2 * 3600 - 1700), "2 hours");  // rounded to the nearest hour
  EXPECT_EQ(human_duration(47 * 3600), "47 hours");
  EXPECT_EQ(human_duration(48 * 3600), "2 days");
  EXPECT_EQ(human_duration(14 * 86400), "2 weeks");
  EXPECT_EQ(human_duration(60 * 86400), "2 months");
  EXPECT_EQ(human_duration(3LL * 365 * 86400), "3 years");
  EXPECT_EQ(ago(7200), "2 hours ago");
}

TEST(Humanize, Rfc3339) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2026-12-04T18:51:53.671448635Z"), 1796410313);
  EXPECT_EQ(parse_rfc3339("2026-12-04T20:51:53+02:00"), 1796410313);
  EXPECT_EQ(parse_rfc3339("2026-12-04T18:51:53"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("yesterday"), std::nullopt);
  EXPECT_EQ(parse_rfc3339(""), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-13-04T18:51:53Z"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-12-04T18:51:53.Z"), std::nullopt);
}

TEST(Table, ColumnsAsPodmanLaysThemOut) {
  // podman images, as printed by podman 4.3 here.
  const std::string want =
      "REPOSITORY                  TAG         IMAGE ID      CREATED       SIZE\n"
      "localhost/bbtest            1           5befe1d2f19e  1 second ago  1.99 MB\n"
      "quay.io/x/longer-name-here  v2          5befe1d2f19e  1 second ago  1.99 MB\n";
  EXPECT_EQ(format_table({{"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"},
                          {"localhost/bbtest", "1", "5befe1d2f19e", "1 second ago", "1.99 MB"},
                          {"quay.io/x/longer-name-here", "v2", "5befe1d2f19e", "1 second ago", "1.99 MB"}}),
            want);
  EXPECT_EQ(format_table({{"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"},
                          {"Images", "2", "0", "3.975MB", "3.975MB (100%)"},
                          {"Local Volumes", "0", "0", "0B", "0B (0%)"}}),
            "TYPE           TOTAL       ACTIVE      SIZE        RECLAIMABLE\n"
            "Images         2           0           3.975MB     3.975MB (100%)\n"
            "Local Volumes  0           0           0B          0B (0%)\n");
}

TEST(Template, FieldsPathsJsonAndIndex) {
  const nlohmann::json v = {{"Id", "abc"},
                            {"Size", 1987655},
                            {"RootFS", {{"Type", "layers"}, {"Layers", {"sha256:1", "sha256:2"}}}},
                            {"RepoTags", {"a:1", "b<&>"}},
                            {"Labels", {{"z", "1"}, {"a", "2"}}},
                            {"Ok", true},
                            {"Nothing", nullptr}};
  EXPECT_EQ(Template("{{.Id}}").render(v), "abc\n");
  EXPECT_EQ(Template("{{ .Id }} {{.Size}}").render(v), "abc 1987655\n");
  EXPECT_EQ(Template("{{.RootFS.Type}} {{.RootFS.Layers}}").render(v), "layers [sha256:1 sha256:2]\n");
  EXPECT_EQ(Template("{{json .RepoTags}}").render(v), "[\"a:1\",\"b\\u003c\\u0026\\u003e\"]\n");
  EXPECT_EQ(Template("{{.Labels}}").render(v), "map[a:2 z:1]\n");
  EXPECT_EQ(Template("{{index .Labels \"z\"}}/{{index .Labels \"q\"}}").render(v), "1/<no value>\n");
  EXPECT_EQ(Template("{{.Ok}} {{.Nothing}}").render(v), "true <nil>\n");
  EXPECT_EQ(Template("id=\\t{{.Id}}\\n").render(v), "id=\tabc\n");
  EXPECT_EQ(Template("plain").render(v), "plain\n");
  EXPECT_EQ(Template("{{json .}}").render(nlohmann::json{{"a", 1}}), "{\"a\":1}\n");
}

TEST(Template, ErrorsAreOneLine) {
  const nlohmann::json v = {{"Id", "abc"}};
  EXPECT_THROW(Template("{{.Id"), Error);
  EXPECT_THROW(Template("{{if .Id}}x{{end}}"), Error);
  EXPECT_THROW(Template("{{}}"), Error);
  EXPECT_THROW(Template("{{Id}}"), Error);
  EXPECT_THROW(Template("{{.Id..X}}"), Error);
  try {
    Template("{{.Nope}}").render(v);
    FAIL() << "a missing field rendered";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "template: can't evaluate field Nope");
  }
  EXPECT_THROW(Template("{{.Id.X}}").render(v), Error);
}

TEST(Progress, Lines) {
  EXPECT_EQ(format_rate(0, 1.0), "-");
  EXPECT_EQ(format_rate(3000000, 2.0), "1.5MB/s");
  EXPECT_EQ(format_blob_line("sha256:0123456789abcdef", 1500000, 3000000, 1.0, false),
            "Copying blob sha256:0123456789ab  1.5MB / 3MB  1.5MB/s");
  EXPECT_EQ(format_blob_line("sha256:0123456789abcdef", 3000000, -1, 2.0, true),
            "Copying blob sha256:0123456789ab  3MB  1.5MB/s  done");
  EXPECT_EQ(format_blob_line("sha256:0123456789abcdef", 13000, 3000000, 0.001, false),
            "Copying blob sha256:0123456789ab  13kB / 3MB  -");
}

// Plain mode (stderr not a terminal): one line per finished blob, nothing in between.
TEST(Progress, PlainPrintsOneLinePerBlob) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = ::open_memstream(&buf, &len);
  {
    Progress p(ProgressMode::Plain, f);
    p.message("Getting image source signatures");
    size_t a = p.add_blob("sha256:aa", 10);
    size_t b = p.add_blob("sha256:bb", 20);
    p.blob_skipped("sha256:cc");
    p.blob_bytes(a, 5);
    p.blob_bytes(b, 20);
    p.blob_done(b);
    p.blob_done(a);
    p.finish();
  }
  std::fclose(f);
  EXPECT_EQ(std::string(buf, len),
            "Getting image source signatures\n"
            "Copying blob sha256:cc skipped: already exists\n"
            "Copying blob sha256:bb done\n"
            "Copying blob sha256:aa done\n");
  std::free(buf);
}

TEST(Progress, QuietPrintsNothingAndTtyRedrawsInPlace) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = ::open_memstream(&buf, &len);
  {
    Progress q(ProgressMode::Quiet, f);
    q.message("x");
    q.blob_done(q.add_blob("sha256:aa", 1));
    q.finish();
  }
  std::fflush(f);
  EXPECT_EQ(len, 0u);
  {
    Progress t(ProgressMode::Tty, f);
    size_t a = t.add_blob("sha256:aa", 10);
    size_t b = t.add_blob("sha256:bb", 10);
    t.blob_done(a);  // first drawing: two lines
    t.blob_done(b);  // second: back up two lines, both again
  }
  std::fclose(f);
  const std::string out(buf, len);
  std::free(buf);
  EXPECT_EQ(out.find("\033[2A"), out.rfind("\033[2A"));  // moved up exactly once
  EXPECT_NE(out.find("\033[2A"), std::string::npos);
  EXPECT_NE(out.find("Copying blob sha256:bb  0B / 10B  -  done"), std::string::npos);
}

store::ImageRecord record(const std::string& hex_char, std::vector<std::string> names, const std::string& created,
                          int64_t size) {
  store::ImageRecord r;
  r.id = image::Digest{"sha256", std::string(64, hex_char[0])};
  r.manifest_digest = image::Digest{"sha256", std::string(64, 'f')};
  r.names = std::move(names);
  r.created = created;
  r.stored_at = "2026-12-04T18:00:00Z";
  r.size = size;
  return r;
}

const int64_t kNow = 1796410313 + 7200;  // two hours after 2026-12-04T18:51:53Z

TEST(Images, TableOneRowPerNameNewestFirstNoneForNameless) {
  std::vector<store::ImageRecord> images{
      record("a", {"localhost/bbtest:1", "quay.io/x/longer-name-here:v2"}, "2026-12-04T18:51:53Z", 1987655),
      record("b", {}, "2026-12-04T20:51:00Z", 999),
      record("c", {"docker.io/library/busybox:latest"}, "", 4260)};  // no created: stored at 18:00
  const std::string out = format_images(images, {}, kNow, {});
  EXPECT_EQ(out,
            "REPOSITORY                  TAG         IMAGE ID      CREATED         SIZE\n"
            "<none>                      <none>      bbbbbbbbbbbb  53 seconds ago  999 B\n"
            "localhost/bbtest            1           aaaaaaaaaaaa  2 hours ago     1.99 MB\n"
            "quay.io/x/longer-name-here  v2          aaaaaaaaaaaa  2 hours ago     1.99 MB\n"
            "docker.io/library/busybox   latest      cccccccccccc  3 hours ago     4.26 kB\n");
}

TEST(Images, QuietDigestsNoTruncJsonAndTemplate) {
  std::vector<store::ImageRecord> images{
      record("a", {"localhost/bbtest:1", "localhost/other:2"}, "2026-12-04T18:51:53Z", 10)};
  ImagesOptions q;
  q.quiet = true;
  EXPECT_EQ(format_images(images, q, kNow, {}), "aaaaaaaaaaaa\n");  // once, not once per name
  q.no_trunc = true;
  EXPECT_EQ(format_images(images, q, kNow, {}), "sha256:" + std::string(64, 'a') + "\n");
  ImagesOptions d;
  d.digests = true;
  EXPECT_NE(format_images(images, d, kNow, {}).find("DIGEST"), std::string::npos);
  EXPECT_NE(format_images(images, d, kNow, {}).find("sha256:" + std::string(64, 'f')), std::string::npos);
  ImagesOptions j;
  j.format = "json";
  const auto parsed = nlohmann::json::parse(
      format_images(images, j, kNow, [](const store::ImageRecord&) { return nlohmann::json{{"k", "v"}}; }));
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0]["Id"], std::string(64, 'a'));
  EXPECT_EQ(parsed[0]["Names"], nlohmann::json({"localhost/bbtest:1", "localhost/other:2"}));
  EXPECT_EQ(parsed[0]["Created"], 1796410313);
  EXPECT_EQ(parsed[0]["Labels"]["k"], "v");
  EXPECT_EQ(parsed[0]["Digest"], "sha256:" + std::string(64, 'f'));
  ImagesOptions t;
  t.format = "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}";
  EXPECT_EQ(format_images(images, t, kNow, {}),
            "localhost/bbtest:1 aaaaaaaaaaaa 10 B\nlocalhost/other:2 aaaaaaaaaaaa 10 B\n");
  t.format = "table {{.ID}}";
  EXPECT_THROW(format_images(images, t, kNow, {}), Error);
}

TEST(Images, SplitName) {
  EXPECT_EQ(split_name("localhost:5000/a/b:1"), (std::pair<std::string, std::string>{"localhost:5000/a/b", "1"}));
  EXPECT_EQ(split_name("localhost:5000/a/b"), (std::pair<std::string, std::string>{"localhost:5000/a/b", "<none>"}));
}

TEST(SystemDf, AsPodmanPrintsIt) {
  store::Usage u;
  u.images = 2;
  u.layer_bytes = 3975310;
  u.reclaimable_bytes = 3975310;
  EXPECT_EQ(format_df(u, ""),
            "TYPE           TOTAL       ACTIVE      SIZE        RECLAIMABLE\n"
            "Images         2           0           3.975MB     3.975MB (100%)\n"
            "Containers     0           0           0B          0B (0%)\n"
            "Local Volumes  0           0           0B          0B (0%)\n");
  const auto j = nlohmann::json::parse(format_df(u, "json"));
  EXPECT_EQ(j[0]["Type"], "Images");
  EXPECT_EQ(j[0]["RawSize"], 3975310);
  EXPECT_EQ(j[0]["Reclaimable"], "3.975MB (100%)");
  PruneResult p;
  p.deleted = {"abc"};
  p.reclaimed_bytes = 5030000;
  EXPECT_EQ(format_prune(p), "Deleted Images\nabc\nTotal reclaimed space: 5.03MB\n");
}
}  // namespace
}  // namespace roost::engine
