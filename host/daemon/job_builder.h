// SubmitNetwork's work: validate, check the limits, map, build and load the
// core images into a new engine. The same stages as `spindle run`.
#pragma once

#include <memory>
#include <vector>

#include <grpcpp/support/status.h>

#include "daemon/job.h"
#include "daemon/options.h"
#include "machine/machine.h"

namespace spindle::daemon {

// On INVALID_ARGUMENT for validation, `field_errors` lists every problem.
// Backend "qemu" takes its processes from `qemu_budget` (the job gives them
// back when it goes) and starts them on the job's process owner thread.
grpc::Status build_job(const v1::SubmitNetworkRequest& request, const emu::MachineDescription& machine,
                       const Limits& limits, ProcessBudget& qemu_budget, Job& job,
                       std::vector<v1::FieldError>& field_errors);

}  // namespace spindle::daemon
