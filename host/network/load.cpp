#include "network/load.h"

#include <fmt/format.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

namespace spindle::host::network {
namespace {

namespace pb = google::protobuf;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class CollectErrors : public pb::io::ErrorCollector {
 public:
  void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
    messages.push_back(fmt::format("line {}, column {}: {}", line + 1, column + 1, message));
  }
  void AddWarning(int line, pb::io::ColumnNumber column, const std::string& message) override {
    messages.push_back(fmt::format("line {}, column {}: warning: {}", line + 1, column + 1, message));
  }
  std::vector<std::string> messages;
};

// 1-based line and column of a byte offset.
std::pair<size_t, size_t> line_column(std::string_view data, size_t offset) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < data.size(); ++i) {
    if (data[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

// JSON syntax only: every value is accepted and nothing is built. (Building
// a document would also throw, outside parse_error, on a number past
// double's range such as 1e400; protobuf's mapping reports that one with
// its field's name.)
class SyntaxCheck : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    byte = position;
    message = e.what();
    return false;
  }

  size_t byte = 0;  // 1-based, as nlohmann counts
  std::string message;
};

}  // namespace

std::optional<NetworkFormat> format_for_path(const std::filesystem::path& path) {
  const std::string ext = lower(path.extension().string());
  if (ext == ".textproto" || ext == ".txtpb" || ext == ".pbtxt") return NetworkFormat::kText;
  if (ext == ".json") return NetworkFormat::kJson;
  if (ext == ".pb" || ext == ".binpb") return NetworkFormat::kBinary;
  return std::nullopt;
}

spindle::v1::Network parse_network(std::string_view data, NetworkFormat format, const std::string& name) {
  spindle::v1::Network net;
  switch (format) {
    case NetworkFormat::kText: {
      CollectErrors errors;
      pb::TextFormat::Parser parser;
      parser.RecordErrorsTo(&errors);
      const bool ok = parser.ParseFromString(std::string(data), &net);
      if (!ok) {  // warnings alone do not fail a parse
        std::string msg = fmt::format("{}: invalid text-format spindle.v1.Network", name);
        for (const auto& m : errors.messages) msg += fmt::format("\n{}:{}", name, m.empty() ? "" : " " + m);
        if (errors.messages.empty()) msg += " (the parser gave no detail)";
        throw NetworkLoadError(msg);
      }
      break;
    }
    case NetworkFormat::kJson: {
      // Syntax first, with nlohmann's byte offset turned into line/column;
      // then protobuf's mapping, whose messages name the offending field.
      SyntaxCheck syntax;
      if (!nlohmann::json::sax_parse(data.begin(), data.end(), &syntax)) {
        const size_t at = syntax.byte > 0 ? syntax.byte - 1 : 0;
        const auto [line, col] = line_column(data, at);
        throw NetworkLoadError(
            fmt::format("{}: line {}, column {}: invalid JSON: {}", name, line, col, syntax.message));
      }
      pb::util::JsonParseOptions options;
      options.ignore_unknown_fields = false;
      const auto status = pb::util::JsonStringToMessage(pb::StringPiece(data.data(), data.size()), &net, options);
      if (!status.ok()) {
        throw NetworkLoadError(
            fmt::format("{}: invalid JSON spindle.v1.Network: {}", name, std::string(status.message())));
      }
      break;
    }
    case NetworkFormat::kBinary: {
      if (!net.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
        throw NetworkLoadError(fmt::format("{}: not a valid binary spindle.v1.Network ({} bytes)", name, data.size()));
      }
      break;
    }
  }
  return net;
}

spindle::v1::Network load_network(const std::filesystem::path& path) {
  const auto format = format_for_path(path);
  if (!format) {
    throw NetworkLoadError(fmt::format(
        "{}: unknown network file extension '{}' (use .textproto/.txtpb/.pbtxt, .json, or .pb/.binpb)",
        path.string(), path.extension().string()));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw NetworkLoadError(fmt::format("{}: cannot open file", path.string()));
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw NetworkLoadError(fmt::format("{}: read error", path.string()));
  return parse_network(data, *format, path.string());
}

void save_network(const spindle::v1::Network& net, const std::filesystem::path& path) {
  const auto format = format_for_path(path);
  if (!format) throw NetworkLoadError(fmt::format("{}: unknown network file extension", path.string()));
  std::string out;
  switch (*format) {
    case NetworkFormat::kText:
      if (!pb::TextFormat::PrintToString(net, &out)) throw NetworkLoadError(path.string() + ": cannot print");
      break;
    case NetworkFormat::kJson: {
      pb::util::JsonPrintOptions options;
      options.add_whitespace = true;
      options.preserve_proto_field_names = true;
      const auto status = pb::util::MessageToJsonString(net, &out, options);
      if (!status.ok()) throw NetworkLoadError(path.string() + ": " + std::string(status.message()));
      break;
    }
    case NetworkFormat::kBinary:
      if (!net.SerializeToString(&out)) throw NetworkLoadError(path.string() + ": cannot serialize");
      break;
  }
  std::ofstream f(path, std::ios::binary);
  if (!f) throw NetworkLoadError(fmt::format("{}: cannot open for writing", path.string()));
  f << out;
  if (!f) throw NetworkLoadError(fmt::format("{}: write error", path.string()));
}

}  // namespace spindle::host::network
