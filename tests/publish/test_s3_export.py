"""The catalogue exported to S3 (moto's server over HTTP): round trip, atomic switch, crash safety, serving."""

from __future__ import annotations

import gzip
import json
import uuid
from pathlib import Path

import boto3
import pytest
import requests
from rdflib.compare import isomorphic

from publishers.catalogue import storage
from publishers.catalogue.export import EXTENSIONS
from publishers.catalogue.storage import S3Target
from publishers.serve import CatalogueServer
from publishers.targets import OaiOptions
from tests.publish.helpers import dump_bytes, follow_pages, members, parse, run


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    name = f"luxcat-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=name)
    return name


def test_s3_export_round_trips_and_pages(loaded, publish_config, bucket) -> None:  # type: ignore[no-untyped-def]
    cfg = publish_config(export=f"s3://{bucket}/national", page_size=5, dcat_ap_2=False, workers=2)
    run(loaded, cfg)
    target = S3Target(bucket, "national")
    pointer = target.current()
    assert pointer is not None and pointer["pages"] >= 3
    prefix = f"versions/{pointer['version']}/"
    whole = parse(dump_bytes(target.read, prefix + "catalogue.nt"), "nt")
    for ext in EXTENSIONS:
        assert isomorphic(parse(dump_bytes(target.read, prefix + f"catalogue.{ext}"), ext), whole), ext
    pages = follow_pages(lambda key: target.read(prefix + key), cfg.targets.catalogue.base_url, "ttl")
    seen = [uri for page in pages for uri in members(page, cfg.catalogue.uri)]
    assert sorted(seen) == sorted(members(whole, cfg.catalogue.uri))
    head = target.client.head_object(Bucket=bucket, Key=f"national/{prefix}pages/00001.ttl")
    assert head["ContentType"].startswith("text/turtle")
    head = target.client.head_object(Bucket=bucket, Key=f"national/{prefix}catalogue.ttl.gz")
    assert head["ContentType"] == "application/gzip"


