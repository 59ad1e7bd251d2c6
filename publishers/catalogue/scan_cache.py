"""Remember what the catalogue index read from each mapped graph, so an unchanged graph is not read again.

At 100,000 records, reading, hashing and scanning every mapped artifact was most of a publish where
one dataset changed (bench/bench_export_incremental.py). A graph in a local artifact folder is known
unchanged while its file's inode, size and modification time (ns) are: the artifact store writes
by atomic rename, so every write makes a new inode. The stamp is taken before the file is read, so
a write racing the read only costs a re-read next time. Graphs elsewhere (S3) are always read.

The cache is one TSV in the local artifact folder (private, never under the export), saved by `apply`
(a dry run writes nothing); entries of records no longer indexed drop out when it is saved. It is
streamed into the index file and written back from it, never held in memory whole.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from luxcat.artifacts import ArtifactStore, LocalArtifactStore
from publishers.catalogue.indexdb import IndexDB

KEY = "publish/catalogue/scan-cache.tsv"
VERSION = "scan-cache-1"
_UNSAFE = ("\t", "\n", "\r", "\x1f")  # an identifier holding one is never cached (read again each time)
log = logging.getLogger(__name__)

class FileScanCache:
    """location -> (stamp, dataset URI, hash, identifiers, kind) for graphs in a local artifact folder.

    Streamed into the index file (`load_into`) and written back from it (`save`): never held whole.
    """

    def __init__(self, artifacts: ArtifactStore) -> None:
        self.artifacts = artifacts
        local = isinstance(artifacts, LocalArtifactStore)
        self.root = artifacts.location("") if local else None
        self.loaded = 0

    def _path(self) -> Path:
        return Path(self.artifacts.location(KEY))

    def stamp(self, location: str) -> str | None:
        """The graph file's identity now (None: not a local graph, never cached)."""
        if self.root is None or not location.startswith(self.root):
            return None
        try:
            st = os.stat(location)
        except OSError:
            return None
        return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"

    def load_into(self, db: IndexDB) -> None:
        """The saved scans as the index's `scan` table (a missing or older cache loads nothing)."""
        if self.root is None:
            return
        try:
            fh = self._path().open("r", encoding="utf-8", newline="\n")
        except OSError:
            return
        with fh:
            if fh.readline().rstrip("\n") != VERSION:
                return

            def rows() -> Iterator[tuple[str, ...]]:
                for line in fh:
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) == 6:
                        location, stamp, uri, digest, kind, identifiers = parts
                        idents = identifiers.split("\x1f") if identifiers else []
                        yield location, stamp, uri, digest, kind, json.dumps(idents, ensure_ascii=False)

            self.loaded = db.insert("scan", "location, stamp, uri, hash, kind, identifiers", rows())

    def save(self, db: IndexDB) -> None:
        """Write the scans of this index's records (only when they differ from what was loaded)."""
        if self.root is None:
            return
        cached = int(db.scalar("SELECT count(*) FROM member WHERE stamp IS NOT NULL") or 0)
        if not db.graphs_read and cached == self.loaded:
            return
        path = self._path()
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + f".{os.getpid()}.partial")
        written = 0
        with partial.open("w", encoding="utf-8", newline="\n") as out:
            out.write(VERSION + "\n")
            sql = "SELECT location, stamp, uri, hash, kind, identifiers FROM member WHERE stamp IS NOT NULL"
            for location, stamp, uri, digest, kind, identifiers in db.rows(sql):
                idents = json.loads(identifiers)
                if any(c in x for x in (location, uri, *idents) for c in _UNSAFE):
                    continue
                out.write(f"{location}\t{stamp}\t{uri}\t{digest}\t{kind}\t" + "\x1f".join(idents) + "\n")
                written += 1
        os.replace(partial, path)
        log.debug("target=catalogue scan cache saved: %d graphs", written)
