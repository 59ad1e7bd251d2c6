"""Licence-origin indicators counted independently (SPARQL over the export, the stored validation reports), and the
indicators dataset carried by the next catalogue export (catalogue.nt, page 1, DCAT-AP 3.0.0 SHACL)."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import timedelta

import pytest
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.compare import to_isomorphic
from sqlalchemy import text

from publishers.catalogue.storage import FolderTarget
from publishers.indicators.run import compute_indicators
from tests.indicators.conftest import DAY1
from tests.indicators.corpus import REPO, build, publish

DEFAULT = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
DCAT = "http://www.w3.org/ns/dcat#"
PREFIXES = "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/> "
Q_DATASETS = PREFIXES + """SELECT DISTINCT ?d
WHERE { ?c a dcat:Catalog ; dcat:dataset ?d . FILTER NOT EXISTS { ?d a dcat:DataService } }"""
Q_DEFAULTED = PREFIXES + """SELECT DISTINCT ?d
WHERE { ?d dct:provenance <https://data.public.lu/luxcat/def/licence-origin/source-default> }"""
Q_LICENSED = PREFIXES + """SELECT DISTINCT ?d
WHERE { { ?d dct:license ?l } UNION { ?d dcat:distribution/dct:license ?l } }"""


@pytest.fixture(scope="module")
def defaulted(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The indicators corpus with the ISO and DCAT sources declaring CC BY 4.0 as their default licence."""
    import yaml

    from publishers.targets import load_publish_config

    tmp = tmp_path_factory.mktemp("origin")
    data = yaml.safe_load((REPO / "config" / "publish.yaml").read_text(encoding="utf-8"))
    data["targets"]["catalogue"].update(export=str(tmp / "export"), workers=1)
    (tmp / "publish.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cfg = load_publish_config(tmp / "publish.yaml")
    cat = build(tmp, cfg, DAY1, licence=DEFAULT)
    catalogue_before = gzip.decompress((cat.export.root / "current" / "catalogue.nt.gz").read_bytes())
    comp = compute_indicators(cat.store, cat.export, cfg.catalogue, cfg.targets.catalogue.base_url,
                              sources=cat.sources, clock=lambda: DAY1)  # fmt: skip
    yield cat, cfg, comp, catalogue_before
    cat.store.close()


def test_licence_origin_counts_match_sparql_and_the_stored_validation(defaulted) -> None:  # type: ignore[no-untyped-def]
    cat, _, comp, before = defaulted
    graph = Graph().parse(data=before, format="nt")
    defaulted_ = {str(row.d) for row in graph.query(Q_DEFAULTED)}
    licensed = {str(row.d) for row in graph.query(Q_LICENSED)}
    origins = {
        str(row.d): "source-default" if str(row.d) in defaulted_ else "stated" if str(row.d) in licensed else "none"
        for row in graph.query(Q_DATASETS)
    }
    counts = Counter(origins.values())
    assert counts["source-default"] > 0 and counts["stated"] > 0 and counts["none"] > 0  # all three occur
    nation = {v.indicator: v.value for v in comp.values if v.scope == "nation"}
    total = len(origins)
    assert nation["datasets.total"] == total
    assert nation["licence.origin_stated"] == counts["stated"]
    assert nation["licence.origin_source_default"] == counts["source-default"]
    assert nation["licence.none"] == counts["none"]
    assert nation["licence.origin_stated_share"] == round(100 * counts["stated"] / total, 2)
    assert nation["licence.origin_source_default_share"] == round(100 * counts["source-default"] / total, 2)
    assert nation["licence.origin_none_share"] == round(100 * counts["none"] / total, 2)
    # the stored validation reports (issue 18) agree, record by record, for the single-record datasets
    subjects = {(sid, rec.record_id): str(rec.subject) for sid, recs in cat.records.items() for rec in recs}
    pairs = Counter()
    with cat.store.engine.connect() as conn:
        for sid, rid, validation in conn.execute(text("SELECT source_id, record_id, validation FROM records")):
            uri = subjects.get((sid, rid))
            if uri in origins and validation:
                pairs[(json.loads(validation).get("licence_origin"), origins[uri])] += 1
    assert pairs[("source-default", "source-default")] > 0
    assert [pair for pair in pairs if pair[0] != pair[1]] == []
    # per source: the inventory declares no default, so none of its datasets is source-default
    by_source = {v.scope_id: v.value for v in comp.values
                 if v.scope == "source" and v.indicator == "licence.origin_source_default"}  # fmt: skip
    assert by_source["geo-iso"] + by_source["portal-dcat"] == counts["source-default"]
    assert by_source.get("demo-inventory", 0) == 0


def test_csv_csvw_and_dashboard_carry_the_origin(defaulted) -> None:  # type: ignore[no-untyped-def]
    cat, _, comp, _ = defaulted
    folder = cat.export.root / "indicators"
    csv_text = (folder / "indicators.csv").read_text(encoding="utf-8")
    for name in ("licence.origin_stated_share", "licence.origin_source_default_share", "licence.origin_none_share"):
        assert f",{name}," in csv_text
    meta = (folder / "csv-metadata.json").read_text(encoding="utf-8")
    assert "Licence par défaut de la source" in meta and "Licence from the source default" in meta
    for page in ("index.html", "index.en.html"):
        html = (folder / page).read_text(encoding="utf-8")
        assert 'data-chart="licence-origin"' in html
    assert "Défaut de la source" in (folder / "index.html").read_text(encoding="utf-8")


def _without_bnodes(graph: Graph) -> set:  # type: ignore[type-arg]
    return {t for t in graph if not any(isinstance(x, BNode) for x in t)}


def test_the_next_export_carries_the_indicators_dataset(defaulted) -> None:  # type: ignore[no-untyped-def]
    from validators import get_validator

    cat, cfg, _, _ = defaulted
    description = Graph().parse(cat.export.root / "indicators" / "dataset.ttl", format="turtle")
    ds = URIRef(cfg.catalogue.uri + "/dataset/indicators")
    before = FolderTarget(cat.export.root).current()
    # no dataset changed: the new indicators dataset alone forces a new version
    publish(cat, cfg, lambda: DAY1 + timedelta(hours=1))
    target = FolderTarget(cat.export.root)
    pointer = target.current()
    assert pointer["version"] != before["version"] and pointer["indicators"]
    graph = Graph().parse(data=gzip.decompress(target.read(f"versions/{pointer['version']}/catalogue.nt.gz")),
                          format="nt")  # fmt: skip
    assert (URIRef(cfg.catalogue.uri), URIRef(DCAT + "dataset"), ds) in graph
    assert _without_bnodes(description) <= set(graph)
    period = Graph()
    for t in graph.triples((graph.value(ds, URIRef("http://purl.org/dc/terms/temporal")), None, None)):
        period.add(t)
    expected = Graph()
    for t in description.triples((description.value(ds, URIRef("http://purl.org/dc/terms/temporal")), None, None)):
        expected.add(t)
    assert to_isomorphic(period) == to_isomorphic(expected)
    # the Hydra first page carries it too, the jsonl index (OAI-PMH, indicators) does not
    page = Graph().parse(data=target.read(f"versions/{pointer['version']}/pages/00001.nt"), format="nt")
    assert (ds, RDF.type, URIRef(DCAT + "Dataset")) in page
    assert str(ds) not in target.read(f"versions/{pointer['version']}/datasets.jsonl").decode()
    # DCAT-AP 3.0.0: the catalogue and every node of the indicators description conform
    ours = {cfg.catalogue.uri, cfg.catalogue.publisher.uri} | {str(s) for s in description.subjects()
                                                             if not isinstance(s, BNode)}  # fmt: skip
    outcome = get_validator("dcat-ap-3.0.0").validate_detailed(graph)
    results = list(outcome.unassigned) + [r for report in outcome.reports for r in report.results]
    assert [f"{r.focus} {r.path}: {r.message}" for r in results if r.severity == "Violation" and r.focus in ours] == []
    # a second export with nothing changed stays a no-op
    publish(cat, cfg, lambda: DAY1 + timedelta(hours=2))
    assert target.current()["version"] == pointer["version"]
