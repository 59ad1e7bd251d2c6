"""Remember what the catalogue index read from each mapped graph, so an unchanged graph is not read again.

At 100,000 records, reading, hashing and scanning every mapped artifact was most of a publish where
one dataset changed (bench/bench_export_incremental.py). A graph in a local artifact folder is known
unchanged while its file's inode, size and modification time (ns) are: the artifact store writes
by atomic rename, so every write makes a new inode. The stamp is taken before the file is read, so
a write racing the read only costs a re-read next time. Graphs elsewhere (S3) are always read.

The cache is a SQLite file in the local artifact folder (private, never under the export), attached
to the index file and joined there: it is never loaded whole. `apply` writes only what changed (the
graphs read this time, and the rows of records no longer indexed drop out); a dry run writes nothing.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from luxcat.artifacts import ArtifactStore, LocalArtifactStore
from publishers.catalogue.indexdb import IndexDB

KEY = "publish/catalogue/scan-cache.sqlite"
OLD_KEY = "publish/catalogue/scan-cache.tsv"  # the cache's earlier form: removed at the next save
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cache.scan (location TEXT PRIMARY KEY, stamp TEXT, uri TEXT, hash TEXT, "
    "kind TEXT, identifiers TEXT)"
)
log = logging.getLogger(__name__)


class FileScanCache:
    """location -> (stamp, dataset URI, hash, identifiers, kind) for graphs in a local artifact folder."""

    def __init__(self, artifacts: ArtifactStore) -> None:
        self.artifacts = artifacts
        local = isinstance(artifacts, LocalArtifactStore)
        self.root = artifacts.location("") if local else None

    def _path(self, key: str = KEY) -> Path:
        return Path(self.artifacts.location(key))

    def stamp(self, location: str) -> str | None:
        """The graph file's identity now (None: not a local graph, never cached)."""
        if self.root is None or not location.startswith(self.root):
            return None
        try:
            st = os.stat(location)
        except OSError:
            return None
        return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"

    def _attach(self, db: IndexDB) -> bool:
        if db.scalar("SELECT count(*) FROM pragma_database_list WHERE name = 'cache'"):
            return True
        path = self._path()
        if self.root is None or not path.exists():
            return False
        db.execute("ATTACH DATABASE ? AS cache", (str(path),))
        db.execute("PRAGMA cache.journal_mode=DELETE")  # the index file's OFF must not reach the cache
        db.execute(SCHEMA)
        return True

    def join(self, db: IndexDB) -> None:
        """Fill the hash, identifiers and kind of every record whose graph is unchanged since it was scanned."""
        if self._attach(db):
            db.execute(
                "UPDATE member SET hash = s.hash, kind = s.kind, identifiers = s.identifiers FROM cache.scan AS s "
                "WHERE s.location = member.location AND s.stamp = member.stamp AND s.uri = member.uri"
            )

    def save(self, db: IndexDB) -> None:
        """Write the scans of graphs read this time; forget the records no longer indexed."""
        if self.root is None:
            return
        path = self._path()
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        self._attach(db)
        db.execute("BEGIN")
        db.execute(
            "DELETE FROM cache.scan WHERE location NOT IN (SELECT location FROM main.member WHERE stamp IS NOT NULL)"
        )
        db.execute(
            "INSERT OR REPLACE INTO cache.scan SELECT location, stamp, uri, hash, kind, identifiers "
            "FROM main.member WHERE fresh = 1 AND stamp IS NOT NULL"
        )
        db.execute("COMMIT")
        self._path(OLD_KEY).unlink(missing_ok=True)
        log.debug("target=catalogue scan cache saved")
