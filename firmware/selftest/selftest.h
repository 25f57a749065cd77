// Self-test program: runs the cores of an embedded bundle for N ticks with a
// broadcast loopback in place of the router (every packet goes to every core;
// each core's population table picks what is its own), and prints every
// spike and each core's provenance as text lines. The same function runs on
// a board under QEMU and natively, and the two outputs must be identical.
//
// Output lines:
//   spindle-selftest cores=<n> ticks=<t>
//   spike <tick> <core> <neuron>
//   v <tick> <core> <neuron> <raw s16.15>        (if the core records v)
//   provenance <core> <name>=<value> ...
//   checksum <crc32 of all spike and v lines>
//   end <status>        status 0 on success
#pragma once

#include <cstdint>

#include "platform/outbox_platform.h"

namespace spindle::fw {

using WriteFn = void (*)(const char* data, uint32_t size);

// Runs the bundle's cores on the given platforms (one per core: the native
// platform on the host, the Cortex-M platform on a board). Returns 0 on
// success, non-zero (and prints why) on a bad bundle or image, or when the
// bundle has more cores than platforms.
int run_selftest(const uint8_t* bundle, uint32_t bundle_size, uint32_t n_ticks, WriteFn write,
                 OutboxPlatform* const* platforms, uint32_t n_platforms);

}  // namespace spindle::fw
