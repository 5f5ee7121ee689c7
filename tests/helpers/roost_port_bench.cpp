// roost-port-bench: one iperf3 TCP stream through the builtin port driver against host loopback,
// in the same run and alternating, so that the ratio means something on a busy machine.
//   roost-port-bench [SECONDS [ROUNDS]]
// The child half runs in a private user+net namespace with `iperf3 -s` inside; the parent half
// forwards 127.0.0.1:19600 to it; a second `iperf3 -s` on host loopback (19602) is the baseline.
#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "private_netns.hpp"
#include "ns/port/port_driver.hpp"
#include "sys/netlink.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

using namespace roost;

namespace {

constexpr int kForwardedPort = 19600, kInsidePort = 19601, kLoopbackPort = 19602;

pid_t spawn(const std::vector<std::string>& argv) {
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // an iperf3 server never outlives the bench
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

[[noreturn]] void run_child(UniqueFd channel, int ready) {
  try {
    roost::test::enter_private_user_and_netns();
    netlink::RouteSocket().set_link_up("lo");
    spawn({"iperf3", "-s", "-B", "127.0.0.1", "-p", std::to_string(kInsidePort)});
    EventLoop loop;
    ns::PortDriverOptions options;
    options.driver = "builtin";
    ns::serve_port_driver_child(options, loop, std::move(channel));
    usleep(200000);  // iperf3 -s listening
    if (write(ready, "r", 1) != 1) _exit(1);
    loop.run();
    _exit(0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "roost-port-bench child: %s\n", e.what());
    _exit(1);
  }
}

double iperf3_gbits(int port, int seconds) {
  std::string cmd = "iperf3 -J -c 127.0.0.1 -p " + std::to_string(port) + " -t " + std::to_string(seconds);
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.contains("end")) return -1;
  if (getenv("ROOST_BENCH_CPU")) {
    auto& cpu = j["end"]["cpu_utilization_percent"];
    std::printf("  port %d: client cpu %.0f%%, server cpu %.0f%%, retransmits %lld\n", port,
                cpu["host_total"].get<double>(), cpu["remote_total"].get<double>(),
                j["end"]["sum_sent"].value("retransmits", 0LL));
  }
  return j["end"]["sum_received"]["bits_per_second"].get<double>() / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = argc > 1 ? std::stoi(argv[1]) : 5;
  int rounds = argc > 2 ? std::stoi(argv[2]) : 3;
  int pair[2], ready[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0 || pipe(ready) != 0) return 1;
  pid_t child = fork();
  if (child == 0) {
    close(pair[0]);
    close(ready[0]);
    run_child(UniqueFd(pair[1]), ready[1]);
  }
  close(pair[1]);
  close(ready[1]);
  char byte;
  if (read(ready[0], &byte, 1) != 1) return 1;
  pid_t host_server = spawn({"iperf3", "-s", "-B", "127.0.0.1", "-p", std::to_string(kLoopbackPort)});
  EventLoop loop;
  ns::PortDriverOptions options;
  options.driver = "builtin";
  auto driver = ns::make_port_driver(options, loop, UniqueFd(pair[0]));
  driver->add(1, ns::PortSpec{"tcp", "127.0.0.1", kForwardedPort, kInsidePort, ""});
  std::thread([&] { loop.run(); }).detach();
  usleep(200000);
  double sum_loop = 0, sum_fwd = 0;
  for (int r = 0; r < rounds; r++) {
    double l = iperf3_gbits(kLoopbackPort, seconds);
    double f = iperf3_gbits(kForwardedPort, seconds);
    std::printf("round %d: loopback %.2f Gbit/s, builtin forward %.2f Gbit/s, ratio %.2f\n", r + 1, l, f, f / l);
    std::fflush(stdout);
    sum_loop += l;
    sum_fwd += f;
  }
  std::printf("mean: loopback %.2f Gbit/s, builtin forward %.2f Gbit/s, ratio %.2f\n", sum_loop / rounds,
              sum_fwd / rounds, sum_fwd / sum_loop);
  std::fflush(stdout);
  kill(host_server, SIGTERM);
  kill(child, SIGKILL);
  waitpid(host_server, nullptr, 0);
  waitpid(child, nullptr, 0);
  _exit(0);  // the loop thread is still running
}
