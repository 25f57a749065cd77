// A core's plastic synapses: its pair-STDP rule (one per core, chosen at load
// from the image's STDP region: pair scheme x weight dependence, or
// dopamine-modulated STDP when the image has a neuromodulation region), the
// post-spike (and dopamine) history of its neurons, and the plastic rows,
// all in the image's writable regions. Core hands it every plastic row a spike reaches
// and every spike of its own neurons, and asks it to flush before weights
// are read out.
//
// The rule is one of six compile-time compositions (plastic_row_rule.h,
// neuromodulated_row_rule.h),
// built in place in a buffer and called through function pointers: one
// indirect call per row, and the core holds one rule's tables (~1 KB), not
// four.
#pragma once

#include <cstdint>
#include <new>

#include "image/format.h"
#include "synapse/plasticity/dopamine_history.h"
#include "synapse/plasticity/neuromodulated_row_rule.h"
#include "synapse/plasticity/plastic_row.h"
#include "synapse/plasticity/plastic_row_rule.h"
#include "synapse/plasticity/post_history.h"
#include "synapse/plasticity/spike_pair_rule.h"
#include "synapse/plasticity/weight_dependence.h"
#include "synapse/ring_buffer.h"
#include "synapse/synaptic_word.h"

namespace spindle::fw::stdp {

static_assert(image::kStdpTableEntries == kStdpLutSize, "image tables are the kernel's");

// A learning-rate scale (neuromodulation by the host): u4.12, [0, 16) in
// steps of 1/4096; 1 leaves the image's amplitudes as they are.
inline constexpr uint32_t kLearningScaleFracBits = 12;
inline constexpr uint32_t kLearningScaleOne = uint32_t{1} << kLearningScaleFracBits;
inline constexpr uint32_t kLearningScaleMax = 0xFFFF;

class PlasticSynapses {
 public:
  using History = PostHistoryView<kPostHistorySize>;
  using Dopamine = DopamineHistoryView<kDopamineHistorySize>;

  // False if the header's values are out of range (the caller reports
  // kBadStdp). history_words: History::words(n_neurons) zeroed words.
  // `h` stays where it is (the image's STDP region) while the core runs:
  // set_learning_scale rebuilds the rule from it.
  // With `nm` (the image's neuromodulation region, also kept), the rule is
  // dopamine-modulated STDP, whose history is dopamine_words
  // (Dopamine::words(n_neurons) zeroed words); false if nm's values are out
  // of range or the weight dependence is not additive.
  // The image's STDP header (region 9) within the rule's bounds.
  static bool stdp_header_ok(const image::StdpRegionHeader& h) {
    if (h.w_min > h.w_max || h.w_max > 0xFFFF || h.a_plus > 0xFFFF || h.a_minus > 0xFFFF ||
        h.plus_time_shift >= 32 || h.minus_time_shift >= 32 || h.history_size != kPostHistorySize)
      return false;
    for (uint32_t i = 0; i < kStdpLutSize; ++i)
      if (h.plus[i] > kTraceOne || h.minus[i] > kTraceOne) return false;  // decay_trace's bound
    const auto scheme = static_cast<image::PairSchemeId>(h.pair_scheme);
    const auto dependence = static_cast<image::WeightDependenceId>(h.weight_dependence);
    return (scheme == image::PairSchemeId::kNearestPair || scheme == image::PairSchemeId::kAllToAll) &&
           (dependence == image::WeightDependenceId::kAdditive || dependence == image::WeightDependenceId::kMultiplicative);
  }

  // The neuromodulation header (region 10) within its bounds, for the STDP
  // header h (dopamine-modulated STDP needs the additive dependence).
  static bool neuromodulation_header_ok(const image::StdpRegionHeader& h, const image::NeuromodulationRegionHeader& nm) {
    if (static_cast<image::WeightDependenceId>(h.weight_dependence) != image::WeightDependenceId::kAdditive ||
        nm.c_max > 0xFFFF || nm.integral_scale == 0 || nm.history_size != kDopamineHistorySize)
      return false;
    for (uint32_t b = 0; b < image::kDecayTableEntries; ++b)
      if (nm.c_decay[b] > kDecayOne || nm.d_decay[b] > kDecayOne) return false;
    return true;
  }

