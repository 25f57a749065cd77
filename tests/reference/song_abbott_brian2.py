#!/usr/bin/python3
"""Song, Miller & Abbott (2000) STDP competition in Brian2, with PyNN's
IF_cond_exp and Spindle's pair-STDP semantics: the reference for
examples/networks/song_abbott_additive.textproto and
song_abbott_multiplicative.textproto.

Source: Brian2's example examples/frompapers/Song_Miller_Abbott_2000.py
(Song, Miller & Abbott 2000, Nat Neurosci 3:919, Fig. 2): one
integrate-and-fire neuron driven by N = 1000 Poisson inputs at 15 Hz through
plastic excitatory conductance synapses; all-to-all pair STDP with
tau_pre = tau_post = 20 ms, dApre = 0.01 gmax, dApost = -1.05 dApre,
gmax = 0.01 (in units of the leak conductance), initial weights uniform in
[0, gmax); 100 s. Additive STDP makes the synapses compete: the final
weights are bimodal (most near 0 or near gmax) and the output rate is
regulated down; multiplicative (weight-dependent) STDP gives a unimodal
distribution instead (van Rossum, Bi & Turrigiano 2000).

The same as PyNN IF_cond_exp (units nF, uS, mV, ms):
  cm 1.0 nF, tau_m 10 ms (g_leak = cm / tau_m = 0.1 uS), v_rest -74 mV,
  v_thresh -54 mV, v_reset -60 mV, e_rev_E 0 mV, tau_syn_E 5 ms,
  tau_refrac 0 (the smallest Spindle accepts; the Brian2 example has none),
  i_offset 0, v(0) = v_rest (PyNN's default initial value; the Brian2
  example leaves v at 0 mV, above threshold, so its neuron fires at t = 0);
  Brian2's dimensionless ge is g_e / g_leak, so
  w_max = 0.01 x 0.1 uS = 0.001 uS, A_plus = 0.01 w_max = 1e-5 uS,
  A_minus = 1.05 A_plus = 1.05e-5 uS (absolute weight units, Spindle's
  default amplitude_units ABSOLUTE), w_min = 0, tau_plus = tau_minus = 20 ms,
  1000 SpikeSourcePoisson at 15 Hz all-to-all, delay one timestep (0.1 ms),
  dt 0.1 ms, 100 s.

Equations (PyNN's IF_cond_exp):
  cm dv/dt = g_leak (v_rest - v) + g_e (e_rev_E - v)   (held while refractory)
  dg_e/dt = -g_e / tau_syn_E,   g_e += w at a pre spike
  spike when v >= v_thresh, then v = v_reset.
RK4 at dt = 0.1 ms as in the other references (make_references.py).

STDP (Spindle: firmware/synapse/plasticity/plastic_row_rule.h,
weight_dependence.h; the same set-up as stdp_pair_brian2.py, which the
firmware's test compares with): all-to-all pair STDP through traces; the pre
and post traces decay with tau_plus / tau_minus and jump by 1 at a spike
(after decaying); at a post spike (as it reaches the synapse) potentiation
by A_plus x pre trace, at a pre spike depression by A_minus x post trace;
each term applied and clamped to [w_min, w_max] on its own, in time order;
at equal times the post spike comes first (depression only). Weight
dependences:
  additive:        dw = +A_plus x,   dw = -A_minus x
  multiplicative:  dw = +A_plus x (w_max - w) / (w_max - w_min),
                   dw = -A_minus x (w - w_min) / (w_max - w_min)

Timing (make_references.py derives the neuron part): the synapse's delay
d = 1 tick is wholly dendritic. In Spindle a pre spike of tick k is at the
synapse at its arrival tick k (the row is processed after tick k), its
(updated) weight is added to the ring buffer at k + d and first acts on the
neuron in step k + d; a post spike of tick p reaches the synapse at p + d.
Brian2 applies an on_pre of step k with delay D after step k + D's update,
so it first acts on step k + D + 1. Hence here:
  * pre pathway delay 0: on_pre runs in step k (= Spindle's arrival tick),
    updates w and adds the updated w to g_e, which first acts on step
    k + 1 = k + d;
  * post pathway delay dt: on_post runs in step p + 1 = p + d;
  * the post pathway runs before the pre pathway in a step (order -2), so a
    pair at equal times at the synapse is depression only.
  * refractory: Spindle holds v for R = round(tau_refrac / dt) = 0 steps
    after the spike step; Brian2 counts from the start of the spike step,
    so refractory = (R + 1) dt = dt holds the same (no) steps.

Writes tests/reference/data/song_abbott_brian2.json: per dependence and
seed, the final weight histogram (20 equal bins over [w_min, w_max], as
fractions of the 1000 synapses), the post neuron's mean rate over the run
and over its last 20 s, its rate in each 10 s window, the fractions of
weights > 0.9 w_max and < 0.1 w_max, and the mean weight; per dependence the
mean and seed-to-seed standard deviation (ddof 1) of each.

Run: /usr/bin/python3 tests/reference/song_abbott_brian2.py
       [--duration MS] [--seeds N] [--first-seed S] [--dependence additive|multiplicative|both]
       [--target numpy|cython] [--out FILE]
"""
import argparse
import json
import math
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")  # numpy/pythran deprecation noise

