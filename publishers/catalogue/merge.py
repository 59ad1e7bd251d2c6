"""Merge publishable records of every source into one catalogue: one dataset per real-world dataset.

Two passes keep memory flat in the number of datasets: `index()` reads each mapped graph once for
its dataset URI, identifiers, kind and hash and keeps them as a row of an index file on disk
(`indexdb.py`); the entries are read back from it in the catalogue's order or page by page, and
`chunks()` reads each group's graphs again, merges them and yields the dataset's triples, ready for
the streaming writers.
Records reach the same dataset through the same URI, the same global dct:identifier (an absolute
URI, a DOI or an identifier under a namespace listed in config) or a configured equivalence; a local
identifier (a row id such as MMTP-001) joins records of one source only, since two administrations'
spreadsheets reuse the same ids for unrelated data. Every merge across sources names the rule that
matched (`Entry.merges`). The strongest source (configured precedence) wins single-valued properties
and every other differing value is reported as a conflict.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from luxcat.artifacts import ArtifactStore, LocalArtifactStore, safe_key
from publishers.base import PublishItem, publishable
from publishers.catalogue.indexdb import (
    FIRST_ID_SQL,
    MEMBER_COLUMNS,
    IndexDB,
    pack_ids,
    parse_stamp,
    rules_of,
    rules_text,
    stamp_text,
    unpack_ids,
    uri_bucket,
)
from publishers.serialise import RDF_TYPE, Triple, iri, literal, literal_parts, parse_nt, relabel
from publishers.targets import LANGUAGE_AUTHORITY, LANGUAGE_CODES, CatalogueMetadata, MergeOptions

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
XSD = "http://www.w3.org/2001/XMLSchema#"
IDENTIFIER = iri(DCT + "identifier")
SERVICE_TYPES = {iri(DCAT + "DataService")}
DATASET_TYPES = {iri(DCAT + "Dataset"), iri(DCAT + "DatasetSeries")}

# Properties a dataset has at most once (per language for literals): precedence decides them.
SINGLE_VALUED = frozenset(
    iri(u)
    for u in (
        DCT + "title",
        DCT + "description",
        DCT + "issued",
        DCT + "modified",
        DCT + "accrualPeriodicity",
        DCT + "accessRights",
        DCT + "publisher",
        DCT + "type",
        DCAT + "version",
        "http://www.w3.org/2002/07/owl#versionInfo",
        DCAT + "temporalResolution",
        DCAT + "spatialResolutionInMeters",
        "http://www.w3.org/ns/adms#versionNotes",
    )
)


DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


def dt(value: datetime) -> str:
    """A UTC datetime as an xsd:dateTime literal term (second precision, `Z`)."""
    return literal(value.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD + "dateTime")


@dataclass(slots=True)
class Member:
    """One publishable record as the index keeps it (no graph: that is read again when written)."""

    source_id: str
    record_id: str
    dataset_uri: str
    identifiers: tuple[str, ...]
    kind: str  # dataset | service
    nt_hash: str
    location: str
    first_seen: datetime
    last_changed: datetime
    modified: str | None
    rank: tuple[int, str, str]
    seq: int = 0  # its row in the index file


@dataclass(slots=True)
class Entry:
    """One dataset (or service) of the merged catalogue and the records it comes from, strongest first."""

    uri: str
    identifier: str
    kind: str
    members: list[Member]
    hash: str = ""
    merges: list[tuple[str, str]] = field(default_factory=list)  # (rule, value) joining different sources
    datestamp: str = ""  # OAI-PMH datestamp: the served version's while unchanged, else the publish's
    previous_file: str = ""  # the page file it was on in the served version ("" when new or changed)
    previous_hash: str = ""  # its hash in the served version ("" when not live there)

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.identifier, self.uri)

    @property
    def sources(self) -> list[str]:
        return sorted({m.source_id for m in self.members})

    @property
    def last_changed(self) -> datetime:
        return max(m.last_changed for m in self.members)


@dataclass(slots=True)
class Conflict:
    """A single-valued property two sources disagree on; `kept` won by precedence."""

    dataset: str
    property: str
    language: str | None
    kept: dict[str, object]
    dropped: list[dict[str, object]]

    def as_dict(self) -> dict[str, object]:
        return {
            "dataset": self.dataset,
            "property": self.property,
            "language": self.language,
            "kept": self.kept,
            "dropped": self.dropped,
        }


@dataclass(slots=True)
class Deleted:
    """A withdrawn record whose dataset is no longer in the catalogue (OAI-PMH reports it deleted)."""

    uri: str
    source_id: str
    record_id: str
    withdrawn_at: datetime


# -- pass 1: index ------------------------------------------------------------------------------
def _scan(data: bytes, dataset_uri: str) -> tuple[tuple[str, ...], str]:
    """Identifiers and kind of the record's main subject, reading only that subject's lines."""
    head = f"<{dataset_uri}> ".encode()
    identifiers: list[str] = []
    kind = "dataset"
    for line in data.splitlines():
        if not line.startswith(head) or (b"/terms/identifier>" not in line and b"#type>" not in line):
            continue
        for _s, p, o in parse_nt(line):
            if p == IDENTIFIER and o.startswith('"'):
                identifiers.append(literal_parts(o)[0].strip())
            elif p == RDF_TYPE and o in SERVICE_TYPES:
                kind = "service"
    return tuple(sorted(set(filter(None, identifiers)))), kind


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        root = self.parent.setdefault(key, key)
        while root != self.parent[root]:
            root = self.parent[root]
        while key != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class ScanCache(Protocol):
    """What index() learnt from each mapped graph, kept while the graph is unchanged (scan_cache.py)."""

    def stamp(self, location: str) -> str | None: ...

    def join(self, db: IndexDB) -> None: ...


def read_mapped(artifacts: ArtifactStore, location: str) -> bytes:
    """The mapped N-Triples of a record (a local store's location is its path: read it directly)."""
    if isinstance(artifacts, LocalArtifactStore) and location.startswith(artifacts.location("")):
        try:
            with open(location, "rb") as fh:
                return fh.read()
        except FileNotFoundError as exc:
            raise KeyError(location) from exc
    return artifacts.get(artifacts.key_of(location))


def index(
    items: Iterable[PublishItem],
    artifacts: ArtifactStore,
    options: MergeOptions,
    *,
    progress: Callable[[str], None] = lambda _m: None,
    cache: ScanCache | None = None,
) -> MergeIndex:
    """Pass 1: read every publishable record once, group records of the same dataset, order the groups.

    Records go to an index file on disk (`indexdb.py`), so memory does not grow with the catalogue.
    `cache` answers (hash, identifiers, kind) of a mapped graph unchanged since an earlier index, so
    an unchanged record is not read again (publishers/catalogue/scan_cache.py).
    """
    db = IndexDB()
    skipped: list[tuple[str, str, str]] = []
    rank_of = {sid: i for i, sid in enumerate(options.precedence)}
    sources: dict[str, str] = {}
    withdrawn: list[tuple[str, str, str, str]] = []

    def rows() -> Iterator[tuple[object, ...]]:
        for n, item in enumerate(items, 1):
            record = item.record
            sources.setdefault(item.source.id, item.source.title_in("en"))
            if item.withdrawn:
                at = stamp_text(record.last_changed)
                withdrawn.append((item.dataset_uri, record.source_id, record.record_id, at))
                continue
            if not publishable(record, item.source) or not record.dataset_uri:
                continue
            location = record.mapped_location or ""
            yield (
                record.source_id,
                record.record_id,
                record.dataset_uri,
                location,
                stamp_text(record.first_seen),
                stamp_text(record.last_changed),
                record.modified,
                rank_of.get(record.source_id, len(rank_of)),
                cache.stamp(location) if cache is not None else None,
                uri_bucket(record.dataset_uri),
            )
            if n % 5000 == 0:
                progress(f"catalogue: indexed {n} records")

    columns = "source_id, record_id, uri, location, first_seen, last_changed, modified, rank, stamp, ubucket"
    db.insert("member", columns, rows())
    db.insert("withdrawn", "uri, source_id, record_id, at", withdrawn)
    if cache is not None:
        cache.join(db)
    skipped += _scan_unknown(db, artifacts)
    _group_on_disk(db, options)
    return MergeIndex(db, skipped, sources)


def _scan_unknown(db: IndexDB, artifacts: ArtifactStore) -> list[tuple[str, str, str]]:
    """Read and scan every graph the cache did not answer for; a missing graph skips its record."""
    skipped: list[tuple[str, str, str]] = []
    last = 0
    while True:
        todo = db.execute(
            "SELECT seq, location, uri, source_id, record_id FROM member WHERE hash IS NULL AND seq > ? "
            "ORDER BY seq LIMIT 2000",
            (last,),
        ).fetchall()
        if not todo:
            return skipped
        found, missing = [], []
        for seq, location, uri, source_id, record_id in todo:
            try:
                data = read_mapped(artifacts, location)
            except KeyError:
                skipped.append((source_id, record_id, "mapped graph missing from the artifact store"))
                missing.append((seq,))
                continue
            identifiers, kind = _scan(data, uri)
            found.append((hashlib.sha256(data).hexdigest(), pack_ids(identifiers), kind, seq))
        db.update("UPDATE member SET hash = ?, identifiers = ?, kind = ?, fresh = 1 WHERE seq = ?", found)
        db.graphs_read += len(found)
        db.update("DELETE FROM member WHERE seq = ?", missing)
        last = todo[-1][0]


def _group_on_disk(db: IndexDB, options: MergeOptions) -> None:
    """Give every record its entry (eid = the lead's row), position, sort key and page bucket.

    A record none of whose keys another record shares, and that no equivalence names, is a dataset
    alone and is placed by one UPDATE; the others (records that may merge) are grouped in memory.
    """
    named = {value for equivalent in options.equivalences for value in equivalent}
    forced: list[int] = []

    def keys() -> Iterator[tuple[str, int]]:
        for seq, source_id, uri, identifiers in db.rows("SELECT seq, source_id, uri, identifiers FROM member"):
            idents = unpack_ids(identifiers)
            if named and named & {uri, *idents}:
                forced.append(seq)
            for key, _rule, _value in identity_keys(source_id, uri, idents, options):
                yield key, seq

    db.insert("ukey", "key, seq", keys())
    db.execute("CREATE INDEX ukey_key ON ukey(key)")
    shared = db.execute(
        "SELECT DISTINCT seq FROM ukey WHERE key IN (SELECT key FROM ukey GROUP BY key HAVING count(*) > 1)"
    ).fetchall()
    rest = sorted({seq for (seq,) in shared} | set(forced))
    members = []
    for chunk in range(0, len(rest), 500):
        part = rest[chunk : chunk + 500]
        sql = f"SELECT {MEMBER_COLUMNS} FROM member WHERE seq IN ({','.join('?' * len(part))})"
        members += [member_of(row) for row in db.execute(sql, part)]
    identity = [identity_keys(m.source_id, m.dataset_uri, m.identifiers, options) for m in members]
    placed, merges = [], []
    for entry in _union(members, identity, options):
        lead = entry.members[0]
        bucket = uri_bucket(entry.uri)
        placed += [(lead.seq, pos, entry.identifier, entry.uri, bucket, m.seq) for pos, m in enumerate(entry.members)]
        if entry.merges:
            merges.append((lead.seq, rules_text(entry.merges)))
    db.update("UPDATE member SET eid = ?, pos = ?, skey = ?, suri = ?, bucket = ? WHERE seq = ?", placed)
    db.insert("merges", "eid, rules", merges)
    db.execute(
        "UPDATE member SET eid = seq, pos = 0, suri = uri, bucket = ubucket, "
        f"skey = {FIRST_ID_SQL} WHERE eid IS NULL"
    )
    db.execute("CREATE INDEX member_order ON member(skey, suri, eid, pos)")
    db.execute("CREATE INDEX member_lead ON member(suri) WHERE pos = 0")


def member_of(row: Sequence[Any]) -> Member:
    """A Member from its index row (MEMBER_COLUMNS)."""
    seq, source_id, record_id, uri, location, first_seen, last_changed, modified, rank, nt_hash, idents, kind = row[:12]
    return Member(
        source_id,
        record_id,
        uri,
        unpack_ids(idents),
        kind,
        nt_hash,
        location,
        parse_stamp(first_seen),
        parse_stamp(last_changed),
        modified,
        (rank, source_id, record_id),
        seq,
    )


class EntryView:
    """The index's entries in the catalogue's order, read from disk each time it is iterated."""

    def __init__(self, index: MergeIndex) -> None:
        self.index = index

    def __iter__(self) -> Iterator[Entry]:
        return self.index.read_entries("", ())

    def __len__(self) -> int:
        return self.index.count

    def __bool__(self) -> bool:
        return self.index.count > 0


class MergeIndex:
    """The catalogue's shape: entries in stable order (by identifier), plus withdrawn datasets (on disk)."""

    def __init__(self, db: IndexDB, skipped: list[tuple[str, str, str]], sources: dict[str, str]) -> None:
        self.db = db
        self.skipped = skipped  # (source, record, why)
        self.sources = sources  # source id -> title (OAI-PMH sets)
        self.now = ""  # the publish's datestamp for new and changed entries (set by the plan)
        self.count = int(db.scalar("SELECT count(*) FROM member WHERE pos = 0") or 0)
        self._merges = {eid: rules_of(text) for eid, text in db.execute("SELECT eid, rules FROM merges")}

    @property
    def entries(self) -> EntryView:
        return EntryView(self)

    @property
    def deleted(self) -> Iterator[Deleted]:
        """Withdrawn records whose dataset is no longer in the catalogue (OAI-PMH reports them deleted)."""
        sql = (
            "SELECT uri, source_id, record_id, at FROM withdrawn AS w WHERE uri != '' AND NOT EXISTS "
            "(SELECT 1 FROM member AS m WHERE m.suri = w.uri AND m.pos = 0) ORDER BY rowid"
        )
        for uri, source_id, record_id, at in self.db.rows(sql):
            yield Deleted(uri, source_id, record_id, parse_stamp(at))

    def read_entries(
        self, where: str, params: Sequence[Any], order: str = "m.skey, m.suri, m.eid, m.pos"
    ) -> Iterator[Entry]:
        """Entries whose rows match `where`, in `order` (rows of one entry are consecutive), with their
        served-version columns (datestamp, previous page file and hash)."""
        sql = (
            f"SELECT {', '.join('m.' + c.strip() for c in MEMBER_COLUMNS.split(','))}, m.pos, "
            "p.hash, p.datestamp, p.file, p.deleted FROM member AS m "
            "LEFT JOIN previous AS p ON m.pos = 0 AND p.uri = m.suri "
            f"{where} ORDER BY {order}"
        )
        members: list[Member] = []
        head: Sequence[Any] = ()
        eid = None
        for row in self.db.rows(sql, params):
            if row[12] != eid and members:
                yield self._entry(members, head)
                members = []
            if row[13] == 0:
                head = row
            eid = row[12]
            members.append(member_of(row))
        if members:
            yield self._entry(members, head)

    def _entry(self, members: list[Member], head: Sequence[Any]) -> Entry:
        entry = _entry(members)
        entry.merges = self._merges.get(members[0].seq, [])
        prev_hash, prev_stamp, prev_file, prev_deleted = head[14:18]
        live_before = prev_hash is not None and not prev_deleted
        entry.previous_hash = prev_hash if live_before else ""
        unchanged = live_before and prev_hash == entry.hash
        entry.datestamp = prev_stamp if unchanged else self.now
        entry.previous_file = (prev_file or "") if unchanged else ""
        return entry

    def prepare_pages(self, partitions: int) -> None:
        """The index that reads the entries page by page (made once, before export workers fork: they only read)."""
        mask = partitions - 1
        name = f"member_page_{mask}"
        if not self.db.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)):
            self.db.execute(f"CREATE INDEX {name} ON member((bucket & {mask}), skey, suri, eid, pos)")

    def pages(self, partitions: int, first: int = 1, last: int | None = None) -> Iterator[tuple[int, list[Entry]]]:
        """(n, entries of page n) for pages first..last (1-based; empty pages included), each in catalogue order."""
        mask = partitions - 1
        last = partitions if last is None else last
        self.prepare_pages(partitions)
        where = f"WHERE (m.bucket & {mask}) BETWEEN ? AND ?"
        order = f"(m.bucket & {mask}), m.skey, m.suri, m.eid, m.pos"
        n, page = first, []
        for entry in self.read_entries(where, (first - 1, last - 1), order):
            at = uri_bucket(entry.uri) & mask
            while n < at + 1:
                yield n, page
                n, page = n + 1, []
            page.append(entry)
        while n <= last:
            yield n, page
            n, page = n + 1, []


