"""Issue 13: a licence data.public.lu cannot take is a validation finding of the record, not only a publish error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from luxcat.artifacts import LocalArtifactStore
from luxcat.pipeline import Pipeline
from luxcat.store import StateStore
from tests.kernel.test_pipeline import config

UNPLACEABLE = "http://www.test.gov.uk/licenseurl"  # stated by the GEMINI demo records (ckanext-spatial)
RULE = "luxcat:policy/licence-udata-placeable"
UDATA = [{"target": "catalogue"}, {"target": "data.public.lu", "options": {"organization": "statec"}}]


def _validated(url: str, where: Path, publish: list[dict[str, Any]]) -> tuple[Pipeline, int, list[str]]:
    """Harvest, map and validate the demo CSW records for a source publishing to `publish`."""
    where.mkdir()
    store = StateStore(f"sqlite:///{where / 'state.db'}")
    pipeline = Pipeline(config(url, publish=publish), store, LocalArtifactStore(where / "artifacts"))
    run_id = store.start_run("pipe-csw", "full")
    ids = pipeline.harvest(run_id, full=True).to_process
    pipeline.map(run_id, ids)
    pipeline.validate(run_id, ids)
    return pipeline, run_id, ids


def _flagged(pipeline: Pipeline, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Record id -> its stored data.public.lu licence findings."""
    out = {}
    for rid in ids:
        record = pipeline.store.get_record("pipe-csw", rid)
        assert record is not None and record.validation is not None
        out[rid] = [r for r in record.validation["results"] if r["shape"] == RULE]
    return out


def test_unplaceable_licence_is_a_stored_warning_for_a_data_public_lu_source_only(
    pycsw_server: Any, tmp_path: Path
) -> None:
    pipeline, run_id, ids = _validated(pycsw_server.url, tmp_path / "udata", UDATA)
    flagged = _flagged(pipeline, ids)
    hit = {rid: found for rid, found in flagged.items() if found}
    assert sorted(hit) == ["test-dataset-1", "test-service-1"]  # the GEMINI records; the others' licences fit
    for rid, found in hit.items():
        assert [(f["severity"], f["value"]) for f in found] == [("Warning", UNPLACEABLE)]
        assert UNPLACEABLE in found[0]["message"]
        mapped = pipeline.store.get_record("pipe-csw", rid)
        assert mapped is not None and mapped.dataset_uri == found[0]["focus"]
    # the run's findings files carry it too, and the HTML validation report names the licence
    artifacts = pipeline.artifacts
    lines = [
        json.loads(line)
        for key in artifacts.keys(f"runs/pipe-csw/{run_id}/findings/")
        for line in artifacts.get(key).decode().splitlines()
    ]
    in_findings = {
        line["record_id"] for line in lines if any(r["shape"] == RULE for r in line["validation"]["results"])
    }
    assert in_findings == set(hit)
    assert UNPLACEABLE in artifacts.get(f"runs/pipe-csw/{run_id}/validation.html").decode()

    # the same records for a source that publishes only to the catalogue: no such finding
    other, _, other_ids = _validated(pycsw_server.url, tmp_path / "catalogue", [{"target": "catalogue"}])
    assert not any(_flagged(other, other_ids).values())
    # and the Warning alone does not hold a record back from the catalogue / data.europa.eu
    for rid in hit:
        a, b = pipeline.store.get_record("pipe-csw", rid), other.store.get_record("pipe-csw", rid)
        assert a is not None and b is not None and a.conforms == b.conforms
