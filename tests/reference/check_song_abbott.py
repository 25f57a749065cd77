#!/usr/bin/env python3
"""Song, Miller & Abbott (2000) STDP competition: Spindle against Brian2.

Runs examples/networks/song_abbott_{additive,multiplicative}.textproto with
`spindle run --seed S` for the seeds of the Brian2 reference and compares
with Brian2 given the amplitudes the cores use
(tests/reference/data/song_abbott_brian2_as_cores.json, made by
`song_abbott_brian2.py --amplitudes as-cores`: A_plus and A_minus rounded to
the 16-bit weight unit, 336 and 352 units, whose ratio 1.0476 instead of
1.05 moves additive STDP's drift, A_minus / A_plus - 1, by 5%; the rounding
is reported by the quantization report, and the run with the amplitudes as
given, song_abbott_brian2.json, is printed for information), per weight dependence, the mean over seeds of the post rate
(whole run and last 20 s), the fractions of weights above 0.9 w_max and below
0.1 w_max and the mean weight. The bound on a difference of means is
K x sqrt(sd_spindle^2 / n + sd_brian2^2 / n) (seed-to-seed spread, n seeds
each) plus the fixed-point term: a weight's resolution (w_max / 2^15 at
most) and the tables' 0.1 ms bins are far below the seed spread, so they add
RESOLUTION. Shapes: additive is bimodal (the end bins each hold more than
twice a middle bin's mean), multiplicative unimodal (no weight in the end
tenths).

    check_song_abbott.py SPINDLE REPO [--svg OUT.svg] [--doc docs/examples.md]

With --svg, writes the weight histograms (first seed, both rules, Spindle
against the Brian2 mean) as an SVG picture; with --doc, the table rows it
prints must be in that document (the figures docs/examples.md quotes).
"""
import argparse
import csv
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

K = 3.0
RESOLUTION = {"rate_hz": 0.0, "rate_last_20s_hz": 0.0, "frac_above": 0.001, "frac_below": 0.001, "mean_w": 0.001}
W_MAX = 0.001  # uS, the files' w_max
BINS = 20


def run(spindle, network, seed, out):
    r = subprocess.run([spindle, "run", network, "--seed", str(seed), "--out", out],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"spindle run {network} --seed {seed} failed ({r.returncode}):\n{r.stderr}")
    run_json = json.load(open(os.path.join(out, "run.json")))
    duration_s = run_json["duration_ms"] / 1000.0
    times = [float(row["time_ms"]) for row in csv.DictReader(open(os.path.join(out, "spikes.csv")))
             if row["population"] == "neuron"]
    weights = [float(row["weight"]) for row in csv.DictReader(open(os.path.join(out, "inputs-_neuron.weights.csv")))]
    last = [t for t in times if t >= (duration_s - 20.0) * 1000.0]
    hist = [0] * BINS
    for w in weights:
        hist[min(BINS - 1, max(0, int(w / W_MAX * BINS)))] += 1
    n = len(weights)
    return {
        "rate_hz": len(times) / duration_s,
        "rate_last_20s_hz": len(last) / 20.0,
        "frac_above": sum(w > 0.9 * W_MAX for w in weights) / n,
        "frac_below": sum(w < 0.1 * W_MAX for w in weights) / n,
        "mean_w": sum(weights) / n / W_MAX,
        "hist": [h / n for h in hist],
    }


BRIAN_KEYS = {"rate_hz": "rate_hz", "rate_last_20s_hz": "rate_last_20s_hz", "frac_above": "frac_above_0.9_wmax",
              "frac_below": "frac_below_0.1_wmax", "mean_w": "mean_w_over_wmax"}


LABELS = {"rate_hz": "post rate, 100 s (Hz)", "rate_last_20s_hz": "post rate, last 20 s (Hz)",
          "frac_above": "weights > 0.9 w_max", "frac_below": "weights < 0.1 w_max", "mean_w": "mean weight / w_max"}


