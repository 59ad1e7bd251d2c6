"""Remember what the catalogue index read from each mapped graph, so an unchanged graph is not read again.

At 100,000 records, reading, hashing and scanning every mapped artifact was most of a publish where
one dataset changed (bench/bench_export_incremental.py). A graph in a local artifact folder is known
unchanged while its file's inode, size and modification time (ns) are: the artifact store writes
by atomic rename, so every write makes a new inode. The stamp is taken before the file is read, so
a write racing the read only costs a re-read next time. Graphs elsewhere (S3) are always read.

The cache is one TSV in the artifact store (private, never under the export), saved by `apply` (a
dry run writes nothing); entries of records no longer indexed drop out when it is saved.
"""

from __future__ import annotations

import logging
import os

from luxcat.artifacts import ArtifactStore, LocalArtifactStore

KEY = "publish/catalogue/scan-cache.tsv"
VERSION = "scan-cache-1"
_UNSAFE = ("\t", "\n", "\r", "\x1f")  # an identifier holding one is never cached (read again each time)
log = logging.getLogger(__name__)

Scanned = tuple[str, tuple[str, ...], str]  # graph hash, identifiers, kind


class FileScanCache:
    """location -> (stamp, dataset URI, hash, identifiers, kind) for graphs in a local artifact folder."""

    def __init__(self, artifacts: ArtifactStore) -> None:
        self.artifacts = artifacts
        local = isinstance(artifacts, LocalArtifactStore)
        self.root = artifacts.location("") if local else None
        self.known: dict[str, tuple[str, str, Scanned]] = {}
        self.seen: dict[str, tuple[str, str, Scanned]] = {}  # what this index used or learnt
        self.pending: dict[str, str] = {}  # stamps taken before a read
        self.changed = False
        if self.root is not None:
            self._load()

    def _load(self) -> None:
        try:
            text = self.artifacts.get(KEY).decode("utf-8")
        except (KeyError, FileNotFoundError):
            return
        lines = text.split("\n")
        if not lines or lines[0] != VERSION:
            return
        for line in lines[1:]:
            parts = line.split("\t")
            if len(parts) == 6:
                location, stamp, uri, digest, kind, identifiers = parts
                self.known[location] = (
                    stamp,
                    uri,
                    (digest, tuple(identifiers.split("\x1f")) if identifiers else (), kind),
                )

    def _stamp(self, location: str) -> str | None:
        if self.root is None or not location.startswith(self.root):
            return None
        try:
            st = os.stat(location)
        except OSError:
            return None
        return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"

    def get(self, location: str, dataset_uri: str) -> Scanned | None:
        """The scan of an unchanged graph, or None (then index() reads it and calls `put`)."""
        stamp = self._stamp(location)
        if stamp is None:
            return None
        hit = self.known.get(location)
        if hit is not None and hit[0] == stamp and hit[1] == dataset_uri:
            self.seen[location] = hit
            return hit[2]
        self.pending[location] = stamp
        return None

    def put(self, location: str, dataset_uri: str, scanned: Scanned) -> None:
        stamp = self.pending.pop(location, None)
        self.changed = True
        if stamp is None or any(c in x for x in (location, dataset_uri, *scanned[1]) for c in _UNSAFE):
            return
        self.seen[location] = (stamp, dataset_uri, scanned)

    def save(self) -> None:
        """Write what this index saw (only when something differs from what was loaded)."""
        if self.root is None or (not self.changed and len(self.seen) == len(self.known)):
            return
        rows = [VERSION]
        for location, (stamp, uri, (digest, identifiers, kind)) in self.seen.items():
            rows.append(f"{location}\t{stamp}\t{uri}\t{digest}\t{kind}\t" + "\x1f".join(identifiers))
        self.artifacts.put(KEY, "\n".join(rows).encode("utf-8"), "text/tab-separated-values")
        log.debug("target=catalogue scan cache saved: %d graphs", len(self.seen))
