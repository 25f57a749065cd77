// A throw-away certificate authority and a server certificate signed by it,
// made at test time with the openssl command line tool (Debian: openssl),
// for tests that serve TLS (spindled --tls-cert/--tls-key). Also a second,
// unrelated authority, to check that clients refuse what it did not sign.
#pragma once

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/command.h"

namespace spindle::testing {

struct TestCertificates {
  std::filesystem::path ca;           // PEM: the authority clients trust
  std::filesystem::path server_cert;  // PEM: signed by `ca`, names the given addresses
  std::filesystem::path server_key;
  std::filesystem::path other_ca;     // PEM: an authority that signed nothing here
};

// Writes them into `dir`; the server certificate is valid for localhost and
// each of `ip_addresses`. Empty on success, else the failing command's output.
inline std::string make_test_certificates(const std::filesystem::path& dir, const std::vector<std::string>& ip_addresses,
                                          TestCertificates& out) {
  out.ca = dir / "ca.pem";
  out.server_cert = dir / "server.pem";
  out.server_key = dir / "server.key";
  out.other_ca = dir / "other-ca.pem";
  std::string san = "subjectAltName=DNS:localhost";
  for (const auto& ip : ip_addresses) san += ",IP:" + ip;
  std::ofstream(dir / "server.ext") << san << "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
  // P-256 keys: made in milliseconds, unlike RSA.
  const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  const auto q = [](const std::filesystem::path& p) { return "'" + p.string() + "'"; };
  const std::vector<std::string> steps = {
      "openssl req -x509" + key + " -keyout " + q(dir / "ca.key") + " -out " + q(out.ca) +
          " -days 2 -subj /CN=spindle-test-ca",
      "openssl req -x509" + key + " -keyout " + q(dir / "other-ca.key") + " -out " + q(out.other_ca) +
          " -days 2 -subj /CN=spindle-other-ca",
      "openssl req" + key + " -keyout " + q(out.server_key) + " -out " + q(dir / "server.csr") + " -subj /CN=spindled",
      "openssl x509 -req -in " + q(dir / "server.csr") + " -CA " + q(out.ca) + " -CAkey " + q(dir / "ca.key") +
          " -CAcreateserial -days 2 -extfile " + q(dir / "server.ext") + " -out " + q(out.server_cert),
  };
  int n = 0;
  for (const auto& step : steps) {
    const CommandResult r = run_command(step, dir, "-openssl" + std::to_string(n++));
    if (r.code != 0)
      return step + " failed (exit " + std::to_string(r.code) + "; is openssl installed? scripts/setup.sh):\n" + r.err;
  }
  return {};
}

// An IPv4 address of this machine outside 127.0.0.0/8 (an interface that is
// up), or empty if there is none.
inline std::string non_loopback_ipv4() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return {};
  std::string found;
  for (const ifaddrs* a = list; a && found.empty(); a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || !(a->ifa_flags & IFF_UP) || (a->ifa_flags & IFF_LOOPBACK))
      continue;
    char text[INET_ADDRSTRLEN] = {};
    const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
    if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) && std::string(text).rfind("127.", 0) != 0) found = text;
  }
  ::freeifaddrs(list);
  return found;
}

}  // namespace spindle::testing
