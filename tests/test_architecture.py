"""Imports run one way (docs/architecture.md): the contracts in pyproject.toml
([tool.importlinter]), checked with import-linter's `lint-imports`."""

from __future__ import annotations

import ast
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


# --- no state on the request in the admin ---------------------------------------------

ADMIN_MODULES = sorted(
    path
    for app in ("pii", "addresses", "vault")
    for path in [ROOT / app / "admin.py", *(ROOT / app / "admin").rglob("*.py")]
    if path.exists()
)
# Django's own attributes, set for Django to read: the admin site's URL namespace
# (`current_app`), and the purge action's POST with "all rows" selected
# (pii.admin.mixins.PurgeExpiredActionMixin). Anything else would be our state.
DJANGO_REQUEST_ATTRIBUTES = frozenset({"current_app", "POST"})


def request_state(source: str) -> list[str]:
    """Where `source` keeps state on `request`: stores an attribute on it (other than
    Django's own), touches a private attribute of it, or names one through
    setattr/getattr/hasattr/delattr."""

    def is_request(node: ast.AST) -> bool:
        return isinstance(node, ast.Name) and node.id == "request"

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and is_request(node.value):
            stored = isinstance(node.ctx, ast.Store | ast.Del)
            if node.attr.startswith("_") or (stored and node.attr not in DJANGO_REQUEST_ATTRIBUTES):
                found.append(f"line {node.lineno}: request.{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("setattr", "getattr", "hasattr", "delattr")
            and node.args
            and is_request(node.args[0])
        ):
            name = node.args[1] if len(node.args) > 1 else None
            private = isinstance(name, ast.Constant) and str(name.value).startswith("_")
            if node.func.id == "setattr" or private or not isinstance(name, ast.Constant):
                found.append(f"line {node.lineno}: {node.func.id}(request, ...)")
    return found


def test_no_admin_module_keeps_state_on_the_request():
    # State an admin computes once per list (the search page, the search count)
    # lives on its ChangeList, which lasts one request (docs/architecture.md).
    assert ADMIN_MODULES, "no admin module found"
    offences = {
        str(path.relative_to(ROOT)): found
        for path in ADMIN_MODULES
        if (found := request_state(path.read_text()))
    }

    assert offences == {}


@pytest.mark.parametrize(
    "source",
    [
        "request._pii_page = page",
        "request.pii_page = page",
        "page = getattr(request, '_pii_page', None)",
        "setattr(request, 'pii_page', page)",
        "request.__dict__['page'] = page",
        "if hasattr(request, '_seen'): pass",
    ],
)
def test_state_on_the_request_is_found(source):
    assert request_state(source)


@pytest.mark.parametrize(
    "source",
    [
        "request.current_app = self.admin_site.name",
        "user = request.user",
        "perm = getattr(request.user, 'is_staff', False)",
        "request_ = DeletionRequest(); request_.status = 'pending'",
    ],
)
def test_reading_the_request_is_not_state(source):
    assert request_state(source) == []


# --- module size ----------------------------------------------------------------------

MODULE_MAX_LINES = 400
SOURCE_DIRS = ("pii", "addresses", "vault", "config", "tests", "scripts")


def test_no_module_is_over_400_lines():
    # Past this a module is asking to be split along a seam (docs/architecture.md).
    long = {
        str(path.relative_to(ROOT)): lines
        for folder in SOURCE_DIRS
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text().splitlines())) > MODULE_MAX_LINES
    }

    assert long == {}
