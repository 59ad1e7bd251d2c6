"""Triples of one dataflow: the StatDCAT-AP dataset, its distributions, and the shared nodes.

The DataService (one per source) and the DatasetSeries (one per topic) get URIs that depend only
on the source's base URI and the category, and the same triples from every dataflow that mentions
them, so graphs of many records merge into one node each.
"""

from __future__ import annotations

import html
import re
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD

from luxcat.fastgraph import FastGraph
from mappers.fidelity import UNKNOWN_CODE, drop
from mappers.licensing import source_default_triples
from mappers.sdmx.options import DistributionOption, SdmxMapperOptions
from mappers.sdmx.periods import parse_datetime, period_bounds
from mappers.vocabularies import licence_uri

DCAT3 = Namespace("http://www.w3.org/ns/dcat#")  # rdflib's DCAT is closed at DCAT 2 (no DatasetSeries)
STAT = Namespace("http://data.europa.eu/m8g/")
DCATAP = Namespace("http://data.europa.eu/r5r/")
QB = Namespace("http://purl.org/linked-data/cube#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
# Most frequent first: a dataflow published at several frequencies is updated at the highest one.


def eu_uri(table: str, code: str) -> URIRef:
    """An EU authority table URI from a code (a full URI is kept as is)."""
    return URIRef(code if "://" in code else f"{EU}{table}/{code}")


def safe_uri(url: str) -> URIRef:
    """A URL as an IRI, with the brackets of .Stat Data Explorer links percent-encoded."""
    return URIRef(url.replace("[", "%5B").replace("]", "%5D").replace(" ", "%20"))


def plain_text(text: str) -> str:
    """Description text without the HTML that .Stat Suite descriptions carry."""
    text = re.sub(r"(?i)<br\s*/?>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).strip()


def lang_literals(graph: Graph, subject: URIRef | BNode, predicate: URIRef, values: dict[str, str]) -> None:
    """One language-tagged literal per language."""
    for lang, text in values.items():
        graph.add((subject, predicate, Literal(text, lang=lang)))


class DataflowGraph:
    """Builds the graph of one payload document; `build()` returns (graph, dataset URI)."""

    def __init__(self, doc: dict[str, Any], options: SdmxMapperOptions, base_uri: str, context: Any) -> None:
        self.doc = doc
        self.flow = doc["dataflow"]
        self.options = options
        self.base = base_uri if base_uri.endswith("/") else base_uri + "/"
        self.context = context
        self.url = (options.service_url or doc["service"]["url"]).rstrip("/")
        self.graph: Graph = FastGraph()
        self.graph.bind("dcat", DCAT)
        self.graph.bind("dct", DCTERMS)
        self.graph.bind("stat", STAT)
        self.graph.bind("dcatap", DCATAP)
        self.dataset = URIRef(
            f"{self.base}dataset/{quote(self.flow['agency'], safe='')}/{quote(self.flow['id'], safe='')}"
        )
        self.service = URIRef(f"{self.base}service/sdmx-rest")
        self.hvd = any(fnmatchcase(self.flow["id"], p) for p in options.hvd_dataflows)

    def build(self) -> tuple[Graph, URIRef]:
        """All triples of the record."""
        g, ds = self.graph, self.dataset
        g.add((ds, RDF.type, DCAT.Dataset))
        lang_literals(g, ds, DCTERMS.title, self.flow["name"])  # never the id instead: that is no title
        lang_literals(g, ds, DCTERMS.description, self._description())
        g.add((ds, DCTERMS.identifier, Literal(self.flow["urn"])))
        g.add((ds, OWL.versionInfo, Literal(self.flow["version"])))
        g.add((ds, DCTERMS.publisher, self._publisher(self.flow["agency"])))
        self._themes()
        self._topics()
        self._temporal()
        self._frequency()
        self._modified()
        self._structure()
        self._landing_page()
        for dist in self.options.distributions:
            self._distribution(dist)
        self._data_service()
        if self._licence() is not None:  # a dataflow says nothing about use: the licence is the source's default
            for triple in source_default_triples(ds):
                g.add(triple)
        if self.hvd:
            self._hvd(ds)
        return g, ds

    def _description(self) -> dict[str, str]:
        """The dataflow's own description; none when it has none (validation reports the gap, the name
        is not copied into it)."""
        described = {lang: plain_text(text) for lang, text in self.flow["description"].items()}
        return {lang: text for lang, text in described.items() if text}

    def _publisher(self, agency: str) -> URIRef:
        """The agency's publisher from the options, else the source's publisher, else a minted agent."""
        chosen = self.options.publishers.get(agency)
        fallback = self.context.publisher or {}
        if chosen is not None:
            uri, names = URIRef(chosen.uri), chosen.name
        elif fallback.get("uri"):
            uri, names = URIRef(fallback["uri"]), {"en": fallback.get("name") or agency}
        else:
            uri, names = URIRef(f"{self.base}agent/{quote(agency, safe='')}"), {"en": agency}
        self.graph.add((uri, RDF.type, FOAF.Agent))
        self.graph.add((uri, RDF.type, FOAF.Organization))
        lang_literals(self.graph, uri, FOAF.name, names)
        return uri

    def _category_paths(self) -> list[str]:
        return [".".join(step["id"] for step in c["path"]) for c in self.doc.get("categories", [])]

    def _themes(self) -> None:
        """EU data themes from the category mapping table (and the default themes)."""
        codes = list(self.options.default_themes)
        for path in self._category_paths():
            for pattern, themes in self.options.themes.items():
                if path == pattern or path.startswith(pattern + ".") or fnmatchcase(path, pattern):
                    codes.extend(themes)
        for code in dict.fromkeys(codes):
            theme = eu_uri("data-theme", code)
            self.graph.add((self.dataset, DCAT.theme, theme))
            self.graph.add((theme, RDF.type, SKOS.Concept))

    def _topics(self) -> None:
        """Each category: keywords (its names) and a DatasetSeries the dataset is in."""
        for category in self.doc.get("categories", []):
            if not category["path"]:
                continue
            leaf = category["path"][-1]
            for lang, name in leaf["name"].items():
                self.graph.add((self.dataset, DCAT.keyword, Literal(name, lang=lang)))
            series = self._series(category)
            self.graph.add((self.dataset, DCAT3.inSeries, series))

    def _series(self, category: dict[str, Any]) -> URIRef:
        """The DatasetSeries of one topic (same URI and triples from every dataflow filed under it)."""
        match = re.match(r"([^:]+):([^(]+)", category["scheme"] or "")
        scheme = f"{match.group(1)}/{match.group(2)}" if match else "categories"  # version-less
        path = ".".join(step["id"] for step in category["path"])
        series = URIRef(f"{self.base}series/{quote(scheme, safe='/')}/{quote(path, safe='')}")
        g = self.graph
        g.add((series, RDF.type, DCAT3.DatasetSeries))
        g.add((series, DCTERMS.identifier, Literal(category["urn"])))
        leaf = category["path"][-1]
        lang_literals(g, series, DCTERMS.title, leaf["name"] or {"en": leaf["id"]})
        described = category.get("description") or {}
        if not described:
            langs = {lang for step in category["path"] for lang in step["name"]} or {"en"}
            described = {
                lang: " > ".join(step["name"].get(lang) or step["id"] for step in category["path"])
                for lang in sorted(langs)
            }
        lang_literals(g, series, DCTERMS.description, described)
        return series

    def _temporal(self) -> None:
        """dct:temporal from the actual constraint, else from coverage annotations."""
        start, end = self._coverage()
        if start is None and end is None:
            return
        period = BNode()
        self.graph.add((self.dataset, DCTERMS.temporal, period))
        self.graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if start is not None:
            self.graph.add((period, DCAT.startDate, Literal(start, datatype=XSD.date)))
        if end is not None:
            self.graph.add((period, DCAT.endDate, Literal(end, datatype=XSD.date)))

    def _coverage(self) -> tuple[Any, Any]:
        coverage = self.doc.get("time_coverage") or {}
        first, last = coverage.get("start"), coverage.get("end")
        if not (first or last):
            by_type = {a.get("type"): a.get("title") for a in self.flow.get("annotations", [])}
            first, last = (by_type.get(t) for t in self.options.coverage_annotations)
        start = period_bounds(first) if first else None
        end = period_bounds(last) if last else None
        return (start[0] if start else None), (end[1] if end else None)

    def _components(self, ids: list[str]) -> list[dict[str, Any]]:
        structure = self.doc.get("structure") or {}
        every = structure.get("dimensions", []) + structure.get("attributes", [])
        return [c for c in every if c["id"] in ids]

    def _frequency(self) -> None:
        """dct:accrualPeriodicity from the FREQ codes of the dataflow's own data (its content constraint).

        The codes of the code list alone say what any dataflow of the DSD may use, not what this one
        has: no frequency is taken from them (reported as dropped), and none is picked among several.
        """
        for comp in self._components([self.options.frequency_component]):
            codes = [c["id"] for c in comp.get("codes") or []]
            if not codes:
                continue
            where = f"{comp['id']} ({comp.get('codelist', 'no codelist')})"
            if comp.get("codes_from") != "constraint":
                drop(where, ", ".join(codes), "codes of the code list, not of this dataflow's data")
                return
            known = [code for code in codes if code in self.options.frequencies]
            for code in codes:
                if code not in self.options.frequencies:
                    drop(where, code, UNKNOWN_CODE)
            if len(known) > 1:
                drop(where, ", ".join(known), "several frequencies in the dataflow's data: none is the dataset's")
                return
            if known:
                freq = eu_uri("frequency", self.options.frequencies[known[0]])
                self.graph.add((self.dataset, DCTERMS.accrualPeriodicity, freq))
                self.graph.add((freq, RDF.type, DCTERMS.Frequency))
            return

    def _modified(self) -> None:
        """dct:modified from a last-update annotation (Eurostat's UPDATE_DATA, ...)."""
        by_type = {a.get("type"): a for a in self.flow.get("annotations", [])}
        for kind in self.options.modified_annotations:
            ann = by_type.get(kind)
            if not ann:
                continue
            text = ann.get("title") or next(iter((ann.get("text") or {}).values()), "")
            stamp = parse_datetime(text) if text else None
            if stamp is not None:
                self.graph.add((self.dataset, DCTERMS.modified, Literal(stamp, datatype=XSD.dateTime)))
                return

    def _structure(self) -> None:
        """stat:dimension / stat:attribute as qb properties, stat:statUnitMeasure as code concepts."""
        structure = self.doc.get("structure")
        if not structure:
            return
        g = self.graph
        for predicate, kind, group in (
            (STAT.dimension, QB.DimensionProperty, "dimensions"),
            (STAT.attribute, QB.AttributeProperty, "attributes"),
        ):
            for comp in structure[group]:
                node = URIRef(comp["urn"])
                g.add((self.dataset, predicate, node))
                g.add((node, RDF.type, kind))
                g.add((node, DCTERMS.identifier, Literal(comp["id"])))
                lang_literals(g, node, RDFS.label, comp["name"] or {"en": comp["id"]})
                if comp.get("codelist"):
                    g.add((node, QB.codeList, URIRef(comp["codelist"])))
        for comp in self._components(self.options.unit_components):
            for code in comp.get("codes") or []:
                unit = URIRef(code["urn"])
                g.add((self.dataset, STAT.statUnitMeasure, unit))
                g.add((unit, RDF.type, SKOS.Concept))
                g.add((unit, SKOS.notation, Literal(code["id"])))
                g.add((unit, SKOS.inScheme, URIRef(comp["codelist"])))
                lang_literals(g, unit, SKOS.prefLabel, code["name"] or {"en": code["id"]})

    def _fill(self, template: str) -> str:
        flow = self.flow
        return template.format(url=self.url, agency=flow["agency"], id=flow["id"], version=flow["version"])

    def _landing_page(self) -> None:
        if not self.options.landing_page:
            return
        page = safe_uri(self._fill(self.options.landing_page))
        self.graph.add((self.dataset, DCAT.landingPage, page))
        self.graph.add((page, RDF.type, FOAF.Document))

    def _licence(self) -> URIRef | None:
        licence = self.options.licence or self.context.licence
        if not licence:
            return None
        uri = URIRef(licence_uri(licence) or eu_uri("licence", licence))
        self.graph.add((uri, RDF.type, DCTERMS.LicenseDocument))
        return uri

    def _distribution(self, option: DistributionOption) -> None:
        """One data download through the REST data URL, served by the DataService."""
        g = self.graph
        dist = URIRef(f"{self.dataset}/distribution/{option.key}")
        url = safe_uri(self._fill(option.url))
        g.add((self.dataset, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        lang_literals(g, dist, DCTERMS.title, option.title)
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessService, self.service))
        fmt = eu_uri("file-type", option.format)
        g.add((dist, DCTERMS.format, fmt))
        g.add((fmt, RDF.type, DCTERMS.MediaTypeOrExtent))
        if option.media_type:
            media = URIRef(f"{IANA}{option.media_type}")
            g.add((dist, DCAT.mediaType, media))
            g.add((media, RDF.type, DCTERMS.MediaType))
        if option.format == "SDMX":
            g.add((dist, DCTERMS.conformsTo, self._standard()))
        licence = self._licence()
        if licence is not None:
            g.add((dist, DCTERMS.license, licence))
        if self.hvd:
            self._hvd(dist, category=False)

    def _standard(self) -> URIRef:
        standard = URIRef(self.options.sdmx_standard)
        self.graph.add((standard, RDF.type, DCTERMS.Standard))
        lang_literals(self.graph, standard, DCTERMS.title, {"en": "SDMX 2.1"})
        return standard

    def _data_service(self) -> None:
        """The source's SDMX REST API (identical triples from every record, plus servesDataset)."""
        g, svc = self.graph, self.service
        g.add((svc, RDF.type, DCAT.DataService))
        lang_literals(g, svc, DCTERMS.title, self.options.service_title)
        g.add((svc, DCAT.endpointURL, URIRef(self.url)))
        g.add((svc, DCTERMS.conformsTo, self._standard()))
        g.add((svc, DCAT.servesDataset, self.dataset))
        agency = self.doc["service"].get("agency") or self.flow["agency"]
        g.add((svc, DCTERMS.publisher, self._publisher(self.flow["agency"] if agency == "all" else agency)))
        licence = self._licence()
        if licence is not None:
            g.add((svc, DCTERMS.license, licence))
        if self.hvd:
            self._hvd(svc)

    def _hvd(self, subject: URIRef, *, category: bool = True) -> None:
        """High-value dataset flags: applicable legislation, and the HVD category where it belongs."""
        legislation = URIRef(self.options.applicable_legislation)
        self.graph.add((subject, DCATAP.applicableLegislation, legislation))
        self.graph.add((legislation, RDF.type, ELI.LegalResource))
        if category:
            hvd = URIRef(self.options.hvd_category)
            self.graph.add((subject, DCATAP.hvdCategory, hvd))
            self.graph.add((hvd, RDF.type, SKOS.Concept))
