#!/usr/bin/python3
"""Brian2 reference traces for Spindle's neuron models (tests/models/).

Run with the system python that has Brian2 (2.5.1 was used):

    /usr/bin/python3 tests/reference/make_references.py [--check] [--verify]

For each of the firmware models it simulates ONE neuron with PyNN
parameters (PyNN names and units: mV, nF, ms, nA, uS), driven by a fixed
excitatory and a fixed inhibitory input spike train (Bernoulli trains on the
time grid from numpy's PCG64 with a fixed seed) plus i_offset, for 500 ms at
dt = 0.1 ms. The two LIF models also get a free-running twin
(<model>_free: the same neuron and input with v_thresh = 1000 mV), so that
their v can be compared without any spike-time effect. It writes into
tests/reference/data/:

    <model>.params      'name value' lines: cell type, PyNN parameters, weights, dt, ...
    <model>_input.csv   t_ms,receptor   (receptor 0 excitatory, 1 inhibitory)
    <model>_v.csv       t_ms,v_mV       v every 1 ms (value at t, before the step)
    <model>_spikes.csv  t_ms            output spikes (Brian2 step start time)

Numpy code generation only (no compiler), so the output does not depend on a
C++ toolchain. --check re-simulates and compares with the committed files
(byte for byte). --verify also re-simulates every model with an independent
plain-numpy implementation of the semantics below and prints the difference:
it confirms the event order and alignment (1e-13 mV for the exact methods,
3e-11 mV for RK2), Brian2's RK4 at dt against RK4 with 10 substeps (1e-8 mV),
and shows the RK2 scheme's own error for Izhikevich (against RK4 with 10
substeps: spikes up to 41 steps apart at dt = 0.1 ms).

Semantics, chosen to be PyNN's (and NEST's / sPyNNaker's):
  * a weight is an instantaneous jump of the synaptic current (nA) or
    conductance (uS), which then decays with tau_syn; for the non-leaky IF it
    is a jump of v (mV); inhibitory weights are positive magnitudes that
    subtract (current) or act through e_rev_I (conductance).
  * after a spike v is clamped at v_reset for tau_refrac (synaptic variables
    keep decaying and summing input), then integrates again.
  * threshold is v >= v_thresh (Izhikevich: v >= 30 mV).

Timing alignment with Spindle (firmware/runtime/core.h):
  * Brian2 runs, in each step n (time n dt): state update n dt -> (n+1) dt,
    threshold, synaptic on_pre, reset ('groups', 'thresholds', 'synapses',
    'resets'). A SpikeGeneratorGroup spike at t_g = g dt with zero synaptic
    delay therefore makes its jump after step g's update: the jump happens at
    time (g+1) dt and first acts on step g+1.
  * In Spindle, a spike-array spike in tick k through a synapse of delay d is
    added to the synaptic state at the START of tick k+d, i.e. it first acts
    on the step (k+d) dt -> (k+d+1) dt.
  * Hence Brian2 t_g <-> Spindle array tick k = t_g/dt with delay d = 1 (the
    minimum): k + d = g + 1. The file stores t_g.
  * Spikes: both report the index of the step during which v crossed the
    threshold (Brian2 reports its start time n dt; Spindle its tick n).
  * Refractoriness: Spindle (like NEST and sPyNNaker) holds v for
    R = round(tau_refrac/dt) whole steps AFTER the spike step. Brian2 measures
    refractoriness from lastspike = start of the spike step, so its
    `refractory` is set to (R + 1) dt, which holds exactly the same R steps.
  * State monitor: records at the start of each step, before the update, as
    Spindle samples v at tick t. One consequence for delta synapses (the
    non-leaky IF): Brian2's sample at (g+1) dt already holds a jump that
    Spindle adds at the start of tick g+1, i.e. after its sample; both
    threshold tests first see the jump in step g+1. For the other models
    the jump is in a synaptic variable and v is continuous.

Integration methods (all at dt = 0.1 ms):
  IF_curr_exp   'exact'  (linear system, solved exactly)
  IF_cond_exp   'rk4'    (bilinear g*v; RK4's local error (dt/tau)^5 ~ 1e-9 is
                          far below Spindle's errors; 'exponential_euler' would
                          hold g at its start-of-step value, an O(dt) error)
  Izhikevich    'rk2'    (explicit midpoint, the scheme the firmware uses)
  IF_nonleaky   'euler'  (dv/dt is constant between jumps, so Euler is exact)
The adaptive types use their base type's method; their threshold's theta
(exponential) and theta_h (linear) are exact under it to rounding.
"""
import argparse
import os
import sys
import warnings

