// The firmware counting image: runs the real core kernels (Core::on_packet,
// Core::process_packets, Core::tick) on the core images of
// counts_bundle_main.cpp and prints how many instructions each took, read
// from an instruction counter (instruction_counter.h; QEMU -icount shift=0).
// Sizes differ between runs so that fixed costs cancel in the differences
// (docs/performance.md, "Firmware instruction counts").
//
// Output lines (all counts are instructions, the counter's own cost removed):
//   spindle-counts
//   counter_overhead <n>
//   receive packets=<p> instructions=<n>
//   process row=<m> packets=<p> instructions=<n>
//   tick neurons=<k> instructions=<n> spikes=<s>
//   per_synaptic_event <x.xx>        marginal: one more synapse in a row
//   per_packet <x.xx>                receive + look-up + row set-up
//   per_neuron_update <x.xx>         marginal: one more IF_curr_exp neuron
//   poisson rate_hz=<r> instructions=<n> spikes=<s>   kCountsPoissonTicks ticks
//   per_poisson_source_tick <x.xx>   a tick of the silent core / sources
//   per_poisson_spike <x.xx>         (busy - silent core) / spikes: draw + emit
//   end <status>
#include <cstdint>

#include "board.h"
#include "counts_config.h"
#include "cortex_m_platform.h"
#include "instruction_counter.h"
#include "runtime/core.h"
#include "selftest/bundle.h"

extern "C" const uint8_t spindle_bundle_start[];
extern "C" const uint8_t spindle_bundle_end[];

namespace {

using namespace spindle;
using bench::counter_read;

constexpr uint32_t kPacketsFew = 32, kPacketsMany = 64;
constexpr uint32_t kWarmupTicks = 4;  // so synaptic state and ring inputs are non-zero

fw::Core g_core;
board::CortexMPlatform g_platform;
uint32_t g_overhead = 0;

void write(const char* s) {
  uint32_t n = 0;
  while (s[n]) ++n;
  board::uart_write(s, n);
}

void write_u(uint32_t v) {
  char tmp[10];
  int k = 0;
  do { tmp[k++] = static_cast<char>('0' + v % 10); v /= 10; } while (v != 0);
  char out[10];
  for (int i = 0; i < k; ++i) out[i] = tmp[k - 1 - i];
  board::uart_write(out, static_cast<uint32_t>(k));
}

// num / den with two decimals, rounded (integer arithmetic only).
void write_ratio(uint64_t num, uint64_t den) {
  const uint64_t hundredths = (num * 100 + den / 2) / den;
  write_u(static_cast<uint32_t>(hundredths / 100));
  write(".");
  const auto frac = static_cast<uint32_t>(hundredths % 100);
  if (frac < 10) write("0");
  write_u(frac);
}

// Instructions f() executes, the counter's own cost removed.
template <class F>
uint32_t count(F&& f) {
  asm volatile("" ::: "memory");
  const uint32_t start = counter_read();
  asm volatile("" ::: "memory");
  f();
  asm volatile("" ::: "memory");
  const uint32_t end = counter_read();
  return end - start - g_overhead;
}

bool load(const fw::BundleEntry& image) {
  g_platform.set_image(image.data, image.size);
  g_platform.clear_outbox();
  return g_core.load(g_platform).ok();
}

void queue(uint32_t key_base, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) g_core.on_packet(fw::Packet{key_base | i, 0, false});
}

uint32_t receive(uint32_t key_base, uint32_t n) {
  const uint32_t c = count([&] { queue(key_base, n); });
  write("receive packets=");
  write_u(n);
  write(" instructions=");
  write_u(c);
  write("\n");
  return c;
}

uint32_t process(uint32_t key_base, uint32_t row, uint32_t n) {
  queue(key_base, n);
  const uint32_t c = count([] { g_core.process_packets(); });
  write("process row=");
  write_u(row);
  write(" packets=");
  write_u(n);
  write(" instructions=");
  write_u(c);
  write("\n");
  return c;
}

// One tick of a loaded core after a few warm-up ticks with input; returns
// its count and checks that no neuron fired in it (the subthreshold update).
bool tick(uint32_t neurons, uint32_t& instructions) {
  for (uint32_t t = 0; t < kWarmupTicks; ++t) {
    queue(bench::kCountsKeyShort, kPacketsMany);
    queue(bench::kCountsKeyLong, kPacketsMany);
    g_core.tick();
  }
  queue(bench::kCountsKeyLong, kPacketsMany);  // input for the coming ticks
  g_core.process_packets();
  const uint32_t spikes_before = g_core.provenance().spikes_emitted;
  instructions = count([] { g_core.tick(); });
  const uint32_t spikes = g_core.provenance().spikes_emitted - spikes_before;
  write("tick neurons=");
  write_u(neurons);
  write(" instructions=");
  write_u(instructions);
  write(" spikes=");
  write_u(spikes);
  write("\n");
  return spikes == 0 && g_core.provenance().spikes_emitted == 0;
}

