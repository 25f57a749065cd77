// IF_curr_exp as one batch over a core's neurons: the update most networks
// spend their time in. Here the host form, in struct-of-arrays form for its
// vector loops; the Cortex-M4 runs the same arithmetic on one record per
// neuron (lif_curr_exp_records.h; neuron/lif_neurons.h picks the layout).
//
// Arithmetic (defined bit for bit on every build; docs/fixed-point.md):
//   exc += in_exc; inh += in_inh                         (QADD)
//   alpha = base + exc k_exc - inh k_inh                 (QADD / QSUB)
//   V'    = alpha - (alpha - V) exp(-dt/tau_m)           (QSUB)
//   exc  *= exp(-dt/tau_syn_E); inh *= exp(-dt/tau_syn_I)
// Every product is Accum x u0.32 rounded half up (mul_rhu: one SMMULR or
// SMMLAR on Cortex-M4). The composed model (SynapseExp, InputCurrentScaled<8>,
// MembraneLif) formed I = (exc init_E - inh init_I) 2^-8, then (I + i_offset) R:
// five rounded 64-bit products. Here the per-neuron constants are folded at
// load time, once, from the image's parameter blocks (image format unchanged):
//   k_exc = R init_E 2^-8 as u0.32 (the state holds nA x 2^8), likewise k_inh
//   base  = v_rest + R i_offset (s16.15 mV, the composed model's rounding)
// which needs R init < 256 MOhm (checked here and by the host).
// Refractory: V holds and the count runs down; the synaptic state still
// takes its input and decays, as in the composed model.
#pragma once

#include <cstdint>

#include "fixed/fixed_point.h"
#include "neuron/models.h"
#include "config/limits.h"

namespace spindle::fw {

// One neuron's parameters as the update uses them, folded from its image
// block (LifCurrExpBatch::fold); LifParamsSoA holds them as arrays, the
// Cortex-M4 layout (lif_curr_exp_records.h) one after another.
struct LifFolded {
  uint32_t k_exc, k_inh;  // u0.32: exc state (nA 2^8) -> mV
  int32_t base;           // v_rest + R i_offset, s16.15 mV
  uint32_t decay_v;       // exp(-dt/tau_m)
  uint32_t decay_exc, decay_inh;
  int32_t v_thresh;
  int32_t v_reset;
  int32_t refract_ticks;
};

struct LifParamsSoA {
  uint32_t k_exc[kMaxNeuronsPerCore];      // u0.32: exc state (nA 2^8) -> mV
  uint32_t k_inh[kMaxNeuronsPerCore];
  int32_t base[kMaxNeuronsPerCore];        // v_rest + R i_offset, s16.15 mV
  uint32_t decay_v[kMaxNeuronsPerCore];    // exp(-dt/tau_m)
  uint32_t decay_exc[kMaxNeuronsPerCore];  // exp(-dt/tau_syn_E)
  uint32_t decay_inh[kMaxNeuronsPerCore];
  int32_t v_thresh[kMaxNeuronsPerCore];
  int32_t v_reset[kMaxNeuronsPerCore];
  int32_t refract_ticks[kMaxNeuronsPerCore];
  // Every neuron's parameters equal neuron 0's (set by LifCurrExpBatch::load;
  // a homogeneous population's slice). A hint: the arrays stay complete, and
  // a loop may keep one copy in registers instead of reading them per neuron.
  bool uniform = false;
};

struct LifStateSoA {
  int32_t exc[kMaxNeuronsPerCore];  // nA x 2^8, s16.15
  int32_t inh[kMaxNeuronsPerCore];
  int32_t v[kMaxNeuronsPerCore];    // mV
  int32_t refract[kMaxNeuronsPerCore];
};

// Ring-buffer sum -> s16.15 input, exactly scale_pow2(sum, weight_shift)
// for every sum: ((sum << lshift) + half) >> rshift when sum <= limit (no
// wrap, fits int32), else the constant `over` (the only value sums above the
// limit give: INT32_MAX for left shifts; 2^(32-r) saturated for right shifts
// by r, as sum + half lands in [2^32, 2^32 + half)).
struct RingInputScale {
  uint32_t limit = 0, lshift = 0, rshift = 0, half = 0;
  int32_t over = 0;
  static constexpr RingInputScale from_weight_shift(int32_t shift) {
    RingInputScale s;
    if (shift >= 0) {
      s.lshift = static_cast<uint32_t>(shift > 31 ? 31 : shift);
      s.limit = uint32_t{INT32_MAX} >> s.lshift;
      s.over = INT32_MAX;
    } else {
      s.rshift = static_cast<uint32_t>(-shift);
      s.half = uint32_t{1} << (s.rshift - 1);
      s.limit = UINT32_MAX - s.half;
      s.over = s.rshift == 1 ? INT32_MAX : static_cast<int32_t>(uint32_t{1} << (32 - s.rshift));
    }
    return s;
  }
  constexpr int32_t apply(uint32_t sum) const {
    return sum <= limit ? static_cast<int32_t>(((sum << lshift) + half) >> rshift) : over;
  }
};

class LifCurrExpBatch {
 public:
  // Folds one neuron's parameter block; false if R init_E or R init_I is
  // 256 MOhm or more (or R < 0).
  static bool fold(const IfCurrExp::Params& params, LifFolded& f);

