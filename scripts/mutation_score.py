"""The mutation score of the last `mutmut run`, per module and overall.

Usage: python scripts/mutation_score.py [MODULE_PATH ...]   (default: every module mutated)

Reads `mutmut results --all true` (one "    <mutant>: <status>" line per mutant) and the
equivalent mutants listed in docs/testing.md, which are left out of the score, as are mutants
not run (another module's after `make mutation ONLY=...`). The last line
reads ``mutation score: NN.N% (K killed, S survived, T timed out of N)``; a timeout counts as
caught, as in mutmut's own badge.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS_DOC = ROOT / "docs" / "testing.md"
EQUIVALENT_LINE = re.compile(r"^- `(?P<name>[\w.]+__mutmut_\d+)`")
RESULT_LINE = re.compile(r"^\s+(?P<name>[\w.]+__mutmut_\d+): (?P<status>.+)$")
CAUGHT = {"killed", "caught by type check"}


def equivalent_mutants() -> set[str]:
    lines = EQUIVALENTS_DOC.read_text(encoding="utf-8").splitlines()
    return {found["name"] for line in lines if (found := EQUIVALENT_LINE.match(line))}


def results(mutmut: str) -> dict[str, str]:
    listed = subprocess.run(
        [mutmut, "results", "--all", "true"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {
        found["name"]: found["status"]
        for line in listed.splitlines()
        if (found := RESULT_LINE.match(line))
    }


def module_of(mutant: str) -> str:
    """``trustoo_mock.domain.oauth.x_revoke__mutmut_3`` -> ``trustoo_mock/domain/oauth.py``."""
    dotted = mutant.rsplit(".", 1)[0]
    return dotted.replace(".", "/") + ".py"


def summary(statuses: Counter[str]) -> tuple[int, int, int, int]:
    killed = sum(statuses[status] for status in CAUGHT)
    timed_out = statuses["timeout"]
    total = sum(statuses.values())
    return killed, total - killed - timed_out, timed_out, total


def score_line(label: str, statuses: Counter[str]) -> str:
    killed, survived, timed_out, total = summary(statuses)
    score = 100 * (killed + timed_out) / total if total else 0.0
    return (
        f"{label}{score:.1f}% ({killed} killed, {survived} survived, "
        f"{timed_out} timed out of {total})"
    )


def main(argv: list[str]) -> int:
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    wanted = {str(Path(path)) for path in argv}
    equivalent = equivalent_mutants()
    by_module: dict[str, Counter[str]] = {}
    left_out = not_run = 0
    for name, status in sorted(results(mutmut).items()):
        module = module_of(name)
        if wanted and module not in wanted:
            continue
        if status == "not checked":
            not_run += 1
            continue
        if name in equivalent and status not in CAUGHT:
            left_out += 1
            continue
        by_module.setdefault(module, Counter())[status] += 1
    if not by_module:
        print("no mutation results: run `make mutation` first", file=sys.stderr)
        return 1
    overall: Counter[str] = Counter()
    for module, statuses in sorted(by_module.items()):
        print(score_line(f"{module}: ", statuses))
        overall.update(statuses)
    plain = CAUGHT | {"survived", "timeout"}
    others = {status: count for status, count in overall.items() if status not in plain}
    if others:
        counted = ", ".join(f"{count} {status}" for status, count in sorted(others.items()))
        print(f"counted as survived: {counted}")
    if not_run:
        print(f"not run (another module's, or an interrupted run): {not_run}")
    print(f"equivalent mutants left out (docs/testing.md): {left_out}")
    print(score_line("mutation score: ", overall))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
