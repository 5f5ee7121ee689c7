// PortManager: ids from 1 and never reused, rootlesskit's conflict rule and messages, the spec
// kept as given, and the driver called exactly for what was accepted.
#include <gtest/gtest.h>

#include "ns/port/port_manager.hpp"
#include "util/error.hpp"

namespace roost::ns {
namespace {

// Records calls; fails an add whose parent port is 20999 as a driver's bind would.
class RecordingDriver : public PortDriver {
 public:
  explicit RecordingDriver(std::vector<std::string>& calls) : calls_(calls) {}
  std::string name() const override { return "fake"; }
  std::vector<std::string> protos() const override { return {"tcp"}; }
  void add(int id, const PortSpec& spec) override {
    if (spec.parent_port == 20999) throw Error("listen tcp :20999: bind: address already in use");
    calls_.push_back("add " + std::to_string(id));
  }
  void remove(int id) override { calls_.push_back("remove " + std::to_string(id)); }

 private:
  std::vector<std::string>& calls_;
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(PortManager, IdsFromOneNeverReused) {
  std::vector<std::string> calls;
  PortManager ports(std::make_unique<RecordingDriver>(calls));
  PortSpec spec{"tcp", "127.0.0.1", 20080, 80, ""};
  EXPECT_EQ(ports.add(spec).id, 1);
  EXPECT_EQ(error_of([&] { ports.add(PortSpec{"tcp", "127.0.0.1", 20080, 81, ""}); }), "conflict with ID 1");
  EXPECT_EQ(ports.add(PortSpec{"udp", "127.0.0.1", 20080, 80, ""}).id, 2);  // another proto: no conflict
  EXPECT_EQ(ports.add(PortSpec{"tcp", "", 20080, 80, ""}).id, 3);           // another parentIP: none either
  EXPECT_EQ(error_of([&] { ports.add(PortSpec{"tcp", "", 20999, 80, ""}); }), "listen tcp :20999: bind: address already in use");
  ports.remove(1);
  EXPECT_EQ(error_of([&] { ports.remove(1); }), "unknown id: 1");
  EXPECT_EQ(ports.add(spec).id, 4);  // the failed add took no id; the removed 1 is not given again
  EXPECT_EQ(calls, (std::vector<std::string>{"add 1", "add 2", "add 3", "remove 1", "add 4"}));
  auto list = ports.list();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[2].spec, spec);
}

TEST(PortManager, InvalidSpecsNeverReachTheDriver) {
  std::vector<std::string> calls;
  PortManager ports(std::make_unique<RecordingDriver>(calls));
  EXPECT_EQ(error_of([&] { ports.add(PortSpec{"foo", "", 20082, 80, ""}); }), "unknown proto: \"foo\"");
  EXPECT_EQ(error_of([&] { ports.add(PortSpec{"tcp", "bogus", 20084, 80, ""}); }), "invalid ParentIP: \"bogus\"");
  EXPECT_EQ(error_of([&] { ports.add(PortSpec{"tcp", "", 20083, 0, ""}); }), "invalid ChildPort: '\\x00'");
  EXPECT_TRUE(calls.empty());
}

TEST(PortManager, WithoutDriver) {
  PortManager ports(nullptr);
  EXPECT_EQ(error_of([&] { ports.add(PortSpec{"tcp", "", 20080, 80, ""}); }), "no PortDriver is available");
  EXPECT_EQ(error_of([&] { ports.remove(1); }), "no PortDriver is available");
}

}  // namespace
}  // namespace roost::ns
