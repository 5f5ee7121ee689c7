// libcurl, opened with dlopen on first use (util/shared_library): the functions the registry
// client calls, as typed pointers bound once. roost links only curl's headers, so commands that
// never reach a registry do not load libcurl and its dependencies.
#pragma once

#include <curl/curl.h>

#include <string>

namespace roost::registry {

struct CurlLibrary {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  void (*easy_cleanup)(CURL*);
  void (*easy_reset)(CURL*);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
  CURLSH* (*share_init)();
  CURLSHcode (*share_setopt)(CURLSH*, CURLSHoption, ...);
  CURLSHcode (*share_cleanup)(CURLSH*);
  CURLU* (*url)();
  void (*url_cleanup)(CURLU*);
  CURLUcode (*url_set)(CURLU*, CURLUPart, const char*, unsigned int);
  CURLUcode (*url_get)(const CURLU*, CURLUPart, char**, unsigned int);
  void (*free)(void*);
};

// The bound library (curl_global_init done), or nullptr when libcurl cannot be loaded here.
const CurlLibrary* curl_library();
// The same, throwing roost::Error with curl_unavailable_reason() when it cannot be loaded.
const CurlLibrary& require_curl();

}  // namespace roost::registry
