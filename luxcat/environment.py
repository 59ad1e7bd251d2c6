"""Failures of the machine rather than of a source or a record: one line for the operator, exit 2.

A full disk, a read-only artifact folder or a state database another process holds locked are not
bugs: a traceback hides the one fact the operator needs (which path, which database, what to do).
`environment_failure` recognises them (also when wrapped, e.g. an OSError inside a SQLAlchemy
error) and words them; anything else is left to propagate as the bug it is.
"""

from __future__ import annotations

import errno

from sqlalchemy.exc import DBAPIError, OperationalError

WRITE_ERRORS = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file size limit reached",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "a path component is not a folder",
    errno.EIO: "input/output error",
}


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and node not in out:
        out.append(node)
        node = node.__cause__ or node.__context__
    return out


def environment_failure(exc: BaseException) -> str | None:
    """A one-line message when `exc` (or what caused it) is a machine failure, else None."""
    for node in _chain(exc):
        if isinstance(node, OSError) and node.errno in WRITE_ERRORS:
            where = f": {node.filename}" if node.filename else ""
            return f"error: {WRITE_ERRORS[node.errno]}{where} ({node.strerror or node}); nothing more was written"
        if isinstance(node, OperationalError | DBAPIError):
            detail = str(node.orig if node.orig is not None else node).strip().splitlines()[0][:300]
            if "locked" in detail or "busy" in detail:
                return (
                    f"error: the state database is locked by another process ({detail}); "
                    "try again when it is done (LUXCAT_SQLITE_LOCK_TIMEOUT sets how long to wait)"
                )
            if "disk" in detail and ("full" in detail or "I/O" in detail):
                return f"error: disk full or failing: the state database cannot be written ({detail})"
            if "readonly" in detail or "read-only" in detail:
                return f"error: the state database is read-only ({detail})"
            if isinstance(node, OperationalError):
                return f"error: state database unavailable ({detail})"
    return None