_DOI = re.compile(r"^(doi:|https?://(dx\.)?doi\.org/)?10\.\d{4,9}/\S+$", re.IGNORECASE)
_ABSOLUTE = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$|^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$", re.IGNORECASE)


def is_global(identifier: str, namespaces: Iterable[str] = ()) -> bool:
    """An identifier that names one dataset world-wide: an absolute URI, a DOI, or a registered namespace."""
    return bool(_ABSOLUTE.match(identifier) or _DOI.match(identifier)) or any(
        identifier.startswith(ns) for ns in namespaces if ns
    )


def identity_keys(
    source_id: str, uri: str, identifiers: Sequence[str], options: MergeOptions
) -> list[tuple[str, str, str]]:
    """(union key, rule, value) of one record: its URI, then its identifiers (local ones scoped to the source).

    The same URI always means the same dataset (in RDF it is the same node); identifiers count when
    `match_on` lists them, across sources only when they are global (see `is_global`).
    """
    keys = [(f"k:{uri}", "uri", uri)]
    if "identifier" in options.match_on:
        for ident in identifiers:
            if is_global(ident, options.namespaces):
                keys.append((f"k:{ident}", "identifier", ident))
            else:
                keys.append((f"local:{source_id}\t{ident}", "local-identifier", ident))
    return keys