// kCountsPoissonTicks ticks of a Poisson core, its spikes sent and recorded
// (outbox and records drained between ticks, outside the count).
bool poisson_ticks(const fw::BundleEntry& image, uint32_t rate_hz, uint32_t& instructions, uint32_t& spikes) {
  if (!load(image)) return false;
  instructions = 0;
  for (uint32_t t = 0; t < bench::kCountsPoissonTicks; ++t) {
    instructions += count([] { g_core.tick(); });
    g_core.clear_records();
    g_platform.clear_outbox();
  }
  spikes = g_core.provenance().spikes_emitted;
  write("poisson rate_hz=");
  write_u(rate_hz);
  write(" instructions=");
  write_u(instructions);
  write(" spikes=");
  write_u(spikes);
  write("\n");
  return g_core.provenance().packets_sent == spikes && g_core.provenance().spike_records_dropped == 0;
}

int run() {
  fw::BundleEntry images[4];
  const auto size = static_cast<uint32_t>(spindle_bundle_end - spindle_bundle_start);
  if (fw::parse_bundle(spindle_bundle_start, size, images, 4) != 4) {
    write("error bad bundle\n");
    return 1;
  }
  write("spindle-counts\n");
  g_overhead = 0;
  g_overhead = count([] {});
  write("counter_overhead ");
  write_u(g_overhead);
  write("\n");

  // Synaptic events: rows of two lengths, two packet counts each.
  if (!load(images[0])) {
    write("error image 0 does not load\n");
    return 2;
  }
  const uint32_t recv_many = receive(bench::kCountsKeyShort, kPacketsMany);
  g_core.process_packets();
  process(bench::kCountsKeyShort, bench::kCountsRowShort, kPacketsFew);
  const uint32_t short_many = process(bench::kCountsKeyShort, bench::kCountsRowShort, kPacketsMany);
  process(bench::kCountsKeyLong, bench::kCountsRowLong, kPacketsFew);
  const uint32_t long_many = process(bench::kCountsKeyLong, bench::kCountsRowLong, kPacketsMany);
  const uint32_t expected_events = (kPacketsMany + kPacketsFew + kPacketsMany) * bench::kCountsRowShort +
                                   (kPacketsFew + kPacketsMany) * bench::kCountsRowLong;
  if (g_core.provenance().synaptic_events != expected_events || g_core.provenance().packets_no_match != 0) {
    write("error packets did not reach their rows\n");
    return 3;
  }

  // Neuron updates: the same tick on the large core and on the small one.
  uint32_t tick_large = 0, tick_small = 0;
  if (!load(images[0]) || !tick(bench::kCountsNeuronsLarge, tick_large)) {
    write("error the large core fired or did not load\n");
    return 4;
  }
  if (!load(images[1]) || !tick(bench::kCountsNeuronsSmall, tick_small)) {
    write("error the small core fired or did not load\n");
    return 5;
  }

  constexpr uint32_t kExtraSynapses = kPacketsMany * (bench::kCountsRowLong - bench::kCountsRowShort);
  write("per_synaptic_event ");
  write_ratio(long_many - short_many, kExtraSynapses);
  write("\n");
  // Everything a packet costs but its synapses: receive, look-up, row set-up.
  const uint64_t per_synapse_x = uint64_t{long_many - short_many};  // x kExtraSynapses
  const uint64_t short_rows_synapses = uint64_t{kPacketsMany} * bench::kCountsRowShort;
  const uint64_t packet_x = (uint64_t{recv_many} + short_many) * kExtraSynapses - per_synapse_x * short_rows_synapses;
  write("per_packet ");
  write_ratio(packet_x, uint64_t{kExtraSynapses} * kPacketsMany);
  write("\n");
  write("per_neuron_update ");
  write_ratio(tick_large - tick_small, bench::kCountsNeuronsLarge - bench::kCountsNeuronsSmall);
  write("\n");

  uint32_t silent = 0, silent_spikes = 0, busy = 0, busy_spikes = 0;
  if (!poisson_ticks(images[2], 0, silent, silent_spikes) ||
      !poisson_ticks(images[3], bench::kCountsPoissonRateHz, busy, busy_spikes) || silent_spikes != 0 ||
      busy_spikes == 0) {
    write("error the Poisson cores did not load or lost spikes\n");
    return 6;
  }
  write("per_poisson_source_tick ");
  write_ratio(silent, uint64_t{bench::kCountsPoissonSources} * bench::kCountsPoissonTicks);
  write("\n");
  write("per_poisson_spike ");
  write_ratio(busy - silent, busy_spikes);
  write("\n");
  return 0;
}

}  // namespace

int main() {
  board::init();
  bench::counter_start();
  const int status = run();
  write("end ");
  write_u(static_cast<uint32_t>(status));
  write("\n");
  board::uart_flush();
  return status;
}