  // Binds the rule to the image's headers and the writable histories; false
  // (nothing bound) when a header fails its check above.
  bool configure(const image::StdpRegionHeader& h, const SynapticWordLayout& layout, uint32_t* history_words,
                 uint32_t n_neurons, const image::NeuromodulationRegionHeader* nm = nullptr,
                 uint32_t* dopamine_words = nullptr) {
    if (!stdp_header_ok(h)) return false;
    if (nm != nullptr) {
      if (!neuromodulation_header_ok(h, *nm) || dopamine_words == nullptr) return false;
      dopamine_.bind(dopamine_words, n_neurons);
    }
    header_ = &h;
    neuromodulation_ = nm;
    layout_ = layout;
    build(kLearningScaleOne);
    history_.bind(history_words, n_neurons);
    return true;
  }

  // The learning-rate scale (u4.12, kLearningScaleOne = 1): A+ and A- are
  // the image's times it, rounded to nearest and capped at 65535 (the
  // multiplicative rule caps them at w_max - w_min, as at load). The caller
  // applies pending potentiation first (Core::flush_plastic), so pairs that
  // reached their synapses before the change count at the old scale.
  void set_learning_scale(uint32_t scale) {
    if (header_ != nullptr) build(scale);
  }
  uint32_t learning_scale() const { return scale_; }

  bool active() const { return process_ != nullptr; }
  bool neuromodulated() const { return neuromodulation_ != nullptr; }
  // Synapse types whose input is dopamine (neuromodulated only).
  uint32_t reward_type() const { return neuromodulation_->reward_type; }
  uint32_t punishment_type() const { return neuromodulation_->punishment_type; }
  // Neuron's dopamine level changes by amount (s8.23) at tick; false if
  // the level saturated.
  bool add_dopamine(uint32_t neuron, uint32_t tick, int32_t amount) {
    return dopamine_.add(neuron, tick, amount, neuromodulation_->d_decay);
  }

  // A plastic row's pre spike arrived at tick `arrival` (row: its header).
  void process_row(RingBuffer& ring, uint32_t arrival, uint32_t* row, uint32_t count) {
    process_(rule_, ring, arrival, row, count, history_);
  }
  // A spike of this core's neuron at tick.
  void add_post_spike(uint32_t neuron, uint32_t tick) { post_(rule_, neuron, tick, history_); }
  // Applies the row's pending potentiation up to tick `end` (plastic_row_rule.h
  // flush); a neuromodulated row's canonical state moves only with commit
  // (neuromodulated_row_rule.h flush).
  void flush(uint32_t end, uint32_t* row, uint32_t count, bool commit) {
    flush_(rule_, end, row, count, history_, commit);
  }

  uint32_t overwrites() const { return history_.overwrites(); }
  uint32_t missed() const { return history_.missed(); }

  void reset() {
    header_ = nullptr;
    neuromodulation_ = nullptr;
    scale_ = 0;
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
    flush_ = [](const void* r, uint32_t end, uint32_t* row, uint32_t count, History& h, bool) {
      static_cast<const Rule*>(r)->flush(end, row, count, h);
    };
  }
  template <PairScheme kScheme>
  void use_neuromodulated(const SpikePairRule<PairScheme::kAllToAll>& t, const AdditiveWeightDependence& w,
                          const SynapticWordLayout& layout) {
    using Timing = SpikePairRule<kScheme>;
    using Rule = NeuromodulatedRowRule<Timing>;
    static_assert(sizeof(Rule) <= kRuleBytes && alignof(Rule) <= alignof(uint64_t));
    Timing timing;
    timing.plus = t.plus;
    timing.minus = t.minus;
    Rule* rule = new (rule_) Rule{};
    rule->configure(timing, w, layout, *neuromodulation_, dopamine_);
    process_ = [](const void* r, RingBuffer& ring, uint32_t arrival, uint32_t* row, uint32_t count, History& h) {
      static_cast<const Rule*>(r)->process_row(ring, arrival, row, count, h);
    };
    post_ = [](const void* r, uint32_t neuron, uint32_t tick, History& h) {
      h.add_post_spike(neuron, tick, static_cast<const Rule*>(r)->timing);
    };
    flush_ = [](const void* r, uint32_t end, uint32_t* row, uint32_t count, History& h, bool commit) {
      static_cast<const Rule*>(r)->flush(end, row, count, h, commit);
    };
  }