def test_s3_crash_mid_upload_keeps_previous_version_served(  # type: ignore[no-untyped-def]
    loaded, publish_config, bucket, monkeypatch
) -> None:
    cfg = publish_config(export=f"s3://{bucket}/national", page_size=5, dcat_ap_2=False)
    first = run(loaded, cfg).data["version"]
    target = S3Target(bucket, "national")
    old_pointer = target.current()
    old_files = {k: target.read(k) for k in _keys(target, f"versions/{first}/")}

    source_id, record_id = next(k for k in loaded.graphs if k[1].startswith("catalog#"))  # its own dataset
    loaded.store.withdraw(source_id, [record_id])
    real_upload = S3Target.install

    def killed_mid_upload(self: S3Target, staging: Path, version: str) -> None:
        files = sorted(p for p in staging.rglob("*") if p.is_file())
        for path in files[: len(files) // 2]:
            key = f"{self.prefix}versions/{version}/{path.relative_to(staging).as_posix()}"
            self.client.upload_file(str(path), self.bucket, key)
        raise ConnectionError("worker killed during upload")

    monkeypatch.setattr(storage.S3Target, "install", killed_mid_upload)
    with pytest.raises(ConnectionError):
        run(loaded, cfg)
    assert target.current() == old_pointer
    assert {k: target.read(k) for k in _keys(target, f"versions/{first}/")} == old_files
    assert len(target.versions()) == 2  # the half-uploaded version exists but nothing points at it

    with CatalogueServer(target, OaiOptions(), port=0) as server:
        served = parse(requests.get(server.url + "catalogue.nt", timeout=10).content, "nt")
        assert isomorphic(served, parse(gzip.decompress(old_files[f"versions/{first}/catalogue.nt.gz"]), "nt"))
        oai = requests.get(server.url + "oai", params={"verb": "Identify"}, timeout=10)
        assert b"<Identify>" in oai.content

    monkeypatch.setattr(storage.S3Target, "install", real_upload)
    second = run(loaded, cfg).data["version"]
    assert target.current()["version"] == second  # type: ignore[index]
    assert sorted(target.versions()) == sorted([first, second])  # the partial upload was pruned
    lines = [json.loads(x) for x in target.read(f"versions/{second}/datasets.jsonl").decode().splitlines()]
    assert sum(1 for x in lines if x.get("deleted")) == 1


def _keys(target: S3Target, prefix: str) -> list[str]:
    response = target.client.list_objects_v2(Bucket=target.bucket, Prefix=target.prefix + prefix)
    return [obj["Key"][len(target.prefix) :] for obj in response.get("Contents", [])]


@pytest.mark.parametrize("formats", [EXTENSIONS, ("nt", "ttl")])
def test_s3_one_change_copies_unchanged_pages_server_side(loaded, publish_config, bucket, monkeypatch, formats) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from rdflib import Literal, URIRef

    cfg = publish_config(export=f"s3://{bucket}/national", page_size=2, dcat_ap_2=False, formats=list(formats))
    first = run(loaded, cfg, clock=lambda: datetime(2026, 3, 1, tzinfo=UTC)).data["version"]
    target = S3Target(bucket, "national")
    before = _etags(target, f"versions/{first}/")
    uploaded: list[str] = []
    real_install = S3Target.install

    def spying(self: S3Target, staging: Path, version: str) -> None:
        uploaded.extend(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        real_install(self, staging, version)

    monkeypatch.setattr(storage.S3Target, "install", spying)
    (source_id, record_id), graph = next((k, g) for k, g in loaded.graphs.items() if k[1].startswith("catalog#"))
    uri = loaded.store.get_record(source_id, record_id).dataset_uri
    keyword = Literal("s3-incremental", lang="en")
    graph.add((URIRef(uri), URIRef("http://www.w3.org/ns/dcat#keyword"), keyword))
    loaded.add(source_id, record_id, uri, graph)
    plan = run(loaded, cfg, clock=lambda: datetime(2026, 3, 2, tzinfo=UTC))
    second, export = plan.data["version"], plan.data["export"]
    rendered, reused = set(export["rendered"]), set(export["reused"])
    assert rendered == {1, *rendered} and len(rendered) <= 2 and len(reused) == export["pages"] - len(rendered)
    after = _etags(target, f"versions/{second}/")
    assert set(after) == set(before)
    assert {key.removesuffix(".gz").rsplit(".", 1)[-1] for key in after if "/" in key} == set(formats)  # pages, parts
    assert {key for key in after if key.startswith("catalogue.")} == {f"catalogue.{ext}.gz" for ext in formats}
    for n in range(1, export["pages"] + 1):
        for ext in formats:
            for key in (f"pages/{n:05d}.{ext}", f"parts/{n:05d}.{ext}.gz"):
                assert (key in uploaded) == (n in rendered), key  # reused ones were copied, never uploaded
                if n in reused:
                    assert after[key] == before[key], key
    with CatalogueServer(target, OaiOptions(), port=0) as server:
        whole = parse(requests.get(server.url + "catalogue.nt", timeout=10).content, "nt")
        assert (URIRef(uri), URIRef("http://www.w3.org/ns/dcat#keyword"), keyword) in whole
        pages = follow_pages(lambda key: target.read(f"versions/{second}/{key}"), cfg.targets.catalogue.base_url, "nt")
        assert sorted(u for page in pages for u in members(page, cfg.catalogue.uri)) == sorted(
            members(whole, cfg.catalogue.uri)
        )
        record = requests.get(
            server.url + "oai", params={"verb": "GetRecord", "identifier": uri, "metadataPrefix": "dcat_ap"}, timeout=10
        )
        assert b"s3-incremental" in record.content


def _etags(target: S3Target, prefix: str) -> dict[str, str]:
    """key (relative to `prefix`) -> ETag of every object under it."""
    out: dict[str, str] = {}
    for page in target.client.get_paginator("list_objects_v2").paginate(
        Bucket=target.bucket, Prefix=target.prefix + prefix
    ):
        for obj in page.get("Contents", []):
            out[obj["Key"][len(target.prefix + prefix) :]] = obj["ETag"]
    return out
