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
grpc::Status build_job(const v1::SubmitNetworkRequest& request, const emu::MachineDescription& machine,
                       const Limits& limits, Job& job, std::vector<v1::FieldError>& field_errors);

}  // namespace spindle::daemon
