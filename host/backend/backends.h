// The backends' factories, one per backend file; the registry
// (backend/registry.cpp) lists them. Not for callers: use make_backend.
#pragma once

#include <memory>

#include "backend/backend.h"

namespace spindle::host::backend_detail {

std::unique_ptr<Backend> make_native(const BackendOptions& options);
std::unique_ptr<Backend> make_qemu(const BackendOptions& options);
std::unique_ptr<Backend> make_serial(const BackendOptions& options);

}  // namespace spindle::host::backend_detail
