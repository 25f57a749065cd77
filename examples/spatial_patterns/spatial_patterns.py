#!/usr/bin/env python3
"""Supervised learning of spatial patterns with STDP and homeostasis
(after Davies, Gait, Rowley & Di Nuovo, Neurocomputing 611:128650, 2025),
run on Spindle. docs/examples.md, "Spatial patterns", explains the network
and its results.

    spatial_patterns.py SPINDLE [--out DIR] [--svg OUT.svg] [--doc docs/examples.md]
                                [--example OUT.textproto]

A detector is one IF_curr_exp_adaptive neuron reading B = 10 bits through
2B inputs (bit i is input 2i when it is 1 and input 2i+1 when it is 0, so
every pattern is B simultaneous spikes). Training (one run, every detector
at once, each on its own inputs): each trained pattern is shown once a slot
(50 ms) in turn; its first showing is followed by a teacher spike, so pair
STDP takes its B synapses from 0 to w_max in one pairing; the homeostatic
threshold (target rate: one spike a slot) then falls from far above until
the trained patterns alone make the neuron fire, and settles within eta_h
of their drive. Test (a second run, the trained detectors frozen: the
learned weights as static weights, the threshold the neuron last fired at
as v_thresh): all 2^B patterns, one a slot, shared by every detector.

A detector fires for a pattern when every input it has learned covers the
pattern's bit, i.e. for the patterns whose bit i is one of the trained
patterns' values at bit i, for every i: 2^D patterns, D the number of bits
on which the trained patterns disagree. The script checks that the set each
detector fires for is exactly that set (one trained pattern: only itself,
the ideal detector), prints the table docs/examples.md quotes (with --doc
every row must be in that file) and, with --svg, draws accuracy and
precision against the Hamming distance between the trained patterns.
Exit status 1 when a check fails.
"""
import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from spindle_run import run_network as run  # noqa: E402
from svg_chart import Chart  # noqa: E402

BITS = 10
PATTERNS = 1 << BITS
SLOT_MS = 50               # one pattern a slot; long enough for the membrane to forget it
TRAIN_SLOTS = 240          # the threshold's fall from 15 mV to ~10 mV takes ~100 slots
W_MAX = 1.5                # nA: one input's peak depolarisation ~0.6 mV at dt 1 ms
TEACHER_WEIGHT = 40.0      # nA: fires the detector whatever its threshold
ETA_H = 0.05               # mV a spike; the threshold settles within ETA_H of the drive
TARGET_RATE = 1000.0 / SLOT_MS  # Hz: one spike a slot
NEURON = {
    "cm": 1.0, "tau_m": 5.0, "tau_syn_E": 1.0, "tau_syn_I": 1.0, "tau_refrac": 10.0,
    "v_rest": -65.0, "v_reset": -65.0,
}
V_THRESH_START = -50.0     # mV: far above any pattern's drive (~6 mV)
STDP = ("timing_dependence { tau_plus: 20 tau_minus: 10 A_plus: 3 A_minus: 0.75 }\n"
        f"      additive {{ w_min: 0 w_max: {W_MAX} }}")
SEED = 2025


def bits(p):
    return [(p >> i) & 1 for i in range(BITS)]


def inputs_of(p):
    """The 2B-input code of pattern p: the index of the input that fires for each bit."""
    return [2 * i + (1 - b) for i, b in enumerate(bits(p))]


def hamming(a, b):
    return bin(a ^ b).count("1")


def detectors(rng):
    """(k trained patterns, nominal distance d, patterns) for every detector.

    k = 1: four random patterns. k = 2: the second pattern is the first with d
    random bits flipped, d = 1..B, two draws each. k = 3: the second and third
    are the first with d random bits flipped each (independent draws), d =
    1..6, two draws each."""
    out = []
    for _ in range(4):
        out.append((1, 0, [rng.randrange(PATTERNS)]))
    for k, dmax in ((2, BITS), (3, 6)):
        for d in range(1, dmax + 1):
            for _ in range(2):
                first = rng.randrange(PATTERNS)
                pats = [first]
                while len(pats) < k:
                    mask = sum(1 << i for i in rng.sample(range(BITS), d))
                    if first ^ mask not in pats:
                        pats.append(first ^ mask)
                out.append((k, d, pats))
    return out