def _equivalences(
    members: list[Member],
    options: MergeOptions,
    keys: list[str],
    uf: _UnionFind,
    carried: dict[str, list[tuple[int, str, str]]],
) -> None:
    """Join the members named in each configured equivalence group (URIs or identifiers)."""
    named: dict[str, list[int]] = {}  # URI or identifier -> members carrying it
    for i, m in enumerate(members):
        for value in (m.dataset_uri, *m.identifiers):
            named.setdefault(value, []).append(i)
    for n, equivalent in enumerate(options.equivalences):
        for value in equivalent:
            for i in named.get(value, []):
                uf.union(keys[i], f"eq:{n}")
                carried.setdefault(f"eq:{n}", []).append((i, "equivalence", " = ".join(equivalent)))


def _union(members: list[Member], identity: list[list[tuple[str, str, str]]], options: MergeOptions) -> list[Entry]:
    """Group the members that share a key (union-find), naming the rules that joined different sources."""
    uf = _UnionFind()
    keys = [f"m:{i}" for i in range(len(members))]
    carried: dict[str, list[tuple[int, str, str]]] = {}  # union key -> (member, rule, value)
    for i, key in enumerate(keys):
        for ukey, rule, value in identity[i]:
            uf.union(key, ukey)
            carried.setdefault(ukey, []).append((i, rule, value))
    _equivalences(members, options, keys, uf, carried)
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(uf.find(key), []).append(i)
    merges: dict[str, list[tuple[str, str]]] = {}
    for holders in carried.values():
        if len({members[i].source_id for i, _r, _v in holders}) > 1:
            _i, rule, value = holders[0]
            merges.setdefault(uf.find(keys[holders[0][0]]), []).append((rule, value))
    entries = []
    for root, indexes in groups.items():
        entry = _entry(sorted((members[i] for i in indexes), key=lambda m: m.rank))
        entry.merges = sorted(set(merges.get(root, [])))
        entries.append(entry)
    return entries


