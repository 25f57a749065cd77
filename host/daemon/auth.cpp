#include "daemon/auth.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace spindle::daemon {
namespace {

std::string metadata(const grpc::ServerContext& context, const char* key) {
  const auto& md = context.client_metadata();
  const auto it = md.find(key);
  return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

}  // namespace

Auth Auth::from_token_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read the token file");
  Auth auth;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    std::istringstream fields(line);
    std::string name, token, extra;
    if (!(fields >> name)) continue;  // blank
    if (!(fields >> token) || (fields >> extra))
      throw std::runtime_error(path + ":" + std::to_string(n) + ": expected \"NAME TOKEN\"");
    if (token.size() < 16)
      throw std::runtime_error(path + ":" + std::to_string(n) + ": token of '" + name +
                               "' is shorter than 16 characters");
    if (!auth.names_by_token_.emplace(token, name).second)
      throw std::runtime_error(path + ":" + std::to_string(n) + ": token repeated");
  }
  if (auth.names_by_token_.empty()) throw std::runtime_error(path + ": no tokens");
  return auth;
}

grpc::Status Auth::identify(const grpc::ServerContext& context, std::string& identity) const {
  if (requires_token()) {
    const std::string header = metadata(context, "authorization");
    const std::string prefix = "Bearer ";
    if (header.rfind(prefix, 0) != 0)
      return {grpc::StatusCode::UNAUTHENTICATED, "missing \"authorization: Bearer TOKEN\" metadata"};
    const auto it = names_by_token_.find(header.substr(prefix.size()));
    if (it == names_by_token_.end()) return {grpc::StatusCode::UNAUTHENTICATED, "unknown token"};
    identity = it->second;
    return grpc::Status::OK;
  }
  identity = metadata(context, "spindle-client");
  if (identity.empty()) identity = context.peer();
  return grpc::Status::OK;
}

}  // namespace spindle::daemon
