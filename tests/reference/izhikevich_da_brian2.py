#!/usr/bin/python3
"""Dopamine-modulated STDP (Izhikevich 2007) in Brian2: the final weight and
eligibility trace of ONE synapse per scenario under given pre / post spikes
and dopamine events, for a firmware / runtime implementation of the rule to
be compared with.

Produced with Brian2 2.5.1 (Debian python3-brian), numpy code generation (no
compiler). Regenerate with

    /usr/bin/python3 tests/reference/izhikevich_da_brian2.py

(about 30 s); it rewrites tests/reference/data/izhikevich_da_brian2.csv, and
`--check` re-simulates and compares with the committed file byte for byte
(exit code 1 if it differs). `python3 -c 'import brian2;
print(brian2.__version__)'` gives the version.

The model is Brian2's examples/frompapers/Izhikevich_2007.py in its dopamine
mode (Izhikevich 2007, Cereb Cortex 17:2443), with an eligibility trace c,
the dopamine concentration d and the weight w of the synapse:

    dc/dt = -c / tau_c                    (clock-driven)
    dd/dt = -d / tau_d                    (clock-driven)
    dw/dt = c d / tau_s, tau_s = 1 ms     (clock-driven), w kept in [w_min, w_max]
    dx/dt = -x / tau_plus                 (pre trace, event-driven)
    dy/dt = -y / tau_minus                (post trace, event-driven)
    post spike:  c = clip(c + A_plus x, -c_max, c_max);  y += 1
    pre spike:   c = clip(c - A_minus y, -c_max, c_max); x += 1
    dopamine event of amount a: d += a    (a < 0: punishment)

All-to-all traces. At equal times the dopamine events come first (they do
not change w: zero-length interval), then the post spike, then the pre spike:
a post spike at the time of a pre spike pairs with the earlier pre spikes
(potentiation) and that pre spike pairs with it at dt = 0 (depression by
A_minus). All times are times at the synapse, in whole ms.

Brian2 set-up (all scenarios in one network, one synapse per scenario, so
they do not interact):
  * one SpikeGeneratorGroup 'spikes' with neurons 0..n-1 the pre neurons of
    the n scenarios, n..2n-1 their post neurons, 2n.. one neuron per dopamine
    event; it runs on a 1 ms clock (every event is at a whole ms);
  * the STDP Synapses connect spikes k -> spikes n + k (synapse k is scenario
    k) with no delays, so a spike at t runs its pathway at t; the synapses'
    own clock (state updater, clip) is defaultclock.dt = 0.01 ms. A synaptic
    pathway runs on its source's clock (here 1 ms, at the same whole-ms times
    as the 0.01 ms clock; Brian2's 'synapses_dt_mismatch' note about this is
    silenced), which keeps the per-step work of the 0.01 ms clock to the
    state updater and the clip;
  * a second Synapses object, 'reward', from the dopamine neurons onto the
    STDP Synapses (Synapses targeting Synapses), on_pre 'd_post += amount',
    with the event's amount a as a per-synapse constant;
  * pathway orders within the 'synapses' slot: dopamine -3, post -2, pre -1
    (the order of events at equal times above);
  * the clock-driven state updater of the STDP synapses is moved from the
    'groups' slot (before the synapses) to the 'end' slot (order 0), and the
    weight clip w = clip(w, w_min, w_max) is a run_regularly in 'end' (order
    1) of every 0.01 ms step. So the step at t applies the events at t, then
    integrates [t, t + dt] and clips: the events act at exactly their times,
    and after running to T_end the state is the state at T_end. (In the
    default 'groups' slot every event would act one step late, at t + dt.)
    Clipping after every step is the continuous clip of the model: between
    events c and d keep their signs, so w is monotone and, once at a bound,
    stays there until the next event.
  * method 'rk4' (Brian2 accepts it for this system), dt 0.01 ms. The
    scenarios are run as one simulation in segments up to each T_end (600,
    800, 1000, 1200, 1500, 5000 ms), reading that scenario's w and c at the
    end of its segment.
About 30 s of CPU (500,000 steps of 0.01 ms, dominated by the numpy RK4
update, ~45 us a step).

The product c d makes the system nonlinear, so Brian2 integrates it
numerically; the script also computes the exact piecewise solution in plain
Python (math.exp): between events, over an interval of length s,

    c(t) = c0 e^{-s/tau_c},  d(t) = d0 e^{-s/tau_d},
    w += c0 d0 tau (1 - e^{-s/tau}) / tau_s,  tau = tau_c tau_d / (tau_c + tau_d),

then w is clipped to [w_min, w_max] (exact, by the monotonicity above); the
traces decay exactly, and the events are applied in the order above. Both are
written to the CSV, so a test can use the Brian2 value and knows Brian2's own
integration error. Brian2 vs closed form, max over the scenarios:
|w_brian2 - w_exact| = 1.1e-14, |c_brian2 - c_exact| = 2.9e-15 -- RK4 at
0.01 ms is exact to rounding here (local error O((dt / tau)^5)), and the
agreement also confirms the event order and timing of the Brian2 set-up.

Output, tests/reference/data/izhikevich_da_brian2.csv: '#' comment lines
(source, Brian2 version, parameters), then comma-separated lines whose first
field is the kind:
    param,<name>,<value>
    scenario,<name>,<w0>,<t_end_ms>
    pre,<name>,<t_ms>
    post,<name>,<t_ms>
    dopamine,<name>,<t_ms>,<amount>
    result,<name>,<w_brian2>,<c_brian2>,<w_exact>,<c_exact>   (12 significant digits)
Parameters: tau_plus_ms, tau_minus_ms, A_plus, A_minus, tau_c_ms, tau_d_ms,
w_min, w_max, c_max, tau_s_ms; initial c = d = 0, x = y = 0.

Scenarios (times in ms, dopamine amounts; w0 = 0.5 unless given):
  reward_after_pairing    pre 10, post 15; DA +0.0078125 at 100, 200, 300; T_end 1000
  depression_then_reward  post 10, pre 15; DA +0.0078125 at 50, 500; T_end 1000
  punishment              pre 10, post 12, pre 30, post 33; DA -0.0078125 at 60; T_end 800
  many_pairs              pre every 50 ms 5..455, post 4 ms after each;
                          DA +0.0078125 every 100 ms 50..950; T_end 1200
  clip_high               w0 0.9; pre 10, post 11, pre 20, post 21; DA +0.0625 at 30;
                          T_end 1500 (w reaches w_max and stays)
  clip_low                w0 0.1; post 10, pre 11, post 20, pre 21; DA +0.0625 at 30;
                          T_end 1500 (w reaches w_min)
  long_gap                pre 10, post 20; DA +0.0078125 at 25; pre 3000;
                          DA +0.0078125 at 3100; T_end 5000
  c_saturates             pre 10k, post 10k + 1, k = 1..8; DA +0.0078125 at 200;
                          T_end 600. NB: c does NOT reach c_max here: the 10 ms
                          spacing gives depression of -0.12 y at each pre spike (y
                          from the post spikes 9, 19, ... ms before), so c only
                          climbs to 0.479 (w still reaches w_max)
  equal_times             pre 10, post 10, pre 30, post 30; DA +0.001953125 at 30
                          and 100; T_end 1000. Pre and post at the same ms:
                          depression only at dt = 0 (c = -0.12 at 10); at 30 the
                          post spike pairs with the pre spike at 10 and the pre
                          spike with both post spikes; DA at an event time
  c_saturates_spaced      pre 20k, post 20k + 1, k = 1..20; DA +0.0009765625 at
                          500; T_end 1000. c is clipped at c_max = 1 at every post
                          spike from the 15th (at 301) on; c = 1 after the last
                          one (401), so c(T_end) = exp(-599 / 1000); w stays
                          inside [0, 1]
"""
import io
import math
import os
import sys

