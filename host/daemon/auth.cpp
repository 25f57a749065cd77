#include "daemon/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

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

TokenDigest token_digest(std::string_view token) {
  TokenDigest d{};
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), d.data());
  return d;
}

bool digests_equal(const TokenDigest& a, const TokenDigest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

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
    if (!auth.name_of(token).empty())
      throw std::runtime_error(path + ":" + std::to_string(n) + ": token repeated");
    auth.entries_.push_back({token_digest(token), name});
  }
  if (auth.entries_.empty()) throw std::runtime_error(path + ": no tokens");
  return auth;
}

std::string Auth::name_of(std::string_view token) const {
  const TokenDigest d = token_digest(token);
  const Entry* match = nullptr;
  for (const Entry& e : entries_)
    if (digests_equal(e.digest, d)) match = &e;  // no break: every entry is compared
  return match ? match->name : std::string();
}

grpc::Status Auth::identify(const grpc::ServerContext& context, std::string& identity) const {
  if (requires_token()) {
    const std::string header = metadata(context, "authorization");
    const std::string prefix = "Bearer ";
    if (header.rfind(prefix, 0) != 0)
      return {grpc::StatusCode::UNAUTHENTICATED, "missing \"authorization: Bearer TOKEN\" metadata"};
    identity = name_of(std::string_view(header).substr(prefix.size()));
    if (identity.empty()) return {grpc::StatusCode::UNAUTHENTICATED, "unknown token"};
    return grpc::Status::OK;
  }
  const std::string name = metadata(context, "spindle-client");
  if (peers_ != nullptr) {
    const std::optional<uid_t> uid = peers_->uid_of(context.peer());
    if (!uid) return {grpc::StatusCode::UNAUTHENTICATED, "the connection's peer credentials are unknown"};
    identity = "uid:" + std::to_string(*uid) + (name.empty() ? "" : "/" + name);
    return grpc::Status::OK;
  }
  identity = name.empty() ? context.peer() : name;
  return grpc::Status::OK;
}

}  // namespace spindle::daemon
