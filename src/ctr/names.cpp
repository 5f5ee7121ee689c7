// Generated container names from two lists of roost's own (about fifty words each: 2,500 names,
// enough that a collision is rare; the store retries one that is taken).
#include "ctr/names.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>

#include "util/error.hpp"

namespace roost::ctr {

namespace {

constexpr std::array kAdjectives = {
    "amber",   "ardent",  "bold",     "brisk",   "calm",    "candid",  "cheerful", "clever",  "cosmic",
    "crisp",   "daring",  "deft",     "eager",   "earnest", "fervent", "festive",  "fluent",  "frosty",
    "gallant", "gentle",  "glad",     "golden",  "hardy",   "hearty",  "humble",   "jolly",   "keen",
    "kind",    "lively",  "loyal",    "lucid",   "merry",   "mellow",  "nimble",   "noble",   "patient",
    "placid",  "plucky",  "quiet",    "radiant", "rapid",   "serene",  "sharp",    "steady",  "sunny",
    "swift",   "tender",  "tidy",     "vivid",   "witty",   "zealous", "upbeat",
};

// People of science and computing.
constexpr std::array kSurnames = {
    "agnesi",   "babbage",  "bardeen", "bohr",     "boole",     "cantor",   "carson",  "curie",    "darwin",
    "dijkstra", "euler",    "faraday", "fermat",   "feynman",   "franklin", "galois",  "gauss",    "germain",
    "goodall",  "hamilton", "hopper",  "hypatia",  "johnson",   "kepler",   "knuth",   "kovalevskaya", "lamarr",
    "leavitt",  "lovelace", "maxwell", "meitner",  "mendel",    "mirzakhani", "noether", "pascal", "pasteur",
    "perlman",  "planck",   "ramanujan", "ritchie", "shannon",  "somerville", "tesla", "thompson", "turing",
    "vaughan",  "volta",    "wiles",   "wozniak",  "yalow",     "zuse",     "hodgkin",
};

uint32_t random_below(uint32_t bound) {
  uint32_t value = 0;
  for (;;) {
    ssize_t n = ::getrandom(&value, sizeof value, 0);
    if (n == static_cast<ssize_t>(sizeof value)) break;
    if (n < 0 && errno != EINTR) throw_errno("getrandom");
  }
  return value % bound;  // the bias of a 32-bit value modulo ~50 does not matter for a name
}

}  // namespace

std::string generate_name() {
  return std::string(kAdjectives[random_below(kAdjectives.size())]) + "_" + kSurnames[random_below(kSurnames.size())];
}

bool is_valid_name(const std::string& name) {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (name.empty() || !alnum(name[0])) return false;
  for (char c : name)
    if (!alnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

void check_name(const std::string& name) {
  if (!is_valid_name(name))
    throw Error("names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
}

}  // namespace roost::ctr
