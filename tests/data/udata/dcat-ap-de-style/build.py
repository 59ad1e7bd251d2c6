"""Builds catalog.rdf (run by hand: `python tests/data/udata/dcat-ap-de-style/build.py`); documents every change.

A German-portal-style (Bremen / Destatis) DCAT catalogue made from real records of tests/data/dcat (no
such catalogue is in the shared data). Each dataset is cut out of its real file with everything it
reaches; the only edits are the ones listed in EDITS, each printed in SOURCES.md:

- `vcard:hasEmail` written as a *relative IRI* (`rdf:resource="info@host"`), as the Bremen portal does:
  an RDF parser resolves it against the catalogue's URL (`http://<server>/.../info@host`);
- licences re-expressed as the German national URIs `http://dcat-ap.de/def/licenses/...` (same licence,
  the national URI form), and one record's licence replaced by `dl-by-de/2.0` (the licence 135 datasets
  of the catalogue in issue 13 state), because no real record here states it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[3]))
from tests.udata.records import Example, dataset_graph  # noqa: E402

EU = "http://publications.europa.eu/resource/authority/licence/"
DE = "http://dcat-ap.de/def/licenses/"
CATALOG = URIRef("https://example.opendata-style.de/catalog")

# (record file, dataset IRI, licence replacements {old: new}, e-mails to write as relative IRIs)
EDITS = [
    ("ckanext-dcat-examples/dataset_gov_de.rdf", "https://www.opendata-hro.de/dataset/c1be4007-d811-48fb-8818-2cb358b06a63",
     {}, ["geodienste@rostock.de"]),
    ("geonetwork-ui-fixtures/jrc.dcat.dataset.xml", "http://data.europa.eu/89h/201bbb6b-dd80-4645-8b81-4b84ba86fcd7",
     {EU + "CC_BY_4_0": DE + "cc-by/4.0"}, ["d'artis.kancs@ec.europa.eu"]),
    ("geonetwork-ui-fixtures/jrc.dcat.geo-dataset.xml", "http://data.europa.eu/89h/175b91cb-ca33-45df-aafb-c283a1e33627",
     {EU + "COM_REUSE": DE + "dl-by-de/2.0"}, ["ericha@crahi.upc.edu"]),
    ("geodcat-ap-pilot/ISO19139_dcat-ap.rdf", "https://geo.data.gov.dk/dataset/50b921ea-935e-d605-2287-4ee364046795",
     {}, []),
    ("piveau-hub-examples/example_consus_ckan.ttl", "http://example.eu/set/data/test-dataset", {}, []),
    ("udata-harvest-tests/catalog.xml", "http://data.test.org/datasets/2", {}, []),
]  # fmt: skip


def build() -> str:
    """The catalogue as RDF/XML text, relative e-mail IRIs included (no xml:base)."""
    out = Graph()
    out.bind("dcat", DCAT)
    out.bind("dct", DCTERMS)
    out.bind("vcard", URIRef("http://www.w3.org/2006/vcard/ns#"))
    out.add((CATALOG, RDF.type, DCAT.Catalog))
    for path, dataset, licences, _ in EDITS:
        graph = dataset_graph(Example(dataset, path, dataset))
        for old, new in licences.items():
            for s, p, _o in list(graph.triples((None, None, URIRef(old)))):
                graph.remove((s, p, URIRef(old)))
                graph.add((s, p, URIRef(new)))
        out += graph
        out.add((CATALOG, DCAT.dataset, URIRef(dataset)))
    text = out.serialize(format="pretty-xml")
    for *_, emails in EDITS:
        for email in emails:
            quoted = email.replace("'", "&apos;")
            pattern = rf'rdf:resource="mailto:({re.escape(email)}|{re.escape(quoted)})"'
            text, n = re.subn(pattern, f'rdf:resource="{email}"', text)
            assert n >= 1, email
    return text


if __name__ == "__main__":
    (HERE / "catalog.rdf").write_text(build(), encoding="utf-8")
    print(f"wrote {HERE / 'catalog.rdf'}")
