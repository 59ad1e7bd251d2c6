"""Harvest every dataflow of one SDMX 2.1 REST service into one self-contained record each.

Requests per run, whatever the number of dataflows: the dataflow listing (with every structure when
`references` is all/descendants), one category-scheme query (with categorisations), one content
constraint query, and one query per distinct data structure not yet received (with its codelists
and concept schemes), cached across the dataflows that share it. Never one request per codelist.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from harvesters.base import Harvester, Progress
from harvesters.sdmx.client import Fetcher, NotOffered, ServiceFailure, make_client
from harvesters.sdmx.filters import category_matches, hidden_by, id_matches, modified_stamp
from harvesters.sdmx.options import SdmxHarvesterOptions
from harvesters.sdmx.payload import Key, StructureStore, encode, key_of, record_id
from luxcat.errors import SourceError
from luxcat.records import RawRecord, Rejection

log = logging.getLogger(__name__)


class SdmxHarvester(Harvester):
    """Dataflows of one agency on one SDMX 2.1 REST service (LUSTAT, Eurostat, ECB, ISTAT...)."""

    Options: ClassVar[type[SdmxHarvesterOptions]] = SdmxHarvesterOptions
    media_type: ClassVar[str] = "application/json"

    def __init__(self, source_id: str, options: SdmxHarvesterOptions, *, progress: Progress | None = None) -> None:
        super().__init__(source_id, options, progress=progress)
        self.options: SdmxHarvesterOptions = options
        self.skipped: dict[str, int] = {}
        self.missing_structures: list[str] = []

    def harvest(self, *, since: datetime | None = None, limit: int | None = None) -> Iterator[RawRecord | Rejection]:
        """Yield one record per published dataflow; `since` is not used (SDMX 2.1 has no such query).

        Every run lists every dataflow, so removals are seen; unchanged ones keep their content hash.
        """
        opts = self.options
        fetcher = Fetcher(self.source_id, make_client(opts), opts.timeout)
        store = StructureStore(
            languages=tuple(opts.languages) if opts.languages else None,
            code_components=tuple(opts.code_components),
            max_codes=opts.max_codes,
        )
        try:
            flows = self._prepare(fetcher, store)
            yield from self._records(fetcher, store, flows, limit)
        finally:
            self.report.requests = fetcher.requests
            if self.missing_structures:
                log.warning(
                    "source=%s %d data structures not found (dataflows kept without structure), first: %s",
                    self.source_id,
                    len(self.missing_structures),
                    self.missing_structures[0],
                )
            log.info(
                "source=%s stage=harvest dataflows=%s requests=%d skipped=%s complete=%s",
                self.source_id,
                self.report.expected,
                fetcher.requests,
                self.skipped,
                self.report.complete,
            )

    def _prepare(self, fetcher: Fetcher, store: StructureStore) -> list[Any]:
        """Fetch the listing and the bulk structures; return the dataflows to publish."""
        opts = self.options
        params = {} if opts.references == "none" else {"references": opts.references}
        try:
            listing = fetcher.get("dataflow", agency_id=opts.agency, params=params)
        except (NotOffered, ServiceFailure) as exc:
            raise SourceError(self.source_id, f"dataflow listing failed: {exc}") from exc
        store.add(listing)
        self.report.pages = 1
        if opts.categories:
            self._bulk(fetcher, store, "categoryscheme", {"references": "parentsandsiblings"})
        if opts.constraints:
            self._bulk(fetcher, store, "contentconstraint", {})
        flows = [df for df in listing.dataflow.values() if self._keep(df, store)]
        flows.sort(key=key_of)
        self.report.expected = len(flows)
        self.progress(f"{len(flows)} dataflows to harvest ({len(listing.dataflow)} listed)")
        return flows

    def _bulk(self, fetcher: Fetcher, store: StructureStore, resource: str, params: dict[str, str]) -> None:
        """One bulk structure query; 'not offered' is fine, a failure stops the run."""
        try:
            store.add(fetcher.get(resource, agency_id=self.options.agency, params=params))
        except NotOffered as exc:
            if resource == "categoryscheme" and self.options.include_categories:
                raise SourceError(self.source_id, f"categories needed by the filter: {exc}") from exc
            log.info("source=%s %s not offered: %s", self.source_id, resource, exc)
        except ServiceFailure as exc:
            raise SourceError(self.source_id, str(exc)) from exc

    def _keep(self, dataflow: Any, store: StructureStore) -> bool:
        """Apply the configured filters, counting what each one skipped."""
        opts = self.options
        reason = None
        if dataflow.is_external_reference and not dataflow.name.localizations:
            reason = "stub"
        elif not id_matches(str(dataflow.id), opts.id_pattern):
            reason = "id_pattern"
        elif hidden := hidden_by(dataflow, opts.exclude_annotations):
            reason = hidden
        elif not category_matches(self._category_paths(dataflow, store), opts.include_categories):
            reason = "category"
        if reason:
            self.skipped[reason] = self.skipped.get(reason, 0) + 1
        return reason is None

    @staticmethod
    def _category_paths(dataflow: Any, store: StructureStore) -> list[str]:
        """Dotted id paths of the categories a dataflow is filed under."""
        urns = store.categorisations.get(key_of(dataflow), [])
        return [".".join(p["id"] for p in store.category(urn)["path"]) for urn in urns]

    def _records(
        self, fetcher: Fetcher, store: StructureStore, flows: list[Any], limit: int | None
    ) -> Iterator[RawRecord | Rejection]:
        """Complete each dataflow's structure (cached per DSD) and yield its record."""
        tried: set[Key] = set()
        service = {"url": fetcher.client.source.url, "agency": self.options.agency}
        for count, df in enumerate(flows):
            if limit is not None and count >= limit:
                self.report.fail(f"limit={limit}: {len(flows) - limit} dataflows not harvested")
                return
            try:
                self._ensure_structure(fetcher, store, df, tried)
            except ServiceFailure as exc:
                self.report.fail(str(exc))
                yield Rejection(self.source_id, record_id(df), "harvest", "source_error", str(exc))
                continue
            document = store.document(df, service)
            yield RawRecord(
                source_id=self.source_id,
                record_id=record_id(df),
                payload=encode(document),
                media_type=self.media_type,
                origin_url=self._origin(fetcher, df),
                modified=modified_stamp(df, self.options.modified_annotations),
            )
            if (count + 1) % 100 == 0:
                self.progress(f"{count + 1}/{len(flows)} dataflows")

    def _ensure_structure(self, fetcher: Fetcher, store: StructureStore, df: Any, tried: set[Key]) -> None:
        """Fetch the DSD of a dataflow unless a previous message already carried it."""
        ref = df.structure
        if ref is None or store.structure_for(df) is not None or key_of(ref) in tried:
            return
        tried.add(key_of(ref))
        agency, ident, version = key_of(ref)
        params = {"references": self.options.structure_references}
        try:
            store.add(
                fetcher.get(
                    "datastructure",
                    agency_id=agency or self.options.agency,
                    resource_id=ident,
                    version=version or "latest",
                    params=params,
                )
            )
        except NotOffered as exc:
            self.missing_structures.append(str(exc))
            log.debug("source=%s record=%s structure not found: %s", self.source_id, record_id(df), exc)

    @staticmethod
    def _origin(fetcher: Fetcher, df: Any) -> str:
        """The REST URL of the dataflow itself (provenance)."""
        agency, ident, version = key_of(df)
        return f"{fetcher.client.source.url}/dataflow/{agency}/{ident}/{version or 'latest'}"
