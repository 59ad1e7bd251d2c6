"""Keywords, themes, ISO topic categories and high-value-dataset tagging."""

from __future__ import annotations

from lxml import etree
from rdflib import URIRef

from mappers.iso19139.rdf import DCAT, DCATAP, ELI_LEGAL_RESOURCE, GEODCAT, SKOS, is_http_uri, literal
from mappers.iso19139.state import RecordState
from mappers.iso19139.xml import Texts, find, findall, href, value
from mappers.vocabularies import (
    HVD_LEGISLATION,
    data_theme_label,
    data_theme_uri,
    data_themes_for_inspire,
    data_themes_for_topic,
    hvd_category,
    inspire_theme_label,
    inspire_theme_uri,
    is_hvd_regulation,
)
from mappers.vocabularies._data import normalise

_TOPIC_BASE = "http://inspire.ec.europa.eu/metadata-codelist/TopicCategory/"
_DATA_THEME_BASE = "http://publications.europa.eu/resource/authority/data-theme/"


class _Themes:
    """Collects theme URIs and HVD facts of one record, then writes them once (no duplicates)."""

    __slots__ = ("state", "themes", "labels", "hvd_categories", "hvd")

    def __init__(self, state: RecordState) -> None:
        self.state = state
        self.themes: list[str] = []
        self.labels: dict[str, Texts] = {}
        self.hvd_categories: list[str] = []
        self.hvd = False

    def theme(self, uri: str, labels: Texts) -> None:
        if uri not in self.labels:
            self.themes.append(uri)
            self.labels[uri] = labels

    def inspire(self, uri: str) -> None:
        self.theme(uri, [(inspire_theme_label(uri) or uri.rsplit("/", 1)[-1], "en")])
        for data_theme in data_themes_for_inspire(uri):
            self.data_theme(data_theme)

    def data_theme(self, uri: str) -> None:
        self.theme(uri, [(data_theme_label(uri) or uri.rsplit("/", 1)[-1], "en")])

    def write(self) -> None:
        out, subject = self.state.out, self.state.subject
        for uri in self.themes:
            term = out.typed(uri, SKOS.Concept)  # dcat:theme range; the label makes it a valid skos:Concept
            out.add((subject, DCAT.theme, term))
            out.texts(term, SKOS.prefLabel, self.labels[uri])
        for uri in self.hvd_categories:
            out.add((subject, DCATAP.hvdCategory, URIRef(uri)))
        if self.hvd or self.hvd_categories:
            self.state.hvd = True
            out.add((subject, DCATAP.applicableLegislation, out.typed(HVD_LEGISLATION, ELI_LEGAL_RESOURCE)))


def _thesaurus_kind(keywords: etree._Element) -> str:
    """ "inspire" for the GEMET INSPIRE themes thesaurus, "hvd" for the HVD categories, else ""."""
    title_prop = find(keywords, "gmd:thesaurusName/gmd:CI_Citation/gmd:title")
    if title_prop is None:
        return ""
    text = normalise(value(title_prop) + " " + href(title_prop))
    if "inspire" in text and ("theme" in text or "themen" in text):
        return "inspire"
    if "asd487ae75" in text or "high value" in text or "hvd" in text or "forte valeur" in text:
        return "hvd"
    return ""


def add_keywords(state: RecordState) -> None:
    """dcat:keyword for free keywords; dcat:theme for anchors, INSPIRE themes (+ EU data themes), HVD."""
    themes = _Themes(state)
    for keywords in findall(state.ident, "gmd:descriptiveKeywords/gmd:MD_Keywords"):
        kind = _thesaurus_kind(keywords)
        for keyword in findall(keywords, "gmd:keyword"):
            texts = state.loc.texts(keyword)
            if texts:
                _keyword(state, themes, kind, texts, href(keyword))
    for topic_el in findall(state.ident, "gmd:topicCategory/gmd:MD_TopicCategoryCode"):
        topic = (topic_el.text or "").strip()
        if topic:
            state.out.add((state.subject, GEODCAT.topicCategory, URIRef(_TOPIC_BASE + topic)))
            for data_theme in data_themes_for_topic(topic):
                themes.data_theme(data_theme)
    themes.write()


def _keyword(state: RecordState, themes: _Themes, kind: str, texts: Texts, anchor: str) -> None:
    main = texts[0][0]
    if anchor and is_http_uri(anchor):
        _anchor(themes, anchor, texts)
        return
    if is_hvd_regulation(main):
        themes.hvd = True
        return
    if kind == "inspire":
        uri = next((u for u in (inspire_theme_uri(t) for t, _ in texts) if u), None)
        if uri:
            themes.inspire(uri)
            return
    if kind == "hvd":
        category = next((c for c in (hvd_category(t) for t, _ in texts) if c), None)
        if category:
            if category not in themes.hvd_categories:
                themes.hvd_categories.append(category)
            return
    for text, lang in texts:
        state.out.add((state.subject, DCAT.keyword, literal(text, lang)))


def _anchor(themes: _Themes, anchor: str, texts: Texts) -> None:
    """An anchored keyword names a concept: HVD regulation/category, INSPIRE or EU theme, or any other."""
    if is_hvd_regulation(anchor):
        themes.hvd = True
        return
    category = hvd_category(anchor, by_label=False)
    if category:
        if category not in themes.hvd_categories:
            themes.hvd_categories.append(category)
        return
    inspire = inspire_theme_uri(anchor)
    if inspire:
        themes.inspire(inspire)
        return
    data_theme = data_theme_uri(anchor) if anchor.startswith(_DATA_THEME_BASE) else None
    if data_theme:
        themes.data_theme(data_theme)
        return
    themes.theme(anchor, texts)
