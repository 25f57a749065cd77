// Who is calling. With a token file, every call must carry
// "authorization: Bearer TOKEN" and the caller is the token's name. Without
// one (loopback only): on a unix socket the caller is its user id, read by
// the kernel (SO_PEERCRED: "uid:1000", or "uid:1000/NAME" with
// "spindle-client: NAME" metadata), which no other user can claim; on TCP
// loopback it is the "spindle-client" metadata value, or else the peer
// address (one identity per connection), which any local process can send
// (docs/daemon.md, "Who can see a job"). Jobs belong to the identity that
// submitted them.
//
// Tokens are kept and compared as SHA-256 digests, every stored digest in
// full with no early exit, so neither a token's bytes nor which entry
// matched shows in how long a call takes to be refused.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "daemon/unix_listener.h"

namespace spindle::daemon {

using TokenDigest = std::array<uint8_t, 32>;  // SHA-256

TokenDigest token_digest(std::string_view token);
// True when a and b are equal; looks at every byte whatever they hold.
bool digests_equal(const TokenDigest& a, const TokenDigest& b);

class Auth {
 public:
  Auth() = default;
  // Reads "NAME TOKEN" lines ('#' starts a comment). Throws
  // std::runtime_error naming the file and line on anything else.
  static Auth from_token_file(const std::string& path);

  bool requires_token() const { return !entries_.empty(); }

  // Connections accepted by a UnixListener: their callers are identified by
  // user id. Must outlive the Auth.
  void use_peer_credentials(const PeerCredentials* peers) { peers_ = peers; }

  // The name a token belongs to, or empty. Compares with every entry.
  std::string name_of(std::string_view token) const;

  // The caller's identity, or UNAUTHENTICATED.
  grpc::Status identify(const grpc::ServerContext& context, std::string& identity) const;

 private:
  struct Entry {
    TokenDigest digest;
    std::string name;
  };
  std::vector<Entry> entries_;
  const PeerCredentials* peers_ = nullptr;
};

}  // namespace spindle::daemon