def _entry(members: list[Member]) -> Entry:
    """An entry led by its strongest member; its hash changes when any member's graph or URI does."""
    lead = members[0]
    identifier = lead.identifiers[0] if lead.identifiers else lead.dataset_uri
    entry = Entry(lead.dataset_uri, identifier, lead.kind, members)
    text = "\n".join(f"{m.source_id}\t{m.record_id}\t{m.nt_hash}\t{m.dataset_uri}" for m in members)
    entry.hash = hashlib.sha256(text.encode()).hexdigest()
    return entry


# -- pass 2: merge each group ---------------------------------------------------------------------
def _rewrite(triples: list[Triple], old: str, new: str) -> list[Triple]:
    if old == new:
        return triples
    o, n = iri(old), iri(new)
    return [(n if s == o else s, p, n if ob == o else ob) for s, p, ob in triples]


def _slot(pred: str, obj: str) -> tuple[str, str | None]:
    lang = literal_parts(obj)[1] if obj.startswith('"') else None
    return pred, lang


def merge_triples(entry: Entry, graphs: list[list[Triple]]) -> tuple[list[Triple], list[Conflict]]:
    """Union the members' graphs on the lead URI; single-valued properties come from the strongest source."""
    subject = iri(entry.uri)
    if len(graphs) == 1:
        return graphs[0], []
    kept: dict[tuple[str, str | None], tuple[Member, list[str]]] = {}
    dropped: dict[tuple[str, str | None], list[tuple[Member, list[str]]]] = {}
    out: list[Triple] = []
    for member, triples in zip(entry.members, graphs, strict=True):
        mine: dict[tuple[str, str | None], list[str]] = {}
        for s, p, o in _rewrite(triples, member.dataset_uri, entry.uri):
            if s == subject and p in SINGLE_VALUED:
                mine.setdefault(_slot(p, o), []).append(o)
            else:
                out.append((s, p, o))
        for slot, values in mine.items():
            if slot not in kept:
                kept[slot] = (member, values)
            elif set(values) != set(kept[slot][1]):
                dropped.setdefault(slot, []).append((member, values))
    for (pred, _lang), (_member, values) in kept.items():
        out.extend((subject, pred, v) for v in values)
    conflicts = [
        Conflict(
            entry.uri,
            slot[0][1:-1],
            slot[1],
            {"source": kept[slot][0].source_id, "record": kept[slot][0].record_id, "values": kept[slot][1]},
            [{"source": m.source_id, "record": m.record_id, "values": v} for m, v in losers],
        )
        for slot, losers in dropped.items()
    ]
    return list(dict.fromkeys(out)), conflicts


