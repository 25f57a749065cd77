#!/usr/bin/python3
"""Single-pair STDP curve in Brian2 (issue 18): the weight change of ONE pre /
post spike pair as a function of dt = t_post - t_pre at the synapse, for the
firmware's pair-STDP kernel (firmware/synapse/plasticity/) to be compared with
(tests/firmware/stdp_reference_test.cpp).

Produced with Brian2 2.5.1 (Debian python3-brian), numpy code generation (no
compiler). Regenerate with

    /usr/bin/python3 tests/reference/stdp_pair_brian2.py

(a few seconds); it rewrites tests/reference/data/stdp_pair_brian2.csv, and
`--check` re-simulates and compares with the committed file byte for byte.
`python3 -c 'import brian2; print(brian2.__version__)'` gives the version.

The rule is Brian2's trace-based STDP example (documentation, "Example:
STDP"), all-to-all, with event-driven traces:

    dapre/dt  = -apre  / tau_plus  : 1 (event-driven)
    dapost/dt = -apost / tau_minus : 1 (event-driven)
    on_pre:  apre  += A_plus;   w = clip(w + apost, w_min, w_max)
    on_post: apost -= A_minus;  w = clip(w + apre,  w_min, w_max)

A_plus and A_minus are absolute weight changes (the weight unit is w_max -
w_min = 1), as in the kernel (weight_dependence.h). Additive: the change does
not depend on w; w0 in the middle of [w_min, w_max] so no pair clips.
Multiplicative (the kernel's MultiplicativeWeightDependence, Brian2 form):

    on_pre:  w = clip(w + apost * (w - w_min) / (w_max - w_min), w_min, w_max)
    on_post: w = clip(w + apre  * (w_max - w) / (w_max - w_min), w_min, w_max)

with w0 = 0.25, so potentiation and depression scale differently.

Timing: the kernel's whole synaptic delay d is dendritic (plastic_row_rule.h):
a pre spike arriving at tick t is at the synapse at t, a post spike at tick p
reaches the synapse at p + d, and a pair's dt is p + d - t ticks; at equal
times (dt = 0) the post spike comes first, so dt = 0 is depression only (as
NEST). Brian2 is set up to see exactly that at its synapse:
  * the pre pathway has no delay: the pre SpikeGeneratorGroup spike at t_pre
    runs on_pre in step t_pre / dt (Brian2's schedule: thresholds, then
    synapses, in the same step), i.e. at the kernel's arrival tick t;
  * the post pathway has delay d = 1 dt: the post spike at t_post runs on_post
    in step t_post / dt + 1, the kernel's p + d;
  * Brian2 runs the pre pathway before the post pathway within a step (orders
    -1 and 1); the post pathway's order is set to -2 so that at dt = 0 the
    post spike comes first, as in the kernel (otherwise dt = 0 would be
    potentiation by A_plus in Brian2 and depression by A_minus in the kernel).
So a row with delta_t_ms = dt has its pre spike at T0 and its post spike at
T0 + dt - d (one time step earlier than it reaches the synapse), and the
kernel's run is: pre arrival tick t = T0 / dt, post tick p = t + dt/dt - 1,
d = 1. Event-driven traces decay by exp(-(t - lastupdate) / tau) from the
last event, exactly (no integration error), so the Brian2 value is the closed
form A exp(-|dt| / tau) to double precision.

All pairs run in one simulation: N pre and N post generators, synapse k
connects pre k to post k (one-to-one), so the pairs do not interact.

Rows: dt = 1 ms, delta_t = -100..100 ms in 1 ms steps (201 rows); dt =
0.1 ms, delta_t = k x 2.3 ms, k = -43..43 (87 rows, |delta_t| <= 98.9 ms;
2.3 ms is 23 steps, odd, so every residue of the kernel's 8-tick time shift
at 0.1 ms ticks is sampled; 0.1 ms steps over the whole range would be
2001 rows, 70 KB). Changes are written with 8 significant digits (relative
error <= 5e-8: < 4e-5 of the kernel's 16-bit weight units).

Output, tests/reference/data/stdp_pair_brian2.csv: '#' header lines with the
parameters, then dt_ms,delta_t_ms,delta_w,delta_w_mult (changes in weight
units, w_max - w_min = 1).
"""
import io
import os
import sys

import numpy as np
from brian2 import (Network, SpikeGeneratorGroup, Synapses, defaultclock, prefs, ms, __version__ as brian2_version)

