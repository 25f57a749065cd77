// spindle.v1.Spindle served by spindled (proto/spindle/v1/service.proto,
// docs/daemon.md). Calls run on gRPC's threads; each Run starts one runner
// thread and streams from it through a bounded EventStream.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon/auth.h"
#include "daemon/client_quota.h"
#include "daemon/job_table.h"
#include "daemon/options.h"
#include "daemon/qemu_processes.h"
#include "daemon/run_queue.h"
#include "machine/machine.h"
#include "spindle/v1/service.grpc.pb.h"

namespace spindle::daemon {

class SpindleService final : public v1::Spindle::Service {
 public:
  SpindleService(DaemonOptions options, Auth auth, emu::MachineDescription machine);
  ~SpindleService() override;

  grpc::Status DescribeMachine(grpc::ServerContext* context, const v1::DescribeMachineRequest* request,
                               v1::DescribeMachineResponse* response) override;
  grpc::Status SubmitNetwork(grpc::ServerContext* context, const v1::SubmitNetworkRequest* request,
                             v1::SubmitNetworkResponse* response) override;
  grpc::Status Run(grpc::ServerContext* context, const v1::RunRequest* request,
                   grpc::ServerWriter<v1::RunEvent>* writer) override;
  grpc::Status Watch(grpc::ServerContext* context, const v1::WatchRequest* request,
                     grpc::ServerWriter<v1::RunEvent>* writer) override;
  grpc::Status Inject(grpc::ServerContext* context, grpc::ServerReader<v1::InjectRequest>* reader,
                      v1::InjectSummary* response) override;
  grpc::Status SetMode(grpc::ServerContext* context, const v1::SetModeRequest* request,
                       v1::SetModeResponse* response) override;
  grpc::Status SetLearningRate(grpc::ServerContext* context, const v1::SetLearningRateRequest* request,
                               v1::SetLearningRateResponse* response) override;
  grpc::Status GetWeights(grpc::ServerContext* context, const v1::GetWeightsRequest* request,
                          grpc::ServerWriter<v1::WeightsChunk>* writer) override;
  grpc::Status GetRecordings(grpc::ServerContext* context, const v1::GetRecordingsRequest* request,
                             grpc::ServerWriter<v1::RecordingsChunk>* writer) override;
  grpc::Status Cancel(grpc::ServerContext* context, const v1::CancelRequest* request, v1::JobInfo* response) override;
  grpc::Status DeleteJob(grpc::ServerContext* context, const v1::DeleteJobRequest* request,
                         v1::DeleteJobResponse* response) override;
  grpc::Status ListJobs(grpc::ServerContext* context, const v1::ListJobsRequest* request,
                        v1::ListJobsResponse* response) override;

  // SIGTERM: refuses new calls (UNAVAILABLE), lets running jobs go on for up
  // to `grace_seconds`, cancels those still running, and returns one line
  // per job that was running saying what became of it.
  std::vector<std::string> shut_down(double grace_seconds);

 private:
  grpc::Status switch_target(grpc::ServerContext& context, const std::string& job_id, const std::string& population,
                             std::shared_ptr<Job>& job, uint32_t& index);
  grpc::Status caller(const grpc::ServerContext& context, std::string& client) const;
  // Runner thread of a queued run: publishes its place in line until it
  // may run (true), or ends the run cancelled if it is cancelled first.
  // `release` gives the run's slot and quota back (once).
  bool wait_in_line(Job& job, uint64_t ticket, RunBroadcast& broadcast, const std::function<void()>& release);

  // Deletes jobs whose client went away (after the grace period) and jobs
  // no call used for the idle time; runs until shutdown.
  void reap_jobs();
  void release_memory();

  const DaemonOptions options_;
  const Auth auth_;
  const emu::MachineDescription machine_;
  std::atomic<bool> shutting_down_{false};
  RunQueue run_queue_;
  ClientQuota runs_per_client_;  // running or waiting in line
  ProcessBudget qemu_budget_;
  // After the budget: a qemu job gives its processes back to it when the
  // job is destroyed, so the jobs must go first.
  JobTable jobs_;
  std::mutex reaper_m_;
  std::condition_variable reaper_cv_;
  std::thread reaper_;  // last: started once everything it reads exists
};

}  // namespace spindle::daemon
