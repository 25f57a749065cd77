// Text fields of the result CSV files (RFC 4180): a field that holds a
// comma, a quote or a line break is quoted, quotes doubled (as Python's
// csv module writes).
// Labels that passed validation never need it; results written from a
// daemon's answers or older files may.
#pragma once

#include <string>
#include <string_view>

namespace spindle::cli {

inline std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace spindle::cli