import numpy as np
from brian2 import (NeuronGroup, PoissonGroup, Synapses, SpikeMonitor, Network, defaultclock, prefs,
                    seed as brian_seed, ms, mV, nF, uS, Hz, __version__ as brian2_version)

DT_MS = 0.1
N_INPUTS = 1000
RATE_HZ = 15.0
CM_NF = 1.0
TAU_M_MS = 10.0
G_LEAK_US = CM_NF / TAU_M_MS  # 0.1 uS
V_REST_MV = -74.0
V_THRESH_MV = -54.0
V_RESET_MV = -60.0
E_REV_E_MV = 0.0
TAU_SYN_E_MS = 5.0
TAU_REFRAC_MS = 0.0
W_MIN_US = 0.0
W_MAX_US = 0.01 * G_LEAK_US  # Brian2 example's gmax = 0.01 (units of g_leak)
A_PLUS_US = 0.01 * W_MAX_US
A_MINUS_US = 1.05 * A_PLUS_US
TAU_PLUS_MS = 20.0
TAU_MINUS_MS = 20.0
N_BINS = 20
LAST_MS = 20000.0  # "late" rate window
WINDOW_MS = 10000.0  # rate time course

SYN_MODEL = """
w : 1
dapre/dt = -apre / tau_plus : 1 (event-driven)
dapost/dt = -apost / tau_minus : 1 (event-driven)
"""
# w in uS. Traces jump by 1 after decaying (event-driven decay is applied
# before the statements). The weight added to g_e is the updated one, as the
# kernel writes the row back and then adds it to the ring buffer.
ON_PRE = {
    "additive": "apre += 1\nw = clip(w - A_minus * apost, w_min, w_max)\nge_post += w * uS",
    "multiplicative": ("apre += 1\nw = clip(w - A_minus * apost * (w - w_min) / (w_max - w_min), w_min, w_max)\n"
                       "ge_post += w * uS"),
}
ON_POST = {
    "additive": "apost += 1\nw = clip(w + A_plus * apre, w_min, w_max)",
    "multiplicative": "apost += 1\nw = clip(w + A_plus * apre * (w_max - w) / (w_max - w_min), w_min, w_max)",
}
METRICS = ["rate_hz", "rate_last_20s_hz", "frac_above_0.9_wmax", "frac_below_0.1_wmax", "mean_w_over_wmax"]


