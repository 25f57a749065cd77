#include "network/labels.h"

#include <fmt/format.h>

#include <set>

namespace spindle::host::network {
namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Inside a label: letters, digits, space and _ - . + > ( ) [ ]. '>' keeps
// the usual projection labels ("L23E->L4E") valid.
bool label_char(char c) {
  if (is_alnum(c)) return true;
  switch (c) {
    case ' ': case '_': case '-': case '.': case '+': case '>': case '(': case ')': case '[': case ']': return true;
    default: return false;
  }
}

bool file_char(char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.' || c == '+'; }

std::string shown(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7F) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02X}", u);
}

}  // namespace

std::string label_problem(std::string_view label) {
  if (label.empty()) return "must not be empty";
  if (label.size() > kMaxLabelLength)
    return fmt::format("must be at most {} characters, got {}", kMaxLabelLength, label.size());
  for (size_t i = 0; i < label.size(); ++i) {
    if (!label_char(label[i]))
      return fmt::format("character {} ({}) is not allowed: labels use letters, digits, space and _ - . + > ( ) [ ]",
                         i + 1, shown(label[i]));
  }
  if (label.front() == ' ' || label.front() == '.' || label.front() == '-')
    return fmt::format("must not start with {}", shown(label.front()));
  if (label.back() == ' ') return "must not end with a space";
  return {};
}

std::string quote_for_message(std::string_view text) {
  constexpr size_t kShown = 80;
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kShown; ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u >= 0x7F) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  out += '"';
  if (text.size() > kShown) out += fmt::format(" ({} more bytes)", text.size() - kShown);
  return out;
}

std::string file_stem(std::string_view label) {
  std::string stem;
  stem.reserve(label.size());
  for (const char c : label) stem.push_back(file_char(c) ? c : '_');
  if (stem.empty()) return "_";
  if (stem.front() == '.' || stem.front() == '-') stem.front() = '_';
  return stem;
}

std::vector<std::string> unique_file_stems(const std::vector<std::string>& labels) {
  std::vector<std::string> stems;
  stems.reserve(labels.size());
  std::set<std::string> taken;
  for (size_t i = 0; i < labels.size(); ++i) {
    std::string stem = file_stem(labels[i]);
    if (!taken.insert(stem).second) {
      // The first label with a stem keeps it; a later one gets its index.
      stem = fmt::format("{}-{}", stem, i);
      while (!taken.insert(stem).second) stem += '_';
    }
    stems.push_back(std::move(stem));
  }
  return stems;
}

}  // namespace spindle::host::network
