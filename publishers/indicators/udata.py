"""The indicators on data.public.lu: one dataset of the configured organisation, the CSV uploaded as its file resource.

Updated in place on every computation: the dataset (found by the id kept in the state store, else
by its tag and `extras` among the organisation's datasets, so a lost id never makes a duplicate) is
read, changed and written back whole (udata wipes omitted tags), and the CSV replaces the file of
the same resource through udata's upload endpoint (`POST /datasets/{id}/resources/{rid}/upload/`),
so its permalink stays. A dataset deleted on the portal is reported, never recreated behind a
person's back.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Column, MetaData, String, Table, select

from luxcat.config import resolve_secret
from luxcat.http import HttpFailure, RetryPolicy, request_with_retries
from luxcat.store import StateStore
from publishers.indicators.csvw import CSV_NAME
from publishers.udata.client import UdataClient
from publishers.udata.errors import UdataGone, UdataUnavailable
from publishers.udata.options import UdataOptions

log = logging.getLogger(__name__)
TAG = "luxcat-indicators"
EXTRA = "luxcat:indicators"
metadata = MetaData()
published = Table(
    "indicator_udata",
    metadata,
    Column("organization", String(24), primary_key=True),
    Column("dataset_id", String(64), nullable=False),
    Column("resource_id", String(64)),
)

TITLE = "Indicateurs des données ouvertes du Luxembourg / Luxembourg open data indicators"
DESCRIPTION = (
    "Suivi de la stratégie luxembourgeoise des données ouvertes, calculé sur le catalogue national après chaque "
    "publication (jeux, licences, qualité des métadonnées, données de forte valeur, formats, fraîcheur, "
    "multilinguisme, inventaires), au niveau national et par éditeur, source, thème prioritaire et catégorie HVD. "
    "Le fichier CSV contient toute la série temporelle ; ses colonnes et indicateurs sont décrits par "
    "csv-metadata.json (W3C CSVW).\n\n"
    "Progress of Luxembourg's open data strategy measured on the national catalogue after each publication; the "
    "CSV holds the whole time series, described by csv-metadata.json (W3C CSVW)."
)


@dataclass(slots=True)
class UdataResult:
    """Where the indicators live on the portal after this run."""

    dataset_id: str
    resource_id: str
    created: bool
    url: str


class IndicatorsUdata:
    """Publishes the indicators CSV to one organisation of a udata portal."""

    def __init__(self, options: UdataOptions, organization: str, store: StateStore, client: UdataClient | None = None):
        self.options = options
        self.organization = organization
        self.store = store
        metadata.create_all(store.engine)
        if client is None:
            key = resolve_secret(options.api_key, what="data.public.lu api_key") or ""
            policy = RetryPolicy(
                timeout=options.timeout, retries=options.retries, backoff=options.backoff, max_wait=options.max_wait
            )
            client = UdataClient(options.base_url, key, policy, throttle=options.throttle, key_name=options.api_key)
        self.client = client

    # -- state ------------------------------------------------------------------------------------------
    def _known(self) -> tuple[str | None, str | None]:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(published).where(published.c.organization == self.organization)).first()
        return (row.dataset_id, row.resource_id) if row else (None, None)

    def _remember(self, dataset_id: str, resource_id: str) -> None:
        values = {"organization": self.organization, "dataset_id": dataset_id, "resource_id": resource_id}
        with self.store.engine.begin() as conn:
            conn.execute(published.delete().where(published.c.organization == self.organization))
            conn.execute(published.insert().values(**values))

    # -- portal -----------------------------------------------------------------------------------------
    def _find(self) -> dict[str, Any] | None:
        """The organisation's indicators dataset, recognised by its extras (client-side: udata cannot filter)."""
        for dataset in self.client.iter_datasets(self.organization, page_size=self.options.page_size):
            if (dataset.get("extras") or {}).get(EXTRA) and not dataset.get("deleted"):
                return dataset
        return None

    def _body(self, current: dict[str, Any] | None, first: date, last: date) -> dict[str, Any]:
        # the fields this dataset uses, from what the portal holds (a PUT without tags would wipe them)
        body = {
            k: current[k] for k in ("tags", "extras", "spatial", "private") if current and current.get(k) is not None
        }
        tags = sorted(set(body.get("tags") or []) | {TAG, "open-data", "indicateurs", "indicators"})
        body.update(
            title=TITLE,
            description=DESCRIPTION,
            organization=self.organization,
            license="cc-zero",
            frequency="daily",
            tags=tags,
            extras={**(body.get("extras") or {}), EXTRA: True},
            temporal_coverage={"start": first.isoformat(), "end": last.isoformat()},
        )
        return body

    def _upload(self, path: str, data: bytes, *, what: str) -> dict[str, Any]:
        """One multipart upload (udata's `file` part), retried like every other call.

        udata stores a file under the dataset's slug, the second of the upload and the file name, and
        answers 500 when that exists (two uploads in one second): the name carries the content's hash.
        """
        url = f"{self.client.base_url}{path}"
        name = f"indicators-{hashlib.sha1(data).hexdigest()[:12]}.csv"
        try:
            response = request_with_retries(
                self.client.session,
                "POST",
                url,
                self.client.policy,
                files={"file": (name, data, "text/csv")},
                retry_status=frozenset({429}),
            )
        except HttpFailure as exc:
            raise UdataUnavailable(f"data.public.lu: {what} failed: {exc.reason}") from exc
        self.client.writes += 1
        return self.client._json(response, what)

    def publish(self, csv_bytes: bytes, first: date, last: date) -> UdataResult:
        """Create or update the dataset, then upload the CSV into its one file resource."""
        dataset_id, resource_id = self._known()
        created = False
        if dataset_id:
            try:
                current = self.client.get_dataset(dataset_id)
            except UdataGone as exc:
                raise UdataGone(_gone(dataset_id, str(exc))) from exc
            if current.get("deleted"):  # udata 17 still answers its organisation's members, with `deleted` set
                raise UdataGone(_gone(dataset_id, f"deleted on {current['deleted']}"))
        else:
            current = self._find()
        if current is None:
            current = self.client.create_dataset(self._body(None, first, last), self.organization)
            created = True
        else:
            current = self.client.update_dataset(current["id"], self._body(current, first, last), self.organization)
        dataset_id = current["id"]
        resources = {r["id"]: r for r in current.get("resources") or []}
        if resource_id not in resources:
            resource_id = next((r["id"] for r in resources.values() if r.get("title") == CSV_NAME), None)
        what = f"upload {CSV_NAME} to dataset {dataset_id}"
        checksum = hashlib.sha1(csv_bytes).hexdigest()
        if resource_id and (resources[resource_id].get("checksum") or {}).get("value") == checksum:
            resource = resources[resource_id]  # the portal already holds this very file
        elif resource_id:
            resource = self._upload(f"/datasets/{dataset_id}/resources/{resource_id}/upload/", csv_bytes, what=what)
        else:
            resource = self._upload(f"/datasets/{dataset_id}/upload/", csv_bytes, what=what)
            resource_id = resource["id"]
        # udata's resource PUT takes the whole resource (url, filetype, format required): send back what the
        # upload answered, with our title and description
        body = {
            k: v for k, v in resource.items() if k not in ("success", "id", "created_at", "last_modified", "latest")
        }
        body.update(title=CSV_NAME, type="main", description="Série temporelle des indicateurs (CSV, CSVW).")
        self.client.update_resource(dataset_id, resource_id, body)
        self._remember(dataset_id, resource_id)
        log.info(
            "target=data.public.lu stage=indicators dataset=%s resource=%s created=%s", dataset_id, resource_id, created
        )
        return UdataResult(dataset_id, resource_id, created, resource.get("url", ""))


def _gone(dataset_id: str, why: str) -> str:
    return (
        f"the indicators dataset {dataset_id} is gone from data.public.lu ({why}); luxcat does not recreate it "
        "on its own: restore it on the portal, or forget it with `DELETE FROM indicator_udata` to publish a new one"
    )