warnings.filterwarnings("ignore")  # numpy/pythran deprecation noise

import numpy as np
import brian2 as b2
from brian2 import mV, ms, nA, nF, uS, Mohm

b2.prefs.codegen.target = "numpy"
b2.prefs.logging.console_log_level = "ERROR"

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
DT = 0.1          # ms
DURATION = 500.0  # ms
RECORD_EVERY = 1.0  # ms

# name: (PyNN cell parameters, input description, Brian2 method)
MODELS = {
    "if_curr_exp": dict(
        params=dict(cm=1.0, tau_m=20.0, tau_refrac=2.0, tau_syn_E=5.0, tau_syn_I=10.0,
                    v_rest=-65.0, v_reset=-70.0, v_thresh=-50.0, i_offset=0.7, v_init=-65.0),
        inputs=dict(rate_exc=300.0, rate_inh=100.0, w_exc=0.6, w_inh=0.6, seed=11),
        method="exact"),
    "if_cond_exp": dict(
        params=dict(cm=1.0, tau_m=20.0, tau_refrac=2.0, tau_syn_E=5.0, tau_syn_I=10.0,
                    v_rest=-65.0, v_reset=-70.0, v_thresh=-50.0, i_offset=0.5,
                    e_rev_E=0.0, e_rev_I=-80.0, v_init=-65.0),
        inputs=dict(rate_exc=300.0, rate_inh=100.0, w_exc=0.015, w_inh=0.02, seed=12),
        method="rk4"),
    # The adaptive threshold with homeostasis (docs/models.md): theta rises
    # 2 mV a spike and decays with 50 ms; theta_h starts 3 mV low and is drawn
    # toward a 15 Hz target, eta_h 0.4 mV. Same inputs as the plain types.
    "if_curr_exp_adaptive": dict(
        params=dict(cm=1.0, tau_m=20.0, tau_refrac=2.0, tau_syn_E=5.0, tau_syn_I=10.0,
                    v_rest=-65.0, v_reset=-70.0, v_thresh=-50.0, i_offset=0.7,
                    tau_theta=50.0, theta_plus=2.0, eta_h=0.4, target_rate=15.0,
                    v_init=-65.0, theta_init=1.0, theta_h_init=-3.0),
        inputs=dict(rate_exc=300.0, rate_inh=100.0, w_exc=0.6, w_inh=0.6, seed=15),
        method="exact"),
    "if_cond_exp_adaptive": dict(
        params=dict(cm=1.0, tau_m=20.0, tau_refrac=2.0, tau_syn_E=5.0, tau_syn_I=10.0,
                    v_rest=-65.0, v_reset=-70.0, v_thresh=-50.0, i_offset=0.5,
                    e_rev_E=0.0, e_rev_I=-80.0,
                    tau_theta=50.0, theta_plus=2.0, eta_h=0.4, target_rate=15.0,
                    v_init=-65.0, theta_init=1.0, theta_h_init=-3.0),
        inputs=dict(rate_exc=300.0, rate_inh=100.0, w_exc=0.015, w_inh=0.02, seed=16),
        method="rk4"),
    "izhikevich": dict(
        params=dict(a=0.02, b=0.2, c=-65.0, d=8.0, i_offset=7.0, tau_syn_E=5.0, tau_syn_I=10.0,
                    v_init=-70.0, u_init=-14.0),
        inputs=dict(rate_exc=300.0, rate_inh=100.0, w_exc=2.0, w_inh=2.0, seed=13),
        method="rk2"),
    "if_nonleaky": dict(
        params=dict(cm=1.0, v_thresh=1.0, v_reset=0.0, i_offset=0.02, tau_refrac=0.0, v_init=0.0),
        inputs=dict(rate_exc=100.0, rate_inh=50.0, w_exc=0.1, w_inh=0.08, seed=14),
        method="euler"),
}


