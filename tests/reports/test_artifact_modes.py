"""Artifacts are readable by the service's group even under a strict umask (reports are served by another process)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import json, os, sys
from pathlib import Path
from luxcat.artifacts import LocalArtifactStore
store = LocalArtifactStore(Path(sys.argv[1]))
location = store.put("runs/src/1/report.html", b"<html></html>", "text/html")
print(json.dumps(location))
"""


def test_strict_umask_still_leaves_reports_group_readable(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "artifacts")],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=lambda: os.umask(0o077),
    )
    report = Path(json.loads(result.stdout))
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    for folder in (report.parent, report.parent.parent, report.parent.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o750, folder
