// spindled with TLS and bearer tokens, end to end: a certificate authority
// and a server certificate are made at test time (openssl), the daemon
// serves on a non-loopback address of this machine when there is one (the
// setting that requires TLS and tokens), else on 127.0.0.1, and C++, the
// `spindle --connect` CLI and the Python example client call it.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <grpcpp/grpcpp.h>

#include "daemon_process.h"
#include "network/load.h"
#include "spindle/v1/service.grpc.pb.h"
#include "support/command.h"
#include "support/test_certificates.h"

namespace spindle {
namespace {

namespace fs = std::filesystem;
using Stub = v1::Spindle::Stub;

constexpr const char* kAliceToken = "0123456789abcdef-alice-token";
constexpr const char* kBobToken = "0123456789abcdef-bob-token";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("spindle_tls_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    host_ = testing::non_loopback_ipv4();
    if (host_.empty()) host_ = "127.0.0.1";
    setup_error_ = testing::make_test_certificates(dir_, {"127.0.0.1", host_}, certs_);
    if (!setup_error_.empty()) return;
    std::ofstream(dir_ / "tokens") << "# NAME TOKEN\nalice " << kAliceToken << "\nbob " << kBobToken << "\n";
    std::ofstream(dir_ / "alice.token") << "alice " << kAliceToken << "\n";
    std::ofstream(dir_ / "wrong.token") << "0123456789abcdef-not-a-token\n";
    try {
      daemon_ = new test::DaemonProcess({"--tls-cert", certs_.server_cert.string(), "--tls-key",
                                         certs_.server_key.string(), "--token-file", (dir_ / "tokens").string()},
                                        host_ + ":0");
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
    fs::remove_all(dir_);
  }
  void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << setup_error_; }

  static std::unique_ptr<Stub> tls_stub(const fs::path& ca) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = read(ca);
    return v1::Spindle::NewStub(grpc::CreateChannel(daemon_->address(), grpc::SslCredentials(ssl)));
  }
  static std::unique_ptr<grpc::ClientContext> with_token(const std::string& token) {
    auto c = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) c->AddMetadata("authorization", "Bearer " + token);
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return c;
  }
  static testing::CommandResult shell(const std::string& cmd) {
    static int n = 0;
    return testing::run_command(cmd, dir_, std::to_string(n++));
  }

  static inline fs::path dir_;
  static inline std::string host_;
  static inline testing::TestCertificates certs_;
  static inline std::string setup_error_;
  static inline test::DaemonProcess* daemon_ = nullptr;
};

TEST_F(TlsTest, RightCaAndTokenSubmitAndStreamARun) {
  EXPECT_EQ(daemon_->address().rfind(host_ + ":", 0), 0u) << daemon_->address();
  auto stub = tls_stub(certs_.ca);
  v1::SubmitNetworkRequest req;
  *req.mutable_network() = host::network::load_network(std::string(SPINDLE_EXAMPLE_NETWORKS_DIR) + "/tiny.textproto");
  v1::SubmitNetworkResponse resp;
  const grpc::Status s = stub->SubmitNetwork(with_token(kAliceToken).get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_code() << ": " << s.error_message();

  v1::RunRequest run;
  run.set_job_id(resp.job().job_id());
  run.set_duration_ms(100);
  auto ctx = with_token(kAliceToken);
  auto reader = stub->Run(ctx.get(), run);
  v1::RunEvent e;
  uint64_t spikes = 0;
  v1::RunFinal final_event;
  while (reader->Read(&e)) {
    if (e.has_spikes()) spikes += static_cast<uint64_t>(e.spikes().neuron_ids_size());
    if (e.has_final()) final_event = e.final();
  }
  const grpc::Status done = reader->Finish();
  ASSERT_TRUE(done.ok()) << done.error_message();
  EXPECT_EQ(final_event.status(), v1::RUN_COMPLETED);
  EXPECT_GT(spikes, 0u);

  // The job is alice's: bob's valid token is refused it.
  v1::CancelRequest c;
  c.set_job_id(resp.job().job_id());
  v1::JobInfo info;
  EXPECT_EQ(stub->Cancel(with_token(kBobToken).get(), c, &info).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(TlsTest, WrongOrMissingTokenIsUnauthenticated) {
  auto stub = tls_stub(certs_.ca);
  v1::DescribeMachineResponse m;
  grpc::Status s = stub->DescribeMachine(with_token("0123456789abcdef-not-a-token").get(), {}, &m);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
  EXPECT_EQ(s.error_message(), "unknown token");
  s = stub->DescribeMachine(with_token("").get(), {}, &m);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
  EXPECT_NE(s.error_message().find("authorization: Bearer TOKEN"), std::string::npos) << s.error_message();
  // A prefix of a real token is no token.
  s = stub->DescribeMachine(with_token(std::string(kAliceToken).substr(0, 20)).get(), {}, &m);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(stub->DescribeMachine(with_token(kBobToken).get(), {}, &m).ok());
}

TEST_F(TlsTest, PlaintextClientOrUntrustedCaCannotConnect) {
  auto plain = v1::Spindle::NewStub(grpc::CreateChannel(daemon_->address(), grpc::InsecureChannelCredentials()));
  v1::DescribeMachineResponse m;
  auto ctx = with_token(kAliceToken);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Status s = plain->DescribeMachine(ctx.get(), {}, &m);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();

  auto untrusted = tls_stub(certs_.other_ca);
  ctx = with_token(kAliceToken);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  s = untrusted->DescribeMachine(ctx.get(), {}, &m);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
}

TEST_F(TlsTest, SpindleConnectWithTlsCaAndTokenFileRuns) {
  const std::string net = std::string(SPINDLE_EXAMPLE_NETWORKS_DIR) + "/tiny.textproto";
  const fs::path out = dir_ / "run";
  const std::string spindle = quote(SPINDLE_BIN) + " --connect " + daemon_->address();
  auto r = shell(spindle + " --tls-ca " + quote(certs_.ca.string()) + " --token-file " +
                 quote((dir_ / "alice.token").string()) + " run " + quote(net) + " --duration 100 --out " +
                 quote(out.string()));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("daemon: spindled at " + daemon_->address()), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out / "spikes.csv"));
  EXPECT_TRUE(fs::exists(out / "provenance.json"));

  r = shell(spindle + " --tls-ca " + quote(certs_.ca.string()) + " --token-file " +
            quote((dir_ / "wrong.token").string()) + " machine");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("UNAUTHENTICATED: unknown token"), std::string::npos) << r.err;

  // Plaintext against the TLS port: refused, and the message says why it may be.
  r = shell(spindle + " --token-file " + quote((dir_ / "alice.token").string()) + " machine");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot connect to spindled at " + daemon_->address()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--tls-ca"), std::string::npos) << r.err;
}

