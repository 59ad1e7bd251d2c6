"""Every dataset of the real files (and of the feeds and inventories written for the tests) maps to
DCAT-AP 3.0.0-conformant output, or to output whose only Violations are mandatory values the source
lacks (never filled in: validation reports them), or is rejected with a reason naming the field.

One pySHACL run per kind (the pinned 3.0.0 shapes + EU vocabularies), the SEMIC shapes being the judge.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

from luxcat.cli import main
from luxcat.records import RawRecord
from mappers.base import MapContext
from mappers.dcat import DcatMapper
from tests.feeds.corpus import map_files
from tests.feeds.helpers import DATA, HERE
from tests.support.shacl import not_gaps, violations

EU = "http://publications.europa.eu/resource/authority/"
RDF_FILES = sorted(
    p for p in DATA.rglob("*")
    if p.suffix in (".rdf", ".ttl", ".jsonld", ".xml") and "-api" not in p.parent.as_posix()
)  # fmt: skip
# A rejection must name what is missing: a DCAT-AP property or the identifier.
NAMED = re.compile(r"(dct|dcat|foaf):\w+|identifier|id column|no (title|description)|column '|already used")

CASES = {
    "dcat": RDF_FILES,
    "ckan": sorted((DATA / "ckan-api").rglob("*.json")),
    "udata": [DATA / "udata-api" / "data.gouv.fr-fixtures-results.json"],
    "atom": sorted((HERE / "data" / "atom").glob("*")),
}
INVENTORY = HERE.parents[1] / "config" / "demo" / "inventory" / "mmtp-inventaire.csv"
DEMO_YAML = HERE.parents[1] / "config" / "sources" / "demo-inventory.yaml"


def demo_columns() -> dict[str, object]:
    """The column mapping of the shipped demo-inventory source (French column names)."""
    return {"columns": yaml.safe_load(DEMO_YAML.read_text(encoding="utf-8"))["harvester"]["options"]["columns"]}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_every_record_conforms_or_is_rejected_with_a_named_field(kind: str) -> None:
    result = map_files(kind, CASES[kind])
    assert result.records_in == len(result.mapped) + len(result.rejected)
    assert result.mapped, f"{kind}: nothing mapped"
    for file, reason, message in result.rejected:
        assert reason in ("missing_field", "missing_identifier", "invalid_value", "duplicate_id"), (file, message)
        assert NAMED.search(message), (file, message)
    assert not_gaps(violations(result.union)) == []


def test_corpus_numbers() -> None:
    """Counts on the real corpus, so a change in what is mapped or rejected is seen."""
    dcat = map_files("dcat", RDF_FILES)
    ckan = map_files("ckan", CASES["ckan"])
    udata = map_files("udata", CASES["udata"])
    assert (len(dcat.mapped), len(dcat.rejected)) == (157, 0)  # missing fields are validation findings now
    assert (len(ckan.mapped), len(ckan.rejected)) == (16, 0)
    assert (len(udata.mapped), len(udata.rejected)) == (15, 0)


def test_inventory_rows_report_row_column_and_value(tmp_path: Path) -> None:
    result = map_files("inventory", [INVENTORY], options=demo_columns())
    xlsx = map_files("inventory", [write_xlsx(tmp_path / "inv.xlsx")])
    assert result.records_in == len(result.mapped) + len(result.rejected) == 7
    assert xlsx.records_in == len(xlsx.mapped) + len(xlsx.rejected) == 4
    assert len(xlsx.mapped) == 3 and xlsx.rejected[0][2].startswith("row 6: column 'licence' value 'CC BY-NC 4.0'")
    # row 5 has no title: mapped without one (nothing filled in), and validation reports the gap
    found = violations(result.union + xlsx.union)
    assert [(v[0].rsplit("/", 1)[-1], v[1]) for v in found] == [("MMTP-004", str(DCTERMS.title))]
    assert not_gaps(found) == []
    assert len(result.mapped) == 4  # rows 2, 3, 5 and 8
    messages = {reason: message for _f, reason, message in result.rejected}
    bad = messages["invalid_value"]
    assert bad.startswith("row 4: ")
    pieces = (
        "column 'Contact' value 'opendata(at)mt.public.lu'",
        "column 'Licence' value 'libre'",
        "column 'Date de publication' value '31/02/2021'",
        "value 'ftp://old.server/pistes.kml'",
    )
    for piece in pieces:
        assert piece in bad
    assert "row 6: the id column is empty" in messages["missing_identifier"]
    assert "row 7: id 'MMTP-001' already used on row 2" in messages["duplicate_id"]


DCAT_AP_1 = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix adms: <http://www.w3.org/ns/adms#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix schema: <http://schema.org/> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://ex.lu/ds/1> a dcat:Dataset ; dct:title "Qualité de l'air" ; dct:description "Mesures horaires"@fr ;
  owl:versionInfo "2.1" ; foaf:homepage <http://ex.lu/air> ; dct:issued "15/03/2021" ;
  dct:accrualPeriodicity <http://purl.org/cld/freq/monthly> ; dct:language "de" ;
  dcat:theme "Environnement" ;
  adms:contactPoint [ a vcard:Organization ; vcard:fn "AEV" ; vcard:hasEmail "air@aev.lu" ] ;
  dct:temporal [ a dct:PeriodOfTime ; schema:startDate "2020-01-01"^^xsd:date ] ;
  dcat:distribution [ a dcat:Distribution ; dcat:downloadURL <http://ex.lu/air.csv> ; dct:format "CSV" ;
                      dct:license "https://creativecommons.org/licenses/by/4.0/" ; dcat:byteSize "1024"^^xsd:integer ] ,
                    [ a dcat:Distribution ; dct:title "no URL at all" ] .
"""

