"""EU vocabulary lookups shared by every mapper (licences, languages, formats, themes...).

All lookups read the files in data/ (see data/SOURCES.md) lazily, once per process, and return
URI strings or None; none of them reaches the network. Public API:

- licence_uri(text_or_url)            -> EU licence URI (URLs, anchors, fr/de/en/nl names)
- language_uri(code) / language_tag   -> EU language URI / BCP 47 tag for ISO 639-1/2B/2T codes
- file_type(format_or_mime)           -> FileType(uri=EU file type, media_type=IANA URI)
- file_type_for_url(url)              -> FileType from a download URL's extension
- frequency_uri(code_or_text)         -> EU frequency URI (ISO maintenance codes, en/fr/de text)
- access_right_uri(text_or_uri)       -> EU access-right URI (INSPIRE limitations, phrases)
- inspire_theme_uri(label_or_uri)     -> INSPIRE theme URI (en/fr/de labels)
- data_themes_for_inspire(theme)      -> EU data themes via the SEMIC alignment
- data_themes_for_topic(topic)        -> EU data themes for an ISO topic category
- hvd_category(text_or_uri), is_hvd_regulation(...), HVD_LEGISLATION
- country_uri(name_or_code)           -> EU country URI
- vocabulary_graph()                  -> rdflib Graph with the triples SHACL vocabulary shapes need

Luxembourgish: the shipped EU language table (language-subset-de-en-fr-nl.rdf, 2018) does contain
LTZ, so "ltz"/"lb" resolve without any addition (tests assert it); Luxembourgish country names
("Lëtzebuerg") are added in places.py. Curated facts (INSPIRE theme names in fr/de, licence
phrasings, ISO 639 tables, maintenance-frequency codes) live in the modules, next to their use.
"""

from mappers.vocabularies.access_rights import access_right_uri
from mappers.vocabularies.formats import FileType, file_type, file_type_for_url
from mappers.vocabularies.frequencies import frequency_uri
from mappers.vocabularies.graph import vocabulary_graph
from mappers.vocabularies.hvd import HVD_LEGISLATION, hvd_category, is_hvd_regulation
from mappers.vocabularies.languages import language_tag, language_uri
from mappers.vocabularies.licences import is_licence_uri, licence_uri
from mappers.vocabularies.places import country_uri
from mappers.vocabularies.themes import (
    data_theme_label,
    data_theme_uri,
    data_themes_for_inspire,
    data_themes_for_topic,
    inspire_theme_label,
    inspire_theme_uri,
    inspire_themes_for_topic,
)

__all__ = [
    "HVD_LEGISLATION",
    "FileType",
    "access_right_uri",
    "country_uri",
    "data_theme_label",
    "data_theme_uri",
    "data_themes_for_inspire",
    "data_themes_for_topic",
    "file_type",
    "file_type_for_url",
    "frequency_uri",
    "hvd_category",
    "inspire_theme_label",
    "inspire_theme_uri",
    "inspire_themes_for_topic",
    "is_hvd_regulation",
    "is_licence_uri",
    "language_tag",
    "language_uri",
    "licence_uri",
    "vocabulary_graph",
]