TAU_PLUS_MS = 20.0
TAU_MINUS_MS = 20.0
A_PLUS = 0.01
A_MINUS = 0.012
W_MIN = 0.0
W_MAX = 1.0
W0_ADD = 0.5
W0_MULT = 0.25
T0_MS = 150.0  # pre spike time; every post spike is in (T0 - 101 ms, T0 + 100 ms)
RUN_MS = 300.0

# (dt_ms, list of delta_t in steps)
GRIDS = [
    (1.0, list(range(-100, 101))),
    (0.1, [23 * k for k in range(-43, 44)]),
]

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "stdp_pair_brian2.csv")

MODEL = """
w : 1
dapre/dt = -apre / tau_plus : 1 (event-driven)
dapost/dt = -apost / tau_minus : 1 (event-driven)
"""
ADD_PRE = "apre += A_plus\nw = clip(w + apost, w_min, w_max)"
ADD_POST = "apost -= A_minus\nw = clip(w + apre, w_min, w_max)"
MULT_PRE = "apre += A_plus\nw = clip(w + apost * (w - w_min) / (w_max - w_min), w_min, w_max)"
MULT_POST = "apost -= A_minus\nw = clip(w + apre * (w_max - w) / (w_max - w_min), w_min, w_max)"


def run_grid(dt_ms, steps):
    """Delta w (additive, multiplicative) for each delta_t = steps[k] x dt."""
    prefs.codegen.target = "numpy"
    dt = dt_ms * ms
    defaultclock.dt = dt
    n = len(steps)
    t0 = int(round(T0_MS / dt_ms))
    pre = SpikeGeneratorGroup(n, np.arange(n), np.full(n, t0) * dt, dt=dt)
    # Post spike one step before it reaches the synapse (post pathway delay 1 dt).
    post = SpikeGeneratorGroup(n, np.arange(n), (t0 + np.asarray(steps) - 1) * dt, dt=dt)
    ns = dict(tau_plus=TAU_PLUS_MS * ms, tau_minus=TAU_MINUS_MS * ms, A_plus=A_PLUS, A_minus=A_MINUS,
              w_min=W_MIN, w_max=W_MAX)
    syn = []
    for name, on_pre, on_post, w0 in (("add", ADD_PRE, ADD_POST, W0_ADD), ("mult", MULT_PRE, MULT_POST, W0_MULT)):
        s = Synapses(pre, post, MODEL, on_pre=on_pre, on_post=on_post, namespace=ns, name=f"stdp_{name}",
                     delay={"pre": 0 * ms, "post": dt})
        s.connect(j="i")
        s.w = w0
        s.post.order = -2  # post pathway before pre pathway within a step (dt = 0: depression)
        syn.append((s, w0))
    net = Network(pre, post, *[s for s, _ in syn])
    net.run(RUN_MS * ms)
    return [np.asarray(s.w[:]) - w0 for s, w0 in syn]


def render():
    out = io.StringIO()
    out.write("# Single-pair STDP in Brian2 %s (tests/reference/stdp_pair_brian2.py), numpy target\n" % brian2_version)
    out.write("# all-to-all trace STDP, event-driven traces; delta_t = t_post - t_pre at the synapse\n")
    out.write("# (pre pathway delay 0, post pathway delay 1 dt, post before pre at equal times)\n")
    out.write("# tau_plus_ms %g tau_minus_ms %g A_plus %g A_minus %g w_min %g w_max %g\n"
              % (TAU_PLUS_MS, TAU_MINUS_MS, A_PLUS, A_MINUS, W_MIN, W_MAX))
    out.write("# w0_additive %g w0_multiplicative %g t_pre_ms %g\n" % (W0_ADD, W0_MULT, T0_MS))
    out.write("dt_ms,delta_t_ms,delta_w,delta_w_mult\n")
    for dt_ms, steps in GRIDS:
        dw_add, dw_mult = run_grid(dt_ms, steps)
        for s, a, m in zip(steps, dw_add, dw_mult):
            out.write("%g,%s,%.8g,%.8g\n" % (dt_ms, ("%.1f" % (s * dt_ms)).rstrip("0").rstrip("."), a, m))
    return out.getvalue()


def main():
    text = render()
    if "--check" in sys.argv:
        with open(OUT) as f:
            same = f.read() == text
        print("stdp_pair_brian2.csv:", "identical" if same else "DIFFERS")
        return 0 if same else 1
    with open(OUT, "w") as f:
        f.write(text)
    print("wrote", OUT, len(text), "bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
