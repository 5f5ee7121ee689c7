#include "sys/seccomp_cache.hpp"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <optional>

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace roost {
namespace {

constexpr const char* kMagic = "roost-seccomp-cache 1";

std::string cache_key(const std::string& profile_json) {
  const scmp_version* v = seccomp_version();
  struct utsname u = {};
  ::uname(&u);
  return "libseccomp " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->micro) + "\narch " + u.machine + "\nkernel " + u.release + "\n" + profile_json;
}

// FNV-1a names the file; the key stored inside is what decides a hit.
std::string file_name(const std::string& key) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ULL;
  char name[32];
  std::snprintf(name, sizeof name, "f-%016llx", static_cast<unsigned long long>(h));
  return name;
}

std::optional<SeccompFilter> load(const std::string& path, const std::string& key) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return std::nullopt;
  struct stat st;
  if (::fstat(fd.get(), &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 022))
    return std::nullopt;
  std::string data(static_cast<size_t>(st.st_size), '\0');
  if (::pread(fd.get(), data.data(), data.size(), 0) != static_cast<ssize_t>(data.size())) return std::nullopt;
  // magic \n flags \n unknown names \n key-length \n key program
  size_t pos = 0;
  auto line = [&](std::string& out) {
    size_t nl = data.find('\n', pos);
    if (nl == std::string::npos) return false;
    out = data.substr(pos, nl - pos);
    pos = nl + 1;
    return true;
  };
  std::string magic, flags, unknown, key_size;
  if (!line(magic) || magic != kMagic || !line(flags) || !line(unknown) || !line(key_size)) return std::nullopt;
  size_t klen = 0;
  try {
    klen = std::stoul(key_size);
  } catch (...) {
    return std::nullopt;
  }
  if (klen != key.size() || data.compare(pos, klen, key) != 0) return std::nullopt;
  pos += klen;
  const size_t bytes = data.size() - pos;
  if (bytes == 0 || bytes % sizeof(sock_filter) != 0 || bytes / sizeof(sock_filter) > BPF_MAXINSNS) return std::nullopt;
  std::vector<sock_filter> program(bytes / sizeof(sock_filter));
  std::memcpy(program.data(), data.data() + pos, bytes);
  std::vector<std::string> names;
  for (auto& n : split(unknown, ' '))
    if (!n.empty()) names.push_back(n);
  unsigned flag_bits = 0;
  try {
    flag_bits = static_cast<unsigned>(std::stoul(flags));
  } catch (...) {
    return std::nullopt;
  }
  return SeccompFilter::from_parts(std::move(program), flag_bits, std::move(names));
}

void store(const std::string& dir, const std::string& path, const std::string& key, const SeccompFilter& filter) {
  make_dirs(dir, 0700);
  std::string unknown;
  for (const auto& n : filter.unknown_syscalls()) unknown += (unknown.empty() ? "" : " ") + n;
  std::string data = std::string(kMagic) + "\n" + std::to_string(filter.flags()) + "\n" + unknown + "\n" +
                     std::to_string(key.size()) + "\n" + key;
  data.append(reinterpret_cast<const char*>(filter.program().data()), filter.program().size() * sizeof(sock_filter));
  write_file_atomic(path, data, 0600);
}

}  // namespace

SeccompFilter compile_seccomp_cached(const oci::Seccomp& profile, const std::string& cache_dir) {
  const std::string key = cache_key(profile.canonical_json);
  const std::string path = cache_dir + "/" + file_name(key);
  if (auto cached = load(path, key)) {
    log::debug("seccomp: filter from the cache " + path);
    return std::move(*cached);
  }
  SeccompFilter filter = SeccompFilter::compile(profile);
  try {
    store(cache_dir, path, key, filter);
  } catch (const Error& e) {
    log::debug(std::string("seccomp: not cached: ") + e.what());
  }
  return filter;
}

}  // namespace roost
