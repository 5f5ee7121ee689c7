#include "cli/ns/run.hpp"

#include <cstdio>

#include "ns/child.hpp"
#include "ns/options.hpp"
#include "ns/parent.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

#ifndef ROOST_VERSION
#define ROOST_VERSION "0.0.0"
#endif

namespace roost::cli {
namespace {

void print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// --print-semver major|minor|patch of the rootlesskit version roost ns answers as.
std::string semver_part(const std::string& part) {
  std::string v = ns::kRootlesskitVersion;
  size_t a = v.find('.'), b = v.find('.', a + 1);
  if (part == "major") return v.substr(0, a);
  if (part == "minor") return v.substr(a + 1, b - a - 1);
  return v.substr(b + 1);
}

}  // namespace

int ns_run(const std::string& program, const std::vector<std::string>& args, const std::vector<std::string>& argv) {
  log::set_program_name(program);
  ns::NsOptions opts;
  try {
    opts = ns::parse_ns_options(args);
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), e.what());
    return 1;
  }
  log::configure("", log::Format::Text, opts.debug);
  if (ns::is_ns_child()) return ns::run_ns_child(opts);
  if (opts.help) {
    print(ns::ns_help_text(program));
    return 0;
  }
  if (opts.version) {
    print(std::string("rootlesskit version ") + ns::kRootlesskitVersion + " (roost " ROOST_VERSION ")\n");
    return 0;
  }
  if (!opts.print_semver.empty()) {
    print(semver_part(opts.print_semver) + "\n");
    return 0;
  }
  return ns::run_ns_parent(opts, argv);
}

}  // namespace roost::cli
