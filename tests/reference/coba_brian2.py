#!/usr/bin/python3
"""Vogels-Abbott COBA (Brette et al. 2007, benchmark 1) in Brian2 with PyNN's
IF_cond_exp semantics and the network of examples/networks/coba.textproto.

The parameters are those of PyNN's examples/VAbenchmarks.py (COBA branch):
4000 IF_cond_exp neurons (3200 exc, 800 inh), p = 0.02, cm 0.2 nF, tau_m
20 ms, v_rest -60, v_reset -60, v_thresh -50 mV, tau_refrac 5 ms, tau_syn_E
5 ms, tau_syn_I 10 ms, e_rev_E 0, e_rev_I -80 mV, w_exc 0.004 uS (4 nS), w_inh
0.051 uS (51 nS), v0 uniform in [-60, -50] mV, dt 0.1 ms. With v_rest below
threshold the network needs a kick, which PyNN's benchmark gives as 20
Poisson sources at 100 Hz for the first 50 ms, each connected with p = 0.01
and weight 0.1 uS to every neuron of both populations.

Timing is matched to Spindle's (see make_references.py for the derivation):
  * Brian2 applies a spike of step n with synaptic delay D after step n+D's
    update, so it first acts on step n+D+1; Spindle's delay d first acts on
    step n+d. The textproto's 0.2 ms (PyNN's) is therefore 0.1 ms here.
  * Spindle holds v for R = round(tau_refrac/dt) steps after the spike step;
    Brian2 counts from the spike step's start, so refractory = (R+1) dt.
  * threshold v >= v_thresh, v clamped at v_reset while refractory, RK4 (the
    bilinear g*v term; Spindle's midpoint scheme is within 5e-4 mV of it on
    single neurons, docs/models.md).

Writes tests/reference/data/coba_brian2.json: per seed the mean rates of the
two populations over the whole run and after the kick (t >= 50 ms),
quantiles of the per-neuron excitatory rate after the kick, and the CV of
the per-neuron excitatory rates. The Spindle test
(tests/models/coba_test.cpp) compares its own runs with these, within the
seed-to-seed spread Brian2 itself shows.

Run: /usr/bin/python3 tests/reference/coba_brian2.py [--duration MS] [--seeds N]
(numpy target, no compiler needed; about a minute per seed)
"""
import argparse
import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")  # numpy/pythran deprecation noise

import numpy as np
from brian2 import (NeuronGroup, PoissonGroup, Synapses, SpikeMonitor, Network, defaultclock, prefs,
                    seed as brian_seed, ms, mV, nF, uS, Hz)

QUANTILES = [0.1, 0.25, 0.5, 0.75, 0.9]
DT_MS = 0.1
KICK_MS = 50.0


def run(seed, duration_ms):
    prefs.codegen.target = "numpy"
    brian_seed(seed)
    np.random.seed(seed)
    defaultclock.dt = DT_MS * ms
    eqs = """
    dv/dt = (v_rest - v) / tau_m + (ge * (e_rev_E - v) + gi * (e_rev_I - v)) / c_m : volt (unless refractory)
    dge/dt = -ge / tau_e : siemens
    dgi/dt = -gi / tau_i : siemens
    """
    ns = dict(v_rest=-60 * mV, tau_m=20 * ms, c_m=0.2 * nF, tau_e=5 * ms, tau_i=10 * ms,
              e_rev_E=0 * mV, e_rev_I=-80 * mV)
    refractory = (round(5.0 / DT_MS) + 1) * DT_MS * ms
    g = NeuronGroup(4000, eqs, threshold="v >= -50*mV", reset="v = -60*mV", refractory=refractory,
                    method="rk4", namespace=ns)
    g.v = "-60*mV + rand() * 10*mV"
    exc, inh = g[:3200], g[3200:]
    delay = 0.2 * ms - defaultclock.dt  # Spindle's 0.2 ms (see the docstring)
    se = Synapses(exc, g, on_pre="ge += 0.004*uS", delay=delay)
    se.connect(p=0.02)
    si = Synapses(inh, g, on_pre="gi += 0.051*uS", delay=delay)
    si.connect(p=0.02)
    kick = PoissonGroup(20, rates="100*Hz * int(t < 50*ms)")
    sk = Synapses(kick, g, on_pre="ge += 0.1*uS", delay=delay)
    sk.connect(p=0.01)
    mon = SpikeMonitor(g)
    net = Network(g, se, si, kick, sk, mon)
    net.run(duration_ms * ms)

    i = np.asarray(mon.i)
    t_ms = np.asarray(mon.t / ms)
    s = duration_ms / 1000.0
    late = t_ms >= KICK_MS
    s_late = (duration_ms - KICK_MS) / 1000.0
    counts = np.bincount(i, minlength=4000).astype(float)
    counts_late = np.bincount(i[late], minlength=4000).astype(float)
    rates_late_exc = counts_late[:3200] / s_late
    return {
        "seed": seed,
        "exc_mean_hz": float(counts[:3200].mean() / s),
        "inh_mean_hz": float(counts[3200:].mean() / s),
        "exc_mean_after_kick_hz": float(rates_late_exc.mean()),
        "inh_mean_after_kick_hz": float(counts_late[3200:].mean() / s_late),
        "exc_rate_quantiles_after_kick_hz": [float(q) for q in np.quantile(rates_late_exc, QUANTILES)],
        "exc_rate_cv_after_kick": float(rates_late_exc.std() / rates_late_exc.mean()),
        "synapses": int(len(se) + len(si)),
        "kick_synapses": int(len(sk)),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=1000.0, help="biological time, ms")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                                                  "coba_brian2.json"))
    a = ap.parse_args()
    runs = []
    for s in range(1, a.seeds + 1):
        r = run(s, a.duration)
        print(r, file=sys.stderr)
        runs.append(r)
    out = {"network": "examples/networks/coba.textproto", "duration_ms": a.duration, "dt_ms": DT_MS,
           "kick_ms": KICK_MS, "quantiles": QUANTILES, "runs": runs}
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
