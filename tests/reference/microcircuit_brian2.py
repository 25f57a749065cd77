#!/usr/bin/python3
"""The Potjans-Diesmann microcircuit network file Spindle runs
(examples/networks/microcircuit_10pct.textproto by default) rebuilt in Brian2
with PyNN's IF_curr_exp semantics, to tell apart what the network definition
does from what Spindle's kernels do.

The script reads the network file itself (a small text-format reader below),
so both simulators get the same sizes, cell parameters (i_offset's DC
compensation included), connection probabilities, weight and delay
distributions and Poisson rates. What it supports is what the microcircuit
uses: IF_curr_exp populations with constant parameters and a normal initial
v; spike_source_poisson populations with a constant rate, connected
one_to_one with a constant weight and delay; fixed_probability projections
with normal weights and delays (clip_mode REDRAW, the default). Anything else
is an error naming the field.

Semantics (tests/reference/make_references.py derives the alignment):
  * exact integration of the linear IF_curr_exp system, threshold
    v >= v_thresh, v clamped at v_reset for R = round(tau_refrac / dt)
    steps after the spike step (Brian2 refractory (R + 1) dt);
  * Spindle's delay of d ticks (d = floor(delay / dt + 0.5)) first acts on
    step n + d; Brian2's delay D on step n + D / dt + 1, so Brian2 gets
    (d - 1) dt;
  * the background: a SpikeSourcePoisson of rate r one-to-one with weight w
    and delay d is, per neuron, w times a Poisson count of mean r dt added
    to the excitatory current at the start of every step from step d on,
    as Spindle's Poisson cores draw counts (not Bernoulli events: at
    2320 Hz and dt 0.1 ms a 0/1 source would lose 11% of the input).
    Brian2's PoissonGroup fires at most once per step, so it is not used.
Connectivity, weights, delays and initial v are drawn with NumPy from the
same distributions, not the same values (Spindle's streams are its own), so
the two agree in distribution: compare rates within the seed-to-seed spread.

Two options test hypotheses about the network definition (docs/examples.md):
--delay-alignment nest gives every synapse NEST's timing (one step later
than Spindle's rule), --multapses draws each projection as NEST's
fixed_total_number does instead of the file's fixed_probability.

Writes tests/reference/data/microcircuit_brian2.json: per seed the mean rate
of every population over [0, T), [100 ms, T) and [500 ms, T) and the
synapse count. tests/mapping/microcircuit_test.cpp compares Spindle's run of
the file with it.

Run: /usr/bin/python3 tests/reference/microcircuit_brian2.py [--network FILE]
     [--duration MS] [--seeds 1,2,3,4,5] [--delay-alignment spindle|nest]
     [--multapses] [--out FILE]
(cython target, one thread: 5-15 s of CPU per simulated second, plus about
2 min per seed to draw the 3e6 synapses and compile on the loaded 2-core VM)
"""
import argparse
import json
import math
import os
import re
import sys
import time
import warnings

warnings.filterwarnings("ignore")  # numpy/pythran deprecation noise

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TRANSIENT_MS = 100.0  # the first 100 ms hold the initial-v transient (docs/examples.md)
LATE_MS = 500.0  # NEST's example measures after a 500 ms pre-simulation


# ---- text-format reader -------------------------------------------------

TOKEN = re.compile(r'\s+|#[^\n]*|"(?:[^"\\]|\\.)*"|[{}:\[\],]|[^\s{}:\[\],"#]+')


def parse_textproto(text, name):
    """Message -> dict of field -> list of values (scalars or dicts)."""
    tokens = []
    pos = 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if m is None:
            raise SystemExit(f"{name}: cannot read text format at offset {pos}")
        t = m.group(0)
        pos = m.end()
        if not t.isspace() and not t.startswith("#"):
            tokens.append(t)

    def scalar(t):
        if t.startswith('"'):
            return t[1:-1]
        try:
            return float(t)
        except ValueError:
            return t  # enum value

    def message(i, closing):
        msg = {}
        while i < len(tokens) and tokens[i] != closing:
            field = tokens[i]
            i += 1
            if i < len(tokens) and tokens[i] == ":":
                i += 1
            if i >= len(tokens):
                raise SystemExit(f"{name}: field {field} has no value")
            if tokens[i] == "{":
                value, i = message(i + 1, "}")
                i += 1
            elif tokens[i] == "[":
                value, i = [], i + 1
                while tokens[i] != "]":
                    if tokens[i] != ",":
                        value.append(scalar(tokens[i]))
                    i += 1
                i += 1
            else:
                value, i = scalar(tokens[i]), i + 1
            msg.setdefault(field, []).append(value)
        if closing is not None and i >= len(tokens):
            raise SystemExit(f"{name}: missing '{closing}'")
        return msg, i

    msg, _ = message(0, None)
    return msg


