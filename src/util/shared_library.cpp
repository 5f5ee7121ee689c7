#include "util/shared_library.hpp"

#include <dlfcn.h>

namespace roost::util {

SharedLibrary::SharedLibrary(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    handle_ = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle_ != nullptr) return;
    const char* why = dlerror();
    error_ = why ? why : name;
  }
}

SharedLibrary::~SharedLibrary() {
  // Never dlclose: a library's threads or atexit handlers may outlive us; it lives as long as the process.
}

void* SharedLibrary::lookup(const char* symbol) {
  if (handle_ == nullptr) return nullptr;
  dlerror();
  void* p = dlsym(handle_, symbol);
  if (p == nullptr) error_ = std::string("missing symbol ") + symbol;
  return p;
}

}  // namespace roost::util