def record_uri(catalogue_uri: str, member: Member) -> str:
    """Our dcat:CatalogRecord for one source's record of a dataset."""
    return f"{catalogue_uri}/record/{member.source_id}/{safe_key(member.record_id)}"


def record_triples(catalogue_uri: str, entry: Entry) -> list[Triple]:
    """One dcat:CatalogRecord per contributing source record, with `dct:source` to the source's record."""
    out: list[Triple] = []
    a, dcat, dct = RDF_TYPE, DCAT, DCT
    for m in entry.members:
        rec = iri(record_uri(catalogue_uri, m))
        src = iri(f"{catalogue_uri}/source/{m.source_id}/{safe_key(m.record_id)}")
        out += [
            (rec, a, iri(dcat + "CatalogRecord")),
            (rec, iri(FOAF + "primaryTopic"), iri(entry.uri)),
            (rec, iri(dct + "issued"), dt(m.first_seen)),
            (rec, iri(dct + "modified"), dt(m.last_changed)),
            (rec, iri(dct + "source"), src),
            (src, a, iri(dcat + "CatalogRecord")),
            (src, iri(dct + "identifier"), literal(m.record_id)),
            (src, iri(FOAF + "primaryTopic"), iri(m.dataset_uri)),
            (src, iri(dct + "isPartOf"), iri(f"{catalogue_uri}/source/{m.source_id}")),
        ]
        out.append((src, iri(dct + "modified"), source_stamp(m)))
    return out