def one(msg, field, where, default=None):
    values = msg.get(field)
    if not values:
        if default is not None:
            return default
        raise SystemExit(f"{where}.{field}: missing")
    return values[0]


# ---- network values -------------------------------------------------------

def constant(value, where):
    if "constant" not in value:
        raise SystemExit(f"{where}: only constant values are supported here")
    return one(value, "constant", where)


def normal_spec(value, where):
    """(mean, sd, low, high) of a normal ParameterValue clipped by redrawing."""
    if "random" not in value or "normal" not in one(value, "random", where):
        raise SystemExit(f"{where}: expected random {{ normal {{ ... }} }}")
    n = one(one(value, "random", where), "normal", where + ".random")
    if one(n, "clip_mode", where, "REDRAW") != "REDRAW":
        raise SystemExit(f"{where}: only clip_mode REDRAW is supported here")
    return (one(n, "mean", where), one(n, "sd", where),
            one(n, "clip_low", where, -math.inf), one(n, "clip_high", where, math.inf))


def draw(value, count, rng, where):
    """count values of a constant or a normal clipped by redrawing."""
    if "constant" in value:
        return np.full(count, one(value, "constant", where))
    mean, sd, low, high = normal_spec(value, where)
    out = rng.normal(mean, sd, count)
    bad = (out < low) | (out > high)
    while bad.any():
        out[bad] = rng.normal(mean, sd, int(bad.sum()))
        bad = (out < low) | (out > high)
    return out


IF_CURR_EXP_DEFAULTS = dict(cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=5.0, tau_syn_I=5.0,
                            v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, i_offset=0.0)


def read_network(path):
    with open(path, encoding="utf-8") as f:
        net = parse_textproto(f.read(), path)
    run = one(net, "run", "run")
    dt = one(run, "timestep_ms", "run")
    neurons, sources = [], {}
    for k, p in enumerate(net.get("populations", [])):
        where = f"populations[{k}]"
        label, size = one(p, "label", where), int(one(p, "size", where))
        if "if_curr_exp" in p:
            cell = one(p, "if_curr_exp", where)
            params = {name: constant(one(cell, name, where + ".if_curr_exp", {"constant": [d]}),
                                     f"{where}.if_curr_exp.{name}")
                      for name, d in IF_CURR_EXP_DEFAULTS.items()}
            v0 = one(one(p, "initial_values", where), "v", where + ".initial_values")
            neurons.append(dict(label=label, size=size, params=params, v0=v0))
        elif "spike_source_poisson" in p:
            src = one(p, "spike_source_poisson", where)
            if "start" in src or "duration" in src:
                raise SystemExit(f"{where}.spike_source_poisson: start/duration are not supported here")
            sources[label] = dict(size=size, rate=constant(one(src, "rate", where), where + ".rate"))
        else:
            raise SystemExit(f"{where}: only if_curr_exp and spike_source_poisson are supported here")
    first, offset = {}, 0
    for pop in neurons:
        first[pop["label"]] = offset
        offset += pop["size"]
    background, projections = [], []
    for k, pr in enumerate(net.get("projections", [])):
        where = f"projections[{k}]"
        pre, post = one(pr, "pre", where), one(pr, "post", where)
        receptor = one(pr, "receptor", where)
        if post not in first:
            raise SystemExit(f"{where}.post: {post} is not an if_curr_exp population")
        connector = one(pr, "connector", where)
        if pre in sources:
            if "one_to_one" not in connector or sources[pre]["size"] != neurons[list(first).index(post)]["size"]:
                raise SystemExit(f"{where}: a Poisson source must be connected one_to_one")
            if receptor != "EXCITATORY":
                raise SystemExit(f"{where}.receptor: Poisson background must be EXCITATORY here")
            background.append(dict(post=post, rate=sources[pre]["rate"],
                                   weight=constant(one(pr, "weight", where), where + ".weight"),
                                   delay=constant(one(pr, "delay", where), where + ".delay")))
        else:
            if "fixed_probability" not in connector:
                raise SystemExit(f"{where}.connector: only fixed_probability is supported between neurons here")
            fp = one(connector, "fixed_probability", where + ".connector")
            if fp.get("allow_self_connections", [True])[0] in (False, "false"):
                raise SystemExit(f"{where}: allow_self_connections false is not supported here")
            projections.append(dict(label=one(pr, "label", where, f"#{k}"), pre=pre, post=post,
                                    inhibitory=receptor == "INHIBITORY", p=one(fp, "p", where),
                                    weight=one(pr, "weight", where), delay=one(pr, "delay", where),
                                    where=where))
    return dict(dt=dt, neurons=neurons, first=first, background=background, projections=projections)


