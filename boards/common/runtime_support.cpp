// The few C++ ABI hooks the compiler may reference, defined here so the image
// never links libstdc++'s versions (which pull in exception and heap code).
#include "semihosting.h"

namespace {

constexpr uint32_t kPureVirtualExit = 0x7F;

}  // namespace

extern "C" {

// Called only on a broken vtable; report it and stop.
[[noreturn]] void __cxa_pure_virtual() { spindle::board::semihosting_exit(kPureVirtualExit); }

// Registration of static destructors: the program never returns to anything
// that would run them, so there is nothing to record.
int __aeabi_atexit(void*, void (*)(void*), void*) { return 0; }
void* __dso_handle = nullptr;

}