# Free-running twins of the LIF references: the same neuron and input with the
# threshold out of reach, so v is compared without any spike-time difference
# (a spike one step apart makes v differ by up to v_thresh - v_reset there and
# by v' x dt for a while after; the spiking runs test spike times, these the
# integration).
for _name in ("if_curr_exp", "if_cond_exp"):
    _spec = {k: (dict(v) if isinstance(v, dict) else v) for k, v in MODELS[_name].items()}
    _spec["params"]["v_thresh"] = 1000.0
    _spec["cell"] = _name
    MODELS[_name + "_free"] = _spec


def input_trains(spec, n_steps):
    """Bernoulli spike trains on the step grid: steps g in [1, n_steps - 2]."""
    rng = np.random.Generator(np.random.PCG64(spec["seed"]))
    u = rng.random((2, n_steps))
    p = np.array([spec["rate_exc"], spec["rate_inh"]]) * DT * 1e-3
    steps = [np.nonzero(u[r, 1:n_steps - 1] < p[r])[0] + 1 for r in range(2)]
    return steps  # [exc steps, inh steps]


def refractory(tau_refrac):
    r = int(round(tau_refrac / DT))
    return (r + 1) * DT * ms  # holds v for r steps after the spike step (see above)


def build(name, spec, steps):
    p = spec["params"]
    name = spec.get("cell", name)
    ns = {}
    adaptive = name.endswith("_adaptive")
    if adaptive:
        name = name[:-len("_adaptive")]
    if name in ("if_curr_exp", "if_cond_exp"):
        ns = dict(v_rest=p["v_rest"] * mV, tau_m=p["tau_m"] * ms, c_m=p["cm"] * nF,
                  i_offset=p["i_offset"] * nA, tau_syn_E=p["tau_syn_E"] * ms,
                  tau_syn_I=p["tau_syn_I"] * ms, v_thresh=p["v_thresh"] * mV,
                  v_reset=p["v_reset"] * mV)
        if name == "if_curr_exp":
            eqs = """
            dv/dt = (v_rest - v)/tau_m + (ie - ii + i_offset)/c_m : volt (unless refractory)
            die/dt = -ie/tau_syn_E : amp
            dii/dt = -ii/tau_syn_I : amp
            """
            on_exc, on_inh = "ie += w_exc", "ii += w_inh"
            wu = nA
        else:
            ns.update(e_rev_E=p["e_rev_E"] * mV, e_rev_I=p["e_rev_I"] * mV)
            eqs = """
            dv/dt = (v_rest - v)/tau_m + (ge*(e_rev_E - v) + gi*(e_rev_I - v) + i_offset)/c_m : volt (unless refractory)
            dge/dt = -ge/tau_syn_E : siemens
            dgi/dt = -gi/tau_syn_I : siemens
            """
            on_exc, on_inh = "ge += w_exc", "gi += w_inh"
            wu = uS
        threshold, reset = "v >= v_thresh", "v = v_reset"
        if adaptive:
            # Not "unless refractory": the threshold moves during refractoriness;
            # Brian2 adds "and not_refractory" to the threshold itself.
            # theta_h's linear fall is written in closed form (the 'exact'
            # solver refuses dtheta_h/dt = constant): theta_h = theta_hs -
            # eta_h target_rate t_end, t_end = t + dt the end of the step
            # whose update the threshold follows; theta_hs gains eta_h a spike.
            ns.update(tau_theta=p["tau_theta"] * ms, theta_plus=p["theta_plus"] * mV,
                      eta_h=p["eta_h"] * mV, target_rate=p["target_rate"] * b2.Hz, step=DT * ms)
            eqs += """
            dtheta/dt = -theta/tau_theta : volt
            theta_hs : volt
            """
            threshold = "v >= v_thresh + theta + theta_hs - eta_h*target_rate*(t + step)"
            reset = "v = v_reset; theta += theta_plus; theta_hs += eta_h"
        g = b2.NeuronGroup(1, eqs, threshold=threshold, reset=reset,
                           refractory=refractory(p["tau_refrac"]), method=spec["method"], namespace=ns)
        g.v = p["v_init"] * mV
        if adaptive:
            g.theta = p["theta_init"] * mV
            g.theta_hs = p["theta_h_init"] * mV
    elif name == "izhikevich":
        # PyNN / sPyNNaker Izhikevich: v in mV, u in mV/ms, I in nA through 1 MOhm.
        ns = dict(a=p["a"] / ms, b=p["b"] / ms, c=p["c"] * mV, d=p["d"] * mV / ms,
                  i_offset=p["i_offset"] * nA, tau_syn_E=p["tau_syn_E"] * ms,
                  tau_syn_I=p["tau_syn_I"] * ms, R_in=1 * Mohm)
        eqs = """
        dv/dt = (0.04*v**2/mV + 5*v + 140*mV)/ms - u + (ie - ii + i_offset)*R_in/ms : volt
        du/dt = a*(b*v - u) : volt/second
        die/dt = -ie/tau_syn_E : amp
        dii/dt = -ii/tau_syn_I : amp
        """
        on_exc, on_inh = "ie += w_exc", "ii += w_inh"
        wu = nA
        g = b2.NeuronGroup(1, eqs, threshold="v >= 30*mV", reset="v = c; u += d",
                           method=spec["method"], namespace=ns)
        g.v = p["v_init"] * mV
        g.u = p["u_init"] * mV / ms
    elif name == "if_nonleaky":
        ns = dict(i_offset=p["i_offset"] * nA, c_m=p["cm"] * nF,
                  reset_step=(p["v_thresh"] - p["v_reset"]) * mV, v_thresh=p["v_thresh"] * mV)
        eqs = "dv/dt = i_offset/c_m : volt (unless refractory)"
        on_exc, on_inh = "v += w_exc", "v -= w_inh"
        wu = mV
        g = b2.NeuronGroup(1, eqs, threshold="v >= v_thresh", reset="v -= reset_step",
                           refractory=refractory(p["tau_refrac"]), method=spec["method"], namespace=ns)
        g.v = p["v_init"] * mV
    else:
        raise ValueError(name)

    inp = spec["inputs"]
    idx = np.concatenate([np.zeros(len(steps[0]), int), np.ones(len(steps[1]), int)])
    times = np.concatenate([steps[0], steps[1]]) * DT * ms
    gen = b2.SpikeGeneratorGroup(2, idx, times)
    syn_ns = dict(w_exc=inp["w_exc"] * wu, w_inh=inp["w_inh"] * wu)
    s_exc = b2.Synapses(gen, g, on_pre=on_exc, namespace=syn_ns)
    s_exc.connect(i=0, j=0)
    s_inh = b2.Synapses(gen, g, on_pre=on_inh, namespace=syn_ns)
    s_inh.connect(i=1, j=0)
    vmon = b2.StateMonitor(g, "v", record=0, dt=RECORD_EVERY * ms)
    smon = b2.SpikeMonitor(g)
    net = b2.Network(g, gen, s_exc, s_inh, vmon, smon)
    return net, vmon, smon