// Both clients find the token file the same way: --token-file, else
// $SPINDLE_TOKEN_FILE (a spindled line "NAME TOKEN", or only the token).
TEST_F(TlsTest, PythonClientWithTlsAndToken) {
  const std::string net = std::string(SPINDLE_EXAMPLE_NETWORKS_DIR) + "/tiny.textproto";
  const std::string python = "PYTHONPATH=" + quote(SPINDLE_PYTHON_GEN) + " " + SPINDLE_PYTHON + " " +
                             quote(std::string(SPINDLE_PYTHON_EXAMPLES) + "/spindle_client.py") + " --connect " +
                             daemon_->address() + " --tls-ca " + quote(certs_.ca.string()) + " " + quote(net) +
                             " --duration 100";
  auto r = shell(python + " --token-file " + quote((dir_ / "alice.token").string()));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("run: RUN_COMPLETED"), std::string::npos) << r.out;
  r = shell("SPINDLE_TOKEN_FILE=" + quote((dir_ / "alice.token").string()) + " " + python);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  r = shell("SPINDLE_TOKEN_FILE=" + quote((dir_ / "wrong.token").string()) + " " + python);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("UNAUTHENTICATED"), std::string::npos) << r.err;
  // Only the token in the file.
  std::ofstream(dir_ / "bare.token") << "# alice's\n\n" << kAliceToken << "\n";
  r = shell(python + " --token-file " + quote((dir_ / "bare.token").string()));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  // The token in the environment itself still works, with a warning.
  r = shell("SPINDLE_TOKEN=" + std::string(kAliceToken) + " " + python);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("SPINDLE_TOKEN is deprecated"), std::string::npos) << r.err;
  r = shell(python + " --token-file " + quote((dir_ / "missing.token").string()));
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("missing.token: cannot read"), std::string::npos) << r.err;
}

TEST_F(TlsTest, SpindleReadsTheTokenFileFromTheEnvironment) {
  const std::string spindle = quote(SPINDLE_BIN) + " --connect " + daemon_->address() + " --tls-ca " +
                              quote(certs_.ca.string());
  auto r = shell("SPINDLE_TOKEN_FILE=" + quote((dir_ / "alice.token").string()) + " " + spindle + " machine");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  r = shell("SPINDLE_TOKEN_FILE=" + quote((dir_ / "wrong.token").string()) + " " + spindle + " machine");
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("UNAUTHENTICATED: unknown token"), std::string::npos) << r.err;
  // --token-file wins over the environment.
  r = shell("SPINDLE_TOKEN_FILE=" + quote((dir_ / "wrong.token").string()) + " " + spindle + " --token-file " +
            quote((dir_ / "alice.token").string()) + " machine");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace spindle
