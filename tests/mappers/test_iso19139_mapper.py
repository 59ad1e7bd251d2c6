"""Behaviour of the ISO 19139 mapper on real records (some edited in memory for one condition)."""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from luxcat.errors import UnparsableRecord
from luxcat.records import RawRecord
from mappers.base import MapContext
from mappers.iso19139 import Iso19139Mapper
from mappers.vocabularies import HVD_LEGISLATION
from tests.mappers.corpus import BASE, ISO_DIR, SEMIC_DIR, context, raw_record

EU = "http://publications.europa.eu/resource/authority/"
GMD = "http://www.isotc211.org/2005/gmd"
GCO = "http://www.isotc211.org/2005/gco"
NS = {"gmd": GMD, "gco": GCO}
BASIC = SEMIC_DIR / "basic_dataset" / "input.xml"
DCATAP = "http://data.europa.eu/r5r/"


def map_one(raw: RawRecord, ctx: MapContext | None = None) -> tuple[Graph, URIRef]:
    mapper = Iso19139Mapper(ctx or context())
    [single] = list(mapper.split(raw))
    [mapped] = list(mapper.map(single))
    return mapped.graph, mapped.subject


def edited(path, edit) -> RawRecord:  # type: ignore[no-untyped-def]
    """The record at path with one change made by edit(root), as a new payload."""
    root = etree.fromstring(path.read_bytes())
    edit(root)
    return dataclasses.replace(raw_record(path), payload=etree.tostring(root))


def test_csw_get_records_response_is_split_by_file_identifier() -> None:
    mapper = Iso19139Mapper(context())
    records = list(mapper.split(raw_record(ISO_DIR / "csw" / "pycsw" / "apiso_post_GetRecords-all.xml")))
    assert len(records) == 5
    assert len({r.record_id for r in records}) == 5
    for raw in records:
        root = etree.fromstring(raw.payload)
        assert root.findtext("gmd:fileIdentifier/gco:CharacterString", namespaces=NS) == raw.record_id
        assert len(list(mapper.map(raw))) == 1  # each part maps on its own (also without the parse cache)


def test_split_parts_map_without_the_split_cache() -> None:
    path = ISO_DIR / "csw" / "owslib" / "inspire-getrecords-response.xml"
    parts = list(Iso19139Mapper(context()).split(raw_record(path)))
    fresh = Iso19139Mapper(context())
    graphs = [next(fresh.map(dataclasses.replace(p, payload=bytes(bytearray(p.payload))))).graph for p in parts]
    assert len(parts) == 2 and all(len(g) > 20 for g in graphs)


def test_non_iso_documents_and_broken_xml_are_unparsable() -> None:
    mapper = Iso19139Mapper(context())
    with pytest.raises(UnparsableRecord):
        list(mapper.split(raw_record(ISO_DIR / "csw" / "pycsw" / "apiso_post_GetCapabilities.xml")))
    broken = raw_record(ISO_DIR / "ckanext-spatial" / "gemini2.1__error_bad_xml.xml")
    with pytest.raises(UnparsableRecord) as info:
        list(mapper.split(broken))
    assert info.value.reason == "unparsable"
    with pytest.raises(UnparsableRecord):
        list(mapper.map(broken))


def test_empty_csw_page_yields_nothing() -> None:
    page = b'<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:SearchResults/>'
    page += b"</csw:GetRecordsResponse>"
    raw = RawRecord("test", "empty", page, "application/xml", "https://example.lu/csw")
    assert list(Iso19139Mapper(context()).split(raw)) == []


def test_missing_title_or_abstract_is_a_validation_finding_never_filled_in() -> None:
    """One rule for every mapper: the gap is left in the graph and SHACL reports it (on_violation decides)."""
    from validators import validate_graph

    def drop_title(root: etree._Element) -> None:
        for title in root.iterfind(".//gmd:identificationInfo/*/gmd:citation/gmd:CI_Citation/gmd:title", NS):
            title.getparent().remove(title)

    def drop_abstract(root: etree._Element) -> None:
        for abstract in root.iterfind(".//gmd:identificationInfo/*/gmd:abstract", NS):
            abstract.getparent().remove(abstract)

    for edit, missing in ((drop_title, DCTERMS.title), (drop_abstract, DCTERMS.description)):
        graph, subject = map_one(edited(BASIC, edit))
        assert (subject, missing, None) not in graph
        if missing == DCTERMS.description:  # the title is not copied into the description
            assert graph.value(subject, DCTERMS.title) is not None
        [report] = [r for r in validate_graph(graph) if r.dataset == str(subject)]
        assert not report.conforms
        assert any(r.severity == "Violation" and r.path == str(missing) for r in report.results)


