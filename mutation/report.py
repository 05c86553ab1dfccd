"""Write mutation/RESULTS.md (and results.json) from mutmut's results in mutants/.

Run from the repository root after `mutmut run` (`make mutate` does both):

    python mutation/report.py                # mutants/ -> results.json -> RESULTS.md
    python mutation/report.py --render-only  # re-render RESULTS.md from results.json
    python mutation/report.py --check-sample mutation/fast_sample.txt

The verdicts come from mutmut's own files (`mutants/<path>.meta`); how each surviving
mutant was handled comes from `mutation/survivors.toml`, one table per mutant:

    ["rnn_ref.packing.x_check_lengths__mutmut_7"]
    killed_by = "tests/test_packing.py::test_..."   # a test written for it
    by_hand = "..."  # only if mutmut's rerun could not run: how the kill was checked
    # or
    equivalent = "why no test can tell it from the original"
    # or
    accepted = "why it may survive"  # observable, but not a promise; counts as survived
    change = "dim=+1"  # with equivalent/accepted: part of the mutant's new line (of the
                       # deleted one, if it only deletes), so an entry cannot outlive an
                       # edit that renumbers the mutants

The script fails (exit 1) when a survivor has no entry, when an entry says `killed_by`
but the mutant still survives, or, with --check-sample, when a sampled mutant survives
and is not marked equivalent.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import sys
from collections import Counter
from pathlib import Path

import tomllib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS_JSON = HERE / "results.json"
RESULTS_MD = HERE / "RESULTS.md"
SURVIVORS = HERE / "survivors.toml"
CORE = ["cells", "loops", "packing", "scan", "_checks", "bptt", "bptt_cells"]
CLASSIFIER = ["data", "model", "checkpoint", "train"]
# a mutant that makes its tests hang until mutmut's CPU limit is noticed, as one that
# makes them fail
DETECTED = ("killed", "timeout")
TARGET = {**dict.fromkeys(CORE, 1.0), **dict.fromkeys(CLASSIFIER, 0.95)}


def snapshot() -> dict:
    """Every mutant's verdict, and the diff of each one not killed, from mutants/."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    modules = {}
    for name in CORE + CLASSIFIER:
        meta = ROOT / "mutants" / "rnn_ref" / f"{name}.py.meta"
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        verdicts = {k: status_by_exit_code[v] for k, v in sorted(codes.items())}
        if set(verdicts.values()) <= {"not checked"}:
            continue  # generated but not run (a partial run)
        diffs = {
            k: _changed_lines(get_diff_for_mutant(k, path=f"rnn_ref/{name}.py"))
            for k, v in verdicts.items()
            if v not in (*DETECTED, "not checked")
        }
        modules[name] = {"verdicts": verdicts, "diffs": diffs}
    return modules


def _changed_lines(diff: str) -> list[str]:
    """The `-`/`+` lines of a unified diff, without its file header."""
    return [
        line
        for line in diff.splitlines()
        if line[:1] in "-+" and not line.startswith(("---", "+++"))
    ]


def _short(name: str) -> str:
    """`rnn_ref.cells.x_rnn_cell__mutmut_3` -> `x_rnn_cell__mutmut_3`."""
    return name.split(".", 2)[2]


