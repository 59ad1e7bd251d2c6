"""Indicators on a catalogue built from real records: figures checked against answers computed here independently
(SPARQL over the exported catalogue, the state store's own scores, the shipped vocabulary files), a two-day
history, the CSVW metadata checked by a CSVW processor, the dataset checked by pySHACL, `luxcat serve` and the CLI."""

from __future__ import annotations

import csv
import gzip
import io
import json
import statistics
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from publishers.catalogue.storage import FolderTarget
from publishers.indicators.run import compute_indicators
from publishers.serve import CatalogueServer
from tests.indicators.corpus import REPO, publish
from tests.support.shacl import violations

DAY1 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
DAY2 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
IANA = "https://www.iana.org/assignments/media-types/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_LIC = "http://publications.europa.eu/resource/authority/licence/"
VOCAB = REPO / "mappers" / "vocabularies" / "data"
Q_DATASETS = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT DISTINCT ?d WHERE { ?c a dcat:Catalog ; dcat:dataset ?d . FILTER NOT EXISTS { ?d a dcat:DataService } }"""


def exported(cat) -> Graph:  # type: ignore[no-untyped-def]
    graph = Graph()
    graph.parse(data=gzip.decompress((cat.export.root / "current" / "catalogue.nt.gz").read_bytes()), format="nt")
    return graph


def figures(comp, scope: str = "nation", scope_id: str = "LU") -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {v.indicator: v.value for v in comp.values if (v.scope, v.scope_id) == (scope, scope_id)}


def licence_terms(graph: Graph, dataset: URIRef) -> list:  # type: ignore[type-arg]
    q = """PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/>
    SELECT ?l WHERE { { ?d dct:license ?l } UNION { ?d dcat:distribution/dct:license ?l } }"""
    return [row.l for row in graph.query(q, initBindings={"d": dataset})]


def test_licence_counts_match_an_independent_count(built) -> None:  # type: ignore[no-untyped-def]
    cat, _, comp, _ = built
    graph = exported(cat)
    datasets = [row.d for row in graph.query(Q_DATASETS)]
    counts = Counter()
    for d in datasets:
        terms = licence_terms(graph, d)
        codes = [str(t)[len(EU_LIC) :] if str(t).startswith(EU_LIC) else None for t in terms]
        if not terms:
            counts["none"] += 1
            continue
        counts["cc0"] += all(c == "CC0" for c in codes)
        counts["cc"] += any(c is not None and c.startswith("CC") for c in codes)
        counts["nc"] += any(c is not None and "NC" in c.split("_") for c in codes)
        counts["open"] += all(c is not None and not {"NC", "ND", "BYNC", "BYND"} & set(c.split("_")) for c in codes)
    nation = figures(comp)
    assert nation["datasets.total"] == len(datasets) == 21
    assert nation["licence.none"] == counts["none"] == 11
    assert nation["licence.non_commercial"] == counts["nc"] == 0
    assert nation["licence.cc0_share"] == round(100 * counts["cc0"] / len(datasets), 2)
    assert nation["licence.cc_share"] == round(100 * counts["cc"] / len(datasets), 2)
    assert nation["licence.open_share"] == round(100 * counts["open"] / len(datasets), 2)
    assert counts["cc0"] == 2 and counts["cc"] == 4 and counts["open"] == 6


def test_rating_bands_and_scores_match_the_stored_validation(built) -> None:  # type: ignore[no-untyped-def]
    cat, _, comp, _ = built
    graph = exported(cat)
    live = {str(row.d) for row in graph.query(Q_DATASETS)}
    lines = [json.loads(x) for x in (cat.export.root / "current" / "datasets.jsonl").read_text().splitlines()]
    scores = []
    for line in lines:
        if line["uri"] in live:
            source_id, record_id = line["records"][0]
            score = cat.store.get_record(source_id, record_id).validation.get("score")
            if score is not None:
                scores.append(score)
    bands = Counter(
        "excellent" if s >= 351 else "good" if s >= 221 else "sufficient" if s >= 121 else "bad" for s in scores
    )
    nation = figures(comp)
    for band in ("excellent", "good", "sufficient", "bad"):
        assert nation[f"quality.band_{band}_share"] == round(100 * bands[band] / len(scores), 2), band
    assert nation["quality.mqa_median"] == statistics.median(scores)
    assert nation["quality.mqa_mean"] == round(statistics.fmean(scores), 1)
    assert bands == {"good": 9, "sufficient": 9, "bad": 3}


def _independent_theme_table() -> dict[str, str]:
    """Concept -> theme from the CSV table, HVD sub-categories through skos:broader* (SPARQL)."""
    with (REPO / "publishers" / "indicators" / "data" / "priority-themes.csv").open(encoding="utf-8") as fh:
        table = {row["concept"]: row["priority_theme"] for row in csv.DictReader(fh)}
    hvd = Graph().parse(VOCAB / "eu-authority" / "high-value-dataset-category.rdf")
    q = "SELECT ?c ?top WHERE { ?c <http://www.w3.org/2004/02/skos/core#broader>+ ?top }"
    for row in hvd.query(q):
        if str(row.top) in table:
            table.setdefault(str(row.c), table[str(row.top)])
    return table


def test_theme_and_hvd_counts_match_sparql(built) -> None:  # type: ignore[no-untyped-def]
    cat, _, comp, _ = built
    graph = exported(cat)
    table = _independent_theme_table()
    q = """PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX r5r: <http://data.europa.eu/r5r/>
    SELECT ?c WHERE { { ?d dcat:theme ?c } UNION { ?d r5r:hvdCategory ?c } }"""
    per_theme: Counter[str] = Counter()
    hvd = 0
    for row in graph.query(Q_DATASETS):
        themes = {table[str(r.c)] for r in graph.query(q, initBindings={"d": row.d}) if str(r.c) in table}
        per_theme.update(themes)
        hvd += (row.d, URIRef("http://data.europa.eu/r5r/hvdCategory"), None) in graph
    got = {v.scope_id: v.value for v in comp.values if v.scope == "theme" and v.indicator == "datasets.total"}
    assert got == dict(per_theme)
    assert got == {"earth-observation-environment": 8, "meteorological": 1, "mobility": 3}
    assert figures(comp)["hvd.datasets"] == hvd == 1
    eo = "http://data.europa.eu/bna/c_dd313021"
    assert figures(comp, "hvd", eo)["datasets.total"] == 1
    assert figures(comp, "hvd", eo)["hvd.legislation_share"] == 100.0


def test_format_shares_follow_data_europa_eu_flags(built) -> None:  # type: ignore[no-untyped-def]
    cat, _, comp, _ = built
    graph = exported(cat)
    flags = Graph()
    flags.parse(VOCAB / "edp" / "edp-machine-readable-format.rdf")
    readable = {s for s, o in flags.subject_objects(URIRef("https://europeandataportal.eu/voc#isMachineReadable"))
                if o == Literal(True)}  # fmt: skip
    q = """PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/>
    SELECT ?x (SAMPLE(?f) AS ?fmt) (SAMPLE(?m) AS ?media) WHERE {
        ?d dcat:distribution ?x . OPTIONAL { ?x dct:format ?f } OPTIONAL { ?x dcat:mediaType ?m } } GROUP BY ?x"""
    # a distribution stating only an IANA media type: the types of this corpus, by their registered names
    media = {"text/csv": "CSV", "application/json": "JSON", "application/geo+json": "GEOJSON"}
    dists = mr = 0
    for row in graph.query(Q_DATASETS):
        for r in graph.query(q, initBindings={"d": row.d}):
            dists += 1
            fmt = r.fmt
            if fmt is None and r.media is not None and str(r.media).startswith(IANA):
                code = media.get(str(r.media)[len(IANA) :])
                fmt = URIRef(FILE_TYPE + code) if code else None
            mr += fmt in readable
    nation = figures(comp)
    assert nation["formats.distributions"] == dists == 31
    assert nation["formats.machine_readable_share"] == round(100 * mr / dists, 2)
    assert SKOS  # the EU table itself has no such flag: the test reads data.europa.eu's own list


def test_inventory_rows_versus_published(built) -> None:  # type: ignore[no-untyped-def]
    cat, _, comp, _ = built
    rows = sum(1 for _ in csv.reader(io.StringIO((REPO / "config/demo/inventory/mmtp-inventaire.csv")
                                                 .read_text(encoding="cp1252")), delimiter=";")) - 1  # fmt: skip
    source = figures(comp, "source", "demo-inventory")
    assert source["inventory.rows"] == rows == 7
    # rows 1-3 and 7 publish (row 3's bad licence, e-mail, date and ftp link are dropped and reported, the
    # row is not); row 4 has no title, row 5 no id, row 6 repeats row 1's id
    assert source["inventory.published"] == source["datasets.total"] == 4
    assert source["inventory.published_share"] == round(100 * 4 / 7, 2)


def test_two_days_of_history(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cat, cfg, comp1, _ = built
    assert "datasets.new" not in figures(comp1)  # no earlier computation: nothing invented
    gone = cat.records["portal-dcat"][0]
    cat.store.withdraw("portal-dcat", [gone.record_id])
    publish(cat, cfg, lambda: DAY2)
    base = cfg.targets.catalogue.base_url
    comp2 = compute_indicators(cat.store, cat.export, cfg.catalogue, base, sources=cat.sources, clock=lambda: DAY2)
    again = compute_indicators(cat.store, cat.export, cfg.catalogue, base, sources=cat.sources, clock=lambda: DAY2)
    nation = figures(comp2)
    assert nation["datasets.total"] == figures(comp1)["datasets.total"] - 1
    assert nation["datasets.withdrawn"] == 1 and nation["datasets.new"] == 0
    assert figures(again) == nation  # recomputing a day compares with the day before, not with itself
    withdrawn = [v for v in comp2.values if v.indicator == "datasets.withdrawn" and v.value]
    assert ("source", "portal-dcat") in {(v.scope, v.scope_id) for v in withdrawn}
    text = (cat.export.root / "indicators" / "indicators.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["date"] for r in rows} == {"2026-12-01", "2026-12-02"}
    keys = [(r["date"], r["scope"], r["scope_id"], r["indicator"]) for r in rows]
    assert len(keys) == len(set(keys)) == len(again.rows)
    totals = [(r["date"], r["value"]) for r in rows if r["scope"] == "nation" and r["indicator"] == "datasets.total"]
    assert totals == [("2026-12-01", "21"), ("2026-12-02", "20")]
    # restore day 1's catalogue for the other tests of the module
    cat.store.upsert_seen("portal-dcat", [{"record_id": gone.record_id, "content_hash": "x"}],
                          cat.store.record_hashes("portal-dcat"), DAY1)  # fmt: skip


def test_csvw_metadata_describes_and_validates_the_csv(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from csvw import Table

    cat, _, _, _ = built
    folder = cat.export.root / "indicators"
    meta = json.loads((folder / "csv-metadata.json").read_text(encoding="utf-8"))
    text = (folder / "indicators.csv").read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert [c["titles"] for c in meta["tableSchema"]["columns"]] == header  # every column described, in order
    table = Table.from_file(folder / "csv-metadata.json")
    rows = list(table.iterdicts(strict=True))  # the CSVW processor raises on any value its datatype rejects
    assert len(rows) == len(text.splitlines()) - 1 > 100
    assert table.check_primary_key()
    ids = {n["dc:identifier"] for n in meta["notes"]}
    assert {r["indicator"] for r in rows} <= ids and {r["unit"] for r in rows} <= ids
    # the same processor does reject what the metadata rules out
    (tmp_path / "csv-metadata.json").write_bytes((folder / "csv-metadata.json").read_bytes())
    for bad in (
        "2026-12-01,nation,LU,Luxembourg,no.such.indicator,1,count",
        "2026-12-01,nation,LU,L,datasets.total,x,count",
    ):
        (tmp_path / "indicators.csv").write_text(header_line(text) + bad + "\r\n", encoding="utf-8")
        with pytest.raises(ValueError):
            list(Table.from_file(tmp_path / "csv-metadata.json").iterdicts(strict=True))


def header_line(text: str) -> str:
    return text.splitlines()[0] + "\r\n"


def test_the_indicators_dataset_conforms_to_dcat_ap_3(built) -> None:  # type: ignore[no-untyped-def]
    cat, cfg, _, _ = built
    graph = Graph().parse(cat.export.root / "indicators" / "dataset.ttl", format="turtle")
    assert violations(graph) == []
    ds = URIRef(cfg.catalogue.uri + "/dataset/indicators")
    dct = "http://purl.org/dc/terms/"
    assert (ds, URIRef(dct + "license"), URIRef(EU_LIC + "CC0")) in graph
    assert (ds, URIRef(dct + "publisher"), URIRef(cfg.catalogue.publisher.uri)) in graph
    dist = graph.value(ds, URIRef("http://www.w3.org/ns/dcat#distribution"))
    assert str(graph.value(dist, URIRef(dct + "conformsTo"))).endswith("/indicators/csv-metadata.json")
    assert graph.value(ds, URIRef(dct + "temporal")) is not None
    assert graph.value(ds, URIRef(dct + "accrualPeriodicity")) is not None


def test_luxcat_serve_serves_the_indicators(built) -> None:  # type: ignore[no-untyped-def]
    cat, cfg, _, _ = built
    with CatalogueServer(FolderTarget(cat.export.root), cfg.oai, port=0) as server:
        with urllib.request.urlopen(server.url + "indicators/indicators.csv") as response:
            assert response.headers["Content-Type"].startswith("text/csv")
            assert response.read() == (cat.export.root / "indicators" / "indicators.csv").read_bytes()
        with urllib.request.urlopen(server.url + "indicators/") as response:
            assert response.headers["Content-Type"].startswith("text/html")
            assert b"<svg" in response.read()
        with urllib.request.urlopen(server.url + "indicators/csv-metadata.json") as response:
            assert json.loads(response.read())["url"] == "indicators.csv"
