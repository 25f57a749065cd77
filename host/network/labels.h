// Labels of populations and projections: what validation accepts, and how a
// label becomes part of a result file's name. Labels reach file names
// (`<label>.spikes.npy`), CSV fields and log lines, so they are restricted
// to a set that is safe in all three (docs/network-format.md, "Labels").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace spindle::host::network {

inline constexpr size_t kMaxLabelLength = 64;

// Empty when `label` is a valid non-empty label; otherwise what is wrong with
// it ("character 3 ('/') is not allowed ...").
std::string label_problem(std::string_view label);

// `text` in double quotes for a message: quotes, backslashes and bytes
// outside printable ASCII escaped (\n, \x00), at most 80 characters shown,
// so a hostile label cannot forge lines or terminal codes in an error.
std::string quote_for_message(std::string_view text);

// A file-name stem for a label: characters outside [A-Za-z0-9_.+-] become
// '_', and a leading '.' or '-' becomes '_', so the stem never names a
// directory, a hidden file or an option, whatever the label holds (labels
// that passed validation only change by space -> '_'). Empty -> "_".
std::string file_stem(std::string_view label);

// File-name stems for a run's population labels, in order: file_stem() of
// each, made unique by appending "-<index>" where two labels give the same
// stem ("a b" and "a_b").
std::vector<std::string> unique_file_stems(const std::vector<std::string>& labels);

}  // namespace spindle::host::network
