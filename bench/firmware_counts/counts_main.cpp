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
//   plastic rule=<r> post=<e> row=<m> rows=<k> instructions=<n>
//                                    k pre spikes on plastic rows of m synapses,
//                                    each synapse with e post spikes in its window
//   per_plastic_synapse_<e>_post[_<rule>] <x.xx>   marginal: one more plastic
//                                    synapse in a row (rule additive all-to-all
//                                    unless named)
//   per_plastic_row_<e>_post <x.xx>  a plastic row but its synapses (additive
//                                    all-to-all; includes the counting loop's call)
//   (rule neuromodulated_all_to_all: dopamine-modulated STDP, post=0 is
//   no event in the window but live c and d, one integration; post=1 is
//   one post spike and one dopamine event in it, three integrations)
//   segments n=<s> neurons=<k> instructions=<n>
//                                    one neuron-batch update of k
//                                    IF_curr_exp_segments neurons with s segments
//   per_segment_update <x.xx>        marginal: one more segment of a neuron
//                                    (its ring column read and cleared, window, test)
//   per_segment_neuron_update <x.xx> a neuron with one segment, all included
//   end <status>
#include <cstdint>
#include <new>

#include "board.h"
#include "counts_config.h"
#include "cortex_m_platform.h"
#include "instruction_counter.h"
#include "neuron/models.h"
#include "neuron/neuron_batch.h"
#include "runtime/core.h"
#include "selftest/bundle.h"
#include "synapse/plasticity/dopamine_history.h"
#include "synapse/plasticity/neuromodulated_row_rule.h"
#include "synapse/plasticity/plastic_row_rule.h"
#include "synapse/plasticity/post_history.h"
#include "synapse/plasticity/spike_pair_rule.h"
#include "synapse/plasticity/weight_dependence.h"

extern "C" const uint8_t spindle_bundle_start[];
extern "C" const uint8_t spindle_bundle_end[];

