"""ISO 639 language codes (1, 2/B, 2/T, tags like fr-LU) -> EU language authority URIs."""

from __future__ import annotations

import functools

from rdflib import URIRef
from rdflib.namespace import SKOS

from mappers.vocabularies._data import read_graph

LANGUAGE_SCHEME = "http://publications.europa.eu/resource/authority/language"
LANGUAGE_BASE = LANGUAGE_SCHEME + "/"

# ISO 639-1 -> ISO 639-2/T (the EU authority codes are 639-2/T, upper case). Facts from ISO 639-2.
ISO639_1_TO_2T: dict[str, str] = {
    "aa": "aar", "af": "afr", "am": "amh", "ar": "ara", "az": "aze", "be": "bel", "bg": "bul",
    "bn": "ben", "bo": "bod", "br": "bre", "bs": "bos", "ca": "cat", "co": "cos", "cs": "ces",
    "cy": "cym", "da": "dan", "de": "deu", "dv": "div", "el": "ell", "en": "eng", "eo": "epo",
    "es": "spa", "et": "est", "eu": "eus", "fa": "fas", "fi": "fin", "fj": "fij", "fo": "fao",
    "fr": "fra", "fy": "fry", "ga": "gle", "gd": "gla", "gl": "glg", "gn": "grn", "gv": "glv",
    "he": "heb", "hi": "hin", "hr": "hrv", "hu": "hun", "hy": "hye", "id": "ind", "is": "isl",
    "it": "ita", "ja": "jpn", "ka": "kat", "kk": "kaz", "kl": "kal", "km": "khm", "ko": "kor",
    "ku": "kur", "kw": "cor", "ky": "kir", "la": "lat", "lb": "ltz", "li": "lim", "lt": "lit",
    "lv": "lav", "mg": "mlg", "mi": "mri", "mk": "mkd", "mn": "mon", "ms": "msa", "mt": "mlt",
    "my": "mya", "nb": "nob", "ne": "nep", "nl": "nld", "nn": "nno", "no": "nor", "oc": "oci",
    "pl": "pol", "ps": "pus", "pt": "por", "rm": "roh", "ro": "ron", "ru": "rus", "sc": "srd",
    "se": "sme", "sk": "slk", "sl": "slv", "so": "som", "sq": "sqi", "sr": "srp", "sv": "swe",
    "sw": "swa", "ta": "tam", "tg": "tgk", "th": "tha", "tk": "tuk", "tr": "tur", "uk": "ukr",
    "ur": "urd", "uz": "uzb", "vi": "vie", "wa": "wln", "yi": "yid", "zh": "zho",
}  # fmt: skip

# ISO 639-2/B (bibliographic) codes that differ from 639-2/T; INSPIRE records often use them
# ("fre", "ger"), and SEMIC's XSLT wrongly turns them into EU URIs that do not exist.
ISO639_2B_TO_2T: dict[str, str] = {
    "alb": "sqi", "arm": "hye", "baq": "eus", "bur": "mya", "chi": "zho", "cze": "ces",
    "dut": "nld", "fre": "fra", "geo": "kat", "ger": "deu", "gre": "ell", "ice": "isl",
    "mac": "mkd", "mao": "mri", "may": "msa", "per": "fas", "rum": "ron", "slo": "slk",
    "tib": "bod", "wel": "cym",
}  # fmt: skip

_TWO_FROM_THREE = {three: two for two, three in ISO639_1_TO_2T.items()}

# Lookups are pure; records of one catalogue repeat the same texts, so results are memoised.
_CACHE = 4096


@functools.cache
def _eu_codes() -> frozenset[str]:
    """Codes (e.g. "FRA", "LTZ") of the EU language authority table shipped in data/."""
    graph = read_graph("eu-authority/language-subset-de-en-fr-nl.rdf")
    scheme = URIRef(LANGUAGE_SCHEME)
    return frozenset(str(s)[len(LANGUAGE_BASE) :] for s in graph.subjects(SKOS.inScheme, scheme))


def _iso639_2t(code: str) -> str | None:
    """The ISO 639-2/T code for a 639-1, 639-2/B or 639-2/T code or a language tag, or None."""
    token = code.strip().lower().replace("_", "-").split(";")[0].split("-")[0].strip()
    if len(token) == 2:
        return ISO639_1_TO_2T.get(token)
    if len(token) == 3:
        return ISO639_2B_TO_2T.get(token, token)
    return None


@functools.lru_cache(maxsize=_CACHE)
def language_uri(code: str | None) -> str | None:
    """EU language URI for "fr", "fre", "fra", "fr-LU", "ltz", a full EU URI...; None if unknown."""
    if not code:
        return None
    code = code.strip()
    if code.startswith(LANGUAGE_BASE):
        return code if code[len(LANGUAGE_BASE) :] in _eu_codes() else None
    if code.startswith("http"):
        code = code.rstrip("/").rsplit("/", 1)[-1]  # e.g. http://id.loc.gov/vocabulary/iso639-2/fre
    t_code = _iso639_2t(code)
    if t_code is None or t_code.upper() not in _eu_codes():
        return None
    return LANGUAGE_BASE + t_code.upper()


@functools.lru_cache(maxsize=_CACHE)
def language_tag(code: str | None) -> str | None:
    """BCP 47 tag (ISO 639-1 when one exists, else 639-2/T) for an ISO 639 code; for RDF literals."""
    if not code:
        return None
    t_code = _iso639_2t(code)
    if t_code is None or not t_code.isalpha():
        return None
    return _TWO_FROM_THREE.get(t_code, t_code)
