"""Where luxcat keeps its state: embedded defaults (SQLite, local folder) overridable by environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved locations of the working folder, the state database and the artifact store."""

    home: Path
    database_url: str
    artifacts_url: str

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"


def load_settings() -> Settings:
    """Read LUXCAT_HOME, LUXCAT_DATABASE_URL and LUXCAT_ARTIFACTS (s3://bucket/prefix or a folder)."""
    home = Path(os.environ.get("LUXCAT_HOME", "var")).resolve()
    database_url = os.environ.get("LUXCAT_DATABASE_URL") or f"sqlite:///{home / 'luxcat.db'}"
    artifacts_url = os.environ.get("LUXCAT_ARTIFACTS") or str(home / "artifacts")
    return Settings(home=home, database_url=database_url, artifacts_url=artifacts_url)