def span(pats):
    """The patterns a detector trained on pats fires for (see the module doc)."""
    allowed = [set(b[i] for b in map(bits, pats)) for i in range(BITS)]
    return {p for p in range(PATTERNS) if all(bits(p)[i] in allowed[i] for i in range(BITS))}


def spike_trains(trains):
    return "".join("    per_neuron { times: [" + ", ".join(f"{t:g}" for t in ts) + "] }\n" for ts in trains)


def neuron_fields(v_thresh_list=None, adaptive=True):
    lines = [f"    {k} {{ constant: {v} }}" for k, v in NEURON.items()]
    if v_thresh_list is None:
        lines.append(f"    v_thresh {{ constant: {V_THRESH_START} }}")
    else:
        lines.append("    v_thresh { list { values: [" + ", ".join(repr(v) for v in v_thresh_list) + "] } }")
    if adaptive:
        lines.append(f"    eta_h {{ constant: {ETA_H} }}")
        lines.append(f"    target_rate {{ constant: {TARGET_RATE:g} }}")
    return "\n".join(lines) + "\n"


def training_network(dets):
    """Every detector on its own 2B inputs and teacher; times in ms."""
    n = len(dets)
    trains = [[] for _ in range(2 * BITS * n)]
    teacher = [[] for _ in range(n)]
    for j, (_, _, pats) in enumerate(dets):
        for s in range(TRAIN_SLOTS):
            t = s * SLOT_MS + 1
            for i in inputs_of(pats[s % len(pats)]):
                trains[j * 2 * BITS + i].append(t)
            if s < len(pats):
                teacher[j].append(t)
    conns = "".join(f"      connections {{ pre: {j * 2 * BITS + i} post: {j} }}\n"
                    for j in range(n) for i in range(2 * BITS))
    return (f"run {{ timestep_ms: 1 duration_ms: {TRAIN_SLOTS * SLOT_MS} seed: {SEED} }}\n"
            f"populations {{\n  label: \"inputs\"\n  size: {2 * BITS * n}\n  spike_source_array {{\n"
            f"{spike_trains(trains)}  }}\n}}\n"
            f"populations {{\n  label: \"teacher\"\n  size: {n}\n  spike_source_array {{\n"
            f"{spike_trains(teacher)}  }}\n}}\n"
            f"populations {{\n  label: \"detectors\"\n  size: {n}\n  if_curr_exp_adaptive {{\n"
            f"{neuron_fields()}  }}\n}}\n"
            "projections {\n  label: \"learning\"\n  pre: \"inputs\"\n  post: \"detectors\"\n"
            "  receptor: EXCITATORY\n"
            f"  connector {{\n    from_list {{\n{conns}    }}\n  }}\n"
            "  weight { constant: 0 }\n  delay { constant: 1 }\n"
            f"  synapse_dynamics {{\n    stdp {{\n      {STDP}\n    }}\n  }}\n}}\n"
            "projections {\n  label: \"teaching\"\n  pre: \"teacher\"\n  post: \"detectors\"\n"
            "  receptor: EXCITATORY\n  connector { one_to_one {} }\n"
            f"  weight {{ constant: {TEACHER_WEIGHT} }}\n  delay {{ constant: 1 }}\n}}\n"
            "recordings { population: \"detectors\" variables: [SPIKES, THRESHOLD] }\n")


def test_network(weights, thresholds):
    """All 2^B patterns, one a slot, on 2B inputs every detector reads."""
    trains = [[] for _ in range(2 * BITS)]
    for p in range(PATTERNS):
        for i in inputs_of(p):
            trains[i].append(p * SLOT_MS + 1)
    conns = "".join(f"      connections {{ pre: {pre} post: {post} weight: {w!r} }}\n"
                    for (pre, post), w in sorted(weights.items()) if w > 0)
    n = len(thresholds)
    return (f"run {{ timestep_ms: 1 duration_ms: {PATTERNS * SLOT_MS} seed: {SEED} }}\n"
            f"populations {{\n  label: \"inputs\"\n  size: {2 * BITS}\n  spike_source_array {{\n"
            f"{spike_trains(trains)}  }}\n}}\n"
            f"populations {{\n  label: \"detectors\"\n  size: {n}\n  if_curr_exp_adaptive {{\n"
            f"{neuron_fields(thresholds, adaptive=False)}  }}\n}}\n"
            "projections {\n  label: \"trained\"\n  pre: \"inputs\"\n  post: \"detectors\"\n"
            "  receptor: EXCITATORY\n"
            f"  connector {{\n    from_list {{\n{conns}    }}\n  }}\n"
            "  delay { constant: 1 }\n}\n"
            "recordings { population: \"detectors\" variables: SPIKES }\n")