import numpy as np
from brian2 import (BrianLogger, Network, SpikeGeneratorGroup, Synapses, defaultclock, prefs, ms,
                    __version__ as brian2_version)

TAU_PLUS_MS = 20.0
TAU_MINUS_MS = 20.0
A_PLUS = 0.1
A_MINUS = 0.12
TAU_C_MS = 1000.0
TAU_D_MS = 200.0
W_MIN = 0.0
W_MAX = 1.0
C_MAX = 1.0
TAU_S_MS = 1.0
DT_MS = 0.01
EVENT_DT_MS = 1.0  # the generator's (and so the pathways') clock: events at whole ms
METHOD = "rk4"

PARAMS = [("tau_plus_ms", TAU_PLUS_MS), ("tau_minus_ms", TAU_MINUS_MS), ("A_plus", A_PLUS), ("A_minus", A_MINUS),
          ("tau_c_ms", TAU_C_MS), ("tau_d_ms", TAU_D_MS), ("w_min", W_MIN), ("w_max", W_MAX), ("c_max", C_MAX),
          ("tau_s_ms", TAU_S_MS)]

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "izhikevich_da_brian2.csv")

R = 0.0078125  # 2^-7


def scenario(name, pre, post, dopamine, t_end, w0=0.5):
    return dict(name=name, pre=list(pre), post=list(post), dopamine=list(dopamine), t_end=t_end, w0=w0)


