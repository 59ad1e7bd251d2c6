"""Formats: names, MIME types and file extensions -> EU file-type URI and IANA media-type URI."""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from rdflib import URIRef
from rdflib.namespace import DCTERMS, SKOS

from mappers.vocabularies._data import normalise, read_graph

FILE_TYPE_SCHEME = "http://publications.europa.eu/resource/authority/file-type"
FILE_TYPE_BASE = FILE_TYPE_SCHEME + "/"
IANA_BASE = "https://www.iana.org/assignments/media-types/"
_AT = "http://publications.europa.eu/ontology/authority/"
_DC_SOURCE = URIRef("http://purl.org/dc/elements/1.1/source")

# Lookups are pure; records of one catalogue repeat the same texts, so results are memoised.
_CACHE = 4096


class FileType(NamedTuple):
    """What a format string resolves to; either part may be unknown (None)."""

    uri: str | None  # EU file-type URI (dct:format)
    media_type: str | None  # IANA media-type URI (dcat:mediaType)


# Names found in ISO records that are not labels of the EU table (facts about the formats).
_CURATED_NAMES: dict[str, str] = {
    "shapefile": "SHP", "esri shapefile": "SHP", "esri shape": "SHP", "shape": "SHP", "shp": "SHP",
    "geotiff": "TIFF", "geotif": "TIFF", "tif": "TIFF", "cog": "TIFF", "cloud optimized geotiff": "TIFF",
    "jpeg 2000": "JPEG2000", "jp2": "JPEG2000", "jpg": "JPEG", "ecw": "ECW", "esri ascii grid": "GRID_ASCII",
    "ascii grid": "GRID_ASCII", "arcinfo ascii grid": "GRID_ASCII", "file geodatabase": "GDB",
    "esri file geodatabase": "GDB", "fgdb": "GDB", "mapinfo tab": "TAB", "netcdf": "NETCDF",
    "geojson": "GEOJSON", "kml": "KML", "kmz": "KMZ", "gml": "GML", "inspire gml": "GML", "csv": "CSV",
    "zip": "ZIP", "pdf": "PDF", "xml": "XML", "json": "JSON", "html": "HTML", "excel": "XLSX", "xls": "XLS",
    "xlsx": "XLSX", "ods": "ODS", "png": "PNG", "gif": "GIF", "las": "LAS", "laz": "LAZ", "txt": "TXT",
    "text": "TXT", "wms": "WMS_SRVC", "wfs": "WFS_SRVC", "atom": "ATOM", "rdf": "RDF", "turtle": "RDF_TURTLE",
    "tar": "TAR", "gzip": "GZIP", "rar": "RAR", "dbf": "DBF", "sql": "SQL", "tsv": "TSV", "mdb": "MDB",
    "oracle dump": "DMP", "e00": "E00", "hdf": "HDF", "hdf5": "HDF", "svg": "SVG", "world file": "WORLD",
}  # fmt: skip

# File type -> IANA media type, when the EU table gives none (facts from the IANA registry).
_CURATED_MEDIA: dict[str, str] = {
    "GML": "application/gml+xml", "GEOJSON": "application/geo+json", "KML": "application/vnd.google-earth.kml+xml",
    "KMZ": "application/vnd.google-earth.kmz", "SHP": "application/vnd.shp", "CSV": "text/csv",
    "ZIP": "application/zip", "PDF": "application/pdf", "TIFF": "image/tiff", "JPEG2000": "image/jp2",
    "JPEG": "image/jpeg", "PNG": "image/png", "JSON": "application/json", "XML": "application/xml",
    "HTML": "text/html", "ATOM": "application/atom+xml", "XLSX":
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLS": "application/vnd.ms-excel",
    "ODS": "application/vnd.oasis.opendocument.spreadsheet", "TXT": "text/plain", "RDF_XML": "application/rdf+xml",
    "RDF_TURTLE": "text/turtle", "NETCDF": "application/netcdf", "GZIP": "application/gzip",
    "LAS": "application/vnd.las", "LAZ": "application/vnd.laszip", "JSON_LD": "application/ld+json",
    "SVG": "image/svg+xml", "TSV": "text/tab-separated-values", "GIF": "image/gif", "SQL": "application/sql",
}  # fmt: skip

# Formats with an IANA media type but no EU file type in the shipped (2019) table.
_CURATED_MIME_ONLY: dict[str, str] = {
    "geopackage": "application/geopackage+sqlite3", "gpkg": "application/geopackage+sqlite3",
    "parquet": "application/vnd.apache.parquet",
}  # fmt: skip

_MIME = re.compile(r"^(application|audio|font|image|model|text|video)/[a-z0-9][a-z0-9.+-]*$")
_VERSION_TAIL = re.compile(r"\s*(\(.*\)|v?\d+(\.\d+)*.*|version.*)$", re.IGNORECASE)