def as_cores(x_us):
    """x (uS) as the cores hold it: a whole number of 16-bit weight units.
    The unit is 2^-(f + 10) uS, f the most fractional bits that keep w_max
    (in IF_cond_exp's state units, x 2^10) within 16 bits
    (host/image/synaptic_matrix.cpp weight_scales)."""
    scale = 2.0 ** (math.floor(math.log2(65535.0 / (W_MAX_US * 2 ** 10))) + 10)
    return round(x_us * scale) / scale


def run(dependence, seed, duration_ms, target, amplitudes="given"):
    prefs.codegen.target = target
    brian_seed(seed)
    np.random.seed(seed)
    defaultclock.dt = DT_MS * ms
    ns = dict(v_rest=V_REST_MV * mV, g_leak=G_LEAK_US * uS, c_m=CM_NF * nF, tau_e=TAU_SYN_E_MS * ms,
              e_rev_E=E_REV_E_MV * mV, v_thresh=V_THRESH_MV * mV, v_reset=V_RESET_MV * mV,
              tau_plus=TAU_PLUS_MS * ms, tau_minus=TAU_MINUS_MS * ms, A_plus=A_PLUS_US, A_minus=A_MINUS_US,
              w_min=W_MIN_US, w_max=W_MAX_US)
    if amplitudes == "as-cores":
        # Additive STDP's drift is set by A_minus / A_plus - 1 = 0.05: rounding
        # the amplitudes to weight units (336 and 352 units, ratio 1.0476) moves
        # it by 5%, which the post rate follows. With the amplitudes the cores
        # use, the comparison is of the dynamics alone.
        ns.update(A_plus=as_cores(A_PLUS_US), A_minus=as_cores(A_MINUS_US), w_max=as_cores(W_MAX_US))
    eqs = """
    dv/dt = (g_leak * (v_rest - v) + ge * (e_rev_E - v)) / c_m : volt (unless refractory)
    dge/dt = -ge / tau_e : siemens
    """
    refractory = (round(TAU_REFRAC_MS / DT_MS) + 1) * DT_MS * ms  # holds v for R = 0 steps (docstring)
    post = NeuronGroup(1, eqs, threshold="v >= v_thresh", reset="v = v_reset", refractory=refractory,
                       method="rk4", namespace=ns, name="post")
    post.v = V_REST_MV * mV
    inputs = PoissonGroup(N_INPUTS, rates=RATE_HZ * Hz, name="inputs")
    syn = Synapses(inputs, post, SYN_MODEL, on_pre=ON_PRE[dependence], on_post=ON_POST[dependence],
                   delay={"pre": 0 * ms, "post": defaultclock.dt}, namespace=ns, name="stdp")
    syn.connect()
    syn.w = "w_min + rand() * (w_max - w_min)"  # uniform [w_min, w_max)
    syn.post.order = -2  # post pathway before the pre pathway within a step
    mon = SpikeMonitor(post)
    in_mon = SpikeMonitor(inputs, record=False)  # count only
    net = Network(post, inputs, syn, mon, in_mon)
    t0 = time.time()
    net.run(duration_ms * ms)
    wall = time.time() - t0

    w = np.asarray(syn.w[:])
    t_ms = np.asarray(mon.t / ms)
    hist, _ = np.histogram(w, bins=N_BINS, range=(W_MIN_US, W_MAX_US))
    last = min(LAST_MS, duration_ms)
    n_windows = int(duration_ms // WINDOW_MS)
    return {
        "seed": seed,
        "rate_hz": float(len(t_ms) / (duration_ms / 1000.0)),
        "rate_last_20s_hz": float(np.sum(t_ms >= duration_ms - last) / (last / 1000.0)),
        "rate_per_10s_hz": [float(np.sum((t_ms >= k * WINDOW_MS) & (t_ms < (k + 1) * WINDOW_MS)) / (WINDOW_MS / 1000.0))
                            for k in range(n_windows)],
        "frac_above_0.9_wmax": float(np.mean(w > 0.9 * W_MAX_US)),
        "frac_below_0.1_wmax": float(np.mean(w < 0.1 * W_MAX_US)),
        "mean_w_over_wmax": float(w.mean() / W_MAX_US),
        "weight_hist_fractions": [float(h) / N_INPUTS for h in hist],
        "input_rate_hz": float(in_mon.num_spikes / N_INPUTS / (duration_ms / 1000.0)),
        "wall_s": round(wall, 1),
    }


def summarize(runs):
    out = {}
    for m in METRICS:
        v = np.array([r[m] for r in runs])
        out[m] = {"mean": float(v.mean()), "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0}
    h = np.array([r["weight_hist_fractions"] for r in runs])
    out["weight_hist_fractions"] = {"mean": [float(x) for x in h.mean(axis=0)],
                                    "sd": [float(x) for x in (h.std(axis=0, ddof=1) if len(h) > 1 else 0 * h[0])]}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=100000.0, help="biological time, ms")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--dependence", choices=["additive", "multiplicative", "both"], default="both")
    ap.add_argument("--target", choices=["numpy", "cython"], default="cython",
                    help="Brian2 code generation target (cython needs a C compiler; numpy is slower)")
    ap.add_argument("--amplitudes", choices=["given", "as-cores"], default="given",
                    help="A_plus, A_minus and w_max as given, or rounded to the cores' 16-bit weight units")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                                                  "song_abbott_brian2.json"))
    a = ap.parse_args()
    deps = ["additive", "multiplicative"] if a.dependence == "both" else [a.dependence]
    result = {
        "networks": {d: "examples/networks/song_abbott_%s.textproto" % d for d in deps},
        "brian2_version": brian2_version,
        "target": a.target,
        "duration_ms": a.duration,
        "dt_ms": DT_MS,
        "params": {
            "n_inputs": N_INPUTS, "input_rate_hz": RATE_HZ, "cm_nF": CM_NF, "tau_m_ms": TAU_M_MS,
            "g_leak_uS": G_LEAK_US, "v_rest_mV": V_REST_MV, "v_thresh_mV": V_THRESH_MV,
            "v_reset_mV": V_RESET_MV, "e_rev_E_mV": E_REV_E_MV, "tau_syn_E_ms": TAU_SYN_E_MS,
            "tau_refrac_ms": TAU_REFRAC_MS, "i_offset_nA": 0.0, "v_init_mV": V_REST_MV,
            "w_min_uS": W_MIN_US, "w_max_uS": W_MAX_US, "w_init": "uniform [w_min, w_max)",
            "A_plus_uS": A_PLUS_US, "A_minus_uS": A_MINUS_US, "tau_plus_ms": TAU_PLUS_MS,
            "tau_minus_ms": TAU_MINUS_MS, "delay_ms": DT_MS, "pairing": "all-to-all",
        },
        "amplitudes": a.amplitudes,
        "amplitudes_used_uS": ({"A_plus": as_cores(A_PLUS_US), "A_minus": as_cores(A_MINUS_US), "w_max": as_cores(W_MAX_US)}
                               if a.amplitudes == "as-cores" else {"A_plus": A_PLUS_US, "A_minus": A_MINUS_US, "w_max": W_MAX_US}),
        "hist_bins": N_BINS,
        "hist_range_uS": [W_MIN_US, W_MAX_US],
        "dependences": {},
    }
    for d in deps:
        runs = []
        for s in range(a.first_seed, a.first_seed + a.seeds):
            r = run(d, s, a.duration, a.target, a.amplitudes)
            print(d, {k: v for k, v in r.items() if k != "weight_hist_fractions"}, file=sys.stderr, flush=True)
            runs.append(r)
        result["dependences"][d] = {"runs": runs, "summary": summarize(runs)}
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print("wrote", a.out, file=sys.stderr)


if __name__ == "__main__":
    main()