namespace {

using namespace spindle;
using bench::counter_read;

constexpr uint32_t kPacketsFew = 32, kPacketsMany = 64;
constexpr uint32_t kWarmupTicks = 4;  // so synaptic state and ring inputs are non-zero

// The plastic-row counts' state: a ring buffer, the post-spike history of
// kCountsPlasticNeurons neurons and the rows. The board's 128 KB of RAM hold
// one core and little else, so this shares the core's storage: the plastic
// counts run after the core's are done.
struct PlasticBench {
  fw::RingBuffer ring;
  fw::stdp::PostHistory<bench::kCountsPlasticNeurons> history;
  uint32_t short_rows[bench::kCountsPlasticRows][fw::stdp::plastic_row_words(bench::kCountsRowShort)];
  uint32_t long_rows[bench::kCountsPlasticRows][fw::stdp::plastic_row_words(bench::kCountsRowLong)];
};
static_assert(sizeof(PlasticBench) <= sizeof(fw::Core), "the plastic counts must not need more RAM than the core");

// The same for dopamine-modulated STDP, whose rows are three times longer
// and whose post neurons also keep dopamine: kCountsNeuromodulatedNeurons
// post neurons, so that it fits the core's storage too.
struct NeuromodulatedBench {
  fw::RingBuffer ring;
  fw::stdp::PostHistory<bench::kCountsNeuromodulatedNeurons> history;
  fw::stdp::DopamineHistory<bench::kCountsNeuromodulatedNeurons> dopamine;
  fw::image::NeuromodulationRegionHeader header;
  uint32_t short_rows[bench::kCountsPlasticRows][fw::stdp::neuromodulated_row_words(bench::kCountsRowShort)];
  uint32_t long_rows[bench::kCountsPlasticRows][fw::stdp::neuromodulated_row_words(bench::kCountsRowLong)];
};
static_assert(sizeof(NeuromodulatedBench) <= sizeof(fw::Core), "the counts must not need more RAM than the core");

// Active dendrite segments: the neurons' blocks and their ring columns.
struct SegmentBench {
  using Model = fw::IfCurrExpSegments;
  Model::Params params[bench::kCountsSegmentNeurons];
  Model::State states[bench::kCountsSegmentNeurons];
  uint32_t columns[Model::kInputs][bench::kCountsSegmentNeurons];
  uint16_t fired[bench::kCountsSegmentNeurons];
};
static_assert(sizeof(SegmentBench) <= sizeof(fw::Core), "the counts must not need more RAM than the core");

union Arena {
  Arena() : core() {}
  fw::Core core;
  PlasticBench plastic;
  NeuromodulatedBench neuromodulated;
  SegmentBench segments;
};
Arena g_arena;
fw::Core& g_core = g_arena.core;  // a constant address: the same code as a plain global
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

// --- plastic rows (pair STDP) ---------------------------------------------

constexpr fw::SynapticWordLayout kPlasticLayout{8, 1, 4};  // 256 neurons, 2 types, delays 0..15

// An exponential window table without floating point: entry i is about
// 2048 exp(-i / tau) with exp(-1 / tau) = factor / 65536. The values shape
// the weights, never the path a synapse takes, so never the counts.
fw::stdp::ExpLut exp_lut(uint32_t factor) {
  fw::stdp::ExpLut lut;
  uint32_t v = uint32_t{fw::stdp::kTraceOne} << 16;
  for (uint32_t i = 0; i < fw::stdp::kStdpLutSize; ++i) {
    lut.values[i] = static_cast<uint16_t>((v + (1u << 15)) >> 16);
    v = static_cast<uint32_t>((uint64_t{v} * factor) >> 16);
  }
  return lut;
}

template <uint32_t kLength, uint32_t kWords, uint32_t n = bench::kCountsPlasticNeurons>
void init_rows(uint32_t (&rows)[bench::kCountsPlasticRows][kWords]) {
  constexpr bool kNeuromodulated = kWords == fw::stdp::neuromodulated_row_words(kLength);
  static_assert(kNeuromodulated || kWords == fw::stdp::plastic_row_words(kLength));
  for (uint32_t s = 0; s < bench::kCountsPlasticRows; ++s) {
    uint16_t weights[kLength], control[kLength];
    for (uint32_t j = 0; j < kLength; ++j) {
      // Distinct targets per row spread over the neurons, mixed types and
      // delays 1..15 (as the static rows), weights mid-range.
      const uint32_t target = (s * 37 + j * (n / kLength)) % n;
      weights[j] = static_cast<uint16_t>(20000 + (s * 131 + j * 977) % 20000);
      control[j] = static_cast<uint16_t>(kPlasticLayout.pack(0, 1 + (s + j) % 15, j % 2, target));
    }
    if constexpr (kNeuromodulated)
      fw::stdp::init_neuromodulated_row(rows[s], kLength, weights, control);
    else
      fw::stdp::init_plastic_row(rows[s], kLength, weights, control);
  }
}

// Instructions for the pre spikes of every row of one length at tick t.
template <typename Rule, uint32_t kLength, uint32_t kWords, typename Bench>
uint32_t plastic_pass(const Rule& rule, Bench& b, uint32_t (&rows)[bench::kCountsPlasticRows][kWords], uint32_t t) {
  return count([&] {
    // The row length as a core knows it: at run time (a constant would let
    // the compiler specialise the row loop).
    uint32_t length = kLength;
    asm volatile("" : "+r"(length));
    for (uint32_t s = 0; s < bench::kCountsPlasticRows; ++s) rule.process_row(b.ring, t, rows[s], length, b.history);
  });
}

void write_plastic(const char* rule, uint32_t post, uint32_t row, uint32_t instructions) {
  write("plastic rule=");
  write(rule);
  write(" post=");
  write_u(post);
  write(" row=");
  write_u(row);
  write(" rows=");
  write_u(bench::kCountsPlasticRows);
  write(" instructions=");
  write_u(instructions);
  write("\n");
}

// Pre spikes on every row with one post spike of each target in the
// synapse's window, then with none (the common case: the post neuron fired
// before the row's last pre spike, so only depression by its latest spike).
// Sets the per-synapse figures (x 100, rounded) and the short rows' counts.
template <typename Timing, typename Weight>
[[gnu::noinline]] bool plastic_counts(const char* name, const Weight& weight, const char* suffix, bool rows_too) {
  PlasticBench& b = *new (&g_arena.plastic) PlasticBench;
  fw::stdp::PlasticRowRule<Timing, Weight> rule;
  Timing timing;
  timing.plus = exp_lut(62339);   // tau+ 20 ticks
  timing.minus = exp_lut(63311);  // tau- 36 ticks
  rule.configure(timing, weight, kPlasticLayout);
  if (!b.ring.configure(16, kPlasticLayout.type_bits, kPlasticLayout.index_bits)) return false;
  init_rows<bench::kCountsRowShort>(b.short_rows);
  init_rows<bench::kCountsRowLong>(b.long_rows);
  constexpr uint32_t kFirstPost = 10, kFirstPre = 40, kOnePost = 60, kNoPost = 80;
  for (uint32_t n = 0; n < bench::kCountsPlasticNeurons; ++n) b.history.add_post_spike(n, kFirstPost, rule.timing);
  plastic_pass<decltype(rule), bench::kCountsRowShort>(rule, b, b.short_rows, kFirstPre);
  plastic_pass<decltype(rule), bench::kCountsRowLong>(rule, b, b.long_rows, kFirstPre);
  // Post spikes at kFirstPre reach the synapses at kFirstPre + 1..15: inside
  // (kFirstPre, kOnePost], before (kOnePost, kNoPost].
  for (uint32_t n = 0; n < bench::kCountsPlasticNeurons; ++n) b.history.add_post_spike(n, kFirstPre, rule.timing);
  uint32_t c[2][2];  // [post events][short, long]
  c[1][0] = plastic_pass<decltype(rule), bench::kCountsRowShort>(rule, b, b.short_rows, kOnePost);
  c[1][1] = plastic_pass<decltype(rule), bench::kCountsRowLong>(rule, b, b.long_rows, kOnePost);
  c[0][0] = plastic_pass<decltype(rule), bench::kCountsRowShort>(rule, b, b.short_rows, kNoPost);
  c[0][1] = plastic_pass<decltype(rule), bench::kCountsRowLong>(rule, b, b.long_rows, kNoPost);
  if (b.history.missed() != 0 || b.history.overwrites() != 0) return false;
  constexpr uint32_t kExtra = bench::kCountsPlasticRows * (bench::kCountsRowLong - bench::kCountsRowShort);
  for (uint32_t e = 0; e < 2; ++e) {
    write_plastic(name, e, bench::kCountsRowShort, c[e][0]);
    write_plastic(name, e, bench::kCountsRowLong, c[e][1]);
  }
  for (uint32_t e = 0; e < 2; ++e) {
    write(e == 0 ? "per_plastic_synapse_0_post" : "per_plastic_synapse_1_post");
    write(suffix);
    write(" ");
    write_ratio(c[e][1] - c[e][0], kExtra);
    write("\n");
  }
  if (rows_too) {
    // Short rows less their synapses, per row: header, window, loop set-up.
    for (uint32_t e = 0; e < 2; ++e) {
      write(e == 0 ? "per_plastic_row_0_post " : "per_plastic_row_1_post ");
      const uint64_t synapses_x = uint64_t{c[e][1] - c[e][0]} * bench::kCountsRowShort;  // x kExtra / kCountsPlasticRows
      write_ratio(uint64_t{c[e][0]} * kExtra - synapses_x * bench::kCountsPlasticRows,
                  uint64_t{kExtra} * bench::kCountsPlasticRows);
      write("\n");
    }
  }
  return true;
}

// Dopamine-modulated STDP (all-to-all, additive bounds): pre spikes on
// every row after post spikes and dopamine of every target, then with
// neither in the window (c and d live: one integration per synapse).
[[gnu::noinline]] bool neuromodulated_counts() {
  using Timing = fw::stdp::AllToAllSpikePairRule;
  constexpr uint32_t n = bench::kCountsNeuromodulatedNeurons;
  NeuromodulatedBench& b = *new (&g_arena.neuromodulated) NeuromodulatedBench;
  b.header.c_max = 60000;
  b.header.integral_scale = 40u << 16;  // tau_c 100 ms, tau_d 50 ms at 1 ms ticks
  b.header.history_size = fw::stdp::kDopamineHistorySize;
  // round(2^31 exp(-2^k / tau)) by repeated squaring of exp(-1 / tau)
  // (no libm on the board): tau 100 and 50 ticks.
  auto powers = [](uint32_t one_tick, uint32_t* out) {
    uint32_t f = one_tick;
    for (uint32_t k = 0; k < fw::image::kDecayTableEntries; ++k) {
      out[k] = f;
      f = fw::stdp::mul_decay(f, f);
    }
  };
  powers(2126115829u, b.header.c_decay);  // round(2^31 exp(-1/100))
  powers(2104960623u, b.header.d_decay);  // round(2^31 exp(-1/50))
  fw::stdp::NeuromodulatedRowRule<Timing> rule;
  Timing timing;
  timing.plus = exp_lut(62339);
  timing.minus = exp_lut(63311);
  rule.configure(timing, fw::stdp::AdditiveWeightDependence::make(0, 60000, 600, 700), kPlasticLayout, b.header,
                 b.dopamine);
  if (!b.ring.configure(16, kPlasticLayout.type_bits, kPlasticLayout.index_bits)) return false;
  init_rows<bench::kCountsRowShort, fw::stdp::neuromodulated_row_words(bench::kCountsRowShort), n>(b.short_rows);
  init_rows<bench::kCountsRowLong, fw::stdp::neuromodulated_row_words(bench::kCountsRowLong), n>(b.long_rows);
  constexpr uint32_t kFirstPost = 10, kFirstPre = 40, kOnePost = 60, kNoPost = 80;
  constexpr int32_t kDopamine = 1 << 20;  // 1/8
  for (uint32_t k = 0; k < n; ++k) {
    b.history.add_post_spike(k, kFirstPost, rule.timing);
    b.dopamine.add(k, kFirstPost, kDopamine, b.header.d_decay);
  }
  plastic_pass<decltype(rule), bench::kCountsRowShort>(rule, b, b.short_rows, kFirstPre);
  plastic_pass<decltype(rule), bench::kCountsRowLong>(rule, b, b.long_rows, kFirstPre);
  for (uint32_t k = 0; k < n; ++k) {
    b.history.add_post_spike(k, kFirstPre, rule.timing);
    b.dopamine.add(k, kFirstPre + 1, kDopamine, b.header.d_decay);
  }
  uint32_t c[2][2];  // [post events][short, long]
  c[1][0] = plastic_pass<decltype(rule), bench::kCountsRowShort>(rule, b, b.short_rows, kOnePost);
  c[1][1] = plastic_pass<decltype(rule), bench::kCountsRowLong>(rule, b, b.long_rows, kOnePost);
  c[0][0] = plastic_pass<decltype(rule), bench::kCountsRowShort>(rule, b, b.short_rows, kNoPost);
  c[0][1] = plastic_pass<decltype(rule), bench::kCountsRowLong>(rule, b, b.long_rows, kNoPost);
  if (b.history.missed() != 0 || b.history.overwrites() != 0) return false;
  constexpr uint32_t kExtra = bench::kCountsPlasticRows * (bench::kCountsRowLong - bench::kCountsRowShort);
  for (uint32_t e = 0; e < 2; ++e) {
    write_plastic("neuromodulated_all_to_all", e, bench::kCountsRowShort, c[e][0]);
    write_plastic("neuromodulated_all_to_all", e, bench::kCountsRowLong, c[e][1]);
  }
  for (uint32_t e = 0; e < 2; ++e) {
    write(e == 0 ? "per_plastic_synapse_0_post_neuromodulated " : "per_plastic_synapse_1_post_neuromodulated ");
    write_ratio(c[e][1] - c[e][0], kExtra);
    write("\n");
  }
  return true;
}

// --- active dendrite segments ----------------------------------------------

// One batch update of kCountsSegmentNeurons neurons with `segments`
// segments (4-step windows, threshold 3, input on every segment and both
// receptors every step), after warm-up steps that fill the windows.
[[gnu::noinline]] uint32_t segment_pass(uint32_t segments) {
  SegmentBench& b = *new (&g_arena.segments) SegmentBench;
  using Model = SegmentBench::Model;
  constexpr uint32_t n = bench::kCountsSegmentNeurons;
  for (uint32_t i = 0; i < n; ++i) {
    Model::Params& p = b.params[i];
    p = Model::Params{};
    p.synapse.exc_decay = p.synapse.inh_decay = fw::UFract32{0xF0000000u};
    p.synapse.exc_init = p.synapse.inh_init = fw::UFract32{0x10000000u};
    p.membrane.v_rest = p.membrane.v_reset = fw::Accum::from_int(-65);
    p.membrane.r_membrane = fw::Accum::from_int(20);
    p.membrane.exp_tc = fw::UFract32{0xFF000000u};
    p.threshold.v_thresh = fw::Accum::from_int(1000);  // never fires: the subthreshold update
    p.dendrites.shape = fw::DendriteSegments::shape(segments, 4, 3);
    p.dendrites.plateau_ticks = 10;
    p.dendrites.plateau_current = fw::Accum::from_int(1);
    b.states[i] = Model::State{};
    b.states[i].membrane.v = fw::Accum::from_int(-65);
  }
  fw::NeuronStore store{reinterpret_cast<uint32_t*>(b.params), reinterpret_cast<uint32_t*>(b.states), n, 0, segments};
  fw::TickInput in;
  in.n_inputs = Model::kReceptors + segments;
  for (uint32_t t = 0; t < in.n_inputs; ++t) {
    in.column[t] = b.columns[t];
    in.weight_shift[t] = t < Model::kReceptors ? -8 : -1;  // segment input: 2^16 a synapse, s16.15 whole synapses
  }
  uint32_t saturated = 0, instructions = 0;
  for (uint32_t step = 0; step < 6; ++step) {
    for (uint32_t t = 0; t < in.n_inputs; ++t)
      for (uint32_t i = 0; i < n; ++i) b.columns[t][i] = t < Model::kReceptors ? 1000 + i : (1 + (i + t + step) % 2) << 16;
    if (step < 5) fw::NeuronBatch<Model>::update(store, in, b.fired, saturated);
    else instructions = count([&] { fw::NeuronBatch<Model>::update(store, in, b.fired, saturated); });
  }
  write("segments n=");
  write_u(segments);
  write(" neurons=");
  write_u(n);
  write(" instructions=");
  write_u(instructions);
  write("\n");
  return instructions;
}

[[gnu::noinline]] bool segment_counts() {
  const uint32_t one = segment_pass(1), all = segment_pass(fw::kMaxSegments);
  if (all <= one) return false;
  write("per_segment_update ");
  write_ratio(all - one, uint64_t{bench::kCountsSegmentNeurons} * (fw::kMaxSegments - 1));
  write("\n");
  write("per_segment_neuron_update ");
  write_ratio(one, bench::kCountsSegmentNeurons);
  write("\n");
  return true;
}

[[gnu::noinline]] bool plastic_counts_all() {
  using namespace fw::stdp;
  const auto additive = AdditiveWeightDependence::make(0, 60000, 600, 700);
  const auto multiplicative = MultiplicativeWeightDependence::make(0, 60000, 600, 700);
  return plastic_counts<AllToAllSpikePairRule>("additive_all_to_all", additive, "", true) &&
         plastic_counts<AllToAllSpikePairRule>("multiplicative_all_to_all", multiplicative, "_multiplicative", false) &&
         plastic_counts<NearestPairSpikePairRule>("additive_nearest_pair", additive, "_nearest_pair", false) &&
         neuromodulated_counts();
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

  // The core's storage becomes the plastic counts' (PlasticBench).
  if (!plastic_counts_all()) {
    write("error the plastic rows lost post spikes or the ring did not configure\n");
    return 7;
  }
  if (!segment_counts()) {
    write("error the segment counts\n");
    return 8;
  }
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
