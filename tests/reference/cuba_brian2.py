#!/usr/bin/python3
"""Vogels-Abbott CUBA (Brette et al. 2007, benchmark 2) in Brian2 with PyNN's
IF_curr_exp semantics and the parameters of examples/networks/cuba.textproto:
4000 neurons (3200 exc, 800 inh), p = 0.02, cm 0.2 nF, tau_m 20 ms,
v_rest -49, v_reset -60, v_thresh -50 mV, tau_refrac 5 ms, tau_syn_E 5 ms,
tau_syn_I 10 ms, w_exc 0.0162 nA, w_inh -0.09 nA, delay 0.2 ms, dt 0.1 ms,
v0 uniform in [-60, -50] mV. 1 s of biological time, several seeds.

Writes tests/reference/data/cuba_brian2.json: per seed the mean rates of the
two populations and quantiles of the per-neuron excitatory rate. The Spindle
test (tests/models/cuba_test.cpp) compares its own run of the network with
these, within the seed-to-seed spread Brian2 itself shows.

Run: /usr/bin/python3 tests/reference/cuba_brian2.py  (numpy target, ~1 min per seed)
"""
import json
import os
import sys

import numpy as np
from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, defaultclock, prefs, seed as brian_seed,
                    ms, mV, nA, nF, second)

SEEDS = [1, 2, 3, 4, 5]
QUANTILES = [0.1, 0.25, 0.5, 0.75, 0.9]


def run(seed):
    prefs.codegen.target = "numpy"
    brian_seed(seed)
    np.random.seed(seed)
    defaultclock.dt = 0.1 * ms
    eqs = """
    dv/dt = (v_rest - v) / tau_m + (ie - ii) / c_m : volt (unless refractory)
    die/dt = -ie / tau_e : amp
    dii/dt = -ii / tau_i : amp
    """
    ns = dict(v_rest=-49 * mV, tau_m=20 * ms, c_m=0.2 * nF, tau_e=5 * ms, tau_i=10 * ms)
    # NEST / PyNN fire at v >= v_thresh and clamp v at v_reset for tau_refrac.
    g = NeuronGroup(4000, eqs, threshold="v >= -50*mV", reset="v = -60*mV", refractory=5 * ms, method="exact",
                    namespace=ns)
    g.v = "-60*mV + rand() * 10*mV"
    exc, inh = g[:3200], g[3200:]
    se = Synapses(exc, g, on_pre="ie += 0.0162*nA", delay=0.2 * ms)
    se.connect(p=0.02)
    si = Synapses(inh, g, on_pre="ii += 0.09*nA", delay=0.2 * ms)
    si.connect(p=0.02)
    mon = SpikeMonitor(g)
    net = Network(g, se, si, mon)
    net.run(1 * second)
    counts = np.bincount(np.asarray(mon.i), minlength=4000).astype(float)  # spikes in 1 s = Hz
    return {
        "seed": seed,
        "exc_mean_hz": float(counts[:3200].mean()),
        "inh_mean_hz": float(counts[3200:].mean()),
        "exc_rate_quantiles_hz": [float(q) for q in np.quantile(counts[:3200], QUANTILES)],
        "synapses": int(len(se) + len(si)),
    }


def main():
    runs = []
    for s in SEEDS:
        r = run(s)
        print(r, file=sys.stderr)
        runs.append(r)
    out = {"network": "examples/networks/cuba.textproto", "duration_s": 1.0, "dt_ms": 0.1,
           "quantiles": QUANTILES, "runs": runs}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "cuba_brian2.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
