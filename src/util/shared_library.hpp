// A shared library opened on first use with dlopen, for the big ones only some commands need
// (libcurl and its 40 dependencies cost about 6 ms of dynamic loading per process start here;
// libisal for gzip). Symbols are looked up by name into typed function pointers.
#pragma once

#include <string>

namespace roost::util {

class SharedLibrary {
 public:
  // Tries each file name in turn ("libcurl.so.4", ...); loaded() tells whether one opened.
  explicit SharedLibrary(std::initializer_list<const char*> names);
  ~SharedLibrary();
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  bool loaded() const { return handle_ != nullptr; }
  const std::string& error() const { return error_; }  // dlerror() of the last attempt
  // The symbol as a function pointer, or nullptr (and error() says which) when it is missing.
  template <typename Fn>
  bool bind(Fn*& out, const char* symbol) {
    out = reinterpret_cast<Fn*>(lookup(symbol));
    return out != nullptr;
  }

 private:
  void* lookup(const char* symbol);
  void* handle_ = nullptr;
  std::string error_;
};

}  // namespace roost::util
