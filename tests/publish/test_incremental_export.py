"""Incremental catalogue export on real records: one changed dataset rewrites only its page and page 1.

Proofs are on the files themselves (inodes of hard-linked pages, S3 objects uploaded or copied) and
on a count of pages rendered; the assembled gzip dumps are compared as graphs with a from-scratch export.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from publishers.catalogue import storage
from publishers.catalogue.export import EXTENSIONS, VARIANT_2
from publishers.catalogue.partition import bucket, partition_count
from publishers.oaipmh import OaiRepository
from publishers.targets import OaiOptions
from tests.publish.corpus import SOURCE_FILES, closure, load, records_of, source_config
from tests.publish.helpers import folder_reader, follow_pages, members, parse, run

T1 = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 2, 10, 0, 0, tzinfo=UTC)
OAI = "{http://www.openarchives.org/OAI/2.0/}"
SCHEMA = Path(__file__).resolve().parents[2] / "publishers" / "schemas" / "oai-pmh-dcat-ap.xsd"
RDF_NS = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
KEYWORD = Literal("incremental-export-test", lang="en")


def _change_one(loaded: Any) -> str:
    """One record changes at its source (a keyword added, as a re-harvest would bring); its dataset URI."""
    (source_id, record_id), graph = next((k, g) for k, g in loaded.graphs.items() if k[1].startswith("catalog#"))
    uri = loaded.store.get_record(source_id, record_id).dataset_uri
    graph.add((URIRef(uri), URIRef("http://www.w3.org/ns/dcat#keyword"), KEYWORD))
    loaded.add(source_id, record_id, uri, graph, T2)
    return str(uri)


def _files(root: Path, version: str) -> dict[str, int]:
    """key -> inode of every file of one version."""
    folder = root / "versions" / version
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def test_one_change_rewrites_only_its_page_and_page_one(loaded, publish_config, renders) -> None:  # type: ignore[no-untyped-def]
    cfg = publish_config(page_size=2, dcat_ap_2=True)
    root = Path(cfg.targets.catalogue.export)
    first = run(loaded, cfg, clock=lambda: T1)
    pages = first.data["export"]["pages"]
    assert pages >= 8 and sorted(renders) == list(range(1, pages + 1))
    renders.clear()
    changed = _change_one(loaded)
    page = bucket(changed, pages) + 1
    second = run(loaded, cfg, clock=lambda: T2)
    assert [(e.action, e.dataset_uri) for e in second.entries if e.action != "unchanged"] == [("update", changed)]
    assert sorted(renders) == sorted({1, page}) == second.data["export"]["rendered"]
    before, after = _files(root, first.data["version"]), _files(root, second.data["version"])
    assert set(before) == set(after)
    for prefix in ("", f"{VARIANT_2}/"):
        for n in range(1, pages + 1):
            for ext in EXTENSIONS:
                for key in (f"{prefix}pages/{n:05d}.{ext}", f"{prefix}parts/{n:05d}.{ext}.gz"):
                    same = before[key] == after[key]  # a hard link: the file was taken over, not written
                    assert same == (n not in (1, page)), key
    # what changes with every publish is only on page 1 (and the dump heads)
    nt = parse(folder_reader(root)(f"pages/{page:05d}.nt"), "nt")
    assert (URIRef(changed), URIRef("http://www.w3.org/ns/dcat#keyword"), KEYWORD) in nt
    first_page = parse(folder_reader(root)("pages/00001.nt"), "nt")
    assert first_page.value(URIRef(cfg.catalogue.uri), DCTERMS.modified).toPython() == T2
    # datasets.tsv (what the next plan reads) agrees with datasets.jsonl, line for line
    current = root / "current"
    live = [json.loads(x) for x in (current / "datasets.jsonl").read_text().splitlines() if '"deleted"' not in x]
    rows = [x.split("\t") for x in (current / "datasets.tsv").read_text().splitlines()]
    assert rows == [[x["uri"], x["hash"], x["datestamp"], x["file"], str(x["offset"]), str(x["length"])] for x in live]
    # the old version is still complete on its own (pruning it later keeps the links of the new one)
    old = root / "versions" / first.data["version"]
    assert gzip.decompress((old / "catalogue.nt.gz").read_bytes()).count(b"\n") > 100


def test_assembled_dumps_equal_a_from_scratch_export(loaded, publish_config, tmp_path) -> None:  # type: ignore[no-untyped-def]
    incremental = publish_config(export=str(tmp_path / "incremental"), page_size=2, dcat_ap_2=True)
    run(loaded, incremental, clock=lambda: T1)
    _change_one(loaded)
    assert run(loaded, incremental, clock=lambda: T2).data["export"]["reused"]
    scratch = publish_config(export=str(tmp_path / "scratch"), page_size=2, dcat_ap_2=True)
    assert not run(loaded, scratch, clock=lambda: T2).data["export"]["reused"]
    for prefix in ("", f"{VARIANT_2}/"):
        for ext in EXTENSIONS:
            key = f"current/{prefix}catalogue.{ext}.gz"
            ours = parse(gzip.decompress((tmp_path / "incremental" / key).read_bytes()), ext)
            theirs = parse(gzip.decompress((tmp_path / "scratch" / key).read_bytes()), ext)
            assert len(ours) > 500 and isomorphic(ours, theirs), key
    # and the dump is what the pages hold, walked by hydra:next (piveau's way)
    read = folder_reader(tmp_path / "incremental")
    whole = parse(read("catalogue.ttl"), "ttl")
    expected = members(whole, incremental.catalogue.uri)
    for ext in EXTENSIONS:
        walked = follow_pages(read, incremental.targets.catalogue.base_url, ext)
        seen = Counter(uri for page in walked for uri in members(page, incremental.catalogue.uri))
        assert set(seen) == set(expected) and set(seen.values()) == {1}, ext


def test_oai_pmh_after_an_incremental_publish(loaded, publish_config) -> None:  # type: ignore[no-untyped-def]
    cfg = publish_config(page_size=2)
    root = Path(cfg.targets.catalogue.export)
    run(loaded, cfg, clock=lambda: T1)
    changed = _change_one(loaded)
    gone_src, gone_id = next(k for k in loaded.graphs if k[1].startswith("dataset_health_multilingual#"))
    gone = loaded.store.get_record(gone_src, gone_id).dataset_uri
    loaded.store.withdraw(gone_src, [gone_id])
    second = run(loaded, cfg, clock=lambda: T2)
    assert second.data["export"]["reused"]
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    repo = OaiRepository(storage.FolderTarget(root), OaiOptions(page_size=3), "http://127.0.0.1/oai")

    def ask(**params: str) -> etree._Element:
        doc = etree.fromstring(repo.handle({k: [v] for k, v in params.items()}))
        schema.assertValid(doc)
        return doc

    whole = parse(folder_reader(root)("catalogue.nt"), "nt")
    expected = set(members(whole, cfg.catalogue.uri))
    seen: dict[str, str | None] = {}
    doc = ask(verb="ListRecords", metadataPrefix="dcat_ap")
    while True:
        for record in doc.iter(f"{OAI}record"):
            uri = record.findtext(f"{OAI}header/{OAI}identifier")
            seen[uri] = record.find(f"{OAI}header").get("status")
            rdf = record.find(f"{OAI}metadata/{{http://www.w3.org/1999/02/22-rdf-syntax-ns#}}RDF")
            if rdf is not None:
                graph = Graph().parse(data=etree.tostring(rdf), format="xml")
                assert isomorphic(closure(graph, URIRef(uri)), closure(whole, URIRef(uri))), uri
        token = doc.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            break
        doc = ask(verb="ListRecords", resumptionToken=token.text)
    assert seen == {**dict.fromkeys(expected), gone: "deleted"}
    doc = ask(verb="GetRecord", identifier=changed, metadataPrefix="dcat_ap")
    graph = Graph().parse(data=etree.tostring(doc.find(f".//{RDF_NS}RDF")), format="xml")
    assert (URIRef(changed), URIRef("http://www.w3.org/ns/dcat#keyword"), KEYWORD) in graph
    lines = [json.loads(x) for x in (root / "current" / "datasets.jsonl").read_text().splitlines()]
    reused = set(second.data["export"]["reused"])
    kept = next(x for x in lines if x.get("page") in reused)  # a dataset on a page taken over unrendered
    doc = ask(verb="GetRecord", identifier=kept["uri"], metadataPrefix="dcat_ap")
    graph = Graph().parse(data=etree.tostring(doc.find(f".//{RDF_NS}RDF")), format="xml")
    assert isomorphic(closure(graph, URIRef(kept["uri"])), closure(whole, URIRef(kept["uri"])))


def test_crash_mid_incremental_export_keeps_the_served_version(loaded, publish_config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from publishers.catalogue import dumps

    cfg = publish_config(page_size=2)
    root = Path(cfg.targets.catalogue.export)
    run(loaded, cfg, clock=lambda: T1)
    before = {p.relative_to(root): p.read_bytes() for p in (root / "current").rglob("*") if p.is_file()}
    pointer = (root / "index.json").read_bytes()
    _change_one(loaded)

    def killed(*_args: object) -> None:
        raise OSError("killed while assembling the dumps")  # after the unchanged pages were linked

    monkeypatch.setattr(dumps, "assemble", killed)
    with pytest.raises(OSError, match="assembling"):
        run(loaded, cfg, clock=lambda: T2)
    assert (root / "index.json").read_bytes() == pointer
    assert {p.relative_to(root): p.read_bytes() for p in (root / "current").rglob("*") if p.is_file()} == before
    monkeypatch.undo()
    plan = run(loaded, cfg, clock=lambda: T2)
    assert plan.data["export"]["reused"]  # the crashed attempt left nothing the next one trips on
    versions = sorted(p.name for p in (root / "versions").iterdir())
    assert plan.data["version"] in versions and not [v for v in versions if v.startswith(".staging")]


def test_partition_count_grows_and_shrinks_with_hysteresis() -> None:
    assert partition_count(0, 100) == 1 and partition_count(100, 100) == 1 and partition_count(101, 100) == 2
    assert partition_count(100_000, 100) == 1024
    assert partition_count(100_001, 100, previous=1024) == 1024  # still fits
    assert partition_count(102_401, 100, previous=1024) == 2048  # outgrown: doubles
    assert partition_count(25_600, 100, previous=1024) == 1024  # a quarter full: kept
    assert partition_count(25_599, 100, previous=1024) == 256  # below: the smallest count that fits
    assert partition_count(5, 100, previous=3) == 1  # not a power of two: recomputed


def test_growth_past_the_threshold_repartitions_every_page(tmp_path, publish_config, renders) -> None:  # type: ignore[no-untyped-def]
    loaded = load(tmp_path / "state", {"semic-hvd": SOURCE_FILES["semic-hvd"]})
    cfg = publish_config(page_size=2)
    first = run(loaded, cfg, clock=lambda: T1)
    small = first.data["export"]["pages"]
    loaded.sources.append(source_config("portal-mix"))  # a new source joins
    for relative in SOURCE_FILES["portal-mix"]:
        for record_id, uri, graph in records_of(relative):
            loaded.add("portal-mix", record_id, str(uri), graph, T2)
    renders.clear()
    second = run(loaded, cfg, clock=lambda: T2)
    grown = second.data["export"]["pages"]
    assert grown > small and second.data["export"]["reused"] == [] and sorted(renders) == list(range(1, grown + 1))
    root = Path(cfg.targets.catalogue.export)
    read = folder_reader(root)
    whole = parse(read("catalogue.nt"), "nt")
    expected = members(whole, cfg.catalogue.uri)
    walked = follow_pages(read, cfg.targets.catalogue.base_url, "ttl")
    assert len(walked) == grown
    seen = Counter(uri for page in walked for uri in members(page, cfg.catalogue.uri))
    assert set(seen) == set(expected) and set(seen.values()) == {1}
    lines = [json.loads(x) for x in (root / "current" / "datasets.jsonl").read_text().splitlines()]
    assert all(x["page"] == bucket(x["uri"], grown) + 1 for x in lines if not x.get("deleted"))
    # a next one-change publish under the new partitioning takes the other pages over again
    renders.clear()
    changed = _change_one(loaded)
    third = run(loaded, cfg, clock=lambda: datetime(2026, 3, 3, tzinfo=UTC))
    assert sorted(renders) == sorted({1, bucket(changed, grown) + 1}) and third.data["export"]["pages"] == grown


def test_uncompressed_dumps_are_optional(loaded, publish_config) -> None:  # type: ignore[no-untyped-def]
    cfg = publish_config(page_size=3, uncompressed_dumps=True)
    run(loaded, cfg, clock=lambda: T1)
    current = Path(cfg.targets.catalogue.export) / "current"
    for ext in EXTENSIONS:
        plain = (current / f"catalogue.{ext}").read_bytes()
        assert plain == gzip.decompress((current / f"catalogue.{ext}.gz").read_bytes())
        assert (URIRef(cfg.catalogue.uri), RDF.type, URIRef("http://www.w3.org/ns/dcat#Catalog")) in parse(plain, ext)
    off = publish_config(export=str(current.parent.parent / "off"), page_size=3)
    run(loaded, off, clock=lambda: T1)
    assert not (current.parent.parent / "off" / "current" / "catalogue.nt").exists()


def test_plan_reads_only_the_changed_graphs_once_the_scan_cache_is_saved(loaded, publish_config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from publishers.base import publish_items
    from publishers.catalogue import merge
    from tests.publish.helpers import catalogue_publisher

    cfg = publish_config(page_size=2)
    run(loaded, cfg, clock=lambda: T1)  # reads every graph and saves what it learnt
    read: list[str] = []
    real = merge.read_mapped

    def counting(artifacts, location):  # type: ignore[no-untyped-def]
        read.append(location)
        return real(artifacts, location)

    monkeypatch.setattr(merge, "read_mapped", counting)
    publisher = catalogue_publisher(loaded, cfg, clock=lambda: T2)
    items = publish_items(loaded.store, loaded.artifacts, loaded.sources)
    assert set(publisher.plan(items).totals()) == {"unchanged"} and read == []
    changed = _change_one(loaded)  # a new artifact file: a new inode, whatever its size
    items = publish_items(loaded.store, loaded.artifacts, loaded.sources)
    plan = publisher.plan(items)
    assert [(e.action, e.dataset_uri) for e in plan.entries if e.action != "unchanged"] == [("update", changed)]
    assert len(read) == 1 and read[0].endswith(".nt")
    # the cache is private to the artifact store, never part of the export
    export = Path(cfg.targets.catalogue.export)
    assert not [p for p in export.rglob("*") if "scan-cache" in p.name]


def test_gunzip_stream_reads_concatenated_members_across_any_chunking(loaded, publish_config) -> None:  # type: ignore[no-untyped-def]
    from publishers.catalogue.dumps import gunzip_stream

    cfg = publish_config(page_size=2)
    run(loaded, cfg, clock=lambda: T1)
    data = (Path(cfg.targets.catalogue.export) / "current" / "catalogue.ttl.gz").read_bytes()
    whole = gzip.decompress(data)  # Python's reader: every member
    assert data.count(b"\x1f\x8b\x08") >= 3  # head, page parts, ... : several members
    for size in (1, 7, 4096, len(data)):
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        assert b"".join(gunzip_stream(chunks)) == whole, size
