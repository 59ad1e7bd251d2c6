"""Where exported catalogue versions live (a folder or S3) and how the served version is switched atomically.

A version is written completely under `versions/<version>/` before `index.json` (a small pointer
object) names it; readers only ever follow the pointer, so a crash mid-export leaves the previous
version served intact. On a folder a `current` symlink is swapped too (rename is atomic on POSIX).
Pages unchanged since the served version are taken over by `link` (hard links on a folder,
server-side CopyObject on S3) into the new version before it is switched to: each version stays
complete on its own, so pruning an old one never breaks the served one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

from luxcat.errors import ConfigError

INDEX = "index.json"
CONTENT_TYPES = {
    ".nt": "application/n-triples",
    ".ttl": "text/turtle; charset=utf-8",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".gz": "application/gzip",
}
LINK_THREADS = 16  # concurrent server-side copies on S3 (each is one small request)


class ExportTarget(ABC):
    """Versioned, atomically switched storage for catalogue exports."""

    @abstractmethod
    def read(self, key: str) -> bytes:
        """Bytes of `key` relative to the export root (KeyError when absent)."""

    @abstractmethod
    def read_range(self, key: str, offset: int, length: int) -> bytes:
        """`length` bytes of `key` from `offset` (OAI-PMH reads one dataset out of catalogue.nt)."""

    @abstractmethod
    def stream(self, key: str, chunk: int = 1 << 20) -> Iterator[bytes]:
        """The bytes of `key` in chunks (whole dumps are large; KeyError when absent, before the first chunk)."""

    @abstractmethod
    def install(self, staging: Path, version: str) -> None:
        """Copy a complete staged version under `versions/<version>/` (not yet served)."""

    @abstractmethod
    def link(self, previous: str, keys: list[str], staging: Path, version: str) -> None:
        """Take `keys` of version `previous` over into the version being staged, without rewriting them.

        A folder hard-links them into `staging` (files are never written in place, so sharing is
        safe and pruning the old version keeps the new one's links); S3 copies them server-side
        into `versions/<version>/`, where nothing points until `switch`.
        """

    @abstractmethod
    def switch(self, pointer: dict[str, Any]) -> None:
        """Atomically make `pointer` (with `version`) the served index."""

    @abstractmethod
    def versions(self) -> list[str]:
        """Version names present in the store (complete or not)."""

    @abstractmethod
    def remove(self, version: str) -> None:
        """Delete one version's files."""

    def current(self) -> dict[str, Any] | None:
        """The served pointer, or None before the first export."""
        try:
            return json.loads(self.read(INDEX))  # type: ignore[no-any-return]
        except KeyError:
            return None

    def prune(self, keep: list[str]) -> list[str]:
        """Remove every version not in `keep` (old ones and leftovers of crashed exports)."""
        gone = [v for v in self.versions() if v not in keep]
        for version in gone:
            self.remove(version)
        return gone


class FolderTarget(ExportTarget):
    """Exports in a local folder (served by `luxcat serve` or any static web server following `current`)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def read(self, key: str) -> bytes:
        try:
            return (self.root / key).read_bytes()
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise KeyError(key) from exc

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        try:
            with (self.root / key).open("rb") as fh:
                fh.seek(offset)
                return fh.read(length)
        except FileNotFoundError as exc:
            raise KeyError(key) from exc

    def stream(self, key: str, chunk: int = 1 << 20) -> Iterator[bytes]:
        try:
            fh = (self.root / key).open("rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
            raise KeyError(key) from exc
        return _chunks(fh, chunk)

    def staging_dir(self, version: str) -> Path:
        """Stage right beside the versions so installing is a rename, not a copy."""
        path = self.root / "versions" / f".staging-{version}"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def install(self, staging: Path, version: str) -> None:
        final = self.root / "versions" / version
        if staging.resolve().parent == final.parent:
            os.replace(staging, final)
        else:
            shutil.copytree(staging, final)

    def link(self, previous: str, keys: list[str], staging: Path, version: str) -> None:
        source = self.root / "versions" / previous
        made: set[Path] = set()
        for key in keys:
            dst = staging / key
            if dst.parent not in made:
                dst.parent.mkdir(parents=True, exist_ok=True)
                made.add(dst.parent)
            try:
                os.link(source / key, dst)
            except OSError:  # another file system (staging outside the export folder) or no hard links
                shutil.copyfile(source / key, dst)

    def switch(self, pointer: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-index-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(pointer, fh, indent=1)
        link_tmp = self.root / f".tmp-current-{os.getpid()}"
        link_tmp.unlink(missing_ok=True)
        link_tmp.symlink_to(Path("versions") / pointer["version"])
        os.replace(tmp, self.root / INDEX)
        os.replace(link_tmp, self.root / "current")

    def versions(self) -> list[str]:
        folder = self.root / "versions"
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []

    def remove(self, version: str) -> None:
        shutil.rmtree(self.root / "versions" / version, ignore_errors=True)


class S3Target(ExportTarget):
    """Exports in an S3 bucket under a prefix; `index.json` is the switch (PUT of one object is atomic)."""

    def __init__(self, bucket: str, prefix: str = "", client: Any | None = None) -> None:
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        endpoint = os.environ.get("LUXCAT_S3_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL")
        self.client = client or boto3.client("s3", endpoint_url=endpoint)

    def _get(self, key: str, **kwargs: Any) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key, **kwargs)
        except self.client.exceptions.NoSuchKey as exc:
            raise KeyError(key) from exc
        return response["Body"].read()  # type: ignore[no-any-return]

    def read(self, key: str) -> bytes:
        return self._get(key)

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        return self._get(key, Range=f"bytes={offset}-{offset + length - 1}")

    def stream(self, key: str, chunk: int = 1 << 20) -> Iterator[bytes]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
        except self.client.exceptions.NoSuchKey as exc:
            raise KeyError(key) from exc
        return response["Body"].iter_chunks(chunk)  # type: ignore[no-any-return]

    def install(self, staging: Path, version: str) -> None:
        for path in sorted(p for p in staging.rglob("*") if p.is_file()):
            key = f"{self.prefix}versions/{version}/{path.relative_to(staging).as_posix()}"
            content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
            self.client.upload_file(str(path), self.bucket, key, ExtraArgs={"ContentType": content_type})

    def link(self, previous: str, keys: list[str], staging: Path, version: str) -> None:
        from concurrent.futures import ThreadPoolExecutor

        def copy(key: str) -> None:
            source = {"Bucket": self.bucket, "Key": f"{self.prefix}versions/{previous}/{key}"}
            self.client.copy_object(Bucket=self.bucket, Key=f"{self.prefix}versions/{version}/{key}", CopySource=source)

        with ThreadPoolExecutor(LINK_THREADS) as pool:
            list(pool.map(copy, keys))  # list(): the first failed copy raises here

    def switch(self, pointer: dict[str, Any]) -> None:
        body = json.dumps(pointer, indent=1).encode()
        self.client.put_object(
            Bucket=self.bucket,
            Key=self.prefix + INDEX,
            Body=body,
            ContentType="application/json",
            CacheControl="no-cache",
        )

    def versions(self) -> list[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        found: set[str] = set()
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{self.prefix}versions/", Delimiter="/"):
            for common in page.get("CommonPrefixes", []):
                found.add(common["Prefix"][len(self.prefix) + len("versions/") :].strip("/"))
        return sorted(found)

    def remove(self, version: str) -> None:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{self.prefix}versions/{version}/"):
            keys = [{"Key": obj["Key"]} for obj in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})


def _chunks(fh: IO[bytes], size: int) -> Iterator[bytes]:
    with fh:
        while data := fh.read(size):
            yield data


def open_export(url: str) -> ExportTarget:
    """`s3://bucket/prefix` or a folder path; a relative folder lives in the working folder (LUXCAT_HOME)."""
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ConfigError(f"catalogue export {url!r}: an s3:// URL needs a bucket name")
        return S3Target(parsed.netloc, parsed.path)
    if parsed.scheme in ("", "file"):
        path = Path(parsed.path if parsed.scheme else url)
        if not path.is_absolute():
            from luxcat.settings import load_settings

            path = load_settings().home / path
        return FolderTarget(path)
    raise ConfigError(f"catalogue export {url!r}: use a folder path or s3://bucket/prefix")
