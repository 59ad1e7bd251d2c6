"""The real ISO 19139 records the local servers are loaded with, and a way to make fresh versions of them.

Incremental harvesting filters on `apiso:Modified`, which pycsw indexes from `gmd:dateStamp`; the real
records carry old dateStamps, so a test that inserts or updates one and expects an incremental run to see
it must give it a dateStamp after the previous run (`with_datestamp`).
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_RECORDS = REPO_ROOT / "config" / "demo" / "iso19139"
DATA = Path(__file__).resolve().parent / "data"
SERVICE1_NEWER = DATA / "ckanext-spatial__gemini2.1__service1_newer.xml"  # update of demo `test-service-1`
NEW_RECORD = DATA / "pycsw-apiso__T_ortho_RAS_1998_288395.xml"  # fileIdentifier not in the demo set

NS = {
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gmi": "http://www.isotc211.org/2005/gmi",
}


def file_identifier(xml: bytes) -> str:
    """The record's gmd:fileIdentifier."""
    return str(etree.fromstring(xml).xpath("string(gmd:fileIdentifier/gco:CharacterString)", namespaces=NS))


def demo_records() -> dict[str, bytes]:
    """fileIdentifier -> payload of every demo record (all identifiers are unique)."""
    records = {}
    for path in sorted(DEMO_RECORDS.glob("*.xml")):
        payload = path.read_bytes()
        records[file_identifier(payload)] = payload
    return records


def with_datestamp(xml: bytes, stamp: str, *, identifier: str | None = None) -> bytes:
    """A copy of a record with a new gmd:dateStamp (gco:DateTime if `stamp` has a time) and optional id."""
    root = etree.fromstring(xml)
    date_stamp = root.find("gmd:dateStamp", NS)
    if date_stamp is None:
        raise ValueError("record has no gmd:dateStamp")
    for child in list(date_stamp):
        date_stamp.remove(child)
    kind = "DateTime" if "T" in stamp else "Date"
    etree.SubElement(date_stamp, f"{{{NS['gco']}}}{kind}").text = stamp
    if identifier is not None:
        fid = root.find("gmd:fileIdentifier/gco:CharacterString", NS)
        if fid is None:
            raise ValueError("record has no gmd:fileIdentifier/gco:CharacterString")
        fid.text = identifier
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
