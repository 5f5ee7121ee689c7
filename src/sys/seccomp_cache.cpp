#include "sys/seccomp_cache.hpp"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace roost {
namespace {

// 2: two programs, the main one and the SCMP_ACT_NOTIFY listener's (version 1 had one); 3: the
// programs are libseccomp's binary tree (seccomp.cpp), so a version-2 file is compiled again.
constexpr const char* kMagic = "roost-seccomp-cache 3";

// The key is built for every create and exec: decimal digits written in place (std::to_string made
// and freed a string per syscall name, 0.24M instructions for the default profile's key).
void put_decimal(std::string& out, uint64_t n, char end) {
  char digits[24];
  auto r = std::to_chars(digits, digits + sizeof digits - 1, n);
  *r.ptr++ = end;
  out.append(digits, static_cast<size_t>(r.ptr - digits));
}
void put_text(std::string& out, const std::string& s) {
  put_decimal(out, s.size(), ':');
  out += s;
}
void put_number(std::string& out, uint64_t n) { put_decimal(out, n, ';'); }
void put_optional(std::string& out, const std::optional<unsigned>& n) {
  if (!n) {
    out += '-';
    return;
  }
  out += '=';
  put_number(out, *n);
}
void put_texts(std::string& out, const std::vector<std::string>& list) {
  put_number(out, list.size());
  for (const auto& s : list) put_text(out, s);
}

std::string cache_key(const std::string& profile_key) {
  const scmp_version* v = seccomp_version();
  struct utsname u = {};
  ::uname(&u);
  return "libseccomp " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->micro) + "\narch " + u.machine + "\nkernel " + u.release + "\n" + profile_key;
}

// FNV-1a names the file; the key stored inside is what decides a hit.
std::string file_name(const std::string& key) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ULL;
  char name[32];
  std::snprintf(name, sizeof name, "f-%016llx", static_cast<unsigned long long>(h));
  return name;
}

// The file: lines "magic", "main-flags main-length", "listener-flags listener-length" (lengths in
// BPF instructions, 0 for no listener), the unknown names, the key's length; then the key and the
// two programs' instructions, back to back.
std::optional<SeccompFilter> load(const std::string& path, const std::string& key) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return std::nullopt;
  struct stat st;
  if (::fstat(fd.get(), &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 022))
    return std::nullopt;
  std::string data(static_cast<size_t>(st.st_size), '\0');
  if (::pread(fd.get(), data.data(), data.size(), 0) != static_cast<ssize_t>(data.size())) return std::nullopt;
  size_t pos = 0;
  auto line = [&](std::string& out) {
    size_t nl = data.find('\n', pos);
    if (nl == std::string::npos) return false;
    out = data.substr(pos, nl - pos);
    pos = nl + 1;
    return true;
  };
  // "FLAGS LENGTH" of one program.
  auto header = [](const std::string& text, unsigned& flags, size_t& length) {
    unsigned long f = 0, n = 0;
    char extra;
    if (std::sscanf(text.c_str(), "%lu %lu%c", &f, &n, &extra) != 2 || n > BPF_MAXINSNS) return false;
    flags = static_cast<unsigned>(f);
    length = n;
    return true;
  };
  std::string magic, main_header, listener_header, unknown, key_size;
  if (!line(magic) || magic != kMagic || !line(main_header) || !line(listener_header) || !line(unknown) ||
      !line(key_size))
    return std::nullopt;
  SeccompProgram main, listener;
  size_t main_length = 0, listener_length = 0;
  if (!header(main_header, main.flags, main_length) || main_length == 0 ||
      !header(listener_header, listener.flags, listener_length))
    return std::nullopt;
  size_t klen = 0;
  try {
    klen = std::stoul(key_size);
  } catch (...) {
    return std::nullopt;
  }
  if (klen != key.size() || data.compare(pos, klen, key) != 0) return std::nullopt;
  pos += klen;
  if (data.size() - pos != (main_length + listener_length) * sizeof(sock_filter)) return std::nullopt;
  // memcpy only when there is something to copy: an empty vector's data() may be null, which
  // memcpy must not get even for 0 bytes.
  main.code.resize(main_length);
  if (main_length != 0) std::memcpy(main.code.data(), data.data() + pos, main_length * sizeof(sock_filter));
  listener.code.resize(listener_length);
  if (listener_length != 0)
    std::memcpy(listener.code.data(), data.data() + pos + main_length * sizeof(sock_filter),
                listener_length * sizeof(sock_filter));
  std::vector<std::string> names;
  for (auto& n : split(unknown, ' '))
    if (!n.empty()) names.push_back(n);
  return SeccompFilter::from_parts(std::move(main), std::move(listener), std::move(names));
}