def spikes(out):
    by = {}
    for row in csv.DictReader(open(os.path.join(out, "spikes.csv"))):
        if row["population"] == "detectors":
            by.setdefault(int(row["neuron"]), []).append(float(row["time_ms"]))
    return by


def train(spindle, dets, work):
    out = run(spindle, training_network(dets), os.path.join(work, "train"))
    fired = spikes(out)
    # The threshold each detector last fired at: sampled at the start of the
    # tick of its last spike, less that tick's fall (eta_h x target_rate x dt).
    thr = {}
    for row in csv.DictReader(open(os.path.join(out, "state.csv"))):
        if row["variable"] == "threshold":
            thr[(int(row["neuron"]), float(row["time_ms"]))] = float(row["value"])
    thresholds = []
    for j in range(len(dets)):
        last = max(fired.get(j, [0.0]))
        thresholds.append(thr[(j, last)] - ETA_H * TARGET_RATE / 1000.0)
    weights = {}
    for row in csv.DictReader(open(os.path.join(out, "learning.weights.csv"))):
        pre, post = int(row["pre"]), int(row["post"])
        weights[(pre - post * 2 * BITS, post)] = float(row["weight"])
    late = [len([t for t in fired.get(j, []) if t >= (TRAIN_SLOTS - 20) * SLOT_MS]) for j in range(len(dets))]
    return weights, thresholds, late