@functools.cache
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str], frozenset[str]]:
    """(name -> code, MIME type -> code, extension -> code, IANA media types) from the shipped files."""
    graph = read_graph("eu-authority/filetypes-skos.rdf")
    names: dict[str, str] = {}
    mimes: dict[str, str] = {}
    extensions: dict[str, str] = {}
    for concept in graph.subjects(SKOS.inScheme, URIRef(FILE_TYPE_SCHEME)):
        code = str(concept)[len(FILE_TYPE_BASE) :]
        names.setdefault(normalise(code), code)
        for pred in (SKOS.prefLabel, SKOS.altLabel):
            for label in graph.objects(concept, pred):
                names.setdefault(normalise(str(label)), code)
        for mapped in graph.objects(concept, URIRef(_AT + "op-mapped-code")):
            source = str(graph.value(mapped, _DC_SOURCE) or "")
            legacy = str(graph.value(mapped, URIRef(_AT + "legacy-code")) or "").strip().lower()
            if source == "mime-type-cellar":
                mimes.setdefault(legacy, code)
            elif source == "file-extension":
                # An extension shared by many types (.xml) belongs to the one named after it.
                ext = legacy.lstrip(".")
                if ext not in extensions or normalise(code) == ext:
                    extensions[ext] = code
    valid = frozenset(names.values())
    for name, code in _CURATED_NAMES.items():
        names.setdefault(name, code)
    align = read_graph("alignments/inspire-media-types-to-mdr-file-types.rdf")
    for subject, target in align.subject_objects(SKOS.exactMatch):
        if str(target).startswith(FILE_TYPE_BASE) and "/media-types/" in str(subject):
            mimes.setdefault(str(subject).split("/media-types/", 1)[1].lower(), str(target)[len(FILE_TYPE_BASE) :])
    # Only codes of the shipped table pass the DCAT-AP vocabulary shapes (GPKG, for one, is newer).
    names = {k: v for k, v in names.items() if v in valid}
    mimes = {k: v for k, v in mimes.items() if v in valid}
    extensions = {k: v for k, v in extensions.items() if v in valid}
    iana = read_graph("iana/media-types.ttl")
    media = frozenset(str(o).lower() for o in iana.objects(None, DCTERMS.identifier))
    return names, mimes, extensions, media


def _code_from_text(text: str) -> str | None:
    """EU file-type code for a format name such as "ESRI Shapefile", "GML 3.2.1" or "image/tiff"."""
    names, mimes, _, _ = _tables()
    lowered = text.strip().lower()
    mime = lowered.split(";")[0].strip()
    if mime in mimes:
        return mimes[mime]
    for candidate in (lowered, _VERSION_TAIL.sub("", lowered)):
        norm = normalise(candidate)
        if norm in names:
            return names[norm]
    inner = re.search(r"\(([^)]+)\)", lowered)  # "ESRI Shapefile (SHP)", "ZIP (GML)"
    if inner and normalise(inner.group(1)) in names:
        return names[normalise(inner.group(1))]
    first = normalise(lowered).split(" ")[0] if normalise(lowered) else ""
    return names.get(first)


def _media_for(text: str, code: str | None) -> str | None:
    """IANA media-type URI for a MIME string, or for an EU file type when one is known."""
    _, mimes, _, media = _tables()
    mime = text.strip().lower().split(";")[0].strip()
    if _registered(mime, media):
        return IANA_BASE + mime
    only = _CURATED_MIME_ONLY.get(normalise(_VERSION_TAIL.sub("", mime)))
    if only:
        return IANA_BASE + only
    if code is not None:
        guess = _CURATED_MEDIA.get(code)
        if guess is None:
            guess = next((m for m, c in mimes.items() if c == code and m in media), None)
        if guess and _registered(guess, media):
            return IANA_BASE + guess
    return None


def _registered(mime: str, media: frozenset[str]) -> bool:
    """True for a MIME type in the shipped IANA list, or a well-formed non-"x-" type of another tree.

    The shipped list (fdk-reference-data) only covers application/*; image/tiff or text/csv are
    registered too, and the DCAT-AP shape only checks the www.iana.org URL form.
    """
    if mime in media:
        return True
    return bool(_MIME.match(mime)) and not mime.startswith("application/") and "/x-" not in mime


@functools.lru_cache(maxsize=_CACHE)
def file_type(format_or_mime: str | None) -> FileType | None:
    """EU file type and IANA media type for a format name or MIME type; None if neither is known."""
    if not format_or_mime or not format_or_mime.strip():
        return None
    value = format_or_mime.strip()
    if value.startswith(FILE_TYPE_BASE):
        code: str | None = value[len(FILE_TYPE_BASE) :]
        if normalise(code or "") not in _tables()[0]:
            code = None
    elif value.startswith(IANA_BASE):
        value = value[len(IANA_BASE) :]
        code = _code_from_text(value)
    else:
        code = _code_from_text(value)
    media = _media_for(value, code)
    if code is None and media is None:
        return None
    return FileType(FILE_TYPE_BASE + code if code else None, media)


@functools.lru_cache(maxsize=_CACHE)
def file_type_for_url(url: str) -> FileType | None:
    """File type guessed from a download URL's extension (".zip", ".csv", ".geojson"...), or None."""
    path = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    last = path.rsplit("/", 1)[-1]
    if "." not in last:
        return None
    ext = last.rsplit(".", 1)[-1].lower()
    names, _, extensions, _ = _tables()
    code = extensions.get(ext) or names.get(ext)
    media = _media_for(ext, code)
    if code is None and media is None:
        return None
    return FileType(FILE_TYPE_BASE + code if code else None, media)


FILE_EXTENSIONS = frozenset(
    "zip csv shp gml json geojson gpkg tif tiff xlsx xls ods kml kmz nc las laz asc gz tgz 7z jp2 ecw txt "
    "pdf xml rdf ttl jsonld parquet dbf sqlite tar rar dxf dwg png jpg jpeg gdb mdb ".split()
)
