"""The repository stands alone: a fresh clone collects its own tests, and nothing points outside it.

A suite that is green only where a sibling folder happens to exist tells a new user nothing. The
first test clones the committed HEAD into an empty temporary folder (no siblings) and runs
`pytest --collect-only` there with this interpreter; the second refuses any file under tests/,
scripts/ or .ci/ that names a folder outside the repository.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GUARDED = ("tests", "scripts", ".ci")
TEXT_SUFFIXES = {"", ".py", ".sh", ".cfg", ".ini", ".toml", ".yaml", ".yml", ".json", ".txt", ".md"}
UP = ".."  # kept apart (with SIBLING) so this file does not match its own patterns
SIBLING = "sha" + "red"  # the data folder that sits beside the repository on the team's machines
# Paths that leave any checkout: that sibling data folder, absolute machine paths.
OUTSIDE = [
    re.compile(re.escape(UP + "/") + r"+\s*" + SIBLING),
    re.compile(r"['\"]" + re.escape(UP) + r"['\"]\s*[,/]\s*['\"]" + SIBLING + r"['\"]"),
    re.compile(r"(?<![\w.])/(work|home|root|Users|mnt|srv)/[\w.-]+"),
    re.compile(r"\bos\.pardir\b"),
]


def _git(*args: str, cwd: Path = REPO) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_a_fresh_clone_collects_its_tests(tmp_path: Path) -> None:
    """Clone HEAD alone into an empty folder and collect the whole suite there, reading nothing outside."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.fail("the repository must be a git checkout with git on PATH for this test")
    head = _git("rev-parse", "HEAD").strip()
    empty = tmp_path / "empty"
    empty.mkdir()
    clone = empty / "luxcat"
    _git("clone", "--quiet", "--no-hardlinks", str(REPO), str(clone), cwd=empty)
    _git("checkout", "--quiet", head, cwd=clone)
    assert sorted(p.name for p in empty.iterdir()) == ["luxcat"]  # no sibling folder of any kind
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUXCAT_", "PYTEST_"))}
    env["PYTHONPATH"] = str(clone)  # the clone's own code, not this checkout's
    env["LUXCAT_HOME"] = str(tmp_path / "home")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    tail = (result.stdout[-3000:] + result.stderr[-3000:]).strip()
    assert result.returncode == 0, tail
    collected = re.search(r"(\d+) tests? collected", result.stdout)
    assert collected and int(collected.group(1)) > 500, tail
    assert "error" not in result.stdout.splitlines()[-1].lower(), tail
    imported = subprocess.run(
        [sys.executable, "-c", "import luxcat, tests.conftest; print(luxcat.__file__)"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert imported.stdout.strip().startswith(str(clone)), imported.stderr  # it really ran the clone


def _guarded_files() -> list[Path]:
    tracked = _git("ls-files", "--", *GUARDED).splitlines()
    return [
        REPO / name
        for name in tracked
        if (REPO / name).suffix in TEXT_SUFFIXES and not name.startswith("tests/data/") and (REPO / name).is_file()
    ]


def _file_levels(node: ast.AST, names: dict[str, int]) -> int | None:
    """How many folders above the file an expression built from __file__ points at (None: not from __file__)."""
    if isinstance(node, ast.Name):
        return 0 if node.id == "__file__" else names.get(node.id)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id == "Path" and node.args:
            inner = node.args[0]
            if isinstance(inner, ast.Name) and inner.id == "__file__":
                return 0
            return _file_levels(inner, names)
        if isinstance(func, ast.Attribute) and func.attr in ("resolve", "absolute"):
            return _file_levels(func.value, names)
        if isinstance(func, ast.Attribute) and func.attr == "dirname" and node.args:
            base = _file_levels(node.args[0], names)
            return None if base is None else base + 1
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        base = _file_levels(node.value, names)
        return None if base is None else base + 1
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        base = _file_levels(node.value.value, names)
        index = node.slice
        if base is not None and isinstance(index, ast.Constant) and isinstance(index.value, int):
            return base + index.value + 1
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        base = _file_levels(node.left, names)
        if base is not None and isinstance(node.right, ast.Constant) and node.right.value == UP:
            return base + 1
        return base
    return None


def climbs_out(rel: Path, text: str) -> list[str]:
    """Expressions of a Python file (at `rel` in the repository) that climb from __file__ above its root."""
    depth = len(rel.parts)  # tests/kernel/x.py: 3 levels from the file to the root
    tree = ast.parse(text, str(rel))
    names: dict[str, int] = {}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            level = _file_levels(node.value, names)
            if level is not None:
                names[node.targets[0].id] = level
    for node in ast.walk(tree):
        level = _file_levels(node, names) if isinstance(node, ast.expr) else None
        if level is not None and level > depth:
            found.append(f"{rel}:{node.lineno}: {ast.unparse(node)} climbs {level} > {depth}")
    return found


def relative_climbs(path: Path, text: str) -> list[str]:
    """`../..` sequences in shell or text that climb above the repository from the file's folder."""
    depth = len(path.relative_to(REPO).parts) - 1
    found = []
    for match in re.finditer(r"(?:" + re.escape(UP) + r"/)+" + re.escape(UP) + r"?", text):
        ups = match.group(0).count(UP)
        if ups > depth:
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(REPO)}:{line}: {match.group(0)} climbs {ups} > {depth}")
    return found


def test_no_test_script_or_ci_file_refers_outside_the_repository() -> None:
    problems: list[str] = []
    files = _guarded_files()
    assert len(files) > 50 and any(f.parts[-2] == "scripts" for f in files)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for pattern in OUTSIDE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(REPO)}:{line}: {match.group(0)!r} is outside the repository")
        problems += relative_climbs(path, text)
        if path.suffix == ".py":
            problems += climbs_out(path.relative_to(REPO), text)
    assert problems == []


def test_the_guard_catches_what_it_is_for(tmp_path: Path) -> None:
    """The guard's own patterns, tried on the mistakes it exists to catch."""
    samples = [
        'DATA = Path("' + UP + "/" + SIBLING + '/data/iso19139")',
        'DATA = REPO / "' + UP + '" / "' + SIBLING + '" / "data"',
        'DATA = "/' + "work/" + SIBLING + '/data"',
    ]
    for sample in samples:
        assert any(p.search(sample) for p in OUTSIDE), sample
    nested = Path("tests/kernel/sample_guard.py")
    text = "from pathlib import Path\nHERE = Path(__file__).resolve().parent\nOUT = HERE.parents[2] / 'x'\n"
    assert climbs_out(nested, text) and not climbs_out(nested, text.replace("parents[2]", "parents[1]"))
    deep = "import os\nX = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))\n"
    assert climbs_out(nested, deep) and not climbs_out(nested, deep.replace("os.path.dirname(__file__)", "__file__"))
    assert relative_climbs(REPO / "scripts" / "x", 'cd "$(dirname "$0")/' + UP + "/" + UP + '"')
    assert not relative_climbs(REPO / "scripts" / "x", 'cd "$(dirname "$0")/' + UP + '"')
