"""The publisher's name for the data.public.lu licence table (lookup: mappers.vocabularies.udata_licences)."""

from mappers.vocabularies.udata_licences import (
    BARRED,
    EU_LICENCE,
    IDS,
    TABLE,
    Placement,
    normalise,
    place,
    stated_licence,
    table,
)

__all__ = ["BARRED", "EU_LICENCE", "IDS", "TABLE", "Placement", "normalise", "place", "stated_licence", "table"]
