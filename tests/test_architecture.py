"""Imports run one way (docs/architecture.md): the contracts in pyproject.toml
([tool.importlinter]), checked with import-linter's `lint-imports`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).with_name("lint-imports")
    command = str(executable) if executable.exists() else shutil.which("lint-imports")
    if command is None:
        pytest.fail("lint-imports is missing: pip install -e '.[dev]'")
    return subprocess.run(  # noqa: S603 - a fixed command on a file of this repository
        [command, "--no-cache", "--no-logo", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_import_contract_is_kept():
    result = lint_imports(ROOT / "pyproject.toml")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_broken_contract_fails_the_check(tmp_path):
    # The API imports the core: a contract forbidding it must fail.
    config = tmp_path / "broken.toml"
    config.write_text(
        "[tool.importlinter]\n"
        'root_packages = ["pii"]\n'
        "[[tool.importlinter.contracts]]\n"
        'name = "broken on purpose"\n'
        'type = "forbidden"\n'
        'source_modules = ["pii.api"]\n'
        'forbidden_modules = ["pii.core"]\n'
    )

    result = lint_imports(config)

    assert result.returncode != 0
    assert "broken on purpose BROKEN" in result.stdout
