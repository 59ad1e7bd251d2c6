"""OAI-PMH 2.0 over the served catalogue version, so data.europa.eu can harvest selectively.

data.europa.eu prefers OAI-PMH with `metadataPrefix=dcat_ap` (FIELD_NOTES, "data.europa.eu
(piveau)"). Items are the datasets of the served version (`datasets.jsonl`), ordered by datestamp
then URI so that a harvest resumed after a new version still moves forward; a record is the
dataset's own triples (read by byte range from its page's N-Triples file) as RDF/XML. Datasets gone
from the catalogue are reported with `status="deleted"`. Resumption tokens are stateless (the query and an
offset, base64url-encoded), so any server process can answer any token.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from luxcat.records import utcnow
from publishers.catalogue.storage import ExportTarget
from publishers.serialise import PREFIXES, RdfXml, by_subject, iri, parse_nt
from publishers.targets import OaiOptions

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
PREFIX = "dcat_ap"
FORMAT = {
    "metadataPrefix": PREFIX,
    "schema": "https://semiceu.github.io/DCAT-AP/releases/3.0.0/",
    "metadataNamespace": "http://www.w3.org/ns/dcat#",
}
VERBS: dict[str, tuple[set[str], set[str]]] = {  # verb -> (required, optional) arguments
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), set()),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}),
}
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")
# characters an XML document cannot hold (NUL and other controls, lone surrogates): never echoed
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_ARGUMENT = 4096  # characters of one OAI-PMH argument (identifiers are IRIs, tokens are short)


class OaiError(Exception):
    """An OAI-PMH error condition, answered as `<error code="...">`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _real_date(value: str) -> bool:
    """The stamp names a real day and time (2020-13-45 matches the pattern but is no date)."""
    try:
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ" if "T" in value else "%Y-%m-%d")
    except ValueError:
        return False
    return True


def _bound(value: str | None, *, end: bool) -> str | None:
    """from/until as a second-granularity stamp (a day covers the whole day); None when absent."""
    if value is None:
        return None
    if DAY.match(value) and _real_date(value):
        return value + ("T23:59:59Z" if end else "T00:00:00Z")
    if SECOND.match(value) and _real_date(value):
        return value
    raise OaiError("badArgument", f"{'until' if end else 'from'}={value!r}: use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")


def _token_query(token: str) -> dict[str, Any]:
    """The query a resumption token carries, checked field by field; badResumptionToken for anything else."""
    try:
        query = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, UnicodeError) as exc:
        raise OaiError("badResumptionToken", "the resumption token is not one this server issued") from exc
    valid = (
        isinstance(query, dict)
        and set(query) == {"f", "u", "s", "o"}
        and type(query["o"]) is int
        and 0 <= query["o"] < 10**12
        and all(query[k] is None or (isinstance(query[k], str) and SECOND.match(query[k])) for k in ("f", "u"))
        and (query["s"] is None or (isinstance(query["s"], str) and not XML_UNSAFE.search(query["s"])))
    )
    if not valid:
        raise OaiError("badResumptionToken", "the resumption token is not one this server issued")
    return query


@dataclass(slots=True)
class Version:
    """The served version as OAI-PMH sees it: items in harvest order, sets, where the triples are."""

    name: str
    catalogue: str
    items: list[dict[str, Any]]
    by_uri: dict[str, dict[str, Any]]
    sets: dict[str, str]


