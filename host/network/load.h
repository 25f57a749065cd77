// Reading a network file. The format follows the extension:
//   .textproto .txtpb .pbtxt  protobuf text format
//   .json                     protobuf's JSON mapping
//   .pb .binpb                binary wire format
// Errors throw NetworkLoadError whose message names the file and, for text
// and JSON, the parser's line and column (1-based).
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "spindle/v1/network.pb.h"

namespace spindle::host::network {

enum class NetworkFormat { kText, kJson, kBinary };

class NetworkLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The format for a file name's extension, or nullopt for an unknown one.
std::optional<NetworkFormat> format_for_path(const std::filesystem::path& path);

// Parses `data` in `format`; `name` (usually the file name) starts every
// error message.
spindle::v1::Network parse_network(std::string_view data, NetworkFormat format, const std::string& name);

// Reads and parses a file, choosing the format by extension.
spindle::v1::Network load_network(const std::filesystem::path& path);

// Writes a network in the format chosen by the extension.
void save_network(const spindle::v1::Network& net, const std::filesystem::path& path);

}  // namespace spindle::host::network
