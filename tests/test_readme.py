"""The README's Python examples are the files in tests/examples/, verbatim (and those run)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOWN = re.compile(r"<!-- example: (?P<path>\S+) -->\n```python\n(?P<code>.*?)```", re.S)


def test_every_example_is_shown_exactly() -> None:
    readme = (ROOT / "README.md").read_text()
    shown = {match["path"]: match["code"] for match in SHOWN.finditer(readme)}
    examples = ROOT.glob("tests/examples/test_*.py")
    assert sorted(shown) == sorted(path.relative_to(ROOT).as_posix() for path in examples)
    for path, code in shown.items():
        assert code == (ROOT / path).read_text(), f"README shows an old {path}"