def test(spindle, weights, thresholds, work):
    out = run(spindle, test_network(weights, thresholds), os.path.join(work, "test"))
    fired = spikes(out)
    return [set(int(t) // SLOT_MS for t in fired.get(j, [])) for j in range(len(thresholds))]


def metrics(pats, fired):
    trained = set(pats)
    tp = len(fired & trained)
    fp = len(fired - trained)
    fn = len(trained - fired)
    tn = PATTERNS - tp - fp - fn
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "accuracy": (tp + tn) / PATTERNS,
            "precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / len(trained)}


def disagreeing_bits(pats):
    return sum(1 for i in range(BITS) if len(set(b[i] for b in map(bits, pats))) > 1)


def table(dets, results):
    """Rows of docs/examples.md's table: one per (k, d), the draws pooled."""
    rows = []
    keys = sorted(set((k, d) for k, d, _ in dets))
    for k, d in keys:
        idx = [j for j, (kk, dd, _) in enumerate(dets) if (kk, dd) == (k, d)]
        ds = sorted(set(disagreeing_bits(dets[j][2]) for j in idx))
        m = [results[j] for j in idx]
        fp = sum(x["fp"] for x in m)
        tp = sum(x["tp"] for x in m)
        acc = sum(x["accuracy"] for x in m) / len(m)
        prec = sum(x["precision"] for x in m) / len(m)
        rec = sum(x["recall"] for x in m) / len(m)
        dist = "-" if k == 1 else str(d)
        rows.append(f"| {k} | {dist} | {', '.join(map(str, ds))} | {len(m)} | {tp} / {k * len(m)} | {fp} | "
                    f"{acc:.4f} | {prec:.3f} | {rec:.3f} |")
    return rows


def svg(path, dets, results):
    chart = Chart(x_ticks=[(d, str(d)) for d in range(1, BITS + 1)], y_range=(0.0, 1.0),
                  y_ticks=[0, 0.25, 0.5, 0.75, 1.0],
                  x_label="Hamming distance d between the trained patterns (3 patterns: each from the first)")
    for k, key, colour in ((2, "accuracy", "#1f77b4"), (2, "precision", "#1f77b4"),
                           (3, "accuracy", "#d62728"), (3, "precision", "#d62728")):
        pts = {}
        for j, (kk, d, _) in enumerate(dets):
            if kk == k:
                pts.setdefault(d, []).append(results[j][key])
        chart.series(f"{k} patterns, {key}", [(d, sum(v) / len(v)) for d, v in sorted(pts.items())], colour,
                     dashed=key == "precision", points=[(d, value) for d, v in pts.items() for value in v])
    chart.save(path)


EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "networks", "spatial_pattern.textproto")


def example_text():
    """The runnable one-detector training file (examples/networks/spatial_pattern.textproto)."""
    rng = random.Random(SEED)
    pattern = rng.randrange(PATTERNS)
    text = training_network([(1, 0, [pattern])])
    header = (
        "# proto-file: proto/spindle/v1/network.proto\n# proto-message: spindle.v1.Network\n#\n"
        "# Supervised learning of a spatial pattern with STDP and homeostasis (after\n"
        "# Davies et al. 2025; docs/examples.md, \"Spatial patterns\"): one detector\n"
        f"# learns the {BITS}-bit pattern {pattern:0{BITS}b} (bit 0 last), shown once every\n"
        f"# {SLOT_MS} ms as {BITS} simultaneous spikes on {2 * BITS} inputs (input 2i fires for bit i = 1,\n"
        "# 2i + 1 for 0). A teacher spike after the first showing lets pair STDP\n"
        "# take the pattern's synapses to w_max; the homeostatic threshold then\n"
        "# falls until the pattern alone fires the detector and settles there.\n"
        "# Written by examples/spatial_patterns/spatial_patterns.py --example.\n\n")
    return header + text


def example_rows(spindle, work):
    """Runs the example file; the rows docs/examples.md quotes of it."""
    out = os.path.join(work, "example")
    r = subprocess.run([spindle, "run", EXAMPLE, "--out", out], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"spindle run {EXAMPLE} failed ({r.returncode}):\n{r.stderr}")
    times = spikes(out).get(0, [])
    own = [t for t in times if t > SLOT_MS]  # after the teacher's slot
    thr = [float(row["value"]) for row in csv.DictReader(open(os.path.join(out, "state.csv")))
           if row["variable"] == "threshold" and float(row["time_ms"]) == own[-1]]
    slots = sorted(set(int(t) // SLOT_MS for t in own))
    every = slots == list(range(slots[0], TRAIN_SLOTS))
    return [f"| first spike without the teacher | {own[0]:g} ms (slot {slots[0]}) |",
            f"| spikes from then on | {len(own)}, {'one every slot' if every else 'NOT one a slot'}, "
            f"{own[0] - slots[0] * SLOT_MS - 1:g} ms after the pattern |",
            f"| threshold at the last spike | {thr[0]:.3f} mV |"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("spindle")
    ap.add_argument("--out", help="keep the networks and runs here (default: a temporary folder)")
    ap.add_argument("--svg")
    ap.add_argument("--doc")
    ap.add_argument("--example", help="write the one-detector training network here and stop")
    a = ap.parse_args()
    if a.example:
        with open(a.example, "w") as f:
            f.write(example_text())
        return 0
    dets = detectors(random.Random(SEED))
    with tempfile.TemporaryDirectory() as tmp:
        work = a.out or tmp
        weights, thresholds, late = train(a.spindle, dets, work)
        fired = test(a.spindle, weights, thresholds, work)
        ex_rows = example_rows(a.spindle, work)
    failures = []
    results = []
    for j, (k, d, pats) in enumerate(dets):
        results.append(metrics(pats, fired[j]))
        if late[j] != 20:
            failures.append(f"detector {j}: {late[j]} spikes in the last 20 training slots, not 20 (one a slot)")
        learned = sorted(i for (i, post), w in weights.items() if post == j and w > 0)
        expect = sorted(set(i for p in pats for i in inputs_of(p)))
        if learned != expect:
            failures.append(f"detector {j}: learned inputs {learned}, expected {expect}")
        if fired[j] != span(pats):
            failures.append(f"detector {j} ({k} patterns {pats}): fires for {len(fired[j])} patterns, "
                            f"expected the {len(span(pats))} of its span")
    print("| trained patterns | d | D | detectors | trained found | false positives | accuracy | precision | recall |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    rows = table(dets, results)
    for r in rows:
        print(r)
    span_thr = [t - V_THRESH_START for t in thresholds]
    print(f"learned threshold offsets: {min(span_thr):.3f} to {max(span_thr):.3f} mV")
    for r in ex_rows:
        print(r)
    if open(EXAMPLE).read() != example_text():
        failures.append(f"{EXAMPLE} is not what --example writes")
    if a.svg:
        svg(a.svg, dets, results)
    if a.doc:
        text = open(a.doc).read()
        failures += [f"{a.doc} lacks the row: {r}" for r in rows + ex_rows if r not in text]
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