GEMINI = ISO_DIR / "ckanext-spatial" / "gemini2.1__dataset1.xml"  # identifiers are not HTTP URIs


def test_same_input_same_graph_and_uris() -> None:
    raw = raw_record(GEMINI)
    first, subject = map_one(raw)
    second, again = map_one(raw)
    assert subject == again and str(subject).startswith(BASE + "dataset/")
    assert set(first) == set(second)  # blank nodes are named from the input: even labels are stable
    assert isomorphic(first, second)


def test_cli_context_mints_under_its_base() -> None:
    ctx = MapContext(source_id="cli", base_uri="https://data.public.lu/luxcat/cli/")
    graph, subject = map_one(raw_record(GEMINI), ctx)
    record = graph.value(subject, FOAF.isPrimaryTopicOf)
    assert str(subject).startswith("https://data.public.lu/luxcat/cli/dataset/")
    assert str(record).startswith("https://data.public.lu/luxcat/cli/record/")
    assert all(str(d).startswith(str(subject) + "/distribution/") for d in graph.objects(subject, DCAT.distribution))


def test_french_record_languages_and_literals() -> None:
    graph, subject = map_one(raw_record(ISO_DIR / "udata" / "geoide-iso19139-single-dataset.xml"))
    assert set(graph.objects(subject, DCTERMS.language)) == {URIRef(EU + "language/FRA")}
    assert {t.language for t in graph.objects(subject, DCTERMS.title)} == {"fr"}


def test_luxembourgish_record_language_and_luxembourg_place() -> None:
    def to_luxembourg(root: etree._Element) -> None:
        for code in root.iterfind("gmd:language/gmd:LanguageCode", NS):
            code.set("codeListValue", "ltz")
        for code in root.iterfind("gmd:identificationInfo/*/gmd:language/gmd:LanguageCode", NS):
            code.set("codeListValue", "ltz")
        extent = root.find("gmd:identificationInfo/*/gmd:extent/gmd:EX_Extent", NS)
        place = etree.fromstring(
            f'<gmd:geographicElement xmlns:gmd="{GMD}" xmlns:gco="{GCO}"><gmd:EX_GeographicDescription>'
            "<gmd:geographicIdentifier><gmd:MD_Identifier><gmd:code><gco:CharacterString>Luxembourg"
            "</gco:CharacterString></gmd:code></gmd:MD_Identifier></gmd:geographicIdentifier>"
            "</gmd:EX_GeographicDescription></gmd:geographicElement>"
        )
        extent.append(place)

    graph, subject = map_one(edited(BASIC, to_luxembourg))
    assert URIRef(EU + "language/LTZ") in set(graph.objects(subject, DCTERMS.language))
    assert {t.language for t in graph.objects(subject, DCTERMS.title)} == {"lb"}
    assert URIRef(EU + "country/LUX") in set(graph.objects(subject, DCTERMS.spatial))
    record = graph.value(subject, FOAF.isPrimaryTopicOf)
    assert graph.value(record, DCTERMS.language) == URIRef(EU + "language/LTZ")


def test_licence_on_dataset_and_every_distribution() -> None:
    graph, subject = map_one(raw_record(ISO_DIR / "udata" / "geoplateforme-iso19139-IGNF_RPG.xml"))
    licence = URIRef(EU + "licence/ETALAB_2_0")
    assert graph.value(subject, DCTERMS.license) == licence
    dists = list(graph.objects(subject, DCAT.distribution))
    assert dists and all(graph.value(d, DCTERMS.license) == licence for d in dists)
    assert graph.value(subject, DCTERMS.accessRights) == URIRef(EU + "access-right/PUBLIC")
    downloads = {str(o) for d in dists for o in graph.objects(d, DCAT.downloadURL)}
    assert "https://data.geopf.fr/telechargement/resource/RPG" in downloads


def test_source_default_licence_applies_only_when_the_record_says_nothing_about_use() -> None:
    ctx = dataclasses.replace(context(), licence=EU + "licence/CC_BY_4_0")
    graph, subject = map_one(raw_record(ISO_DIR / "pycsw-misc" / "auscope-iso19139-geoprovinces.xml"), ctx)
    assert graph.value(subject, DCTERMS.license) == URIRef(EU + "licence/CC_BY_4_0")
    # BASIC says "no conditions apply" and limits public access (Article 13(1)(d)): no default licence
    graph, subject = map_one(raw_record(BASIC), ctx)
    assert graph.value(subject, DCTERMS.license) is None