  // Room for the largest rule: two tables and a few words (the
  // neuromodulated rule's pointers and bounds are the most).
  static constexpr uint32_t kRuleBytes = 2 * sizeof(ExpLut) + 96;

  // The image's A x scale (u4.12), rounded to nearest, at most 65535.
  static constexpr uint16_t scaled_amplitude(uint32_t a, uint32_t scale) {
    const uint64_t v = (uint64_t{a} * scale + (kLearningScaleOne >> 1)) >> kLearningScaleFracBits;
    return static_cast<uint16_t>(v > 0xFFFF ? 0xFFFF : v);
  }

  // The rule for this scale, from the image's header (checked by configure).
  void build(uint32_t scale) {
    const image::StdpRegionHeader& h = *header_;
    SpikePairRule<PairScheme::kAllToAll> timing;  // same data for both schemes
    for (uint32_t i = 0; i < kStdpLutSize; ++i) {
      timing.plus.values[i] = h.plus[i];
      timing.minus.values[i] = h.minus[i];
    }
    timing.plus.time_shift = h.plus_time_shift;
    timing.minus.time_shift = h.minus_time_shift;
    const auto w_min = static_cast<uint16_t>(h.w_min), w_max = static_cast<uint16_t>(h.w_max);
    const uint16_t a_plus = scaled_amplitude(h.a_plus, scale), a_minus = scaled_amplitude(h.a_minus, scale);
    const bool nearest = static_cast<image::PairSchemeId>(h.pair_scheme) == image::PairSchemeId::kNearestPair;
    if (neuromodulation_ != nullptr) {
      const auto w = AdditiveWeightDependence::make(w_min, w_max, a_plus, a_minus);
      nearest ? use_neuromodulated<PairScheme::kNearestPair>(timing, w, layout_)
              : use_neuromodulated<PairScheme::kAllToAll>(timing, w, layout_);
    } else if (static_cast<image::WeightDependenceId>(h.weight_dependence) == image::WeightDependenceId::kAdditive) {
      const auto w = AdditiveWeightDependence::make(w_min, w_max, a_plus, a_minus);
      nearest ? use<PairScheme::kNearestPair>(timing, w, layout_) : use<PairScheme::kAllToAll>(timing, w, layout_);
    } else {
      const auto w = MultiplicativeWeightDependence::make(w_min, w_max, a_plus, a_minus);
      nearest ? use<PairScheme::kNearestPair>(timing, w, layout_) : use<PairScheme::kAllToAll>(timing, w, layout_);
    }
    scale_ = scale;
  }

  // Zero until configure() (a board keeps its cores in .bss).
  const image::StdpRegionHeader* header_ = nullptr;
  const image::NeuromodulationRegionHeader* neuromodulation_ = nullptr;
  SynapticWordLayout layout_{0, 0, 0};
  uint32_t scale_ = 0;
  alignas(uint64_t) unsigned char rule_[kRuleBytes] = {};
  History history_;
  Dopamine dopamine_;
  void (*process_)(const void*, RingBuffer&, uint32_t, uint32_t*, uint32_t, History&) = nullptr;
  void (*post_)(const void*, uint32_t, uint32_t, History&) = nullptr;
  void (*flush_)(const void*, uint32_t, uint32_t*, uint32_t, History&, bool) = nullptr;
};

}  // namespace spindle::fw::stdp
