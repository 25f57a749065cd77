#!/usr/bin/python3
"""The Brian2 reference figures the documents quote, against the committed
reference data in tests/reference/data/.

  check_reference_figures.py REPO_DIR

Recomputes each Brian2 figure from the per-seed runs of the JSON files
(CUBA, COBA, the 10% microcircuit, Song-Abbott STDP) and checks that the
document contains it, formatted as below, in the sentence or table row
given (whitespace, line breaks included, compares as one space). Figures
the data do not hold (one-seed experiments, timing runs) are not checked.

"Mean ± sd" is the mean over seeds and the sample standard deviation
(ddof 1, statistics.stdev): that is what the documents used; the population
sd gives other digits (COBA exc 1.3 instead of 1.5, median 1.5 instead of
1.7, microcircuit L4E 500..1000 ms 0.08 instead of 0.09), and it is what
song_abbott_brian2.py and microcircuit_test.cpp compute too.

Exit 1 with a line (document, expected text) per figure not found.
"""
import json
import os
import re
import statistics
import sys

ANY = "<any>"  # a table cell that is not a Brian2 figure (Spindle's), not compared


def load(repo, name):
    with open(os.path.join(repo, "tests/reference/data", name), encoding="utf-8") as f:
        return json.load(f)


def ms(values, d):
    """'mean ± sd' over seeds, d decimals, sample sd."""
    return f"{statistics.mean(values):.{d}f} ± {statistics.stdev(values):.{d}f}"


def quantile(data, q, runs_key):
    """The per-seed values of one quantile of the per-neuron rates."""
    i = data["quantiles"].index(q)
    return [r[runs_key][i] for r in data["runs"]]


def figures(repo):
    """[(document, expected text)]: the table of what is checked."""
    cuba = load(repo, "cuba_brian2.json")
    coba = load(repo, "coba_brian2.json")
    micro = load(repo, "microcircuit_brian2.json")
    cu = {k: [r[k] for r in cuba["runs"]] for k in ("exc_mean_hz", "inh_mean_hz")}
    co = {k: [r[k] for r in coba["runs"]]
          for k in ("exc_mean_after_kick_hz", "inh_mean_after_kick_hz", "exc_rate_cv_after_kick")}
    co_median = quantile(coba, 0.5, "exc_rate_quantiles_after_kick_hz")
    n_cuba, n_coba, n_micro = len(cuba["runs"]), len(coba["runs"]), len(micro["runs"])
    pops = micro["populations"]

    def micro_row(key):
        return " | ".join(ms([r["rates"][p][key] for r in micro["runs"]], 2) for p in pops)

    table = [
        # CUBA: mean rates over 1 s, 1 decimal.
        ("docs/examples.md", f"Brian2 on the same network (`tests/reference/cuba_brian2.py`, {n_cuba} seeds): "
                             f"{ms(cu['exc_mean_hz'], 1)} / {ms(cu['inh_mean_hz'], 1)} Hz."),
        ("docs/models.md", f"whose mean rates in Brian2 over {n_cuba} seeds are {ms(cu['exc_mean_hz'], 1)} Hz (exc) "
                           f"and {ms(cu['inh_mean_hz'], 1)} Hz (inh)"),
        ("docs/cli.md", f"Brian2 gives {ms(cu['exc_mean_hz'], 1)} / {ms(cu['inh_mean_hz'], 1)} Hz on the same "
                        f"network over {n_cuba} seeds"),
        # COBA after the kick: rates and median 1 decimal, CV 2.
        ("docs/examples.md", f"| Brian2, {n_coba} seeds (mean ± sd) | {ms(co['exc_mean_after_kick_hz'], 1)} | "
                             f"{ms(co['inh_mean_after_kick_hz'], 1)} | {ms(co_median, 1)} | "
                             f"{ms(co['exc_rate_cv_after_kick'], 2)} |"),
        # "about": the mean over seeds of the 0.25 quantile to 1 Hz, of the 0.9 quantile to 5 Hz.
        ("docs/examples.md", "in Brian2 a quarter of the excitatory neurons fire below about "
                             f"{statistics.mean(quantile(coba, 0.25, 'exc_rate_quantiles_after_kick_hz')):.0f} Hz, "
                             "a tenth above about "
                             f"{5 * round(statistics.mean(quantile(coba, 0.9, 'exc_rate_quantiles_after_kick_hz')) / 5)} Hz"),
        ("docs/examples.md", f"seed by {statistics.stdev(co['exc_mean_after_kick_hz']):.1f} Hz in Brian2 itself"),
        # Microcircuit 10%: per-population rates, 2 decimals, in the JSON's population order.
        ("docs/examples.md", f"Rates over {micro['transient_ms']:.0f}..{micro['duration_ms']:.0f} ms "
                             "(Hz; Brian2 mean ± sd over seeds):"),
        ("docs/examples.md", "| population | " + " | ".join(pops) + " |"),
        ("docs/examples.md", f"| Brian2, {n_micro} seeds | {micro_row('mean_after_transient_hz')} |"),
        ("docs/examples.md", f"| Brian2, 500..{micro['duration_ms']:.0f} ms | {micro_row('mean_after_late_hz')} |"),
    ]

    # Song-Abbott: the Brian2 columns of the table (rates 2 decimals,
    # fractions 3, as check_song_abbott.py prints them); the Spindle column is
    # reference.song_abbott_stdp's.
    cores = load(repo, "song_abbott_brian2_as_cores.json")["dependences"]
    given = load(repo, "song_abbott_brian2.json")["dependences"]
    labels = [("rate_hz", "post rate, 100 s (Hz)", 2), ("rate_last_20s_hz", "post rate, last 20 s (Hz)", 2),
              ("frac_above_0.9_wmax", "weights > 0.9 w_max", 3), ("frac_below_0.1_wmax", "weights < 0.1 w_max", 3),
              ("mean_w_over_wmax", "mean weight / w_max", 3)]
    for dep in ("additive", "multiplicative"):
        for key, label, d in labels:
            c = [r[key] for r in cores[dep]["runs"]]
            g = statistics.mean(r[key] for r in given[dep]["runs"])
            table.append(("docs/examples.md", f"| {dep} | {label} | {ANY} | {ms(c, d)} | {g:.{d}f} |"))
    return table


def main(argv):
    repo = argv[1]
    docs = {}
    missing = []
    for doc, expected in figures(repo):
        if doc not in docs:
            with open(os.path.join(repo, doc), encoding="utf-8") as f:
                docs[doc] = re.sub(r"\s+", " ", f.read())  # compare across line breaks
        pattern = r"[^|]*".join(re.escape(part) for part in expected.split(ANY))
        if not re.search(pattern, docs[doc]):
            missing.append((doc, expected))
    for doc, expected in missing:
        print(f"{doc}: expected \"{expected}\"")
    print(f"{len(missing)} of {len(figures(repo))} Brian2 reference figures not in the documents")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
