#!/usr/bin/python3
"""docs/dependencies.md against the CMake files' target_link_libraries.

  check_dependencies.py REPO_DIR

Reads every target_link_libraries call in the repository's CMakeLists.txt
and *.cmake files (not build trees) and the document's "What links what"
paragraph: clauses separated by ";", each naming targets in backquotes (or
"the tests" / "the benchmarks": the targets of tests/ and bench/) and the
libraries they link by the names below. Checks that

- each library the paragraph gives a target is linked by it, directly or
  through the project's libraries it links;
- each library a named target links directly is in its clause;
- each library any target links has its Debian package in the package
  table, and each library package of the table is linked by some target;
- no target links an imported library this script does not know (add it
  to LIBRARIES and to the document).

Exit 1 with a line per difference.
"""
import os
import re
import sys

# Imported CMake targets (regex on the full name, first match wins) -> the
# name the document uses and the Debian package that provides it.
LIBRARIES = [
    (r"protobuf::", "protobuf", "libprotobuf-dev"),
    (r"gRPC::", "gRPC", "libgrpc++-dev"),
    (r"fmt::", "fmt", "libfmt-dev"),
    (r"nlohmann_json::", "nlohmann-json", "nlohmann-json3-dev"),
    (r"ZLIB::", "zlib", "zlib1g-dev"),
    (r"PNG::", "libpng", "libpng-dev"),
    (r"CLI11::", "CLI11", "libcli11-dev"),
    (r"OpenSSL::", "OpenSSL", "libssl-dev"),
    (r"GTest::gmock", "GoogleTest", "libgmock-dev"),
    (r"GTest::", "GoogleTest", "libgtest-dev"),
    (r"benchmark::", "Google Benchmark", "libbenchmark-dev"),
]
NAMES = sorted({name for _, name, _ in LIBRARIES}, key=len, reverse=True)
GROUPS = {"the tests": "tests", "the benchmarks": "bench"}


def library(token):
    """(name, package) of an imported target, None for anything else."""
    for pattern, name, package in LIBRARIES:
        if re.match(pattern, token):
            return name, package
    return None


def cmake_links(repo):
    """{target: (the file of its call, [linked items])} over every call."""
    links = {}
    for root, dirs, files in os.walk(repo):
        dirs[:] = [d for d in dirs if not d.startswith("build") and not d.startswith(".")]
        for f in files:
            if f != "CMakeLists.txt" and not f.endswith(".cmake"):
                continue
            path = os.path.join(root, f)
            with open(path, encoding="utf-8") as src:
                text = re.sub(r"(^|\s)#.*$", r"\1", src.read(), flags=re.M)  # comments
            for m in re.finditer(r"\btarget_link_libraries\s*\(([^)]*)\)", text):
                words = m.group(1).split()
                if not words:
                    continue
                rel = os.path.relpath(path, repo)
                # A function's target variable ("${name}") stands for its targets.
                target = f"{words[0]} in {rel}" if "${" in words[0] else words[0]
                items = [w for w in words[1:] if w not in ("PUBLIC", "PRIVATE", "INTERFACE") and "${" not in w]
                old = links.get(target, (rel, []))
                links[target] = (old[0], old[1] + items)
    return links


def closure(target, links, seen=None):
    """The imported libraries `target` links, through the project's targets."""
    seen = set() if seen is None else seen
    if target in seen:
        return set()
    seen.add(target)
    out = set()
    for item in links.get(target, ("", []))[1]:
        lib = library(item)
        if lib:
            out.add(lib[0])
        elif "::" not in item:
            out |= closure(item, links, seen)
    return out


def main(argv):
    repo = argv[1]
    with open(os.path.join(repo, "docs/dependencies.md"), encoding="utf-8") as f:
        doc = f.read()
    links = cmake_links(repo)
    problems = []

    unknown = sorted({i for _, items in links.values() for i in items if "::" in i and not library(i)})
    for item in unknown:
        problems.append(f"{item} is linked but check_dependencies.py does not know it: add it to LIBRARIES "
                        "and to docs/dependencies.md")

    m = re.search(r"What links what\b.*?:\s(.*?)\n\n", doc, re.S)
    if not m:
        print("docs/dependencies.md: no 'What links what' paragraph")
        return 1
    # The parenthesised remarks name no target or library.
    sentence = re.sub(r"\([^()]*\)", "", re.sub(r"\s+", " ", m.group(1))).rstrip(". ")
    clauses = 0
    for clause in sentence.split(";"):
        targets = [t for t in re.findall(r"`([^`]+)`", clause) if t in links]
        groups = [g for g in GROUPS if g in clause]
        said = {n for n in NAMES if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", clause)}
        if not (targets or groups) or not said:
            problems.append(f"cannot read the clause '{clause.strip()}' (no known target or library)")
            continue
        clauses += 1
        for target in targets:
            has = closure(target, links)
            for lib in sorted(said - has):
                problems.append(f"the document says {target} links {lib}; the CMake files do not")
            direct = {library(i)[0] for i in links[target][1] if library(i)}
            for lib in sorted(direct - said):
                problems.append(f"{target} links {lib} ({links[target][0]}); the document does not say so")
        for group in groups:
            members = [t for t, (d, _) in links.items() if d.split(os.sep)[0] == GROUPS[group]]
            has = set().union(*(closure(t, links) for t in members)) if members else set()
            for lib in sorted(said - has):
                problems.append(f"the document says {group} link {lib}; no target in {GROUPS[group]}/ does")

    rows = [line for line in doc.split("\n") if line.startswith("| `")]
    table = {p for row in rows for p in re.findall(r"`([^`]+)`", row.split("|")[1])}
    linked = {library(i)[1] for _, items in links.values() for i in items if library(i)}
    for package in sorted(linked - table):
        problems.append(f"{package} provides a linked library but is not in the package table")
    for package in sorted(({p for _, _, p in LIBRARIES} & table) - linked):
        problems.append(f"the package table lists {package}, but no target links its library")

    for p in problems:
        print(f"FAIL: docs/dependencies.md: {p}")
    print(f"check_dependencies: {clauses} clauses, {len(table)} packages, {len(problems)} differences")
    return 1 if problems or not clauses else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
