// Izhikevich (2007) dopamine-modulated STDP on one synapse, exactly, in
// double: the reference the kernel (firmware/synapse/plasticity/
// neuromodulated_row_rule.h) is checked against, with the bound its fixed
// point may differ by. The same model as tests/reference/
// izhikevich_da_brian2.py's closed form (its CSV carries both).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace spindle::test {

// A scripted single-synapse sequence, times at the synapse in ticks.
struct DaScenario {
  std::string name;
  double w0 = 0.5;
  uint32_t t_end = 0;
  std::vector<uint32_t> pre, post;
  std::vector<std::pair<uint32_t, double>> dopamine;
};

struct DaParams {
  double tau_plus = 20, tau_minus = 20;  // ticks (1 ms)
  double a_plus = 0.1, a_minus = 0.12;
  double tau_c = 1000, tau_d = 200;
  double w_min = 0, w_max = 1, c_max = 1;
};

// The exact solution of the model in double (the same as the Brian2
// script's closed form): events in time order, post before pre at equal
// times, dopamine first.
struct DaExact {
  double w = 0, c = 0;
};
inline DaExact da_exact_solution(const DaParams& p, const DaScenario& s) {
  struct Ev {
    uint32_t t;
    int order;  // 0 dopamine, 1 post, 2 pre
    double amount;
  };
  std::vector<Ev> ev;
  for (auto t : s.pre) ev.push_back({t, 2, 0});
  for (auto t : s.post) ev.push_back({t, 1, 0});
  for (auto [t, a] : s.dopamine) ev.push_back({t, 0, a});
  std::stable_sort(ev.begin(), ev.end(), [](const Ev& a, const Ev& b) { return a.t != b.t ? a.t < b.t : a.order < b.order; });
  const double tau = p.tau_c * p.tau_d / (p.tau_c + p.tau_d);
  double w = s.w0, c = 0, d = 0, x = 0, y = 0, now = 0;
  auto advance = [&](double t) {
    const double dt = t - now;
    w = std::clamp(w + c * d * tau * (1 - std::exp(-dt / tau)), p.w_min, p.w_max);
    c *= std::exp(-dt / p.tau_c);
    d *= std::exp(-dt / p.tau_d);
    x *= std::exp(-dt / p.tau_plus);
    y *= std::exp(-dt / p.tau_minus);
    now = t;
  };
  for (const Ev& e : ev) {
    advance(e.t);
    if (e.order == 0) d += e.amount;
    if (e.order == 1) {
      c = std::clamp(c + p.a_plus * x, -p.c_max, p.c_max);
      y += 1;
    }
    if (e.order == 2) {
      c = std::clamp(c - p.a_minus * y, -p.c_max, p.c_max);
      x += 1;
    }
  }
  advance(s.t_end);
  return {w, c};
}

// The bound on |kernel - exact| from the fixed point, in units of 1.0:
// each pairing's window value is within 2^-12 of exp (and the trace sums
// carry that error, at most 4 pairs' worth here), so c is off by up to
// A x 4 x 2^-12 per pairing, which the integral carries at most tau |d|_max
// into w; the amplitudes' rounding to weight units (0.5 / scale) likewise;
// every other step (c, d, w, K, decays) rounds far below a weight unit per
// interval.
inline double da_kernel_bound(const DaParams& p, const DaScenario& s, double scale) {
  const double tau = p.tau_c * p.tau_d / (p.tau_c + p.tau_d);
  double d_max = 0, d_sum = 0;
  for (auto [t, a] : s.dopamine) {
    d_sum += std::fabs(a);
    d_max = std::max(d_max, d_sum);
  }
  const double pairs = double(s.pre.size() + s.post.size());
  const double c_error = pairs * (std::max(p.a_plus, p.a_minus) * 4.0 / 4096 + 0.5 / scale);
  const double intervals = 2.0 * pairs + 2.0 * double(s.dopamine.size()) + 2;
  return c_error * tau * d_max + intervals * 2.0 / scale;
}

}  // namespace spindle::test
