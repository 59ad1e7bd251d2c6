"""Nothing silently lost: every value a mapper leaves out is reported with its reason, or now kept."""

from __future__ import annotations

import dataclasses

from lxml import etree
from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, SKOS

from luxcat.records import RawRecord
from mappers.base import MapContext
from mappers.dcat import DcatMapper
from mappers.fidelity import EMPTY_URL, UNPARSEABLE_DATE, collecting
from mappers.iso19139 import Iso19139Mapper
from tests.mappers.corpus import ISO_DIR, context, raw_record

EU = "http://publications.europa.eu/resource/authority/"
IGNF = ISO_DIR / "udata" / "geoplateforme-iso19139-IGNF_RPG.xml"
DCAT_DATA = ISO_DIR.parent / "dcat"
NS = {"gmd": "http://www.isotc211.org/2005/gmd", "gco": "http://www.isotc211.org/2005/gco"}


def map_iso(raw: RawRecord):  # type: ignore[no-untyped-def]
    mapper = Iso19139Mapper(context())
    with collecting() as dropped:
        [part] = list(mapper.split(raw))
        [record] = list(mapper.map(part))
    return record.graph, record.subject, dropped


def test_multi_layer_record_keeps_every_layer_title() -> None:
    root = etree.fromstring(IGNF.read_bytes())
    layers = set()
    for resource in root.iterfind(".//gmd:onLine/gmd:CI_OnlineResource", NS):
        url = resource.findtext("gmd:linkage/gmd:URL", namespaces=NS) or ""
        name = resource.findtext("gmd:name/gco:CharacterString", namespaces=NS) or ""
        if url.startswith("http") and name:
            layers.add(name)
    graph, subject, _ = map_iso(raw_record(IGNF))
    titles = {str(t) for d in graph.objects(subject, DCAT.distribution) for t in graph.objects(d, DCTERMS.title)}
    titles |= {str(t) for t in graph.objects(subject, DCAT.landingPage)}
    assert len(layers) > 40
    assert layers <= titles, sorted(layers - titles)[:5]


def test_wmts_link_gets_no_wfs_file_type_and_wms_gets_wms() -> None:
    graph, subject, _ = map_iso(raw_record(IGNF))
    formats = {}
    for dist in graph.objects(subject, DCAT.distribution):
        service = graph.value(dist, DCAT.accessService)
        if service is None:
            continue
        standard = str(graph.value(service, DCTERMS.conformsTo)).rsplit("/", 1)[-1]
        formats.setdefault(standard, set()).update(str(f) for f in graph.objects(dist, DCTERMS["format"]))
    assert formats.get("wmts") == set()  # the EU file-type table has no WMTS: no format rather than a wrong one
    assert formats.get("wms") == {EU + "file-type/WMS_SRVC"}
    assert all(EU + "file-type/WFS_SRVC" not in f for k, f in formats.items() if k != "wfs")


def blanked(path, edit) -> RawRecord:  # type: ignore[no-untyped-def]
    root = etree.fromstring(path.read_bytes())
    edit(root)
    return dataclasses.replace(raw_record(path), payload=etree.tostring(root))


def test_iso_empty_url_and_unparseable_date_are_reported() -> None:
    def edit(root: etree._Element) -> None:
        first = next(root.iterfind(".//gmd:distributionInfo//gmd:onLine/gmd:CI_OnlineResource/gmd:linkage/gmd:URL", NS))
        first.text = ""
        date = next(root.iterfind(".//gmd:identificationInfo/*/gmd:citation//gmd:CI_Date/gmd:date/*", NS))
        date.text = "31/02/2021"

    _graph, _subject, dropped = map_iso(blanked(IGNF, edit))
    reasons = {(d.reason, d.value) for d in dropped}
    assert (EMPTY_URL, "") in reasons
    assert (UNPARSEABLE_DATE, "31/02/2021") in reasons


def test_ckan_resource_with_an_empty_url_is_reported() -> None:
    """ckanext-dcat's health package: a resource whose url is "" cannot be a distribution; the map says so."""
    import json

    from mappers.ckan import CkanMapper

    path = DCAT_DATA / "ckan-api" / "ckanext-dcat-package-dicts" / "health_dcat_ap.json"
    [package] = json.loads(path.read_text(encoding="utf-8"))
    empty = [r for r in package["resources"] if not r.get("url")]
    assert empty
    ctx = MapContext(source_id="t", base_uri="https://data.public.lu/luxcat/t/", languages=("en",))
    mapper = CkanMapper(ctx)
    raw = RawRecord("t", path.name, path.read_bytes(), "application/json", path.as_uri())
    with collecting() as dropped:
        [record] = [m for part in mapper.split(raw) for m in mapper.map(part)]
    distributions = list(record.graph.objects(record.subject, DCAT.distribution))
    assert len(distributions) == len(package["resources"]) - len(empty)
    assert [(d.property, d.reason) for d in dropped if d.reason == EMPTY_URL] == [
        ("dcat:distribution (resource URL)", EMPTY_URL)
    ] * len(empty)


def test_real_catalogue_themes_outside_the_eu_table_are_kept() -> None:
    """udata's GeoNetwork DCAT fixture: AGROVOC themes (no EU alignment) stay dcat:theme of their own
    scheme; the INSPIRE theme stays and brings its EU data themes from the SEMIC alignment table."""
    from rdflib import Graph

    from mappers.vocabularies import data_themes_for_inspire

    path = DCAT_DATA / "udata-harvest-tests" / "geonetwork.xml"
    source = Graph().parse(path)
    ctx = MapContext(source_id="t", base_uri="https://data.public.lu/luxcat/t/", languages=("fr",))
    mapper = DcatMapper(ctx)
    raw = RawRecord("t", path.name, path.read_bytes(), "application/rdf+xml", path.as_uri())
    mapped = [m for part in mapper.split(raw) for m in mapper.map(part)]
    [record] = mapped  # one dataset (its IRI holds a space, so luxcat mints one: compare by content)
    given = {str(t) for t in source.objects(None, DCAT.theme) if isinstance(t, URIRef)}
    kept = {str(t) for t in record.graph.objects(record.subject, DCAT.theme)}
    assert len(given) >= 5 and given <= kept, given - kept
    for theme in given:
        assert record.graph.value(URIRef(theme), SKOS.prefLabel) is not None
        assert set(data_themes_for_inspire(theme)) <= kept
    assert set(data_themes_for_inspire("http://inspire.ec.europa.eu/theme/ef"))