def source_stamp(member: Member) -> str:
    """The source's own modification stamp, typed when it is a date or dateTime; else when we saw it change."""
    value = (member.modified or "").strip()
    if DATE.match(value):
        return literal(value, datatype=XSD + "date")
    if DATETIME.match(value):
        return literal(value, datatype=XSD + "dateTime")
    return dt(member.last_changed)  # CatalogRecord needs dct:modified (DCAT-AP mandatory)


def catalogue_link(catalogue_uri: str, entry: Entry) -> list[Triple]:
    """The catalogue's dcat:dataset / dcat:service and dcat:record links to one entry."""
    cat = iri(catalogue_uri)
    link = "service" if entry.kind == "service" else "dataset"
    return [(cat, iri(DCAT + link), iri(entry.uri))] + [
        (cat, iri(DCAT + "record"), iri(record_uri(catalogue_uri, m))) for m in entry.members
    ]


def _texts(subject: str, pred: str, value: str | dict[str, str]) -> list[Triple]:
    if isinstance(value, str):
        return [(subject, iri(pred), literal(value))]
    return [(subject, iri(pred), literal(text, lang=lang)) for lang, text in value.items()]


def catalogue_triples(meta: CatalogueMetadata, modified: datetime | None) -> list[Triple]:
    """The dcat:Catalog's own description (no blank nodes: every page repeats it).

    Linked resources carry the classes DCAT-AP 3's SHACL ranges ask for (sh:class checks rdf:type in
    the data graph), and the one DCAT axiom it needs so series listed with dcat:dataset conform.
    """
    cat, pub, a = iri(meta.uri), iri(meta.publisher.uri), RDF_TYPE
    out = [(cat, a, iri(DCAT + "Catalog"))]
    out += _texts(cat, DCT + "title", meta.title) + _texts(cat, DCT + "description", meta.description)
    out += [(cat, iri(DCT + "publisher"), pub), (pub, a, iri(FOAF + "Agent"))]
    out += _texts(pub, FOAF + "name", meta.publisher.name)
    if meta.publisher.type:
        out.append((pub, iri(DCT + "type"), iri(meta.publisher.type)))
    if meta.publisher.email:
        out.append((pub, iri(FOAF + "mbox"), iri(f"mailto:{meta.publisher.email}")))
    linked = [
        (FOAF + "homepage", meta.homepage, FOAF + "Document"),
        (DCT + "license", meta.licence, DCT + "LicenseDocument"),
        (DCT + "spatial", meta.spatial, DCT + "Location"),
    ]
    linked += [
        (DCT + "language", LANGUAGE_AUTHORITY + LANGUAGE_CODES[x], DCT + "LinguisticSystem") for x in meta.languages
    ]
    linked += [(DCAT + "themeTaxonomy", t, "http://www.w3.org/2004/02/skos/core#ConceptScheme") for t in meta.themes]
    for pred, value, cls in linked:
        if value:
            out += [(cat, iri(pred), iri(value)), (iri(value), a, iri(cls))]
    out.append(
        (iri(DCAT + "DatasetSeries"), iri("http://www.w3.org/2000/01/rdf-schema#subClassOf"), iri(DCAT + "Dataset"))
    )
    if modified is not None:
        out.append((cat, iri(DCT + "modified"), dt(modified)))
    return out


@dataclass(slots=True)
class Chunk:
    """One entry ready to write: its own triples (dataset, records, catalogue links) and conflicts."""

    entry: Entry
    triples: list[Triple]
    links: list[Triple]
    conflicts: list[Conflict]


def chunks(
    entries: Iterable[Entry],
    artifacts: ArtifactStore,
    catalogue_uri: str,
    *,
    records: bool = True,
    start: int = 0,
) -> Iterator[Chunk]:
    """Pass 2: read each entry's members again, merge them, label blank nodes per entry, add records.

    `start` is the position of the first entry in the whole catalogue (blank node labels use it).
    """
    for n, entry in enumerate(entries, start):
        graphs = [parse_nt(read_mapped(artifacts, m.location)) for m in entry.members]
        triples, conflicts = merge_triples(entry, graphs)
        triples = relabel(triples, f"b{n}")
        if records:
            triples += record_triples(catalogue_uri, entry)
        yield Chunk(entry, triples, catalogue_link(catalogue_uri, entry), conflicts)