SCENARIOS = [
    scenario("reward_after_pairing", [10], [15], [(100, R), (200, R), (300, R)], 1000),
    scenario("depression_then_reward", [15], [10], [(50, R), (500, R)], 1000),
    scenario("punishment", [10, 30], [12, 33], [(60, -R)], 800),
    scenario("many_pairs", range(5, 456, 50), range(9, 460, 50), [(t, R) for t in range(50, 951, 100)], 1200),
    scenario("clip_high", [10, 20], [11, 21], [(30, 0.0625)], 1500, w0=0.9),
    scenario("clip_low", [11, 21], [10, 20], [(30, 0.0625)], 1500, w0=0.1),
    scenario("long_gap", [10, 3000], [20], [(25, R), (3100, R)], 5000),
    scenario("c_saturates", [10 * k for k in range(1, 9)], [10 * k + 1 for k in range(1, 9)], [(200, R)], 600),
    scenario("equal_times", [10, 30], [10, 30], [(30, R / 4), (100, R / 4)], 1000),
    scenario("c_saturates_spaced", [20 * k for k in range(1, 21)], [20 * k + 1 for k in range(1, 21)], [(500, R / 8)],
             1000),
]

MODEL = """
dc/dt = -c / tau_c : 1 (clock-driven)
dd/dt = -d / tau_d : 1 (clock-driven)
dw/dt = c * d / tau_s : 1 (clock-driven)
dx/dt = -x / tau_plus : 1 (event-driven)
dy/dt = -y / tau_minus : 1 (event-driven)
"""
ON_PRE = "c = clip(c - A_minus * y, -c_max, c_max)\nx += 1"
ON_POST = "c = clip(c + A_plus * x, -c_max, c_max)\ny += 1"


def run_brian2():
    """{name: (w, c)} at each scenario's T_end, from one Brian2 simulation."""
    prefs.codegen.target = "numpy"
    dt = DT_MS * ms
    defaultclock.dt = dt
    n = len(SCENARIOS)

    def steps(t_ms):
        return int(round(t_ms / DT_MS))

    pre_i, pre_t, post_i, post_t, da_t, da_syn, da_amount = [], [], [], [], [], [], []
    for k, s in enumerate(SCENARIOS):
        pre_i += [k] * len(s["pre"])
        pre_t += [steps(t) for t in s["pre"]]
        post_i += [k] * len(s["post"])
        post_t += [steps(t) for t in s["post"]]
        for t, a in s["dopamine"]:
            da_t.append(steps(t))
            da_syn.append(k)
            da_amount.append(a)
    nda = len(da_t)
    # One generator (one code object) on a 1 ms clock: neurons 0..n-1 pre,
    # n..2n-1 post, 2n.. one per dopamine event. Its pathways run on its clock.
    gen = SpikeGeneratorGroup(2 * n + nda, pre_i + [n + i for i in post_i] + [2 * n + k for k in range(nda)],
                              np.asarray(pre_t + post_t + da_t) * dt, dt=EVENT_DT_MS * ms, name="spikes")

    ns = dict(tau_plus=TAU_PLUS_MS * ms, tau_minus=TAU_MINUS_MS * ms, A_plus=A_PLUS, A_minus=A_MINUS,
              tau_c=TAU_C_MS * ms, tau_d=TAU_D_MS * ms, tau_s=TAU_S_MS * ms, c_max=C_MAX, w_min=W_MIN, w_max=W_MAX)
    syn = Synapses(gen, gen, MODEL, on_pre=ON_PRE, on_post=ON_POST, namespace=ns, method=METHOD, name="stdp_da", dt=dt,
                   delay={"pre": 0 * ms, "post": 0 * ms})
    syn.connect(i=np.arange(n), j=n + np.arange(n))  # synapse k: pre k -> post k
    syn.pre.order = -1
    syn.post.order = -2  # post before pre at equal times
    # Integrate after the events of the step: events act at their own times.
    syn.state_updater.when = "end"
    syn.state_updater.order = 0
    syn.run_regularly("w = clip(w, w_min, w_max)", when="end", order=1, name="stdp_da_clip")
    syn.w = [s["w0"] for s in SCENARIOS]
    syn.c = 0
    syn.d = 0

    reward = Synapses(gen, syn, "amount : 1", on_pre="d_post += amount", name="reward", delay=0 * ms)
    reward.connect(i=2 * n + np.arange(nda), j=np.asarray(da_syn))
    reward.amount = da_amount
    reward.pre.order = -3  # dopamine first at equal times

    net = Network(gen, syn, reward)
    # The pathways run on the generator's 1 ms clock, the synapses on 0.01 ms:
    # intended (no delays; every event is at a whole ms), so silence Brian2's note.
    BrianLogger.suppress_name("synapses_dt_mismatch")
    results = {}
    t_ms = 0.0
    for t_end in sorted(set(s["t_end"] for s in SCENARIOS)):
        net.run((t_end - t_ms) * ms, namespace={})
        t_ms = t_end
        w, c = np.asarray(syn.w[:]), np.asarray(syn.c[:])
        for k, s in enumerate(SCENARIOS):
            if s["t_end"] == t_end:
                results[s["name"]] = (float(w[k]), float(c[k]))
    return results