def test_service_links_become_access_services_with_ogc_standards() -> None:
    graph, subject = map_one(raw_record(BASIC))
    services = [graph.value(d, DCAT.accessService) for d in graph.objects(subject, DCAT.distribution)]
    assert len(services) == 2
    standards = {str(graph.value(s, DCTERMS.conformsTo)) for s in services}
    assert standards == {"http://www.opengeospatial.org/standards/wms", "http://www.opengeospatial.org/standards/wfs"}
    for service in services:
        assert "?" not in str(graph.value(service, DCAT.endpointURL))
        assert "GetCapabilities" in str(graph.value(service, DCAT.endpointDescription))
        assert graph.value(service, DCAT.servesDataset) == subject


def test_series_service_and_mi_metadata_kinds() -> None:
    series, s = map_one(raw_record(ISO_DIR / "ckanext-spatial" / "gemini2.1__validation__08_Series_Valid.xml"))
    assert (s, RDF.type, URIRef("http://www.w3.org/ns/dcat#DatasetSeries")) in series
    service, s = map_one(raw_record(ISO_DIR / "owslib" / "iso19139_srv.xml"))
    assert (s, RDF.type, DCAT.DataService) in service and service.value(s, DCAT.endpointURL) is not None
    mi, s = map_one(raw_record(ISO_DIR / "owslib" / "iso_mi.xml"))
    assert (s, RDF.type, DCAT.Dataset) in mi
    che, s = map_one(raw_record(ISO_DIR / "owslib" / "iso_che.xml"))  # geocat.ch profile, gco:isoType
    assert (s, RDF.type, DCAT.Dataset) in che


def test_one_location_with_one_wkt_bbox() -> None:
    graph, subject = map_one(raw_record(BASIC))
    [location] = list(graph.objects(subject, DCTERMS.spatial))
    [bbox] = list(graph.objects(location, DCAT.bbox))
    assert str(bbox) == "POLYGON((14.18 36.08,14.58 36.08,14.58 35.81,14.18 35.81,14.18 36.08))"
    assert str(bbox.datatype) == "http://www.opengis.net/ont/geosparql#wktLiteral"


def test_hvd_keyword_text_tags_the_dataset() -> None:
    def add_hvd(root: etree._Element) -> None:
        keywords = root.find("gmd:identificationInfo/*/gmd:descriptiveKeywords/gmd:MD_Keywords", NS)
        keyword = etree.SubElement(keywords, f"{{{GMD}}}keyword")
        etree.SubElement(keyword, f"{{{GCO}}}CharacterString").text = "HVD"
        keywords.insert(0, keyword)

    graph, subject = map_one(edited(BASIC, add_hvd))
    assert (subject, URIRef(DCATAP + "applicableLegislation"), URIRef(HVD_LEGISLATION)) in graph


def test_catalog_record_links_to_get_record_by_id() -> None:
    raw = dataclasses.replace(
        raw_record(BASIC), origin_url="https://catalog.inspire.geoportail.lu/geonetwork/srv/eng/csw"
    )
    graph, subject = map_one(raw)
    record = graph.value(subject, FOAF.isPrimaryTopicOf)
    assert (record, RDF.type, DCAT.CatalogRecord) in graph
    assert graph.value(record, FOAF.primaryTopic) == subject
    assert str(graph.value(record, DCTERMS.modified)) == "2019-05-15T09:00:00"
    page = str(graph.value(record, FOAF.page))
    assert page.startswith("https://catalog.inspire.geoportail.lu/geonetwork/srv/eng/csw?service=CSW")
    assert "request=GetRecordById&id=123e4567-e89b-12d3-a456-426655440000" in page


def test_fallback_publisher_from_the_source_configuration() -> None:
    def drop_parties(root: etree._Element) -> None:
        for path in ("gmd:contact", "gmd:identificationInfo/*/gmd:pointOfContact"):
            for el in root.iterfind(path, NS):
                el.getparent().remove(el)

    ctx = dataclasses.replace(context(), publisher={"name": "Administration du cadastre", "uri": "https://act.lu/"})
    graph, subject = map_one(edited(BASIC, drop_parties), ctx)
    assert graph.value(subject, DCTERMS.publisher) == URIRef("https://act.lu/")


def test_http_resource_identifier_is_the_dataset_uri() -> None:
    graph, subject = map_one(raw_record(BASIC))
    assert subject == URIRef("http://www.my-organisation.eu/so/lu/land-use-map")
    assert str(graph.value(subject, DCTERMS.identifier)) == "http://www.my-organisation.eu/so/lu/land-use-map"
