// Sizes and ages as podman prints them (Docker's go-units): `images` says "1.99 MB" and
// "2 hours ago", `system df` says "3.975MB". Pure, so the tables can be tested without a store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace roost::engine {

// Decimal units (B, kB, MB, ...) with `precision` significant digits, as go-units'
// HumanSizeWithPrecision: 1987655 -> "1.99MB" (3), "1.988MB" (4).
std::string human_size(double bytes, int precision);
// `roost images`' SIZE: three digits and a space before the unit ("1.99 MB"), as podman.
std::string image_size(int64_t bytes);
// `roost system df`'s sizes: four digits, no space ("3.975MB", "0B").
std::string df_size(int64_t bytes);
// go-units' HumanDuration: "Less than a second", "1 second", "About a minute", "3 hours", ...
std::string human_duration(int64_t seconds);
// "2 hours ago" for an age in seconds.
std::string ago(int64_t seconds);

// RFC 3339 ("2026-12-04T18:51:53.671448635Z", "...+02:00") to Unix seconds; nullopt for anything
// else (an image's created time is optional and sometimes odd).
std::optional<int64_t> parse_rfc3339(std::string_view text);

}  // namespace roost::engine