EXPECTED_DCAT_AP_3 = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://ex.lu/ds/1> a dcat:Dataset ; dct:title "Qualité de l'air"@fr ; dct:description "Mesures horaires"@fr ;
  dcat:version "2.1" ; dcat:landingPage <http://ex.lu/air> ; dct:issued "2021-03-15"^^xsd:date ;
  dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/MONTHLY> ;
  dct:language <http://publications.europa.eu/resource/authority/language/DEU> ;
  dcat:theme <http://publications.europa.eu/resource/authority/data-theme/ENVI> ;
  dcat:contactPoint [ a vcard:Organization, vcard:Kind ; vcard:fn "AEV"@fr ; vcard:hasEmail <mailto:air@aev.lu> ] ;
  dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2020-01-01"^^xsd:date ] ;
  dcat:distribution [ a dcat:Distribution ;
      dcat:downloadURL <http://ex.lu/air.csv> ; dcat:accessURL <http://ex.lu/air.csv> ;
      dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
      dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv> ;
      dct:license <http://publications.europa.eu/resource/authority/licence/CC_BY_4_0> ;
      dcat:byteSize "1024"^^xsd:decimal ] .
<http://publications.europa.eu/resource/authority/frequency/MONTHLY> a dct:Frequency .
<http://publications.europa.eu/resource/authority/language/DEU> a dct:LinguisticSystem .
<http://publications.europa.eu/resource/authority/data-theme/ENVI> a <http://www.w3.org/2004/02/skos/core#Concept> .
<http://ex.lu/air> a foaf:Document .
<http://publications.europa.eu/resource/authority/file-type/CSV> a dct:MediaTypeOrExtent .
<https://www.iana.org/assignments/media-types/text/csv> a dct:MediaType .
<http://publications.europa.eu/resource/authority/licence/CC_BY_4_0> a dct:LicenseDocument .
"""


def test_dcat_ap_1_idioms_upgraded_to_dcat_ap_3() -> None:
    """Deprecated properties replaced, vocabularies mapped, untagged text tagged, unusable distribution dropped."""
    mapper = DcatMapper(MapContext("t", "https://data.public.lu/luxcat/t/", ("fr",)))
    raw = RawRecord("t", "v1.ttl", DCAT_AP_1.encode(), "text/turtle", "file:///v1.ttl")
    (part,) = list(mapper.split(raw))
    (record,) = list(mapper.map(part))
    expected = Graph().parse(data=EXPECTED_DCAT_AP_3, format="turtle")
    assert isomorphic(record.graph, expected), record.graph.serialize(format="turtle")


def test_identity_by_uri_then_identifier() -> None:
    data = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    <http://ex.lu/a> a dcat:Dataset ; dct:identifier "other" ; dct:title "A"@en ; dct:description "a"@en .
    [] a dcat:Dataset ; dct:identifier "B-7" ; dct:title "B"@en ; dct:description "b"@en .
    [] a dcat:Dataset ; dct:title "C"@en ; dct:description "c"@en ."""
    mapper = DcatMapper(MapContext("t", "https://data.public.lu/luxcat/t/", ("en",)))
    parts = list(mapper.split(RawRecord("t", "ids.ttl", data.encode(), "text/turtle", "file:///ids.ttl")))
    assert sorted(p.record_id for p in parts)[:2] == ["B-7", "http://ex.lu/a"]
    subjects = {str(next(mapper.map(p)).subject) for p in parts if p.record_id in ("B-7", "http://ex.lu/a")}
    assert subjects == {"http://ex.lu/a", "https://data.public.lu/luxcat/t/dataset/B-7"}
    unidentified = [p for p in parts if p.record_id not in ("B-7", "http://ex.lu/a")]
    with pytest.raises(Exception, match="neither an IRI nor a dct:identifier"):
        list(mapper.map(unidentified[0]))


def test_multilingual_text_kept_with_its_languages() -> None:
    result = map_files("dcat", [DATA / "ckanext-dcat-examples" / "dataset_multilingual.ttl"])
    titles = {t.language for t in result.union.objects(None, DCTERMS.title) if isinstance(t, Literal)}
    assert {"en", "ca", "es"} <= titles


