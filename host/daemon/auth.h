// Who is calling. With a token file, every call must carry
// "authorization: Bearer TOKEN" and the caller is the token's name; without
// one (loopback only), the caller is the "spindle-client" metadata value, or
// else the peer address (one identity per connection). Jobs belong to the
// identity that submitted them.
#pragma once

#include <map>
#include <string>

#include <grpcpp/grpcpp.h>

namespace spindle::daemon {

class Auth {
 public:
  Auth() = default;
  // Reads "NAME TOKEN" lines ('#' starts a comment). Throws
  // std::runtime_error naming the file and line on anything else.
  static Auth from_token_file(const std::string& path);

  bool requires_token() const { return !names_by_token_.empty(); }

  // The caller's identity, or UNAUTHENTICATED.
  grpc::Status identify(const grpc::ServerContext& context, std::string& identity) const;

 private:
  std::map<std::string, std::string> names_by_token_;
};

}  // namespace spindle::daemon
