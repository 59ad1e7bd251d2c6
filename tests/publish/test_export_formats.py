"""`targets.catalogue.formats`: a version holds exactly the formats configured, and everything that reads it follows.

On the real records: a [nt, ttl] version has only those pages, parts and dumps (and the 2.1.1
variant's), its dumps are the same graphs as a four-format export's, a change of formats renders
every page, a configuration without N-Triples is refused, and `luxcat serve` / OAI-PMH work on a
reduced version (a format it lacks is a 404 naming those it has).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import requests
from lxml import etree
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from publishers.catalogue.export import EXTENSIONS, VARIANT_2
from publishers.catalogue.partition import LAYOUT_VERSION, layout_key
from publishers.catalogue.storage import FolderTarget
from publishers.serve import CatalogueServer, negotiate
from publishers.targets import EXPORT_FORMATS, CatalogueTarget, OaiOptions
from tests.publish.corpus import closure
from tests.publish.helpers import (
    catalogue_publisher,
    config_problems,
    folder_reader,
    members,
    parse,
    run,
)
from tests.publish.test_incremental_export import _change_one

T1 = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 2, 10, 0, 0, tzinfo=UTC)
T3 = datetime(2026, 3, 3, 10, 0, 0, tzinfo=UTC)
OAI = "{http://www.openarchives.org/OAI/2.0/}"
RDF_NS = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
SCHEMA = Path(__file__).resolve().parents[2] / "publishers" / "schemas" / "oai-pmh-dcat-ap.xsd"


def _suffixes(folder: Path, pattern: str) -> set[str]:
    """The format extensions of the files matching `pattern` (e.g. "pages/*"), `.gz` stripped."""
    return {p.name.removesuffix(".gz").rsplit(".", 1)[-1] for p in folder.glob(pattern)}


def test_the_option_lists_every_serialisation_in_its_order() -> None:
    assert EXPORT_FORMATS == EXTENSIONS  # publishers.serialise.FORMATS: what the option may name
    assert CatalogueTarget().formats == list(EXTENSIONS)  # the default: today's four
    assert CatalogueTarget(formats=["ttl", "nt"]).formats == ["nt", "ttl"]  # one order: one config hash
    stable: list[tuple[str, str, str]] = []
    key = layout_key(stable, "http://x/", [""], 4, EXTENSIONS)
    before = hashlib.sha256(json.dumps([LAYOUT_VERSION, [], "http://x/", [""], 4]).encode()).hexdigest()
    assert key == before  # all four: the key of versions written before the option existed (their pages are reused)
    assert layout_key(stable, "http://x/", [""], 4, ("nt", "ttl")) != key


def test_a_configuration_without_n_triples_or_with_a_format_twice_is_refused(tmp_path: Path) -> None:
    (problem,) = config_problems(tmp_path, {"targets/catalogue/formats": ["ttl", "jsonld"]})
    assert "targets.catalogue.formats" in problem and 'formats must include "nt"' in problem
    assert "OAI-PMH" in problem
    (problem,) = config_problems(tmp_path, {"targets/catalogue/formats": ["nt", "ttl", "nt"]})
    assert "targets.catalogue.formats" in problem and "['nt'] more than once" in problem
    (problem,) = config_problems(tmp_path, {"targets/catalogue/formats": ["nt", "xml"]})
    assert "targets.catalogue.formats.1" in problem


def test_the_same_formats_in_another_order_hash_the_same(loaded, publish_config) -> None:  # type: ignore[no-untyped-def]
    one = catalogue_publisher(loaded, publish_config(formats=["ttl", "nt"]))
    other = catalogue_publisher(loaded, publish_config(formats=["nt", "ttl"]))
    every = catalogue_publisher(loaded, publish_config())
    assert one.config_hash() == other.config_hash() != every.config_hash()


def test_a_version_holds_exactly_its_formats_and_the_same_graphs(loaded, publish_config, tmp_path) -> None:  # type: ignore[no-untyped-def]
    reduced = publish_config(export=str(tmp_path / "reduced"), page_size=2, dcat_ap_2=True, formats=["ttl", "nt"])
    full = publish_config(export=str(tmp_path / "full"), page_size=2, dcat_ap_2=True)
    plan = run(loaded, reduced, clock=lambda: T1)
    run(loaded, full, clock=lambda: T1)
    pages = plan.data["export"]["pages"]
    assert pages >= 8
    current = tmp_path / "reduced" / "current"
    for folder in (current, current / VARIANT_2):
        assert _suffixes(folder, "pages/*") == _suffixes(folder, "parts/*") == {"nt", "ttl"}
        assert len(list(folder.glob("pages/*"))) == len(list(folder.glob("parts/*"))) == 2 * pages
        assert sorted(p.name for p in folder.glob("catalogue.*")) == ["catalogue.nt.gz", "catalogue.ttl.gz"]
    assert len(list((tmp_path / "full" / "current" / "pages").iterdir())) == 4 * pages
    pointer = json.loads((tmp_path / "reduced" / "index.json").read_text())
    assert pointer["formats"] == ["nt", "ttl"] and pointer["dumps"] == ["catalogue.nt.gz", "catalogue.ttl.gz"]
    for prefix in ("", f"{VARIANT_2}/"):
        for ext in ("nt", "ttl"):
            key = f"current/{prefix}catalogue.{ext}.gz"
            ours = parse(gzip.decompress((tmp_path / "reduced" / key).read_bytes()), ext)
            theirs = parse(gzip.decompress((tmp_path / "full" / key).read_bytes()), ext)
            assert len(ours) > 500 and isomorphic(ours, theirs), key
            page = f"current/{prefix}pages/00003.{ext}"
            ours = parse((tmp_path / "reduced" / page).read_bytes(), ext)
            assert isomorphic(ours, parse((tmp_path / "full" / page).read_bytes(), ext)), page


def test_a_change_of_formats_renders_every_page_and_prunes_as_before(loaded, publish_config, renders) -> None:  # type: ignore[no-untyped-def]
    cfg = publish_config(page_size=2, dcat_ap_2=False, keep_versions=1)
    root = Path(cfg.targets.catalogue.export)
    first = run(loaded, cfg, clock=lambda: T1)
    pages = first.data["export"]["pages"]
    renders.clear()
    reduced = publish_config(page_size=2, dcat_ap_2=False, keep_versions=1, formats=["nt", "ttl"])
    second = run(loaded, reduced, clock=lambda: T2)  # no dataset changed: only the formats did
    assert second.data["version"] != first.data["version"]
    assert second.data["export"]["reused"] == [] and sorted(renders) == list(range(1, pages + 1))
    assert sorted(p.name for p in (root / "versions").iterdir()) == [second.data["version"]]  # keep_versions 1
    assert _suffixes(root / "current", "pages/*") == {"nt", "ttl"}
    renders.clear()
    third = run(loaded, reduced, clock=lambda: T3)  # nothing changed under the same formats: the version stays
    assert "version" not in third.data and renders == []
    renders.clear()
    back = run(loaded, cfg, clock=lambda: T3)  # back to all four: every page again, in every format
    assert back.data["export"]["reused"] == [] and sorted(renders) == list(range(1, pages + 1))
    assert _suffixes(root / "current", "pages/*") == set(EXTENSIONS)


def test_an_unchanged_page_is_reused_under_reduced_formats(loaded, publish_config, renders) -> None:  # type: ignore[no-untyped-def]
    cfg = publish_config(page_size=2, formats=["nt", "ttl"])
    first = run(loaded, cfg, clock=lambda: T1)
    _change_one(loaded)
    renders.clear()
    second = run(loaded, cfg, clock=lambda: T2)
    assert len(second.data["export"]["reused"]) == first.data["export"]["pages"] - len(renders) > 0
    current = Path(cfg.targets.catalogue.export) / "current"
    assert _suffixes(current, "pages/*") == _suffixes(current / VARIANT_2, "parts/*") == {"nt", "ttl"}


def test_negotiation_chooses_among_the_versions_formats() -> None:
    assert negotiate("application/ld+json", ("nt", "ttl")) is None
    assert negotiate("application/ld+json, text/turtle;q=0.1", ("nt", "ttl")) == "ttl"
    assert negotiate(None, ("nt",)) == negotiate("*/*", ("nt",)) == "nt"  # no Turtle: N-Triples by default
    assert negotiate(None, ("nt", "ttl")) == "ttl"


def test_serve_and_oai_pmh_on_a_reduced_version(loaded, publish_config, tmp_path) -> None:  # type: ignore[no-untyped-def]
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    with CatalogueServer(FolderTarget(tmp_path / "export"), OaiOptions(page_size=3), port=0) as server:
        cfg = publish_config(export=str(tmp_path / "export"), base_url=server.url, page_size=4, formats=["nt", "ttl"])
        run(loaded, cfg, clock=lambda: T1)
        version = json.loads((tmp_path / "export" / "index.json").read_text())["version"]
        whole = parse(folder_reader(tmp_path / "export")("catalogue.nt"), "nt")

        def get(path: str, accept: str | None = None) -> requests.Response:
            return requests.get(server.url + path, headers={"Accept": accept} if accept else {}, timeout=10)

        for accept, ext in ((None, "ttl"), ("text/turtle", "ttl"), ("application/n-triples", "nt")):
            response = get("catalogue?page=2", accept)
            assert response.status_code == 200 and parse(response.content, ext), accept
        refused = get("catalogue", "application/ld+json")
        assert refused.status_code == 406
        assert "text/turtle" in refused.text and "application/ld+json" not in refused.text
        for path in ("catalogue.jsonld.gz", "catalogue.rdf", "pages/00001.jsonld", f"{VARIANT_2}/parts/00002.rdf.gz"):
            missing = get(path)
            assert missing.status_code == 404, path
            ext = path.removesuffix(".gz").rsplit(".", 1)[-1]
            assert missing.text == f"version {version} has no {ext} files (formats: nt, ttl)\n"
        for path, ext in (("catalogue.ttl", "ttl"), ("catalogue.nt.gz", "nt"), (f"{VARIANT_2}/pages/00001.ttl", "ttl")):
            response = get(path)
            data = gzip.decompress(response.content) if path.endswith(".gz") else response.content
            assert response.status_code == 200 and len(parse(data, ext)) > 10, path
        assert isomorphic(parse(get("catalogue.ttl").content, "ttl"), whole)

        def oai(**params: str) -> etree._Element:
            response = requests.get(server.url + "oai", params=params, timeout=10)
            assert response.status_code == 200
            doc = etree.fromstring(response.content)
            schema.assertValid(doc)
            return doc

        expected = set(members(whole, cfg.catalogue.uri))
        seen: list[str] = []
        doc = oai(verb="ListRecords", metadataPrefix="dcat_ap")
        while True:
            for record in doc.iter(f"{OAI}record"):
                uri = record.findtext(f"{OAI}header/{OAI}identifier")
                seen.append(uri)
                graph = Graph().parse(data=etree.tostring(record.find(f".//{RDF_NS}RDF")), format="xml")
                assert isomorphic(closure(graph, URIRef(uri)), closure(whole, URIRef(uri))), uri
            token = doc.find(f".//{OAI}resumptionToken")
            if token is None or not token.text:
                break
            doc = oai(verb="ListRecords", resumptionToken=token.text)
        assert sorted(seen) == sorted(expected)
        uri = "https://data.some.org/catalog/datasets/1"
        doc = oai(verb="GetRecord", identifier=uri, metadataPrefix="dcat_ap")
        graph = Graph().parse(data=etree.tostring(doc.find(f".//{RDF_NS}RDF")), format="xml")
        assert len(closure(graph, URIRef(uri))) > 20
        assert isomorphic(closure(graph, URIRef(uri)), closure(whole, URIRef(uri)))
