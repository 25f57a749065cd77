#include "selftest/selftest.h"

#include "runtime/core.h"
#include "selftest/bundle.h"
#include "util/crc32.h"

#ifndef SPINDLE_SELFTEST_MAX_CORES
#define SPINDLE_SELFTEST_MAX_CORES 8
#endif

namespace spindle::fw {
namespace {

constexpr uint32_t kMaxCores = SPINDLE_SELFTEST_MAX_CORES;
constexpr uint32_t kLineCapacity = 512;

// Line builder with no allocation and no printf.
class Line {
 public:
  Line& str(const char* s) {
    while (*s && n_ < kLineCapacity - 1) buf_[n_++] = *s++;
    return *this;
  }
  Line& u(uint32_t v) {
    char tmp[10];
    int k = 0;
    do { tmp[k++] = static_cast<char>('0' + v % 10); v /= 10; } while (v != 0);
    while (k > 0 && n_ < kLineCapacity - 1) buf_[n_++] = tmp[--k];
    return *this;
  }
  Line& i(int32_t v) {
    if (v < 0) {
      str("-");
      return u(static_cast<uint32_t>(-(static_cast<int64_t>(v))));
    }
    return u(static_cast<uint32_t>(v));
  }
  Line& sp() { return str(" "); }
  const char* data() const { return buf_; }
  uint32_t size() const { return n_; }
  void end() { buf_[n_++] = '\n'; }

 private:
  char buf_[kLineCapacity];
  uint32_t n_ = 0;
};

bool same(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

Core g_cores[kMaxCores];

}  // namespace

int run_selftest(const uint8_t* bundle, uint32_t bundle_size, uint32_t n_ticks, WriteFn write,
                 OutboxPlatform* const* platforms, uint32_t n_platforms) {
  uint32_t checksum = 0;
  auto emit = [&](Line& l, bool checked) {
    l.end();
    if (checked) checksum = crc32(reinterpret_cast<const uint8_t*>(l.data()), l.size(), checksum);
    write(l.data(), l.size());
  };

  BundleEntry entries[kMaxCores];
  const uint32_t max_cores = n_platforms < kMaxCores ? n_platforms : kMaxCores;
  const int32_t n = parse_bundle(bundle, bundle_size, entries, max_cores);
  if (n <= 0) {
    Line l;
    emit(l.str("error bad bundle (or more than ").u(max_cores).str(" cores)"), false);
    Line e;
    emit(e.str("end 1"), false);
    return 1;
  }
  const uint32_t cores = static_cast<uint32_t>(n);
  {
    Line l;
    emit(l.str("spindle-selftest cores=").u(cores).str(" ticks=").u(n_ticks), false);
  }
  for (uint32_t c = 0; c < cores; ++c) {
    platforms[c]->set_image(entries[c].data, entries[c].size);
    platforms[c]->clear_outbox();
    const image::ImageStatus s = g_cores[c].load(*platforms[c]);
    if (!s.ok()) {
      Line l;
      emit(l.str("error core ").u(c).str(": ").str(image::to_string(s.error)).str(" region=").u(s.region)
               .str(" offset=").u(s.offset), false);
      Line e;
      emit(e.str("end 2"), false);
      return 2;
    }
  }

  for (uint32_t t = 0; t < n_ticks; ++t) {
    for (uint32_t c = 0; c < cores; ++c) g_cores[c].tick();
    // Deliver in core order then emission order; the result does not depend
    // on it (order-independent accumulation), but the provenance stays stable.
    for (uint32_t src = 0; src < cores; ++src) {
      const PacketView out = platforms[src]->outbox();
      for (uint32_t k = 0; k < out.size(); ++k)
        for (uint32_t dst = 0; dst < cores; ++dst) g_cores[dst].on_packet(out[k]);
      platforms[src]->clear_outbox();
    }
    for (uint32_t c = 0; c < cores; ++c) {
      Core& core = g_cores[c];
      core.process_packets();
      const SpikeRecordBuffer& spikes = core.spikes();
      for (uint32_t k = 0; k < spikes.size(); ++k) {
        Line l;
        emit(l.str("spike ").u(spikes[k].tick).sp().u(c).sp().u(spikes[k].neuron), true);
      }
      const StateRecordBuffer& states = core.states();
      for (uint32_t k = 0; k < states.size(); ++k) {
        if (states[k].variable != static_cast<uint16_t>(StateVariable::kV)) continue;
        Line l;
        emit(l.str("v ").u(states[k].tick).sp().u(c).sp().u(states[k].neuron).sp().i(states[k].value), true);
      }
      core.clear_records();
    }
  }

  for (uint32_t c = 0; c < cores; ++c) {
    Line l;
    l.str("provenance ").u(c);
    for_each_counter(g_cores[c].provenance(), [&](const char* name, uint32_t value) {
      // Tick overruns depend on the host's speed, not on the network.
      if (same(name, "tick_overruns")) return;
      l.sp().str(name).str("=").u(value);
    });
    emit(l, false);
  }
  Line l;
  emit(l.str("checksum ").u(checksum), false);
  Line e;
  emit(e.str("end 0"), false);
  return 0;
}

}  // namespace spindle::fw