class OaiRepository:
    """Answers OAI-PMH requests from an export target; reloads when the pointer switches to a new version."""

    def __init__(self, target: ExportTarget, options: OaiOptions, base_url: str) -> None:
        self.target = target
        self.options = options
        self.base_url = base_url
        self._version: Version | None = None
        self._lock = threading.Lock()
        self._rdfxml = RdfXml(PREFIXES)

    # -- the served version -------------------------------------------------------------------
    def version(self) -> Version | None:
        """The served version, loaded once per version."""
        pointer = self.target.current()
        if pointer is None:
            return None
        with self._lock:
            if self._version is None or self._version.name != pointer["version"]:
                self._version = self._load(pointer)
            return self._version

    def _load(self, pointer: dict[str, Any]) -> Version:
        prefix = f"versions/{pointer['version']}/"
        lines = self.target.read(prefix + "datasets.jsonl").decode("utf-8").splitlines()
        items = sorted((json.loads(x) for x in lines if x.strip()), key=lambda x: (x["datestamp"], x["uri"]))
        try:
            sets = json.loads(self.target.read(prefix + "sets.json"))
        except KeyError:
            sets = {}
        for item in items:
            for spec in item["sets"]:
                sets.setdefault(spec, spec)
        return Version(pointer["version"], pointer.get("catalogue", ""), items, {x["uri"]: x for x in items}, sets)

    # -- protocol -----------------------------------------------------------------------------
    def handle(self, params: Mapping[str, list[str]]) -> bytes:
        """One request (query or form parameters, each possibly repeated) -> the XML response."""
        root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
        etree.SubElement(root, f"{{{OAI_NS}}}responseDate").text = _stamp(utcnow())
        request = etree.SubElement(root, f"{{{OAI_NS}}}request")
        request.text = self.base_url
        try:
            verb, args = self._arguments(params)
            for key, value in sorted(args.items()):
                request.set(key, value)
            request.set("verb", verb)
            getattr(self, f"_{verb}")(root, args)
        except OaiError as exc:
            if exc.code in ("badVerb", "badArgument"):
                request.attrib.clear()  # the spec: echo no attributes for an illegal request
            error = etree.SubElement(root, f"{{{OAI_NS}}}error", code=exc.code)
            error.text = XML_UNSAFE.sub("\ufffd", str(exc))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    @staticmethod
    def _arguments(params: Mapping[str, list[str]]) -> tuple[str, dict[str, str]]:
        verbs = params.get("verb", [])
        if len(verbs) != 1 or verbs[0] not in VERBS:
            raise OaiError("badVerb", "missing, repeated or unknown verb")
        for key, values in params.items():
            if any(XML_UNSAFE.search(text) for text in (key, *values)):
                raise OaiError("badArgument", f"argument {key[:50]!r} holds a character XML cannot carry (e.g. NUL)")
            if any(len(text) > MAX_ARGUMENT for text in (key, *values)):
                raise OaiError("badArgument", f"argument {key[:50]!r} is longer than {MAX_ARGUMENT} characters")
        verb = verbs[0]
        repeated = sorted(k for k, v in params.items() if len(v) > 1)
        if repeated:
            raise OaiError("badArgument", f"repeated argument(s): {', '.join(repeated)}")
        args = {k: v[0] for k, v in params.items() if k != "verb"}
        required, optional = VERBS[verb]
        if "resumptionToken" in args and verb in ("ListIdentifiers", "ListRecords", "ListSets"):
            if set(args) != {"resumptionToken"}:
                raise OaiError("badArgument", "resumptionToken is an exclusive argument")
            return verb, args
        unknown = sorted(set(args) - required - optional)
        missing = sorted(required - set(args))
        if unknown or missing:
            raise OaiError("badArgument", f"illegal: {unknown or '-'}; missing: {missing or '-'}")
        return verb, args

    def _Identify(self, root: etree._Element, _args: dict[str, str]) -> None:  # noqa: N802
        version = self.version()
        earliest = min((x["datestamp"] for x in version.items), default=None) if version else None
        node = etree.SubElement(root, f"{{{OAI_NS}}}Identify")
        for name, value in (
            ("repositoryName", self.options.repository_name),
            ("baseURL", self.base_url),
            ("protocolVersion", "2.0"),
            ("adminEmail", self.options.admin_email),
            ("earliestDatestamp", earliest or _stamp(utcnow())),
            ("deletedRecord", "transient"),
            ("granularity", "YYYY-MM-DDThh:mm:ssZ"),
        ):
            etree.SubElement(node, f"{{{OAI_NS}}}{name}").text = value

    def _ListMetadataFormats(self, root: etree._Element, args: dict[str, str]) -> None:  # noqa: N802
        if "identifier" in args:
            self._item(args["identifier"])
        node = etree.SubElement(root, f"{{{OAI_NS}}}ListMetadataFormats")
        fmt = etree.SubElement(node, f"{{{OAI_NS}}}metadataFormat")
        for name, value in FORMAT.items():
            etree.SubElement(fmt, f"{{{OAI_NS}}}{name}").text = value

    def _ListSets(self, root: etree._Element, args: dict[str, str]) -> None:  # noqa: N802
        if "resumptionToken" in args:
            raise OaiError("badResumptionToken", "ListSets is never split")
        version = self.version()
        if version is None or not version.sets:
            raise OaiError("noSetHierarchy", "no catalogue has been published yet")
        node = etree.SubElement(root, f"{{{OAI_NS}}}ListSets")
        for spec, name in sorted(version.sets.items()):
            entry = etree.SubElement(node, f"{{{OAI_NS}}}set")
            etree.SubElement(entry, f"{{{OAI_NS}}}setSpec").text = spec
            etree.SubElement(entry, f"{{{OAI_NS}}}setName").text = name

    def _GetRecord(self, root: etree._Element, args: dict[str, str]) -> None:  # noqa: N802
        self._check_prefix(args["metadataPrefix"])
        item = self._item(args["identifier"])
        node = etree.SubElement(root, f"{{{OAI_NS}}}GetRecord")
        self._record(node, item)

    def _ListIdentifiers(self, root: etree._Element, args: dict[str, str]) -> None:  # noqa: N802
        items, token = self._page(args)  # errors first: an error response holds no verb element
        node = etree.SubElement(root, f"{{{OAI_NS}}}ListIdentifiers")
        for item in items:
            self._header(node, item)
        if token is not None:
            node.append(token)

    def _ListRecords(self, root: etree._Element, args: dict[str, str]) -> None:  # noqa: N802
        items, token = self._page(args)  # errors first: an error response holds no verb element
        node = etree.SubElement(root, f"{{{OAI_NS}}}ListRecords")
        for item in items:
            self._record(node, item)
        if token is not None:
            node.append(token)

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _check_prefix(prefix: str) -> None:
        if prefix != PREFIX:
            raise OaiError("cannotDisseminateFormat", f"metadataPrefix {prefix!r}: only {PREFIX} is available")

    def _item(self, identifier: str) -> dict[str, Any]:
        version = self.version()
        item = version.by_uri.get(identifier) if version else None
        if item is None:
            raise OaiError("idDoesNotExist", f"no record {identifier!r}")
        return item

    def _query(self, args: dict[str, str]) -> dict[str, Any]:
        """The list query (from a token or from arguments), checked."""
        if "resumptionToken" in args:
            return _token_query(args["resumptionToken"])
        self._check_prefix(args["metadataPrefix"])
        start, end = _bound(args.get("from"), end=False), _bound(args.get("until"), end=True)
        if "from" in args and "until" in args and len(args["from"]) != len(args["until"]):
            raise OaiError("badArgument", "from and until must have the same granularity")
        if start and end and start > end:
            raise OaiError("badArgument", "from is later than until")
        return {"f": start, "u": end, "s": args.get("set"), "o": 0}

    def _page(self, args: dict[str, str]) -> tuple[list[dict[str, Any]], etree._Element | None]:
        """This response's items and its resumption token (empty on the last page of a split list)."""
        query = self._query(args)
        version = self.version()
        if version is not None and query["s"] and query["s"] not in version.sets:
            raise OaiError("noRecordsMatch", f"no set {query['s']!r}")
        matches = [
            x
            for x in (version.items if version else [])
            if (not query["f"] or x["datestamp"] >= query["f"])
            and (not query["u"] or x["datestamp"] <= query["u"])
            and (not query["s"] or query["s"] in x["sets"])
        ]
        offset, size = query["o"], self.options.page_size
        if offset and offset >= len(matches):
            raise OaiError("badResumptionToken", "the resumption token is past the end of the list")
        if not matches:
            raise OaiError("noRecordsMatch", "no record matches the request")
        page = matches[offset : offset + size]
        if not offset and offset + size >= len(matches):
            return page, None
        token = etree.Element(f"{{{OAI_NS}}}resumptionToken", completeListSize=str(len(matches)))
        token.set("cursor", str(offset))
        if offset + size < len(matches):
            next_query = dict(query, o=offset + size)
            token.text = base64.urlsafe_b64encode(json.dumps(next_query, separators=(",", ":")).encode()).decode()
        return page, token

    def _header(self, parent: etree._Element, item: dict[str, Any]) -> None:
        header = etree.SubElement(parent, f"{{{OAI_NS}}}header")
        if item.get("deleted"):
            header.set("status", "deleted")
        etree.SubElement(header, f"{{{OAI_NS}}}identifier").text = item["uri"]
        etree.SubElement(header, f"{{{OAI_NS}}}datestamp").text = item["datestamp"]
        for spec in item["sets"]:
            etree.SubElement(header, f"{{{OAI_NS}}}setSpec").text = spec

    def _record(self, parent: etree._Element, item: dict[str, Any]) -> None:
        record = etree.SubElement(parent, f"{{{OAI_NS}}}record")
        self._header(record, item)
        if not item.get("deleted"):
            metadata = etree.SubElement(record, f"{{{OAI_NS}}}metadata")
            metadata.append(self.metadata(item))

    def metadata(self, item: dict[str, Any]) -> etree._Element:
        """The dataset's own triples (without the catalogue's links to it) as an rdf:RDF element."""
        version = self.version()
        assert version is not None
        file = item.get("file", "catalogue.nt")  # its page's N-Triples (versions before hash pages: the dump)
        data = self.target.read_range(f"versions/{version.name}/{file}", item["offset"], item["length"])
        catalogue = iri(version.catalogue)
        triples = [t for t in parse_nt(data) if t[0] != catalogue]
        fmt = self._rdfxml
        text = fmt.root_open() + fmt.render(by_subject(triples)) + fmt.tail()
        return etree.fromstring(text.encode("utf-8"))