def simulate(name, spec):
    b2.start_scope()
    b2.defaultclock.dt = DT * ms
    n_steps = int(round(DURATION / DT))
    steps = input_trains(spec["inputs"], n_steps)
    net, vmon, smon = build(name, spec, steps)
    net.run(DURATION * ms)
    return dict(steps=steps, t_v=vmon.t / ms, v=vmon.v[0] / mV, spikes=np.asarray(smon.t / ms))


def independent(name, spec, steps):
    """A plain-numpy re-implementation of the documented semantics (event
    order, alignment, refractoriness), used by --verify to show that the
    Brian2 output means what the module docstring says. Returns (v every
    RECORD_EVERY, spike step indices). LIF current: exact per-step solution;
    LIF conductance: RK4 with 10 substeps (an accuracy check of Brian2's RK4
    at dt); Izhikevich: RK2 exactly as Brian2 applies it, and also RK4 with
    10 substeps (the RK2 scheme's own error, for docs/models.md)."""
    cell = spec.get("cell", name)
    adaptive = cell.endswith("_adaptive")
    if adaptive:
        cell = cell[:-len("_adaptive")]
    p, inp = spec["params"], spec["inputs"]
    n = int(round(DURATION / DT))
    every = int(round(RECORD_EVERY / DT))
    jump = np.zeros((2, n))
    for r in range(2):
        jump[r, steps[r]] += inp["w_exc"] if r == 0 else inp["w_inh"]
    h = DT
    out = {}
    variants = ["rk2", "rk4x10"] if cell == "izhikevich" else ["main"]
    for variant in variants:
        vs, spikes = [], []
        x = np.zeros(2)  # synaptic state: exc, inh
        if cell == "izhikevich":
            v, u = p["v_init"], p["u_init"]
        else:
            v = p["v_init"]
        held = 0
        hold = int(round(p.get("tau_refrac", 0.0) / DT))
        theta, theta_h = (p["theta_init"], p["theta_h_init"]) if adaptive else (0.0, 0.0)
        for k in range(n):
            if k % every == 0:
                vs.append(v)
            if cell == "if_curr_exp":
                tm, c, te, ti = p["tau_m"], p["cm"], p["tau_syn_E"], p["tau_syn_I"]
                if held == 0:
                    em = np.exp(-h / tm)
                    vinf = p["v_rest"] + tm / c * p["i_offset"]
                    nv = vinf + (v - vinf) * em
                    for s_, tau, sign in ((x[0], te, 1), (x[1], ti, -1)):
                        nv += sign * s_ / c * (np.exp(-h / tau) - em) / (1 / tm - 1 / tau)
                    v = nv
                x *= np.exp(-h / np.array([te, ti]))
            elif cell == "if_cond_exp":
                tm, c, te, ti = p["tau_m"], p["cm"], p["tau_syn_E"], p["tau_syn_I"]
                if held == 0:
                    def f(v_, g):
                        return ((p["v_rest"] - v_) / tm + (g[0] * (p["e_rev_E"] - v_) + g[1] * (p["e_rev_I"] - v_)
                                                           + p["i_offset"]) / c)
                    sub = h / 10
                    g = x.copy()
                    dec_half = np.exp(-sub / 2 / np.array([te, ti]))
                    for _ in range(10):
                        k1 = f(v, g)
                        k2 = f(v + sub / 2 * k1, g * dec_half)
                        k3 = f(v + sub / 2 * k2, g * dec_half)
                        k4 = f(v + sub * k3, g * dec_half ** 2)
                        v += sub / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
                        g = g * dec_half ** 2
                x *= np.exp(-h / np.array([te, ti]))
            elif cell == "izhikevich":
                te, ti = p["tau_syn_E"], p["tau_syn_I"]
                def f(y):
                    v_, u_, e_, i_ = y
                    return np.array([0.04 * v_ * v_ + 5 * v_ + 140 - u_ + e_ - i_ + p["i_offset"],
                                     p["a"] * (p["b"] * v_ - u_), -e_ / te, -i_ / ti])
                y = np.array([v, u, x[0], x[1]])
                if variant == "rk2":
                    y = y + h * f(y + h / 2 * f(y))
                else:
                    sub = h / 10
                    for _ in range(10):
                        k1 = f(y); k2 = f(y + sub / 2 * k1); k3 = f(y + sub / 2 * k2); k4 = f(y + sub * k3)
                        y = y + sub / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
                v, u, x[0], x[1] = y
            elif cell == "if_nonleaky":
                if held == 0:
                    v += p["i_offset"] / p["cm"] * h
            if adaptive:
                theta *= np.exp(-h / p["tau_theta"])
                theta_h -= p["eta_h"] * p["target_rate"] * h * 1e-3
            if held > 0:
                held -= 1
                fired = False
            else:
                fired = v >= (30.0 if cell == "izhikevich" else p["v_thresh"] + theta + theta_h)
            # synapses slot: this step's generator spikes
            if cell == "if_nonleaky":
                v += jump[0, k] - jump[1, k]
            else:
                x += jump[:, k]
            if fired:
                spikes.append(k)
                if cell == "izhikevich":
                    v, u = p["c"], u + p["d"]
                elif cell == "if_nonleaky":
                    v -= p["v_thresh"] - p["v_reset"]
                    held = hold
                else:
                    v = p["v_reset"]
                    held = hold
                    if adaptive:
                        theta += p["theta_plus"]
                        theta_h += p["eta_h"]
        out[variant] = (np.array(vs), spikes)
    return out


