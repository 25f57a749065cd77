#!/usr/bin/env python3
"""Active dendrite segments as coincidence detectors on sparse distributed
representations (after Ahmad & Hawkins, "How do neurons operate on sparse
distributed representations? A mathematical theory of sparsity, neurons and
active dendrites", 2016), run on Spindle. docs/examples.md, "Active
dendrites on sparse representations", explains the networks and results.

    sdr_theory.py SPINDLE [--out DIR] [--svg OUT.svg] [--doc docs/examples.md]

False matches. Each timestep a fresh random SDR of a active cells out of n
fires (one spike source per cell). if_curr_exp_segments neurons with 8
segments sample s synapses per segment from the n cells (fixed_number_pre,
one DENDRITE_SEGMENT projection per segment) and fire an NMDA spike when
theta of them are active in the same step. A segment matches by chance with

    P_fm = sum_{b=theta}^{s} C(s,b) C(n-s,a-b) / C(n,a).

Noise. A stored pattern of a cells, each segment sampling s of them; each
step the pattern is shown with k of its cells replaced by cells outside it
(which no segment samples), so a - k of them fire. A segment still matches
with

    P_match = sum_{b=theta}^{s} C(s,b) C(a-s,a-k-b) / C(a,a-k).

Every (n, a, s, theta) and (a, s, k, theta) of the grid is one population
(256 neurons x 8 segments) in one run of 1000 steps: 2,048,000 segment-steps
a point. Each step's SDR is independent of the others, so the per-step
counts are independent and their spread gives the mean's standard error
even where segments sharing synapses make a step's matches correlated; the
check takes the larger of that and the binomial standard error and asks the
formula to lie inside the 99% interval (z = 2.576) of every point where
at least 10 matches (and 10 misses) are expected. With --svg it draws the false-positive and
false-negative rates against theta (the optimal-threshold curve). Exit
status 1 when a check fails.
"""
import argparse
import csv
import math
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from spindle_run import run_network  # noqa: E402
from svg_chart import Chart  # noqa: E402

NEURONS = 256          # a population per grid point
SEGMENTS = 8           # fw::kMaxSegments
STEPS = 1000           # SDRs a run
Z99 = 2.576
SEED = 2016

