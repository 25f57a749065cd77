#!/usr/bin/python3
"""Runs the commands a document shows and compares what they print.

  check_doc_commands.py SPINDLE_BIN REPO_DIR DOC.md [DOC.md ...]

A fenced block whose first line starts with "$ " is a console session:
each "$ COMMAND" line is run (bash, in a scratch folder where `examples`
is the repository's examples folder and `spindle` is SPINDLE_BIN), and the
lines after it, up to the next "$ " line, must be exactly what it printed
(stdout, then stderr). Wall-clock figures ("0.19 s") are not compared: a
number followed by " s" is replaced by "N s" on both sides, and the
progress lines a slow run prints on a non-terminal stderr ("running: 40%,
...", one a second at first) are dropped from the command's output, since
how many there are depends on the machine's speed. Inputs a block
needs that are not in the repository (broken.textproto, garbage.textproto,
fw.elf, fw.bin, a mount folder) come from this script's fixtures. Exit 1
with a diff per difference.
"""
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TIMING = re.compile(r"\b\d+(\.\d+)? s\b")
PROGRESS = re.compile(r"^running: \d+%, \d+ of \d+ ticks")


def sessions(path):
    """(line number, [(command, [expected lines])]) of each console block."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out, i = [], 0
    while i < len(lines):
        if lines[i].startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            body = lines[i + 1:j]
            if body and body[0].startswith("$ "):
                steps = []
                for line in body:
                    if line.startswith("$ "):
                        steps.append((line[2:], []))
                    else:
                        steps[-1][1].append(line)
                out.append((i + 1, steps))
            i = j + 1
        else:
            i += 1
    return out


def prepare(scratch, spindle, repo):
    os.symlink(os.path.join(repo, "examples"), os.path.join(scratch, "examples"))
    bin_dir = os.path.join(scratch, ".bin")
    os.mkdir(bin_dir)
    os.symlink(spindle, os.path.join(bin_dir, "spindle"))
    for name in os.listdir(os.path.join(HERE, "fixtures")):
        shutil.copy(os.path.join(HERE, "fixtures", name), scratch)
    return bin_dir


def main(argv):
    spindle, repo, docs = os.path.abspath(argv[1]), os.path.abspath(argv[2]), argv[3:]
    failed, checked = 0, 0
    for doc in docs:
        for line_no, steps in sessions(os.path.join(repo, doc)):
            with tempfile.TemporaryDirectory() as scratch:
                bin_dir = prepare(scratch, spindle, repo)
                env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"])
                for var in ("SPINDLE_CONNECT", "SPINDLE_CLIENT", "SPINDLE_TOKEN_FILE"):
                    env.pop(var, None)
                status = 0
                for command, expected in steps:
                    if command == "echo $?":
                        got = [str(status)]
                    else:
                        r = subprocess.run(["bash", "-c", command], cwd=scratch, env=env, capture_output=True,
                                           text=True, stdin=subprocess.DEVNULL)
                        status = r.returncode
                        got = (r.stdout + r.stderr).split("\n")
                        if got and got[-1] == "":
                            got.pop()
                        got = [l for l in got if not PROGRESS.match(l)]
                    checked += 1
                    want = [TIMING.sub("N s", l) for l in expected]
                    have = [TIMING.sub("N s", l) for l in got]
                    if want != have:
                        failed += 1
                        print(f"{doc}:{line_no}: $ {command}: the output differs (- document, + command):")
                        sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(want, have, lineterm="", n=1))
    print(f"check_doc_commands: {checked} commands, {failed} differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