def verify(name, spec, out):
    ref_spikes = list(np.round(out["spikes"] / DT).astype(int))
    for variant, (v, spikes) in independent(name, spec, out["steps"]).items():
        if spikes == ref_spikes:
            same = "same spikes"
        elif len(spikes) == len(ref_spikes):
            same = f"spikes up to {max(abs(a - b) for a, b in zip(spikes, ref_spikes))} steps apart"
        else:
            same = f"{len(spikes)} spikes vs {len(ref_spikes)}"
        print(f"  independent numpy ({variant}): max |v - v_Brian2| = {np.abs(v - out['v']).max():.3g} mV, {same}")


def files(name):
    return {k: os.path.join(DATA, name + suffix) for k, suffix in
            (("params", ".params"), ("input", "_input.csv"), ("v", "_v.csv"), ("spikes", "_spikes.csv"))}


def render(name, spec, out):
    p, inp = spec["params"], spec["inputs"]
    params = [f"# {name}: PyNN parameters (mV, nF, ms, nA, uS) and inputs; made by make_references.py",
              f"model {name}", f"cell {spec.get('cell', name)}", f"dt_ms {DT}", f"duration_ms {DURATION}", f"record_every_ms {RECORD_EVERY}",
              f"brian2_method {spec['method']}", f"brian2_version {b2.__version__}"]
    params += [f"{k} {v!r}" for k, v in p.items()]
    params += [f"{k} {v!r}" for k, v in inp.items()]
    events = sorted([(s, 0) for s in out["steps"][0]] + [(s, 1) for s in out["steps"][1]])
    text = {
        "params": "\n".join(params) + "\n",
        "input": "t_ms,receptor\n" + "".join(f"{s * DT:.1f},{r}\n" for s, r in events),
        "v": "t_ms,v_mV\n" + "".join(f"{t:.1f},{v:.6f}\n" for t, v in zip(out["t_v"], out["v"])),
        "spikes": "t_ms\n" + "".join(f"{t:.1f}\n" for t in out["spikes"]),
    }
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    ap.add_argument("--verify", action="store_true",
                    help="also re-simulate with an independent numpy implementation of the same semantics")
    args = ap.parse_args()
    os.makedirs(DATA, exist_ok=True)
    ok = True
    for name, spec in MODELS.items():
        out = simulate(name, spec)
        text = render(name, spec, out)
        paths = files(name)
        n_in = len(out["steps"][0]) + len(out["steps"][1])
        print(f"{name:12s} method={spec['method']:6s} inputs={n_in:4d} spikes={len(out['spikes']):3d} "
              f"v=[{out['v'].min():.2f}, {out['v'].max():.2f}] mV")
        if args.verify:
            verify(name, spec, out)
        for k, path in paths.items():
            if args.check:
                with open(path) as f:
                    if f.read() != text[k]:
                        print(f"  differs: {path}")
                        ok = False
            else:
                with open(path, "w") as f:
                    f.write(text[k])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