# (n, a, s, thetas): chance matches from about 4e-2 down to about 6e-5.
FALSE_MATCH_GRID = [
    (1024, 40, 20, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
    (256, 16, 24, [5, 6, 7]),
    (512, 32, 24, [5, 6, 7]),
]
# (a, s, k, thetas): a stored pattern of a cells with k of them moved.
NOISE_GRID = [
    (40, 20, 20, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
    (40, 20, 10, [10, 12, 14, 16]),
]


def comb(n, k):
    return math.comb(n, k) if 0 <= k <= n else 0


def p_false_match(n, a, s, theta):
    return sum(comb(s, b) * comb(n - s, a - b) for b in range(theta, s + 1)) / comb(n, a)


def p_match(a, s, k, theta):
    return sum(comb(s, b) * comb(a - s, a - k - b) for b in range(theta, s + 1)) / comb(a, a - k)


def network(cells, active, s, thetas):
    """`cells` sources; each step `active` random ones fire (times in ms,
    dt 1 ms, first SDR at 1 ms); a population per theta."""
    rng = random.Random(SEED + cells * 1000 + active)
    trains = [[] for _ in range(cells)]
    for t in range(1, STEPS + 1):
        for c in rng.sample(range(cells), active):
            trains[c].append(t)
    out = [f"run {{ timestep_ms: 1 duration_ms: {STEPS + 3} seed: {SEED} }}\n",
           f"populations {{\n  label: \"cells\"\n  size: {cells}\n  spike_source_array {{\n"]
    out += ["    per_neuron { times: [" + ", ".join(map(str, ts)) + "] }\n" for ts in trains]
    out.append("  }\n}\n")
    for theta in thetas:
        out.append(f"populations {{\n  label: \"theta{theta}\"\n  size: {NEURONS}\n  if_curr_exp_segments {{\n"
                   f"    n_segments {{ constant: {SEGMENTS} }}\n    segment_threshold {{ constant: {theta} }}\n"
                   "    v_thresh { constant: 1000 }\n  }\n}\n")
        for k in range(SEGMENTS):
            out.append(f"projections {{\n  label: \"theta{theta}_segment{k}\"\n  pre: \"cells\"\n"
                       f"  post: \"theta{theta}\"\n  receptor: DENDRITE_SEGMENT\n  segment: {k}\n"
                       f"  connector {{ fixed_number_pre {{ n: {s} }} }}\n"
                       "  weight { constant: 1 }\n  delay { constant: 1 }\n}\n")
        out.append(f"recordings {{ population: \"theta{theta}\" variables: SEGMENT_SPIKES }}\n")
    return "".join(out)


def matches(out, thetas):
    """Per theta: the NMDA spikes of each step of the SDRs (the sample at
    t + 2 ms shows the step the SDR of t reached the segments, 1 ms delay)."""
    per_step = {theta: [0] * STEPS for theta in thetas}
    for row in csv.DictReader(open(os.path.join(out, "state.csv"))):
        mask = int(float(row["value"]))
        if mask == 0:
            continue
        step = int(round(float(row["time_ms"]))) - 3
        if not 0 <= step < STEPS:
            sys.exit(f"NMDA spike at {row['time_ms']} ms, outside the SDRs' steps")
        per_step[int(row["population"][5:])][step] += bin(mask).count("1")
    return per_step


def estimate(counts):
    """Rate per segment-step, and its standard error: the larger of the
    binomial one and the one from the independent steps' spread."""
    trials = NEURONS * SEGMENTS
    total = sum(counts)
    rate = total / (trials * STEPS)
    mean = total / STEPS
    var = sum((c - mean) ** 2 for c in counts) / (STEPS - 1)
    se = max(math.sqrt(rate * (1 - rate) / (trials * STEPS)), math.sqrt(var / STEPS) / trials)
    return total, rate, se


def check(formula, rate, se):
    """Within the 99% interval, with the standard error at least the
    formula's binomial one; n/a where fewer than 10 matches (or misses)
    are expected."""
    trials = NEURONS * SEGMENTS * STEPS
    if min(formula, 1 - formula) * trials < 10:
        return True, "n/a"
    se = max(se, math.sqrt(formula * (1 - formula) / trials))
    ok = abs(rate - formula) <= Z99 * se
    return ok, "yes" if ok else "NO"


def experiment(spindle, work):
    rows, fp, fn = [], {}, {}
    for n, a, s, thetas in FALSE_MATCH_GRID:
        per = matches(run_network(spindle, network(n, a, s, thetas), os.path.join(work, f"fm_{n}_{a}_{s}")), thetas)
        for theta in thetas:
            total, rate, se = estimate(per[theta])
            formula = p_false_match(n, a, s, theta)
            ok, within = check(formula, rate, se)
            rows.append(("false match", f"n={n} a={a} s={s}", theta, formula, total, rate, se, within, ok))
            if (n, a, s) == FALSE_MATCH_GRID[0][:3]:
                fp[theta] = (formula, rate, se)
    for a, s, k, thetas in NOISE_GRID:
        per = matches(run_network(spindle, network(a, a - k, s, thetas), os.path.join(work, f"noise_{a}_{s}_{k}")), thetas)
        for theta in thetas:
            total, rate, se = estimate(per[theta])
            formula = p_match(a, s, k, theta)
            ok, within = check(formula, rate, se)
            rows.append(("match", f"a={a} s={s} k={k}", theta, formula, total, rate, se, within, ok))
            if (a, s, k) == NOISE_GRID[0][:3]:
                fn[theta] = (1 - formula, 1 - rate, se)
    return rows, fp, fn


def table(rows):
    lines = ["| test | grid point | theta | formula | NMDA spikes | measured | within 99% |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for kind, point, theta, formula, total, rate, se, within, _ in rows:
        lines.append(f"| {kind} | {point} | {theta} | {formula:.3e} | {total} | {rate:.3e} | {within} |")
    return lines


def svg(path, fp, fn):
    """log10 of the false-positive (chance match, n=1024 a=40 s=20) and
    false-negative (50% noise: a=40 s=20 k=20) rates against theta."""
    thetas = sorted(fp)
    floor = -7.0

    def lg(x):
        return max(floor, math.log10(x)) if x > 0 else floor
    chart = Chart(x_ticks=[(t, str(t)) for t in thetas], y_range=(floor, 0), y_ticks=[-7, -6, -5, -4, -3, -2, -1, 0],
                  x_label="segment threshold theta (n=1024, a=40, s=20; noise: 20 of 40 cells moved)")
    chart.series("log10 false pos.", [(t, lg(fp[t][0])) for t in thetas], "#c33", dashed=True,
                 points=[(t, lg(fp[t][1])) for t in thetas if fp[t][1] > 0])
    chart.series("log10 false neg.", [(t, lg(fn[t][0])) for t in thetas], "#36c", dashed=True,
                 points=[(t, lg(fn[t][1])) for t in thetas if fn[t][1] > 0])
    chart.series("log10 sum (formula)", [(t, lg(fp[t][0] + fn[t][0])) for t in thetas], "#333")
    chart.save(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("spindle")
    ap.add_argument("--out", help="keep the runs here (default: a temporary folder)")
    ap.add_argument("--svg", help="write the optimal-threshold chart here")
    ap.add_argument("--doc", help="every table row printed must be in this file")
    args = ap.parse_args()
    work = args.out or tempfile.mkdtemp(prefix="sdr_theory.")
    rows, fp, fn = experiment(args.spindle, work)
    lines = table(rows)
    print("\n".join(lines))
    best = min(fp, key=lambda t: fp[t][0] + fn[t][0])
    print(f"optimal theta (formula, n=1024 a=40 s=20, 50% noise): {best}")
    failed = [r for r in rows if not r[-1]]
    for r in failed:
        print(f"FAIL: {r[0]} {r[1]} theta {r[2]}: measured {r[5]:.3e} +- {r[6]:.2e}, formula {r[3]:.3e}")
    if args.svg:
        svg(args.svg, fp, fn)
    if args.doc:
        doc = open(args.doc).read()
        missing = [line for line in lines[2:] + [f"optimal theta (formula, n=1024 a=40 s=20, 50% noise): {best}"]
                   if line not in doc]
        for line in missing:
            print(f"not in {args.doc}: {line}")
        if missing:
            sys.exit(1)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
