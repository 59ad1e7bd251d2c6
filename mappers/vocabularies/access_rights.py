"""Access rights: INSPIRE limitations on public access and free text -> EU access-right URIs."""

from __future__ import annotations

import functools
import re

from mappers.vocabularies._data import normalise

ACCESS_RIGHT_SCHEME = "http://publications.europa.eu/resource/authority/access-right"
PUBLIC = ACCESS_RIGHT_SCHEME + "/PUBLIC"
RESTRICTED = ACCESS_RIGHT_SCHEME + "/RESTRICTED"
NON_PUBLIC = ACCESS_RIGHT_SCHEME + "/NON_PUBLIC"
_EU_CODES = frozenset({"PUBLIC", "RESTRICTED", "NON_PUBLIC", "CONFIDENTIAL", "NORMAL", "SENSITIVE"})

INSPIRE_LIMITATIONS = "inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/"

# Phrasings of "no limitation on public access" seen in INSPIRE records (en, fr, de, nl, lb).
_PUBLIC_TEXT = re.compile(
    r"^(no limitations?|none|no restrictions?)( (on|to) public access)?$"
    r"|^no (limitations?|restrictions?) (on|to) public access"
    r"|pas de restriction d acces public|aucune restriction d acces|^aucune (contrainte|restriction)$"
    r"|ne peut etre invoque pour justifier d une restriction d acces public"
    r"|keine beschrankungen? des offentlichen zugangs|^keine (beschrankungen?|einschrankungen?)$"
    r"|geen beperkingen voor publieke toegang|^geen beperkingen$"
)
# "public access limited according to Article 13(1)(x) of the INSPIRE Directive", also the French
# code de l'environnement articles L124-4 / L124-5 that transpose it, and German/Dutch wordings.
_RESTRICTED_TEXT = re.compile(
    r"article 13 ?1|artikel 13 ?1|\bl124 [45]\b|acces public (limite|restreint)|zugriff beschrankt|zugang beschrankt"
)

# Lookups are pure; records of one catalogue repeat the same texts, so results are memoised.
_CACHE = 4096


@functools.lru_cache(maxsize=_CACHE)
def access_right_uri(text_or_uri: str | None) -> str | None:
    """EU access-right URI for an INSPIRE LimitationsOnPublicAccess URI, an EU URI or a known phrase.

    noLimitations -> PUBLIC; any Article 13(1)(a)-(h) limitation -> RESTRICTED (the resource is only
    available under conditions: public access is limited, authorities may still get it).
    """
    if not text_or_uri:
        return None
    value = text_or_uri.strip()
    if value.startswith(ACCESS_RIGHT_SCHEME + "/"):
        return value if value.rsplit("/", 1)[-1] in _EU_CODES else None
    if INSPIRE_LIMITATIONS in value:
        code = value.rstrip("/").rsplit("/", 1)[-1]
        if code == "noLimitations":
            return PUBLIC
        if code.startswith("INSPIRE_Directive_Article13_1"):
            return RESTRICTED
        return None
    norm = normalise(value)
    if _PUBLIC_TEXT.search(norm):
        return PUBLIC
    if _RESTRICTED_TEXT.search(norm):
        return RESTRICTED
    return None
