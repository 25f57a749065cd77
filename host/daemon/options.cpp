#include "daemon/options.h"

namespace spindle::daemon {

bool is_loopback_address(const std::string& address) {
  if (address.rfind("unix:", 0) == 0 || address.rfind("unix-abstract:", 0) == 0) return true;
  std::string host = address;
  if (host.rfind("ipv4:", 0) == 0) host = host.substr(5);
  if (host.rfind("ipv6:", 0) == 0) host = host.substr(5);
  if (!host.empty() && host.front() == '[') {  // [addr]:port
    const size_t end = host.find(']');
    if (end == std::string::npos) return false;
    host = host.substr(1, end - 1);
  } else {
    const size_t colon = host.rfind(':');
    if (colon != std::string::npos) host = host.substr(0, colon);
  }
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8, written as a dotted quad.
  if (host.rfind("127.", 0) != 0) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return false;
  }
  return dots == 3;
}

std::string check_options(const DaemonOptions& o) {
  if (o.tls_cert.empty() != o.tls_key.empty()) return "--tls-cert and --tls-key go together";
  if (!is_loopback_address(o.listen) && (o.tls_cert.empty() || o.token_file.empty()))
    return "--listen " + o.listen +
           " reaches beyond this host: refusing to serve it without TLS and tokens (give --tls-cert, --tls-key and "
           "--token-file, or listen on 127.0.0.1)";
  if (o.limits.max_jobs == 0) return "--max-jobs must be at least 1";
  if (o.limits.max_concurrent_runs == 0) return "--max-runs must be at least 1";
  if (o.limits.engine_threads == 0) return "--engine-threads must be at least 1";
  if (o.limits.default_chunk_ticks == 0) return "--chunk-ticks must be at least 1";
  if (o.limits.default_chunk_ticks > o.limits.max_chunk_ticks)
    return "--chunk-ticks must be at most " + std::to_string(o.limits.max_chunk_ticks);
  if (o.limits.max_jobs_per_client == 0) return "--max-jobs-per-client must be at least 1";
  if (o.limits.max_runs_per_client == 0) return "--max-runs-per-client must be at least 1";
  if (o.limits.stream_buffer_bytes < 1024) return "--stream-buffer must be at least 1024 bytes";
  if (o.grace_seconds < 0) return "--grace must be >= 0";
  return {};
}

}  // namespace spindle::daemon
