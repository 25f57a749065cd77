// A core's plastic synapses: its pair-STDP rule (one per core, chosen at load
// from the image's STDP region: pair scheme x weight dependence), the
// post-spike history of its neurons, and the plastic rows, both in the
// image's writable regions. Core hands it every plastic row a spike reaches
// and every spike of its own neurons, and asks it to flush before weights
// are read out.
//
// The rule is one of four compile-time compositions (plastic_row_rule.h),
// built in place in a buffer and called through function pointers: one
// indirect call per row, and the core holds one rule's tables (~1 KB), not
// four.
#pragma once

#include <cstdint>
#include <new>

#include "image/format.h"
#include "synapse/plasticity/plastic_row.h"
#include "synapse/plasticity/plastic_row_rule.h"
#include "synapse/plasticity/post_history.h"
#include "synapse/plasticity/spike_pair_rule.h"
#include "synapse/plasticity/weight_dependence.h"
#include "synapse/ring_buffer.h"
#include "synapse/synaptic_word.h"

namespace spindle::fw::stdp {

static_assert(image::kStdpTableEntries == kStdpLutSize, "image tables are the kernel's");

class PlasticSynapses {
 public:
  using History = PostHistoryView<kPostHistorySize>;

  // False if the header's values are out of range (the caller reports
  // kBadStdp). history_words: History::words(n_neurons) zeroed words.
  bool configure(const image::StdpRegionHeader& h, const SynapticWordLayout& layout, uint32_t* history_words,
                 uint32_t n_neurons) {
    if (h.w_min > h.w_max || h.w_max > 0xFFFF || h.a_plus > 0xFFFF || h.a_minus > 0xFFFF ||
        h.plus_time_shift >= 32 || h.minus_time_shift >= 32 || h.history_size != kPostHistorySize)
      return false;
    for (uint32_t i = 0; i < kStdpLutSize; ++i)
      if (h.plus[i] > kTraceOne || h.minus[i] > kTraceOne) return false;  // decay_trace's bound
    SpikePairRule<PairScheme::kAllToAll> timing;  // same data for both schemes
    for (uint32_t i = 0; i < kStdpLutSize; ++i) {
      timing.plus.values[i] = h.plus[i];
      timing.minus.values[i] = h.minus[i];
    }
    timing.plus.time_shift = h.plus_time_shift;
    timing.minus.time_shift = h.minus_time_shift;
    const auto w_min = static_cast<uint16_t>(h.w_min), w_max = static_cast<uint16_t>(h.w_max);
    const auto a_plus = static_cast<uint16_t>(h.a_plus), a_minus = static_cast<uint16_t>(h.a_minus);
    const auto scheme = static_cast<image::PairSchemeId>(h.pair_scheme);
    const auto dependence = static_cast<image::WeightDependenceId>(h.weight_dependence);
    const bool nearest = scheme == image::PairSchemeId::kNearestPair;
    if (!nearest && scheme != image::PairSchemeId::kAllToAll) return false;
    if (dependence == image::WeightDependenceId::kAdditive) {
      const auto w = AdditiveWeightDependence::make(w_min, w_max, a_plus, a_minus);
      nearest ? use<PairScheme::kNearestPair>(timing, w, layout) : use<PairScheme::kAllToAll>(timing, w, layout);
    } else if (dependence == image::WeightDependenceId::kMultiplicative) {
      const auto w = MultiplicativeWeightDependence::make(w_min, w_max, a_plus, a_minus);
      nearest ? use<PairScheme::kNearestPair>(timing, w, layout) : use<PairScheme::kAllToAll>(timing, w, layout);
    } else {
      return false;
    }
    history_.bind(history_words, n_neurons);
    return true;
  }
  bool active() const { return process_ != nullptr; }

  // A plastic row's pre spike arrived at tick `arrival` (row: its header).
  void process_row(RingBuffer& ring, uint32_t arrival, uint32_t* row, uint32_t count) {
    process_(rule_, ring, arrival, row, count, history_);
  }
  // A spike of this core's neuron at tick.
  void add_post_spike(uint32_t neuron, uint32_t tick) { post_(rule_, neuron, tick, history_); }
  // Applies the row's pending potentiation up to tick `end` (plastic_row_rule.h flush).
  void flush(uint32_t end, uint32_t* row, uint32_t count) { flush_(rule_, end, row, count, history_); }

  uint32_t overwrites() const { return history_.overwrites(); }
  uint32_t missed() const { return history_.missed(); }

  void reset() {
    process_ = nullptr;
    post_ = nullptr;
    flush_ = nullptr;
  }

 private:
  template <PairScheme kScheme, typename Weight>
  void use(const SpikePairRule<PairScheme::kAllToAll>& t, const Weight& w, const SynapticWordLayout& layout) {
    using Timing = SpikePairRule<kScheme>;
    using Rule = PlasticRowRule<Timing, Weight>;
    static_assert(sizeof(Rule) <= kRuleBytes && alignof(Rule) <= alignof(uint64_t));
    Timing timing;
    timing.plus = t.plus;
    timing.minus = t.minus;
    Rule* rule = new (rule_) Rule{};
    rule->configure(timing, w, layout);
    process_ = [](const void* r, RingBuffer& ring, uint32_t arrival, uint32_t* row, uint32_t count, History& h) {
      static_cast<const Rule*>(r)->process_row(ring, arrival, row, count, h);
    };
    post_ = [](const void* r, uint32_t neuron, uint32_t tick, History& h) {
      h.add_post_spike(neuron, tick, static_cast<const Rule*>(r)->timing);
    };
    flush_ = [](const void* r, uint32_t end, uint32_t* row, uint32_t count, History& h) {
      static_cast<const Rule*>(r)->flush(end, row, count, h);
    };
  }

  // Room for the largest rule: two tables and a few words.
  static constexpr uint32_t kRuleBytes = 2 * sizeof(ExpLut) + 64;

  alignas(uint64_t) unsigned char rule_[kRuleBytes] = {};
  History history_;
  void (*process_)(const void*, RingBuffer&, uint32_t, uint32_t*, uint32_t, History&) = nullptr;
  void (*post_)(const void*, uint32_t, uint32_t, History&) = nullptr;
  void (*flush_)(const void*, uint32_t, uint32_t*, uint32_t, History&) = nullptr;
};

}  // namespace spindle::fw::stdp