def test_ckan_package_to_dcat() -> None:
    result = map_files("ckan", [DATA / "ckan-api" / "ckanext-dcat-package-dicts" / "ckan_full_dataset_dcat_ap.json"])
    g, s = result.mapped[0].graph, result.mapped[0].subject
    assert (s, DCTERMS.accrualPeriodicity, URIRef(EU + "frequency/MONTHLY")) in g
    assert {str(k) for k in g.objects(s, DCAT.keyword)} == {"Tag 1", "Tag 2"}
    assert set(g.objects(s, DCTERMS.language)) == {URIRef(EU + f"language/{c}") for c in ("ENG", "CAT", "SPA")}
    assert len(list(g.objects(s, DCAT.distribution))) >= 1


def test_udata_dataset_to_dcat() -> None:
    result = map_files("udata", CASES["udata"])
    by_id = {r.record_id: r for r in result.mapped}
    record = by_id["6010206e7aa742eb447930f7"]
    g, s = record.graph, record.subject
    assert (s, DCTERMS.accrualPeriodicity, URIRef(EU + "frequency/WEEKLY")) in g
    assert "vaccination" in {str(k) for k in g.objects(s, DCAT.keyword)}
    formats = {f for d in g.objects(s, DCAT.distribution) for f in g.objects(d, DCTERMS.format)}
    assert URIRef(EU + "file-type/CSV") in formats


def test_atom_inspire_entry_and_rss_enclosure() -> None:
    result = map_files("atom", [HERE / "data" / "atom" / "ministry-news.rss"])
    # the item without description maps without one (not a copy of its title): validation reports it
    (record,) = [r for r in result.mapped if (r.subject, DCTERMS.description, None) in r.graph]
    (bare,) = [r for r in result.mapped if r is not record]
    assert not_gaps(violations(bare.graph)) == [] and violations(bare.graph)
    g = record.graph
    dist = next(g.objects(record.subject, DCAT.distribution))
    assert (dist, DCAT.downloadURL, URIRef("https://mmtp.gouvernement.lu/dam-assets/open-data/comptages-2023.csv")) in g
    assert (dist, DCTERMS.license, URIRef(EU + "licence/CC_BY_4_0")) in g
    description = next(g.objects(record.subject, DCTERMS.description))
    assert "<" not in description and description.language == "fr"
    assert result.rejected == []


def test_luxcat_map_command(tmp_path: Path) -> None:
    out = tmp_path / "out.ttl"
    code = main(["map", "--from", "dcat", str(DATA / "ckanext-dcat-examples" / "catalog.rdf"), "-o", str(out)])
    assert code == 0
    graph = Graph().parse(out)
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == 2
    for kind, path in (("inventory", write_xlsx(tmp_path / "inv.xlsx")), ("udata", CASES["udata"][0])):
        main(["map", "--from", kind, str(path), "-o", str(out)])
        assert set(Graph().parse(out).subjects(RDF.type, DCAT.Dataset))


def write_xlsx(path: Path) -> Path:
    """An inventory as a ministry's Excel workbook: conventional columns, real date cells, an Excel serial
    number in a date column, empty cells, accents, three languages, and one row with a barred licence."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Inventaire"
    header = "id title_fr title_de title_en description_fr description_en keywords theme licence frequency"
    header += " publisher contact_email issued modified distribution_1_url distribution_1_format"
    sheet.append([*header.split(), "distribution_2_url", "distribution_2_format"])
    sheet.append(["MENJE-01", "Effectifs scolaires", "Schülerzahlen", "School enrolment",
                  "Nombre d'élèves par école et par année d'études.", "Pupils per school and grade.",
                  "école; éducation", "EDUC", "CC0", "annuel", "Ministère de l'Éducation nationale",
                  "statistiques@men.lu", datetime(2019, 9, 15), date(2024, 2, 1),
                  "https://download.data.public.lu/men/effectifs.xlsx", "XLSX",
                  "https://download.data.public.lu/men/effectifs.csv", "CSV"])  # fmt: skip
    sheet.append(["MENJE-02", "Écoles fondamentales", None, None, "Adresses des écoles fondamentales.", None,
                  None, "Éducation, culture et sport", "CC BY 4.0", None, None, None, 44197, None,
                  "https://download.data.public.lu/men/ecoles.geojson", "GeoJSON", None, None])  # fmt: skip
    sheet.append([None] * 18)  # an empty line in the middle, as spreadsheets have
    sheet.append(["MENJE-03", "Calendrier scolaire", "Schulkalender", None, "Vacances et congés scolaires.",
                  None, "vacances", "EDUC", "CC0", "annual", None, None, "2023-09-15", None,
                  "https://download.data.public.lu/men/calendrier.ics", None, None, None])  # fmt: skip
    sheet.append(["MENJE-04", "Résultats d'examens", None, None, "Taux de réussite.", None, None, None,
                  "CC BY-NC 4.0", None, None, None, None, None, "https://x.lu/r.csv", "CSV", None, None])  # fmt: skip
    book.save(path)
    return path