def render(modules: dict, notes: dict) -> tuple[str, list[str]]:
    """RESULTS.md's text, and the problems that make the record incomplete."""
    problems = []
    rows, sections = [], []
    for name in CORE + CLASSIFIER:
        if name not in modules:
            rows.append(f"| `{name}.py` | not run | | | | | {TARGET[name]:.0%} | |")
            continue
        mod = modules[name]
        counts = Counter(mod["verdicts"].values())
        total = len(mod["verdicts"])
        equivalent = [
            k
            for k, v in mod["verdicts"].items()
            if v not in DETECTED and "equivalent" in notes.get(k, {})
        ]
        by_hand = [
            k
            for k, v in mod["verdicts"].items()
            if v not in DETECTED and "by_hand" in notes.get(k, {})
        ]
        killed = counts["killed"] + counts["timeout"] + len(by_hand)
        # the score counts out equivalent mutants (no test can kill them) and the
        # ones a partial run did not reach
        scored = total - len(equivalent) - counts["not checked"]
        score = killed / scored if scored else 1.0
        met = "yes" if score >= TARGET[name] else "**no**"
        if counts["not checked"]:
            met = "not all run"
        others = ", ".join(
            f"{n} {s}" for s, n in sorted(counts.items()) if s not in DETECTED
        )
        if by_hand:
            others += f" ({len(by_hand)} of them killed, checked by hand)"
        rows.append(
            f"| `{name}.py` | {total} | {killed} | {len(equivalent)} | "
            f"{others or '-'} | {score:.1%} | {TARGET[name]:.0%} | {met} |"
        )
        handled = {
            k: v
            for k, v in notes.items()
            if k.startswith(f"rnn_ref.{name}.") and k in mod["verdicts"]
        }
        listed = sorted(set(handled) | set(mod["diffs"]))
        if not listed:
            continue
        lines = [f"### `rnn_ref/{name}.py`", ""]
        lines += ["| mutant | now | change | handled |", "| --- | --- | --- | --- |"]
        for k in listed:
            verdict = mod["verdicts"][k]
            note = notes.get(k, {})
            if "killed_by" in note:
                how = f"killed by `{note['killed_by']}`"
                if "by_hand" in note:  # mutmut could not rerun it; see the note
                    how += f" ({note['by_hand']})"
                elif verdict not in DETECTED:
                    problems.append(f"{k}: survives, but survivors.toml says killed")
            elif "equivalent" in note:
                how = f"equivalent: {note['equivalent']}"
            elif "accepted" in note and verdict not in DETECTED:
                how = f"survives, accepted: {note['accepted']}"
            else:
                how = "**not handled**"
                problems.append(f"{k}: {verdict}, and no entry in survivors.toml")
            diff = mod["diffs"].get(k, [])
            added = [line[1:] for line in diff if line.startswith("+")]
            if not added:  # a line deleted: `change` names what went
                added = [line[1:] for line in diff if line.startswith("-")]
            explained = "equivalent" in note or "accepted" in note
            if explained and verdict in DETECTED:
                problems.append(
                    f"{k}: {verdict}, but survivors.toml explains a survivor"
                )
            if (
                explained
                and verdict not in DETECTED
                and not any(note.get("change", "\0") in line for line in added)
            ):
                # names are numbers: after an edit, one may name another mutant
                problems.append(f"{k}: its `change` is not in the mutant's + line")
            change = "<br>".join(f"`{line.strip()}`" for line in diff)
            change, how = (t.replace("|", "\\|") for t in (change, how))  # table cells
            lines.append(f"| `{_short(k)}` | {verdict} | {change} | {how} |")
        sections.append("\n".join(lines))
    text = "\n".join(
        [
            "# Mutation testing: the last run",
            "",
            "Written by `python mutation/report.py` from mutmut's results; do not"
            " edit.",
            "How to run it, and when: `mutation/README.md`.",
            "",
            "| module | mutants | killed | equivalent | other | score | target | met |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
            *rows,
            "",
            "Score = killed / (mutants - equivalent - not checked). *killed* includes",
            "timeouts (the mutant made its tests hang) and kills checked by hand (see",
            "their note); *not checked*: mutants the run did not reach. What the run",
            "covered and how long it took: `mutation/README.md`.",
            "A mutant listed below survived a run: `killed by` names the test written",
            "for it (its verdict is from the rerun), `equivalent` says why no test can",
            "tell it from the original.",
            "",
            *[s + "\n" for s in sections],
        ]
    )
    return text.rstrip() + "\n", problems


def check_sample(modules: dict, notes: dict, sample: Path) -> list[str]:
    """The sampled mutants that survived and are not marked equivalent."""
    patterns = [
        p.strip()
        for p in sample.read_text().splitlines()
        if p.strip() and not p.startswith("#")
    ]
    return [
        f"{k}: {v}"
        for mod in modules.values()
        for k, v in mod["verdicts"].items()
        if any(fnmatch.fnmatch(k, p) for p in patterns)
        and v not in DETECTED
        and "equivalent" not in notes.get(k, {})
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render-only", action="store_true")
    parser.add_argument("--check-sample", type=Path)
    args = parser.parse_args(argv)
    os.chdir(ROOT)  # mutmut reads pyproject.toml and mutants/ from the working dir
    notes = tomllib.loads(SURVIVORS.read_text()) if SURVIVORS.exists() else {}
    if args.check_sample:
        problems = check_sample(snapshot(), notes, args.check_sample)
        print("\n".join(problems) or "every sampled mutant killed (or equivalent)")
        return 1 if problems else 0
    if args.render_only:
        modules = json.loads(RESULTS_JSON.read_text())
    else:
        # a module mutants/ holds no verdicts for is "not run": an older record of it
        # may describe code that has changed since
        modules = snapshot()
        RESULTS_JSON.write_text(json.dumps(modules, indent=1, sort_keys=True) + "\n")
    text, problems = render(modules, notes)
    RESULTS_MD.write_text(text)
    print(f"wrote {RESULTS_MD.relative_to(ROOT)}")
    for p in problems:
        print("problem:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
