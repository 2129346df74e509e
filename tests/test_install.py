"""The issue's bar: in a scratch directory outside the repository, a new venv with only
``pip install <repo>`` and pytest gets working fixtures in a ten-line test file.

This installs for real from PyPI (the dependencies, pytest): typically 20-60 seconds.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.network

REPO = Path(__file__).resolve().parent.parent
TEN_LINES = """\
import urllib.request


def test_in_process(trustoo, trustoo_shop):
    assert trustoo.shop(trustoo_shop.shop_id) == trustoo_shop


def test_live(trustoo_server, webhook_receiver):
    with urllib.request.urlopen(trustoo_server.base_url + "/_mock/health") as answer:
        assert answer.status == 200
"""
# A copy of the checkout, so the build's own files (build/, *.egg-info) stay out of it.
NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    "node_modules",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
)


def test_a_fresh_venv_with_only_pip_install_gets_working_fixtures(tmp_path: Path) -> None:
    source = tmp_path / "trustoo-mock"
    shutil.copytree(REPO, source, symlinks=True, ignore=NOT_SOURCES)
    venv = tmp_path / "venv"
    # Without a pip of its own (ensurepip alone took 5 of the test's 12 seconds): the suite's
    # pip installs into it, so the venv holds only what `pip install` brings.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    pip = [
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    subprocess.run([*pip, str(source), "pytest"], check=True, timeout=900)

    project = tmp_path / "project"
    project.mkdir()
    (project / "test_with_trustoo.py").write_text(TEN_LINES)
    result = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout

    # httpx is the optional `client` extra: without it, clients say how to get it.
    probe = "from trustoo_mock import MockTrustoo\nwith MockTrustoo() as fake: fake.client()"
    missing = subprocess.run([python, "-c", probe], capture_output=True, text=True, cwd=project)
    assert "pip install httpx" in missing.stderr
