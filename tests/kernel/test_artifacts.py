"""Artifact store: local folder and S3 (moto's server over HTTP) behave the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from luxcat.artifacts import ArtifactStore, LocalArtifactStore, S3ArtifactStore, open_artifacts, safe_key
from luxcat.errors import ConfigError


@pytest.fixture(params=["local", "s3"])
def artifacts(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArtifactStore]:
    if request.param == "local":
        yield LocalArtifactStore(tmp_path / "artifacts")
        return
    import boto3

    endpoint = request.getfixturevalue("s3_endpoint")
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    bucket = f"luxcat-{tmp_path.name.lower().replace('_', '-')[:40]}"
    client.create_bucket(Bucket=bucket)
    yield S3ArtifactStore(bucket, "runs-prefix", client=client)


def test_put_get_list_delete(artifacts: ArtifactStore) -> None:
    loc = artifacts.put("raw/src/a.xml", b"<a/>", "application/xml")
    artifacts.put("raw/src/b.xml", b"<b/>")
    artifacts.put("mapped/src/a.nt", b"")
    assert artifacts.get("raw/src/a.xml") == b"<a/>"
    assert artifacts.key_of(loc) == "raw/src/a.xml"
    assert list(artifacts.keys("raw/")) == ["raw/src/a.xml", "raw/src/b.xml"]
    assert artifacts.exists("raw/src/b.xml")
    artifacts.delete("raw/src/b.xml")
    assert not artifacts.exists("raw/src/b.xml")
    with pytest.raises(KeyError):
        artifacts.get("raw/src/b.xml")


def test_overwrite_replaces_content(artifacts: ArtifactStore) -> None:
    artifacts.put("k", b"one")
    artifacts.put("k", b"two")
    assert artifacts.get("k") == b"two"


def test_local_store_refuses_keys_escaping_the_root(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "a")
    with pytest.raises(KeyError, match="escapes"):
        store.put("../outside", b"x")
    assert not (tmp_path / "outside").exists()


def test_local_store_refuses_symlinks_and_dot_dots_out_of_the_root_with_folders_cached(tmp_path: Path) -> None:
    """The key's folder is resolved once per store object; escapes are refused all the same."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"s")
    store = LocalArtifactStore(tmp_path / "a")
    store.put("runs/1/x", b"x")
    assert store.get("runs/1/x") == b"x"  # its folder is now cached
    (tmp_path / "a" / "runs" / "1" / "link").symlink_to(outside / "secret")
    (tmp_path / "a" / "runs" / "out").symlink_to(outside, target_is_directory=True)
    for key in ("runs/1/link", "runs/out/secret", "runs/../../outside/secret", "/etc/hostname", "runs/../.."):
        with pytest.raises(KeyError, match="escapes"):
            store.get(key)
    with pytest.raises(KeyError, match="escapes"):
        store.put("runs/out/new", b"n")
    assert not (outside / "new").exists()
    (tmp_path / "a" / "runs" / "1" / "inside").symlink_to(tmp_path / "a" / "runs" / "1" / "x")
    assert store.get("runs/1/inside") == b"x"  # a link that stays inside is followed


def test_open_artifacts_by_url(tmp_path: Path) -> None:
    assert isinstance(open_artifacts(str(tmp_path / "x")), LocalArtifactStore)
    assert isinstance(open_artifacts(f"file://{tmp_path}/y"), LocalArtifactStore)
    with pytest.raises(ConfigError, match="bucket"):
        open_artifacts("s3:///nobucket")
    with pytest.raises(ConfigError, match="folder path or s3"):
        open_artifacts("ftp://host/x")


def test_safe_key_keeps_ids_apart() -> None:
    ids = ["a/b", "a:b", "a b", "a%2Fb", "..", "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=LU1:DF_X(1.0)"]
    keys = [safe_key(i) for i in ids]
    assert len(set(keys)) == len(keys)
    assert all("/" not in k and k not in ("", ".", "..") for k in keys)
