"""The catalogue export on real records: every format and page round-trips, paging is complete, merges work."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, OWL

from publishers.catalogue.export import EXTENSIONS
from publishers.catalogue.merge import catalogue_triples
from publishers.catalogue.storage import INDEX
from publishers.serialise import serialise
from tests.publish.corpus import DCAT, load
from tests.publish.helpers import HYDRA, folder_reader, follow_pages, members, parse, run, without_hydra

BEES = "https://data.exampleMS.gov/id/dataset/1T2p3o4B"
CATALOGUE_NODES = (DCAT.Catalog, DCAT.CatalogRecord, FOAF.Agent)


def test_every_format_of_the_whole_catalogue_is_the_same_graph(loaded, publish_config) -> None:  # type: ignore[no-untyped-def]
    cfg = publish_config(page_size=4)
    run(loaded, cfg)
    read = folder_reader(Path(cfg.targets.catalogue.export))
    reference = parse(read("catalogue.nt"), "nt")
    assert len(reference) > 500
    for ext in EXTENSIONS:
        assert isomorphic(parse(read(f"catalogue.{ext}"), ext), reference), ext


def test_export_holds_exactly_the_records_graphs_plus_catalogue_metadata(tmp_path, publish_config) -> None:  # type: ignore[no-untyped-def]
    files = {"only": ["ckanext-dcat-examples/catalog.rdf", "udata-harvest-tests/catalog.xml"]}
    loaded = load(tmp_path / "state", files)
    cfg = publish_config()
    run(loaded, cfg)
    exported = parse(folder_reader(Path(cfg.targets.catalogue.export))("catalogue.ttl"), "ttl")
    ours = {s for t in CATALOGUE_NODES for s in exported.subjects(RDF.type, t)}
    meta = Graph().parse(data=serialise(catalogue_triples(cfg.catalogue, None), "nt"), format="nt")
    data = Graph()
    for s, p, o in exported:
        if s not in ours and (s, p, o) not in meta:
            data.add((s, p, o))
    expected = Graph()
    for graph in loaded.graphs.values():
        expected += graph
    assert isomorphic(data, expected)
    catalogue = URIRef(cfg.catalogue.uri)
    assert sorted(members(exported, cfg.catalogue.uri)) == sorted(r.dataset_uri for r in loaded.store.records())
    assert exported.value(catalogue, DCTERMS.title) is not None
    assert (catalogue, DCTERMS.spatial, URIRef(cfg.catalogue.spatial)) in exported
    assert len(list(exported.objects(catalogue, DCAT.record))) == len(loaded.graphs)


def test_hydra_paging_visits_every_dataset_once_in_every_format(loaded, publish_config) -> None:  # type: ignore[no-untyped-def]
    cfg = publish_config(page_size=3)
    run(loaded, cfg)
    read = folder_reader(Path(cfg.targets.catalogue.export))
    whole = parse(read("catalogue.nt"), "nt")
    expected = members(whole, cfg.catalogue.uri)
    assert len(expected) == len(set(expected)) > 6
    base = cfg.targets.catalogue.base_url
    for ext in EXTENSIONS:
        pages = follow_pages(lambda key: read(key), base, ext)
        # hash partitions: a power of two, at most page_size datasets per page on average
        count = json.loads((Path(cfg.targets.catalogue.export) / INDEX).read_text())["pages"]
        assert len(pages) == count and count & (count - 1) == 0 and count // 2 * 3 < len(expected) <= count * 3
        seen = Counter(uri for page in pages for uri in members(page, cfg.catalogue.uri))
        assert set(seen) == set(expected) and set(seen.values()) == {1}, ext
        # the volatile statements (total, dct:modified) are on page 1 only: other pages stay unchanged
        totals = [page.value(URIRef(cfg.catalogue.uri), HYDRA.totalItems) for page in pages]
        assert int(totals[0]) == len(expected) and totals[1:] == [None] * (len(pages) - 1)
        modified = [page.value(URIRef(cfg.catalogue.uri), DCTERMS.modified) for page in pages]
        assert modified[0] is not None and modified[1:] == [None] * (len(pages) - 1)
        lasts = {page.value(URIRef(base + f"pages/{n:05d}.{ext}"), HYDRA.last) for n, page in enumerate(pages, 1)}
        assert lasts == {URIRef(base + f"pages/{len(pages):05d}.{ext}")}
        union = Graph()
        for page in pages:
            union += without_hydra(page)
        assert isomorphic(union, whole), ext
        # the same page in another format is the same graph (page URLs differ only by extension)
        nt_first = parse(read("pages/00001.nt"), "nt")
        renamed = Graph()
        for s, p, o in pages[0]:
            renamed.add((_to_nt(s, ext), p, _to_nt(o, ext)))
        assert isomorphic(renamed, nt_first), ext


def _to_nt(term: object, ext: str) -> object:
    return URIRef(str(term).replace(f".{ext}", ".nt")) if isinstance(term, URIRef) else term


def test_pages_are_a_stable_function_of_the_uri_in_order_by_identifier(loaded, publish_config) -> None:  # type: ignore[no-untyped-def]
    from publishers.catalogue.partition import bucket

    cfg = publish_config(page_size=2)
    run(loaded, cfg)
    root = Path(cfg.targets.catalogue.export) / "current"
    pages = json.loads((root.parent / "index.json").read_text())["pages"]
    lines = [json.loads(x) for x in (root / "datasets.jsonl").read_text().splitlines()]
    live = [x for x in lines if not x.get("deleted")]
    assert [x["page"] for x in live] == [bucket(x["uri"], pages) + 1 for x in live]
    assert [x["page"] for x in live] == sorted(x["page"] for x in live)  # datasets.jsonl in page order
    for n in {x["page"] for x in live}:
        keys = [(x["identifier"], x["uri"]) for x in live if x["page"] == n]
        assert keys == sorted(keys)
    # the byte range of each dataset in its page's N-Triples parses to that dataset's triples
    for line in live:
        assert line["file"] == f"pages/{line['page']:05d}.nt"
        nt = (root / line["file"]).read_bytes()
        chunk = parse(nt[line["offset"] : line["offset"] + line["length"]], "nt")
        assert (URIRef(line["uri"]), RDF.type, None) in chunk


def test_same_dataset_through_two_sources_is_merged_with_precedence(loaded, publish_config) -> None:  # type: ignore[no-untyped-def]
    cfg = publish_config(merge={"precedence": ["portal-mix", "semic-hvd"]})
    plan = run(loaded, cfg)
    root = Path(cfg.targets.catalogue.export)
    graph = parse(folder_reader(root)("catalogue.ttl"), "ttl")
    bees = URIRef(BEES)
    assert members(graph, cfg.catalogue.uri).count(BEES) == 1
    records = set(graph.subjects(FOAF.primaryTopic, bees)) & set(graph.subjects(RDF.type, DCAT.CatalogRecord))
    ours = {r for r in records if (URIRef(cfg.catalogue.uri), DCAT.record, r) in graph}
    assert len(ours) == 3  # semic-hvd has it in two files, portal-mix in one
    assert {str(graph.value(graph.value(r, DCTERMS.source), DCTERMS.isPartOf)).rsplit("/", 1)[-1] for r in ours} == {
        "semic-hvd",
        "portal-mix",
    }
    # multi-valued properties are united: both licences of portal-mix and the distributions of both
    sources = [g for (_s, _r), g in loaded.graphs.items() if (bees, RDF.type, DCAT.Dataset) in g]
    want = {d for g in sources for d in g.objects(bees, DCAT.distribution)}
    assert set(graph.objects(bees, DCAT.distribution)) == want
    entry = next(e for e in plan.entries if e.dataset_uri == BEES)
    assert "merged from 3 records" in entry.detail


def test_conflicting_single_values_follow_precedence_and_are_reported(tmp_path, publish_config) -> None:  # type: ignore[no-untyped-def]
    files = {"a-src": ["ckanext-dcat-examples/catalog.rdf"], "b-src": []}
    loaded = load(tmp_path / "state", files)
    original = loaded.graphs[next(iter(loaded.graphs))]
    uri = next(iter(original.subjects(RDF.type, DCAT.Dataset)))
    # b-src publishes the same dataset under another URI, same dct:identifier, another title
    other = URIRef("https://b.example.lu/dataset/x")
    copy = Graph()
    for s, p, o in original:
        copy.add((other if s == uri else s, p, other if o == uri else o))
    title = original.value(uri, DCTERMS.title)
    copy.set((other, DCTERMS.title, Literal("Titre de b-src", lang=title.language)))
    copy.remove((other, DCTERMS.identifier, None))  # the two sources share only "shared-id"
    copy.add((other, DCTERMS.identifier, Literal("shared-id")))
    original.add((uri, DCTERMS.identifier, Literal("shared-id")))
    loaded.add("a-src", next(iter(loaded.graphs))[1], str(uri), original)
    loaded.add("b-src", "x", str(other), copy)

    # "shared-id" is a local identifier: it joins the two sources only once its namespace is registered
    cfg = publish_config(merge={"precedence": ["b-src", "a-src"]})
    run(loaded, cfg)
    graph = parse(folder_reader(Path(cfg.targets.catalogue.export))("catalogue.nt"), "nt")
    assert {str(uri), str(other)} <= set(members(graph, cfg.catalogue.uri))
    for precedence, winner, kept in ((["b-src", "a-src"], other, "Titre de b-src"), (["a-src"], uri, str(title))):
        cfg = publish_config(merge={"precedence": precedence, "namespaces": ["shared-"]})
        plan = run(loaded, cfg)
        root = Path(cfg.targets.catalogue.export)
        graph = parse(folder_reader(root)("catalogue.nt"), "nt")
        assert str(winner) in members(graph, cfg.catalogue.uri)
        assert [str(t) for t in graph.objects(winner, DCTERMS.title)] == [kept]
        conflicts = json.loads((root / "current" / "conflicts.json").read_text())
        title_conflicts = [c for c in conflicts if c["property"].endswith("/title")]
        assert len(title_conflicts) == 1 and title_conflicts[0]["kept"]["values"][0].startswith(f'"{kept}"')
        entry = next(e for e in plan.entries if e.dataset_uri == str(winner))
        assert "across sources on identifier shared-id" in entry.detail
        pointer = json.loads((root / INDEX).read_text())
        assert [m["rules"] for m in pointer["merges"]] == [[{"rule": "identifier", "value": "shared-id"}]]

    # matching on URIs only keeps the two datasets apart
    cfg = publish_config(merge={"match_on": ["uri"]})
    run(loaded, cfg)
    graph = parse(folder_reader(Path(cfg.targets.catalogue.export))("catalogue.nt"), "nt")
    assert {str(uri), str(other)} <= set(members(graph, cfg.catalogue.uri))


def test_configured_equivalence_merges_unrelated_uris(tmp_path, publish_config) -> None:  # type: ignore[no-untyped-def]
    files = {"a-src": ["ckanext-dcat-examples/catalog.rdf"]}
    loaded = load(tmp_path / "state", files)
    uris = sorted({u for g in loaded.graphs.values() for u in g.subjects(RDF.type, DCAT.Dataset)})
    cfg = publish_config(merge={"equivalences": [[str(uris[0]), str(uris[1])]], "match_on": ["uri"]})
    run(loaded, cfg)
    graph = parse(folder_reader(Path(cfg.targets.catalogue.export))("catalogue.nt"), "nt")
    assert members(graph, cfg.catalogue.uri) == [str(uris[0])]


def test_withdrawn_records_leave_the_catalogue_and_are_listed_deleted(loaded, publish_config) -> None:  # type: ignore[no-untyped-def]
    cfg = publish_config()
    run(loaded, cfg)
    source_id, record_id = next(k for k, g in loaded.graphs.items() if k[1].startswith("catalog#"))
    uri = loaded.store.get_record(source_id, record_id).dataset_uri
    loaded.store.withdraw(source_id, [record_id])
    plan = run(loaded, cfg)
    assert [(e.action, e.dataset_uri) for e in plan.entries if e.action == "delete"] == [("delete", uri)]
    root = Path(cfg.targets.catalogue.export) / "current"
    graph = parse(folder_reader(root.parent)("catalogue.nt"), "nt")
    assert uri not in members(graph, cfg.catalogue.uri) and (URIRef(uri), None, None) not in graph
    deleted = [json.loads(x) for x in (root / "datasets.jsonl").read_text().splitlines() if '"deleted"' in x]
    assert [d["uri"] for d in deleted] == [uri] and deleted[0]["sets"] == [source_id]


def test_unchanged_catalogue_is_not_rewritten_and_dry_plan_writes_nothing(loaded, publish_config) -> None:  # type: ignore[no-untyped-def]
    from publishers.base import publish_items
    from tests.publish.helpers import catalogue_publisher

    cfg = publish_config()
    root = Path(cfg.targets.catalogue.export)
    publisher = catalogue_publisher(loaded, cfg)
    plan = publisher.plan(publish_items(loaded.store, loaded.artifacts, loaded.sources))
    assert not root.exists() or not any(root.iterdir())  # planning is read-only
    assert set(plan.totals()) == {"create"}
    first = run(loaded, cfg).data["version"]
    again = run(loaded, cfg)
    assert set(again.totals()) == {"unchanged"} and "version" not in again.data
    assert json.loads((root / "index.json").read_text())["version"] == first


def test_dcat_ap_2_variant(loaded, publish_config) -> None:  # type: ignore[no-untyped-def]
    cfg = publish_config(dcat_ap_2=True)
    run(loaded, cfg)
    read = folder_reader(Path(cfg.targets.catalogue.export))
    v3 = parse(read("catalogue.nt"), "nt")
    v2 = parse(read("dcat-ap-2.1.1/catalogue.ttl"), "ttl")
    series = set(v3.subjects(RDF.type, URIRef(str(DCAT) + "DatasetSeries")))
    assert series and all((s, RDF.type, DCAT.Dataset) in v2 for s in series)
    assert not set(v2.triples((None, URIRef(str(DCAT) + "version"), None)))
    versions = set(v3.triples((None, URIRef(str(DCAT) + "version"), None)))
    assert {(s, OWL.versionInfo, o) for s, _p, o in versions} <= set(v2)
    pages = follow_pages(lambda key: read(key), cfg.targets.catalogue.base_url, "rdf", prefix="dcat-ap-2.1.1/")
    union = Graph()
    for page in pages:
        union += without_hydra(page)
    assert isomorphic(union, v2)


@pytest.mark.parametrize("when", ["writing", "installing"])
def test_crash_mid_export_leaves_previous_version_served(loaded, publish_config, monkeypatch, when) -> None:  # type: ignore[no-untyped-def]
    from publishers.catalogue import export, storage

    cfg = publish_config(page_size=2)
    run(loaded, cfg)
    root = Path(cfg.targets.catalogue.export)
    before = {p.relative_to(root): p.read_bytes() for p in (root / "current").rglob("*") if p.is_file()}
    pointer = (root / "index.json").read_bytes()
    source_id, record_id = next(iter(loaded.graphs))
    loaded.store.withdraw(source_id, [record_id])  # something to publish

    calls = {"n": 0}
    real_write, real_install = export.PageWriter.write, storage.FolderTarget.install

    def failing_write(self, *args):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real_write(self, *args)

    def failing_install(self, staging, version):  # type: ignore[no-untyped-def]
        real_install(self, staging, version)
        raise OSError("killed after copying the files")

    if when == "writing":
        monkeypatch.setattr(export.PageWriter, "write", failing_write)
    else:
        monkeypatch.setattr(storage.FolderTarget, "install", failing_install)
    with pytest.raises(OSError):
        run(loaded, cfg)
    assert (root / "index.json").read_bytes() == pointer
    after = {p.relative_to(root): p.read_bytes() for p in (root / "current").rglob("*") if p.is_file()}
    assert after == before
    monkeypatch.undo()
    plan = run(loaded, cfg)  # the next run succeeds and cleans up what the crash left behind
    versions = sorted(p.name for p in (root / "versions").iterdir())
    assert plan.data["version"] in versions and not [v for v in versions if v.startswith(".staging")]


def test_parallel_export_is_byte_identical_to_a_single_process(loaded, publish_config, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    exports = {}
    for workers in (1, 3):
        cfg = publish_config(export=str(tmp_path / f"w{workers}"), page_size=2, workers=workers)
        run(loaded, cfg, clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
        root = tmp_path / f"w{workers}" / "current"
        exports[workers] = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert exports[1] == exports[3]
    assert len([k for k in exports[1] if k.parts[0] == "pages"]) > 3 * 4


def test_empty_catalogue_is_one_valid_page(tmp_path, publish_config) -> None:  # type: ignore[no-untyped-def]
    loaded = load(tmp_path / "state", {"empty-src": []})
    cfg = publish_config()
    run(loaded, cfg)
    read = folder_reader(Path(cfg.targets.catalogue.export))
    for ext in EXTENSIONS:
        pages = follow_pages(read, cfg.targets.catalogue.base_url, ext)
        assert len(pages) == 1 and members(pages[0], cfg.catalogue.uri) == []
        assert int(pages[0].value(URIRef(cfg.catalogue.uri), HYDRA.totalItems)) == 0
        whole = parse(read(f"catalogue.{ext}"), ext)
        assert (URIRef(cfg.catalogue.uri), RDF.type, DCAT.Catalog) in whole


def test_an_empty_state_never_empties_a_served_catalogue(loaded, tmp_path, publish_config) -> None:  # type: ignore[no-untyped-def]
    from publishers.targets import PublishError

    cfg = publish_config()
    first = run(loaded, cfg).data["version"]
    wrong_state = load(tmp_path / "other-state", {name: [] for name in ("semic-hvd", "portal-mix")})
    with pytest.raises(PublishError, match="refusing to empty it"):
        run(wrong_state, cfg)
    assert json.loads((Path(cfg.targets.catalogue.export) / "index.json").read_text())["version"] == first