def exact(s):
    """(w, c) at T_end from the piecewise closed form, and max |c| over the run."""
    # Event order at equal times: dopamine 0, post 1, pre 2.
    events = [(t, 0, a) for t, a in s["dopamine"]] + [(t, 1, 0.0) for t in s["post"]] + \
             [(t, 2, 0.0) for t in s["pre"]]
    events.sort(key=lambda e: (e[0], e[1]))
    tau = TAU_C_MS * TAU_D_MS / (TAU_C_MS + TAU_D_MS)
    w, c, d = s["w0"], 0.0, 0.0
    x, tx, y, ty = 0.0, 0.0, 0.0, 0.0
    t = 0.0
    c_peak = 0.0

    def advance(w, c, d, span):
        if span > 0:
            w += c * d * tau * (1.0 - math.exp(-span / tau)) / TAU_S_MS
            w = min(max(w, W_MIN), W_MAX)
            c *= math.exp(-span / TAU_C_MS)
            d *= math.exp(-span / TAU_D_MS)
        return w, c, d

    for te, kind, a in events + [(s["t_end"], 3, 0.0)]:
        w, c, d = advance(w, c, d, te - t)
        t = te
        if kind == 0:
            d += a
        elif kind == 1:
            c = min(max(c + A_PLUS * x * math.exp(-(t - tx) / TAU_PLUS_MS), -C_MAX), C_MAX)
            y = y * math.exp(-(t - ty) / TAU_MINUS_MS) + 1.0
            ty = t
        elif kind == 2:
            c = min(max(c - A_MINUS * y * math.exp(-(t - ty) / TAU_MINUS_MS), -C_MAX), C_MAX)
            x = x * math.exp(-(t - tx) / TAU_PLUS_MS) + 1.0
            tx = t
        c_peak = max(c_peak, abs(c))
    return w, c, c_peak


def render():
    b2 = run_brian2()
    out = io.StringIO()
    out.write("# Izhikevich (2007) dopamine-modulated STDP in Brian2 %s (tests/reference/izhikevich_da_brian2.py),\n"
              % brian2_version)
    out.write("# numpy target, method %s, dt %g ms; exact piecewise closed form alongside\n" % (METHOD, DT_MS))
    out.write("# dc/dt=-c/tau_c dd/dt=-d/tau_d dw/dt=c*d/tau_s, w in [w_min,w_max]; all-to-all traces x,y (+1);\n")
    out.write("# post: c=clip(c+A_plus*x,+-c_max); pre: c=clip(c-A_minus*y,+-c_max); dopamine: d+=amount;\n")
    out.write("# equal times: dopamine, then post, then pre; times at the synapse in ms; initial c=d=0\n")
    out.write("# " + " ".join("%s %g" % p for p in PARAMS) + "\n")
    for name, value in PARAMS:
        out.write("param,%s,%g\n" % (name, value))
    max_dw = max_dc = 0.0
    rows = []
    for s in SCENARIOS:
        name = s["name"]
        out.write("scenario,%s,%g,%g\n" % (name, s["w0"], s["t_end"]))
        for t in s["pre"]:
            out.write("pre,%s,%g\n" % (name, t))
        for t in s["post"]:
            out.write("post,%s,%g\n" % (name, t))
        for t, a in s["dopamine"]:
            out.write("dopamine,%s,%g,%.12g\n" % (name, t, a))
        wb, cb = b2[name]
        we, ce, c_peak = exact(s)
        out.write("result,%s,%.12g,%.12g,%.12g,%.12g\n" % (name, wb, cb, we, ce))
        max_dw = max(max_dw, abs(wb - we))
        max_dc = max(max_dc, abs(cb - ce))
        rows.append((name, wb, cb, we, ce, c_peak))
    return out.getvalue(), rows, max_dw, max_dc


def main():
    text, rows, max_dw, max_dc = render()
    print("%-26s %-16s %-16s %-10s %-10s %s" % ("scenario", "w_exact", "c_exact", "|dw|", "|dc|", "max |c|"))
    for name, wb, cb, we, ce, c_peak in rows:
        print("%-26s %-16.12g %-16.12g %-10.2g %-10.2g %.6g" % (name, we, ce, abs(wb - we), abs(cb - ce), c_peak))
    print("max |w_brian2 - w_exact| = %.3g, max |c_brian2 - c_exact| = %.3g" % (max_dw, max_dc))
    if "--check" in sys.argv:
        with open(OUT) as f:
            same = f.read() == text
        print("izhikevich_da_brian2.csv:", "identical" if same else "DIFFERS")
        return 0 if same else 1
    with open(OUT, "w") as f:
        f.write(text)
    print("wrote", OUT, len(text), "bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