def svg(path, results, ref):
    width, height, pad = 720, 300, 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
             '<rect width="100%" height="100%" fill="white"/>']
    panel = (width - 3 * pad) / 2
    for i, dep in enumerate(["additive", "multiplicative"]):
        x0 = pad + i * (panel + pad)
        spindle_hist = results[dep][0]["hist"]
        brian = [statistics.mean(r["weight_hist_fractions"][b] for r in ref[dep]["runs"]) for b in range(BINS)]
        top = max(max(spindle_hist), max(brian)) * 1.1
        y0, h = height - pad, height - 2 * pad
        bw = panel / BINS
        for b in range(BINS):
            bh = spindle_hist[b] / top * h
            parts.append(f'<rect x="{x0 + b * bw + 1:.1f}" y="{y0 - bh:.1f}" width="{bw - 2:.1f}" height="{bh:.1f}" fill="#4a7ab5"/>')
        pts = " ".join(f"{x0 + (b + 0.5) * bw:.1f},{y0 - brian[b] / top * h:.1f}" for b in range(BINS))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="#d4502a" stroke-width="2"/>')
        parts.append(f'<line x1="{x0}" y1="{y0}" x2="{x0 + panel}" y2="{y0}" stroke="black"/>')
        parts.append(f'<text x="{x0}" y="{y0 + 14}">0</text><text x="{x0 + panel - 30}" y="{y0 + 14}">w_max</text>')
        parts.append(f'<text x="{x0}" y="{pad - 18}" font-size="13">{dep}: final weights, 1000 synapses, 100 s</text>')
    parts.append(f'<text x="{pad}" y="{height - 6}">bars: Spindle (seed 1); line: Brian2, mean of 5 seeds (fraction of synapses per bin)</text>')
    parts.append("</svg>")
    open(path, "w").write("\n".join(parts) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spindle")
    ap.add_argument("repo")
    ap.add_argument("--svg")
    ap.add_argument("--doc")
    a = ap.parse_args()
    ref = json.load(open(os.path.join(a.repo, "tests/reference/data/song_abbott_brian2_as_cores.json")))["dependences"]
    given = json.load(open(os.path.join(a.repo, "tests/reference/data/song_abbott_brian2.json")))["dependences"]
    ok = True
    results = {}
    doc_lines = []
    with tempfile.TemporaryDirectory() as work:
        for dep in ["additive", "multiplicative"]:
            network = os.path.join(a.repo, f"examples/networks/song_abbott_{dep}.textproto")
            seeds = [r["seed"] for r in ref[dep]["runs"]]
            results[dep] = [run(a.spindle, network, s, os.path.join(work, f"{dep}-{s}")) for s in seeds]
            n = len(seeds)
            for key, brian_key in BRIAN_KEYS.items():
                s_vals = [r[key] for r in results[dep]]
                b_vals = [r[brian_key] for r in ref[dep]["runs"]]
                sm, ssd = statistics.mean(s_vals), statistics.stdev(s_vals)
                bm, bsd = statistics.mean(b_vals), statistics.stdev(b_vals)
                bound = K * math.sqrt(ssd ** 2 / n + bsd ** 2 / n) + RESOLUTION[key]
                good = abs(sm - bm) <= bound
                ok &= good
                gm = statistics.mean(r[brian_key] for r in given[dep]["runs"])
                print(f"{'ok  ' if good else 'FAIL'} {dep:14s} {key:17s} spindle {sm:.4f} +- {ssd:.4f}  "
                      f"brian2 {bm:.4f} +- {bsd:.4f}  |diff| {abs(sm - bm):.4f} <= {bound:.4f}"
                      f"  (brian2, amplitudes as given: {gm:.4f})")
                d = 2 if key.startswith("rate") else 3
                doc_lines.append(f"| {dep} | {LABELS[key]} | {sm:.{d}f} ± {ssd:.{d}f} | {bm:.{d}f} ± {bsd:.{d}f} | "
                                 f"{gm:.{d}f} |")
            hists = [r["hist"] for r in results[dep]]
            mean_hist = [statistics.mean(h[b] for h in hists) for b in range(BINS)]
            middle = statistics.mean(mean_hist[5:15])
            if dep == "additive":
                good = mean_hist[0] > 2 * middle and mean_hist[-1] > 2 * middle
                what = f"bimodal: end bins {mean_hist[0]:.3f}, {mean_hist[-1]:.3f} > 2 x middle {middle:.3f}"
            else:
                good = all(r["frac_above"] == 0 and r["frac_below"] == 0 for r in results[dep]) and \
                    sum(mean_hist[8:12]) > 0.9
                what = f"unimodal: no weight in the end tenths, {sum(mean_hist[8:12]):.3f} in [0.4, 0.6) w_max"
            ok &= good
            print(f"{'ok  ' if good else 'FAIL'} {dep:14s} shape: {what}")
    if a.svg:
        svg(a.svg, results, ref)
    print("\n".join(doc_lines))
    if a.doc:
        text = open(os.path.join(a.repo, a.doc), encoding="utf-8").read()
        for line in doc_lines:
            if line not in text:
                print(f"FAIL {a.doc} does not have the row: {line}")
                ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
