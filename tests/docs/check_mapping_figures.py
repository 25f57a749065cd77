#!/usr/bin/python3
"""The mapping figures docs/mapping.md quotes, against `spindle map` and
`compress_bench`.

  check_mapping_figures.py SPINDLE_BIN COMPRESS_BENCH|- REPO_DIR

Maps CUBA (native, ARM-sized slices, and with time_scale_factor 1) and the
full-scale microcircuit on boards:3x3 and checks the slice, chip and table
counts the document gives; with COMPRESS_BENCH (not "-"), runs it once and
checks the entry counts of the compression table. Timings are not compared.
Exit 1 when the document says something else.
"""
import json
import os
import re
import subprocess
import sys
import tempfile


def spindle_map(spindle, network, *args):
    r = subprocess.run([spindle, "map", network, *args], capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def sizes(report):
    return [hi - lo for lo, hi in (s["atoms"] for s in report["slices"])]


def main(argv):
    spindle, bench, repo = argv[1:4]
    with open(os.path.join(repo, "docs/mapping.md"), encoding="utf-8") as f:
        doc = re.sub(r"\s+", " ", f.read())  # compare across line breaks
    cuba = os.path.join(repo, "examples/networks/cuba.textproto")
    native = spindle_map(spindle, cuba)
    arm = spindle_map(spindle, cuba, "--backend", "qemu")
    with tempfile.TemporaryDirectory() as scratch:
        f1 = os.path.join(scratch, "cuba_factor1.textproto")
        with open(cuba, encoding="utf-8") as src, open(f1, "w", encoding="utf-8") as dst:
            dst.write(re.sub(r"^run \{", "run { time_scale_factor: 1", src.read(), count=1, flags=re.M))
        factor1 = spindle_map(spindle, f1)
    arm_per_core = max(p["atoms_per_core"] for p in arm["populations"])
    mc = spindle_map(spindle, os.path.join(repo, "examples/networks/large/microcircuit_100pct.textproto"),
                     "--machine", "boards:3x3")
    over = sum(1 for c in mc["chips"] if c["table_entries_before"] > mc["machine"]["router_table_capacity"])
    expected = [
        f"CUBA at dt = 0.1 ms: {native['summary']['slices']} native cores of up to {max(sizes(native))} neurons",
        f"or {arm['summary']['slices']} of up to {arm_per_core} as ARM images",
        f"{factor1['summary']['slices']} cores of {min(sizes(factor1))}-{max(sizes(factor1))} at factor 1",
        f"cuts into {mc['summary']['slices']:,} slices at dt = 0.1 ms on {mc['summary']['chips_used']} chips",
        f"{over} of the tables exceed 1,024 entries",
    ]
    if bench != "-":
        r = subprocess.run([bench, "--benchmark_filter=compress/(interleaved|per_vertex|random)",
                            "--benchmark_min_time=0.001", "--benchmark_format=json"],
                           capture_output=True, text=True, check=True)
        got = {b["name"]: b for b in json.loads(r.stdout)["benchmarks"]}

        def to_1024(name):
            n = int(got[name]["entries_1024"])
            return f"fits ({n:,})" if n else "does not fit"

        for table in ("interleaved5", "interleaved12x3", "per_vertex", "random40"):
            ref, trie = f"compress/{table}/refined", f"compress/{table}/trie_nodes"
            row = re.search(rf"\| `{table}`:[^|]*\|([^|]*)\|([^|]*)\|([^|]*)\|([^|]*)\|", doc)
            if not row:
                expected.append(f"a table row for `{table}`")
                continue
            cells = [c.strip() for c in row.groups()]
            for cell, want in ((cells[0], to_1024(ref)), (cells[1], f"{int(got[ref]['entries_min']):,}"),
                               (cells[2], to_1024(trie)), (cells[3], f"{int(got[trie]['entries_min']):,}")):
                ok = cell.startswith(want) and (want.startswith("does") or cell[len(want):len(want) + 1] in ("", ","))
                expected.append(cell if ok else f"`{table}` row: '{want}' (the document has '{cell}')")
    failed = 0
    for text in expected:
        if text in doc:
            print(f"ok: {text}")
        else:
            failed += 1
            print(f"FAIL: docs/mapping.md does not say '{text}'")
    print(f"check_mapping_figures: {failed} differences")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