  // Folds the image's parameter blocks into `p` and copies the state into
  // `s`. Returns the index of the first neuron whose R init_E or R init_I is
  // 256 MOhm or more (or R < 0), or n if all fit.
  static uint32_t load(const IfCurrExp::Params* params, const IfCurrExp::State* state, uint32_t n,
                       LifParamsSoA& p, LifStateSoA& s);
  // Sets p.uniform: neurons [0, n) all have neuron 0's parameters.
  static void find_uniform(LifParamsSoA& p, uint32_t n);

#if !defined(__arm__)
  // One timestep of neurons [0, n) (host; the Cortex-M4 runs the same step
  // on one record per neuron, LifCurrExpRecords): reads and clears their ring-buffer
  // inputs (`in_exc`, `in_inh`, RingBuffer::column), writes the indices of
  // the neurons that fired to `fired` in increasing order and returns how
  // many; `saturated` counts input cells at UINT32_MAX.
  static uint32_t update(const LifParamsSoA& p, LifStateSoA& s, uint32_t n, uint32_t* in_exc, uint32_t* in_inh,
                         const RingInputScale& scale_exc, const RingInputScale& scale_inh, bool ranges_known,
                         uint16_t* fired, uint32_t& saturated);
  // Host: `update` runs lif_update_avx512 (neuron/lif_curr_exp_avx512.h)
  // where the CPU has AVX-512 F and DQ, else lif_update_avx2
  // (neuron/lif_curr_exp_avx2.h) where it has AVX2, else this portable loop;
  // same contract, same bits.
  static uint32_t update_portable(const LifParamsSoA& p, LifStateSoA& s, uint32_t n, uint32_t* in_exc,
                                  uint32_t* in_inh, const RingInputScale& scale_exc,
                                  const RingInputScale& scale_inh, bool ranges_known, uint16_t* fired,
                                  uint32_t& saturated);
#endif

  // Values below this in magnitude cannot make the membrane's arithmetic
  // overflow: with |exc|, |inh|, |V|, |base| < 2^28 and ring inputs in
  // [0, 2^28), exc + input < 2^29, each gain product's magnitude is at most
  // its state's, alpha = base + gain_e - gain_i < 5 x 2^28 and alpha - V
  // < 6 x 2^28, all below 2^31 (2^28 is 8192 mV, or 32 nA of synaptic
  // state). The vector loops add plainly in blocks whose values are all
  // below it, and saturate otherwise: the same bits.
  static constexpr int32_t kPlainBound = int32_t{1} << 28;
  // True if the vector loops may keep neuron 0's parameters in registers
  // for neurons [0, n): they are uniform (LifParamsSoA::uniform) and the
  // base is below kPlainBound (else each block tests it, as any neuron's).
  static bool uniform_in_registers(const LifParamsSoA& p, uint32_t n) {
    return p.uniform && n > 0 && p.base[0] > -kPlainBound && p.base[0] < kPlainBound;
  }

  // True if every decay is >= 1/2 and every k < 1/2 (tau >= 1.45 dt and
  // R init < 128 MOhm): `update` may then use the one-instruction product
  // forms on Cortex-M4. Results are the same either way.
  static bool known_ranges(const LifParamsSoA& p, uint32_t n);
  // The same test for one neuron's factors.
  static constexpr bool fast_factors(uint32_t decay_v, uint32_t decay_exc, uint32_t decay_inh, uint32_t k_exc,
                                     uint32_t k_inh) {
    return ((decay_v & decay_exc & decay_inh) >> 31) != 0 && ((k_exc | k_inh) >> 31) == 0;
  }

  // The same step for one neuron, written plainly: the definition the batch
  // is tested against (tests/firmware/lif_curr_exp_test.cpp).
  static bool step_one(const LifParamsSoA& p, LifStateSoA& s, uint32_t i, Accum in_exc, Accum in_inh);

  // The composed model's view, for state recording.
  static Accum gsyn_exc(int32_t exc, int32_t inh) {
    return IfCurrExp::gsyn_exc(IfCurrExp::State{{Accum{exc}, Accum{inh}}, {}, {}, {}, {}});
  }
  static Accum gsyn_inh(int32_t exc, int32_t inh) {
    return IfCurrExp::gsyn_inh(IfCurrExp::State{{Accum{exc}, Accum{inh}}, {}, {}, {}, {}});
  }
  static Accum gsyn_exc(const LifStateSoA& s, uint32_t i) { return gsyn_exc(s.exc[i], s.inh[i]); }
  static Accum gsyn_inh(const LifStateSoA& s, uint32_t i) { return gsyn_inh(s.exc[i], s.inh[i]); }
};

}  // namespace spindle::fw
