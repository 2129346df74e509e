"""Every decision the repository cites (D1 to D14, X1 and on) is defined in docs/decisions.md, so
nothing the code, spec or docs lean on lives outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DECISIONS = ROOT / "docs" / "decisions.md"
CITATION = re.compile(r"\b[DX][1-9][0-9]{0,2}\b")
DEFINITION = re.compile(r"^\| (?P<number>[DX][1-9][0-9]{0,2}) \|", re.MULTILINE)
CITING = ("trustoo_mock", "tests", "docs", "bench", "scripts", "fixtures", "examples", "tools")
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".json", ".js", ".ts", ".html"}


def _citing_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "openapi.yaml", ROOT / "Makefile", ROOT / "pyproject.toml"]
    for folder in CITING:
        files += [
            path
            for path in (ROOT / folder).rglob("*")
            if path.suffix in SUFFIXES
            and path.is_file()
            and not {"node_modules", "__pycache__", ".venv"} & set(path.parts)
        ]
    # This file names undefined numbers on purpose, to show the check sees them.
    return [path for path in files if path.is_file() and path != Path(__file__).resolve()]


def defined() -> list[str]:
    return DEFINITION.findall(DECISIONS.read_text(encoding="utf-8"))


def test_each_decision_is_defined_once() -> None:
    numbers = defined()
    assert sorted(number for number in set(numbers) if numbers.count(number) > 1) == []
    assert {f"D{n}" for n in range(1, 15)} <= set(numbers)


def test_every_cited_decision_is_defined_in_the_repository() -> None:
    known = set(defined())
    undefined = {
        f"{path.relative_to(ROOT)}: {number}"
        for path in _citing_files()
        for number in CITATION.findall(path.read_text(encoding="utf-8", errors="replace"))
        if number not in known
    }
    assert sorted(undefined) == []


def test_the_citation_check_sees_an_undefined_number(tmp_path: Path) -> None:
    cited = tmp_path / "module.py"
    cited.write_text('"""Follows X9999 and D99, and D1."""\n', encoding="utf-8")
    found = set(CITATION.findall(cited.read_text(encoding="utf-8")))
    assert found - set(defined()) == {"D99"}
