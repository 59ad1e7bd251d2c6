"""Artifact store: raw payloads and mapped graphs live here, the state store only points at them.

A local folder by default; `s3://bucket/prefix` uses boto3 (endpoint from AWS_ENDPOINT_URL or
LUXCAT_S3_ENDPOINT, so MinIO, moto and real S3 all work). Keys are plain `/`-separated paths.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from luxcat.errors import ConfigError


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


# New artifact files and folders: what the umask allows, and always readable by the service's group
# (reports are served by another process, e.g. Airflow's API server, running in that group).
FILE_MODE = (0o666 & ~_umask()) | 0o640
DIR_MODE = (0o777 & ~_umask()) | 0o750


class ArtifactStore(ABC):
    """Put/get bytes by key; `location(key)` is what the state store and XCom carry."""

    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Store `data` under `key` and return its location."""

    @abstractmethod
    def get(self, key: str) -> bytes:
        """Read the bytes stored under `key` (KeyError when absent)."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def keys(self, prefix: str = "") -> Iterator[str]: ...

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def location(self, key: str) -> str: ...

    def key_of(self, location: str) -> str:
        """Inverse of location(): the key a stored location points at."""
        base = self.location("")
        if not location.startswith(base):
            raise KeyError(f"{location} is not in this artifact store ({base})")
        return location[len(base) :]


class LocalArtifactStore(ArtifactStore):
    """Artifacts in a folder; writes go through a temporary file and a rename, so never half-written."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._folders: dict[str, Path] = {}  # key's folder -> its resolved path, checked inside the root
        self._prefix = str(self.root).rstrip(os.sep) + os.sep

    def _inside(self, path: Path, key: str) -> Path:
        """`path` (resolved) when it is the root or below it; a string test, as both are resolved."""
        if path != self.root and not str(path).startswith(self._prefix):
            raise KeyError(f"artifact key escapes the store: {key!r}")
        return path

    def _path(self, key: str) -> Path:
        """The file a key names, symlinks and `..` resolved, refused when it lies outside the root.

        A full resolve costs one lstat per path component (~0.15 ms, twice per record and stage on
        2 cores, issue 19): the key's folder is resolved once per store object and the file name alone
        checked afterwards (a symlink there is resolved and checked in full).
        """
        folder_key, _, name = key.rpartition("/")
        if name in ("", ".", "..") or "\x00" in key:
            return self._inside((self.root / key).resolve(), key)
        folder = self._folders.get(folder_key)
        if folder is None:
            folder = self._inside((self.root / folder_key).resolve(), key)
            if folder.is_dir():  # a folder not made yet is resolved again next time
                self._folders[folder_key] = folder
        path = folder / name
        if path.is_symlink():
            return self._inside(path.resolve(), key)
        return self._inside(path, key)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        path = self._path(key)
        self._make_dirs(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            os.fchmod(fd, FILE_MODE)  # mkstemp's 0600 would hide reports from the service's group
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return self.location(key)

    def _make_dirs(self, folder: Path) -> None:
        """Create missing folders below the root with DIR_MODE (mkdir alone would apply the umask)."""
        missing = []
        while not folder.is_dir() and folder != self.root:
            missing.append(folder)
            folder = folder.parent
        for new in reversed(missing):
            new.mkdir(exist_ok=True)
            new.chmod(DIR_MODE)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise KeyError(key) from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def keys(self, prefix: str = "") -> Iterator[str]:
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith(".tmp-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def location(self, key: str) -> str:
        return f"{self.root.as_posix()}/{key}"


class S3ArtifactStore(ArtifactStore):
    """Artifacts in an S3 bucket under a prefix."""

    def __init__(self, bucket: str, prefix: str = "", client: Any | None = None) -> None:
        import boto3  # imported here: DAG parsing and CLI start-up stay light

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        endpoint = os.environ.get("LUXCAT_S3_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL")
        self.client = client or boto3.client("s3", endpoint_url=endpoint)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data, ContentType=content_type)
        return self.location(key)

    def get(self, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
        except self.client.exceptions.NoSuchKey as exc:
            raise KeyError(key) from exc
        return response["Body"].read()  # type: ignore[no-any-return]

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def keys(self, prefix: str = "") -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            for obj in page.get("Contents", []):
                yield obj["Key"][len(self.prefix) :]

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}{key}"


def open_artifacts(url: str) -> ArtifactStore:
    """An artifact store from a URL: `s3://bucket/prefix` or a folder path (`file://` allowed)."""
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ConfigError(f"artifact store {url!r}: an s3:// URL needs a bucket name")
        return S3ArtifactStore(parsed.netloc, parsed.path)
    if parsed.scheme in ("", "file"):
        return LocalArtifactStore(Path(parsed.path if parsed.scheme else url))
    raise ConfigError(f"artifact store {url!r}: use a folder path or s3://bucket/prefix")


def safe_key(record_id: str) -> str:
    """A record id as one path segment: injective (two ids never share a key) and short enough for any filesystem.

    Letters, digits and `-_.@` stay as they are; every other character becomes its UTF-8 bytes as
    `%XX` (fixed width, so `–` (U+2013) and ` 13` can no longer collide; `%` itself is escaped).
    A key longer than MAX_KEY_BYTES keeps a readable head and ends in `~` and a hash of the whole id
    (`~` never appears in an unshortened key), leaving room for extensions and temporary names
    within the 255-byte file name limit.
    """
    out = []
    for ch in record_id:
        if ch.isalnum() or ch in "-_.@":
            out.append(ch)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")))
    key = "".join(out)
    if key in ("", ".", ".."):
        key = f"_{key}"
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        digest = hashlib.sha256(record_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        head = key.encode("utf-8")[: MAX_KEY_BYTES - 33].decode("utf-8", "ignore")
        key = f"{head}~{digest}"
    return key


MAX_KEY_BYTES = 180  # + ".meta.json" and the like stays far below NAME_MAX (255)
