// Go's text forms that rootlesskit's messages are made of (%q of a string or an int, strconv.Atoi,
// syscall error texts), so that roost's errors read byte for byte as rootlesskit's.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace roost::ns::go {

// fmt's %q of a string: double quotes, Go escapes for control bytes and invalid UTF-8.
std::string quote(std::string_view s);
// fmt's %q of an int: the code point as a quoted rune ('\x00', 'P'); not a valid rune: '\ufffd'.
std::string quote_rune(long long value);
// strconv.Atoi; on failure `error` gets Go's text ("strconv.Atoi: parsing \"8y\": invalid syntax").
std::optional<int> atoi(std::string_view s, std::string& error);
// Go's syscall.Errno text: strerror with a lower-case first letter ("address already in use").
std::string errno_text(int err);

}  // namespace roost::ns::go