# ---- Brian2 model ----------------------------------------------------------

def simulate(network, seed, duration_ms, target, alignment, multapses):
    from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, defaultclock, prefs, seed as brian_seed,
                        ms, mV, nA, nF, Hz)
    prefs.codegen.target = target
    prefs.logging.console_log_level = "ERROR"
    brian_seed(seed)
    rng = np.random.default_rng(seed)
    dt = network["dt"]
    defaultclock.dt = dt * ms
    n_total = sum(p["size"] for p in network["neurons"])

    def per_neuron(name):
        return np.concatenate([np.full(p["size"], p["params"][name]) for p in network["neurons"]])

    eqs = """
    dv/dt = (v_rest - v) / tau_m + (ie - ii + i_offset) / c_m : volt (unless refractory)
    die/dt = -ie / tau_e : amp
    dii/dt = -ii / tau_i : amp
    v_rest : volt (constant)
    tau_m : second (constant)
    c_m : farad (constant)
    tau_e : second (constant)
    tau_i : second (constant)
    i_offset : amp (constant)
    v_thresh : volt (constant)
    v_reset : volt (constant)
    t_refrac : second (constant)
    bg_lambda : 1 (constant)
    bg_weight : amp (constant)
    bg_first_step : integer (constant)
    """
    g = NeuronGroup(n_total, eqs, threshold="v >= v_thresh", reset="v = v_reset", refractory="t_refrac",
                    method="exact")
    g.v_rest = per_neuron("v_rest") * mV
    g.tau_m = per_neuron("tau_m") * ms
    g.c_m = per_neuron("cm") * nF
    g.tau_e = per_neuron("tau_syn_E") * ms
    g.tau_i = per_neuron("tau_syn_I") * ms
    g.i_offset = per_neuron("i_offset") * nA
    g.v_thresh = per_neuron("v_thresh") * mV
    g.v_reset = per_neuron("v_reset") * mV
    # Spindle holds v for R steps after the spike step; Brian2 counts from its start.
    g.t_refrac = (np.round(per_neuron("tau_refrac") / dt) + 1) * dt * ms
    g.v = np.concatenate([draw(p["v0"], p["size"], rng, p["label"] + ".initial_values.v")
                          for p in network["neurons"]]) * mV

    lam, w_bg, first_step = np.zeros(n_total), np.zeros(n_total), np.zeros(n_total, dtype=int)
    for b in network["background"]:
        lo = network["first"][b["post"]]
        hi = lo + network["neurons"][list(network["first"]).index(b["post"])]["size"]
        if lam[lo:hi].any():
            raise SystemExit(f"{b['post']}: more than one Poisson background is not supported here")
        lam[lo:hi] = b["rate"] * dt * 1e-3
        w_bg[lo:hi] = b["weight"]
        first_step[lo:hi] = math.floor(b["delay"] / dt + 0.5 + 1e-9)
    g.bg_lambda = lam
    g.bg_weight = w_bg * nA
    g.bg_first_step = first_step
    # A source's count drawn in tick k reaches the neuron at the start of
    # step k + d; in the steady state that is a count every step from d on.
    g.run_regularly("ie += bg_weight * poisson(bg_lambda) * int(t >= bg_first_step * dt - 0.5 * dt)",
                    when="start")

    pre_idx = {False: [], True: []}
    post_idx = {False: [], True: []}
    weights = {False: [], True: []}
    delays = {False: [], True: []}
    sizes = {p["label"]: p["size"] for p in network["neurons"]}
    for pr in network["projections"]:
        n_pre, n_post = sizes[pr["pre"]], sizes[pr["post"]]
        if multapses:
            # NEST's fixed_total_number / PyNN's FixedTotalNumberConnector: the
            # expected count of the file's fixed_probability, pairs drawn with
            # replacement.
            count = int(round(pr["p"] * n_pre * n_post))
            pre = rng.integers(0, n_pre, count)
            post = rng.integers(0, n_post, count)
        else:
            post, pre = np.nonzero(rng.random((n_post, n_pre)) < pr["p"])
            count = len(pre)
        magnitude = np.abs(draw(pr["weight"], count, rng, pr["where"] + ".weight"))
        delay_ms = draw(pr["delay"], count, rng, pr["where"] + ".delay")
        ticks = np.floor(delay_ms / dt + 0.5 + 1e-9).astype(int)
        if count and ticks.min() < 1:
            raise SystemExit(f"{pr['where']}.delay: a delay rounds to 0 ticks")
        inh = pr["inhibitory"]
        pre_idx[inh].append(pre + network["first"][pr["pre"]])
        post_idx[inh].append(post + network["first"][pr["post"]])
        weights[inh].append(magnitude)
        # Spindle's d ticks act as Brian2's d - 1 (docstring); NEST's act as Brian2's d.
        delays[inh].append((ticks - (1 if alignment == "spindle" else 0)) * dt)
    objects = [g]
    n_synapses = 0
    for inh in (False, True):
        if not pre_idx[inh]:
            continue
        s = Synapses(g, g, "w : amp (constant)", on_pre=("ii += w" if inh else "ie += w"))
        s.connect(i=np.concatenate(pre_idx[inh]), j=np.concatenate(post_idx[inh]))
        s.w = np.concatenate(weights[inh]) * nA
        s.delay = np.concatenate(delays[inh]) * ms
        n_synapses += len(s)
        objects.append(s)
    mon = SpikeMonitor(g)
    objects.append(mon)
    net = Network(*objects)
    start = time.process_time()
    net.run(duration_ms * ms)
    cpu = time.process_time() - start

    i = np.asarray(mon.i)
    t_ms = np.asarray(mon.t / ms)
    rates = {}
    for p in network["neurons"]:
        lo = network["first"][p["label"]]
        sel = (i >= lo) & (i < lo + p["size"])
        rates[p["label"]] = {
            "mean_hz": float(sel.sum() / p["size"] / (duration_ms * 1e-3)),
            "mean_after_transient_hz": float((sel & (t_ms >= TRANSIENT_MS)).sum() / p["size"]
                                             / ((duration_ms - TRANSIENT_MS) * 1e-3)),
        }
        if duration_ms > LATE_MS:
            rates[p["label"]]["mean_after_late_hz"] = float((sel & (t_ms >= LATE_MS)).sum() / p["size"]
                                                            / ((duration_ms - LATE_MS) * 1e-3))
    return {"seed": seed, "synapses": n_synapses, "cpu_seconds": round(cpu, 1), "rates": rates}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--network", default=os.path.join(ROOT, "examples", "networks", "microcircuit_10pct.textproto"))
    ap.add_argument("--duration", type=float, default=1000.0, help="ms")
    ap.add_argument("--seeds", default="1,2,3,4,5", help="comma-separated Brian2 seeds")
    ap.add_argument("--target", default="cython", choices=["cython", "numpy"], help="Brian2 code generation")
    ap.add_argument("--delay-alignment", default="spindle", choices=["spindle", "nest"],
                    help="spindle: a delay of d ticks first acts on step n + d (Spindle's rule); "
                         "nest: on step n + d + 1 (NEST's and Brian2's)")
    ap.add_argument("--multapses", action="store_true",
                    help="draw each projection's synapses as a fixed total with replacement (NEST's "
                         "fixed_total_number) instead of the file's fixed_probability")
    ap.add_argument("--out", default=os.path.join(HERE, "data", "microcircuit_brian2.json"))
    a = ap.parse_args()
    if a.duration <= TRANSIENT_MS:
        ap.error(f"--duration must exceed the {TRANSIENT_MS:g} ms transient")
    network = read_network(a.network)
    runs = []
    for s in [int(x) for x in a.seeds.split(",")]:
        r = simulate(network, s, a.duration, a.target, a.delay_alignment, a.multapses)
        print(json.dumps(r), file=sys.stderr)
        runs.append(r)
    out = {"network": os.path.relpath(os.path.abspath(a.network), ROOT), "duration_ms": a.duration,
           "transient_ms": TRANSIENT_MS, "dt_ms": network["dt"], "brian2_target": a.target,
           "delay_alignment": a.delay_alignment,
           "multapses": a.multapses,
           "populations": [p["label"] for p in network["neurons"]], "runs": runs}
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