void store(const std::string& dir, const std::string& path, const std::string& key, const SeccompFilter& filter) {
  make_dirs(dir, 0700);
  std::string unknown;
  for (const auto& n : filter.unknown_syscalls()) unknown += (unknown.empty() ? "" : " ") + n;
  const SeccompProgram& main = filter.main_program();
  const SeccompProgram& listener = filter.listener_program();
  std::string data = std::string(kMagic) + "\n" + std::to_string(main.flags) + " " + std::to_string(main.code.size()) +
                     "\n" + std::to_string(listener.flags) + " " + std::to_string(listener.code.size()) + "\n" +
                     unknown + "\n" + std::to_string(key.size()) + "\n" + key;
  for (const SeccompProgram* p : {&main, &listener})
    data.append(reinterpret_cast<const char*>(p->code.data()), p->code.size() * sizeof(sock_filter));
  write_file_atomic(path, data, 0600);
}

}  // namespace

std::string seccomp_profile_key(const oci::Seccomp& p) {
  std::string k;
  k.reserve(8192);
  put_text(k, p.default_action);
  put_optional(k, p.default_errno_ret);
  put_texts(k, p.architectures);
  put_texts(k, p.flags);
  put_text(k, p.listener_path);
  put_text(k, p.listener_metadata);
  put_number(k, p.syscalls.size());
  for (const auto& rule : p.syscalls) {
    put_texts(k, rule.names);
    put_text(k, rule.action);
    put_optional(k, rule.errno_ret);
    put_number(k, rule.args.size());
    for (const auto& a : rule.args) {
      put_number(k, a.index);
      put_number(k, a.value);
      put_number(k, a.value_two);
      put_text(k, a.op);
    }
  }
  return k;
}

namespace {

// The filter stored under `key`, or compile() stored there.
template <class Compile>
SeccompFilter cached_or_compiled(const std::string& key, const std::string& cache_dir, Compile compile) {
  const std::string path = cache_dir + "/" + file_name(key);
  if (auto cached = load(path, key)) {
    log::debug("seccomp: filter from the cache " + path);
    return std::move(*cached);
  }
  SeccompFilter filter = compile();
  try {
    store(cache_dir, path, key, filter);
  } catch (const Error& e) {
    log::debug(std::string("seccomp: not cached: ") + e.what());
  }
  return filter;
}

}  // namespace

SeccompFilter compile_seccomp_cached(const oci::Seccomp& profile, const std::string& cache_dir) {
  return cached_or_compiled(cache_key("profile\n" + seccomp_profile_key(profile)), cache_dir,
                            [&] { return SeccompFilter::compile(profile); });
}

SeccompFilter compile_seccomp_cached_json(const std::string& seccomp_json, const std::string& cache_dir) {
  return cached_or_compiled(cache_key("json\n" + seccomp_json), cache_dir,
                            [&] { return SeccompFilter::compile(oci::parse_seccomp_json(seccomp_json)); });
}

std::optional<SeccompFilter> compile_seccomp_cached(const oci::Linux& lx, const std::string& cache_dir) {
  if (lx.seccomp) return compile_seccomp_cached(*lx.seccomp, cache_dir);
  if (lx.seccomp_json) return compile_seccomp_cached_json(*lx.seccomp_json, cache_dir);
  return std::nullopt;
}

}  // namespace roost
