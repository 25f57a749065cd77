#include "semihosting.h"

namespace spindle::board {
namespace {

constexpr uint32_t kSysExitExtended = 0x20;
constexpr uint32_t kAdpStoppedApplicationExit = 0x20026;

}  // namespace

void semihosting_exit(uint32_t status) {
  // SYS_EXIT_EXTENDED takes a pointer to {reason, exit code}; plain SYS_EXIT
  // on 32-bit ARM can only say "success" or "failure".
  const uint32_t block[2] = {kAdpStoppedApplicationExit, status};
  register uint32_t r0 asm("r0") = kSysExitExtended;
  register const uint32_t* r1 asm("r1") = block;
  asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  for (;;) asm volatile("wfi");
}

}  // namespace spindle::board
