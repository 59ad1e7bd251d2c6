"""Nothing silently lost: every value a mapper leaves out is reported with its reason, or now kept."""

from __future__ import annotations

import dataclasses

from lxml import etree
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, SKOS

from luxcat.records import RawRecord
from mappers.base import MapContext
from mappers.dcat import DcatMapper
from mappers.fidelity import EMPTY_URL, UNPARSEABLE_DATE, collecting
from mappers.iso19139 import Iso19139Mapper
from tests.mappers.corpus import ISO_DIR, context, raw_record

EU = "http://publications.europa.eu/resource/authority/"
IGNF = ISO_DIR / "udata" / "geoplateforme-iso19139-IGNF_RPG.xml"
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


DCAT_RECORD = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://geo.example.be/dataset/1> a dcat:Dataset ; dct:title "Cours d'eau"@fr ; dct:description "Cours d'eau"@fr ;
  dct:identifier "https://geo.example.be/dataset/1" ;
  dcat:theme <http://inspire.ec.europa.eu/theme/hy>, <https://www.geo.be/themes/mobility>,
    <https://registry.example.be/theme/water> ;
  dct:issued "31/02/2021" ;
  dcat:distribution [ a dcat:Distribution ; dcat:accessURL "" ; dct:title "vide"@fr ] ,
    [ a dcat:Distribution ; dcat:accessURL <https://geo.example.be/cours-deau.csv> ] .
<https://registry.example.be/theme/water> skos:prefLabel "Eau"@fr .
"""


def test_dcat_themes_are_kept_or_aligned_and_dropped_values_reported() -> None:
    ctx = MapContext(source_id="t", base_uri="https://data.public.lu/luxcat/t/", languages=("fr",))
    mapper = DcatMapper(ctx)
    with collecting() as dropped:
        [part] = list(mapper.split(RawRecord("t", "r", DCAT_RECORD, "text/turtle", "file:r.ttl")))
        [record] = list(mapper.map(part))
    g, s = record.graph, record.subject
    themes = {str(t) for t in g.objects(s, DCAT.theme)}
    # an INSPIRE theme stays and brings its EU data theme (SEMIC alignment); other schemes stay as they are
    assert "http://inspire.ec.europa.eu/theme/hy" in themes
    assert EU + "data-theme/ENVI" in themes
    assert {"https://www.geo.be/themes/mobility", "https://registry.example.be/theme/water"} <= themes
    water = URIRef("https://registry.example.be/theme/water")
    assert g.value(water, SKOS.prefLabel) == Literal("Eau", lang="fr")
    assert g.value(water, SKOS.inScheme) == URIRef("https://registry.example.be/theme")
    assert len(list(g.objects(s, DCAT.distribution))) == 1
    reasons = {(d.property, d.reason.split(":")[0]) for d in dropped}
    assert ("dcat:accessURL", EMPTY_URL) in reasons or any(r[0] == "dcat:distribution" for r in reasons)
    assert ("dct:issued", UNPARSEABLE_DATE) in reasons
