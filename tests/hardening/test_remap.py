"""F1 and issue 18 "re-map on change": a stored payload hash never runs ahead of its mapped graph.

Every record remembers the payload hash and the mapping fingerprint its graph came from; a run
maps again whatever differs, without harvesting again: after `luxcat harvest` alone, after a run
killed between harvest and map, after an edit of the source's YAML, and with `luxcat run --remap`.
"""

from __future__ import annotations

import gzip
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS
from sqlalchemy import create_engine, inspect, text

from luxcat.artifacts import LocalArtifactStore
from luxcat.cli import main
from luxcat.config import SourceConfig
from luxcat.pipeline import Pipeline, run_source
from luxcat.records import utcnow
from luxcat.remap import stale_records
from luxcat.store import RunCounts, StateStore
from mappers.licensing import SOURCE_DEFAULT_STATEMENT
from tests.servers.records import NS, demo_records, with_datestamp
from tests.udata.real_udata import RealUdata
from tests.udata.records import STATEC

CC0 = "http://publications.europa.eu/resource/authority/licence/CC0"
CC_BY = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
OLD_BASE, NEW_BASE = "https://old.example.lu/luxcat/remap/", "https://data.example.lu/id/remap/"


def source_yaml(url: str, *, base_uri: str, licence: str) -> str:
    return yaml.safe_dump(
        {
            "id": "remap",
            "title": {"en": "re-map test"},
            "owner": {"name": "Administration du cadastre et de la topographie"},
            "harvester": {"kind": "csw", "options": {"url": url, "page_size": 10, "retries": 0, "timeout": 10}},
            "mapper": ["iso19139"],
            "languages": ["en", "fr"],
            "base_uri": base_uri,
            "licence": licence,
            "validation": {"on_violation": "publish-with-warning"},
            "publish": [
                {"target": "catalogue"},
                {"target": "data.public.lu", "options": {"organization": STATEC, "api_key": "${UDATA_API_KEY}"}},
            ],
        }
    )


def cfg(url: str, **extra: Any) -> SourceConfig:
    return SourceConfig.model_validate(yaml.safe_load(source_yaml(url, base_uri=OLD_BASE, licence=CC0)) | extra)


def retitle(server: Any, record_id: str, title: str) -> None:
    """Change a record's title at the source (CSW-T update, dateStamp now)."""
    root = etree.fromstring(with_datestamp(demo_records()[record_id], utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")))
    node = root.find("gmd:identificationInfo//gmd:citation//gmd:title/gco:CharacterString", NS)
    assert node is not None
    node.text = title
    server.update(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def stores(tmp_path: Path) -> tuple[StateStore, LocalArtifactStore]:
    return StateStore(f"sqlite:///{tmp_path / 'state.db'}"), LocalArtifactStore(tmp_path / "artifacts")


def export_graph(folder: Path) -> Graph:
    graph = Graph()
    files = sorted(folder.rglob("catalogue.nt.gz"))  # whole dumps are gzip'd (uncompressed ones optional)
    assert files, f"no catalogue.nt.gz under {folder}"
    graph.parse(data=gzip.decompress(files[-1].read_bytes()), format="nt")
    return graph


def test_run_killed_between_harvest_and_map_is_redone_by_the_next_run(
    mutable_pycsw: Any, tmp_path: Path
) -> None:
    store, artifacts = stores(tmp_path)
    source = cfg(mutable_pycsw.url)
    first = run_source(source, store, artifacts, full=True, stages=("harvest", "map"))
    assert first.details["map"]["ok"] == len(demo_records())
    victim = sorted(demo_records())[0]
    before = store.get_record("remap", victim)
    assert before.mapped_hash == before.content_hash
    retitle(mutable_pycsw, victim, "Retitled at the source")
    # the "killed" run: harvest stores the new payload, the process dies before map
    pipeline = Pipeline(source, store, artifacts)
    killed = store.start_run("remap", "full")
    pipeline.harvest(killed, full=True)
    # what the next run's lock takeover does to a dead holder's run (tests/hardening/test_source_lock.py)
    store.finish_run(killed, status="failed", complete=False, counts=RunCounts(), error_summary="interrupted")
    after = store.get_record("remap", victim)
    assert after.content_hash != before.content_hash and after.mapped_hash == before.content_hash
    # later runs, incremental or full, see the stale graph and map it: never "unchanged, complete" with it
    third = run_source(source, store, artifacts, full=True, stages=("harvest", "map"))
    assert third.counts.unchanged == len(demo_records()) and third.details["map"]["ok"] == 1
    title = pipeline.load_graph(victim).value(URIRef(after.dataset_uri), DCTERMS.title)
    assert str(title) == "Retitled at the source"
    assert stale_records(store, "remap", "x" * 64) == sorted(demo_records())  # another mapping: all stale
    fourth = run_source(source, store, artifacts, full=True, stages=("harvest", "map"))
    assert fourth.details["map"]["ok"] == 0


def test_harvest_then_run_maps_what_was_harvested(
    workspace: Path, mutable_pycsw: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = workspace / "sources"
    (sources / "remap.yaml").write_text(source_yaml(mutable_pycsw.url, base_uri=OLD_BASE, licence=CC0), "utf-8")
    assert main(["run", "remap"]) == 0
    victim = sorted(demo_records())[1]
    retitle(mutable_pycsw, victim, "Harvested, not yet mapped")
    assert main(["harvest", "remap", "--full"]) == 0
    assert ", 1 changed," in capsys.readouterr().out
    assert main(["run", "remap"]) == 0
    store = StateStore(f"sqlite:///{workspace / 'home' / 'luxcat.db'}")
    record = store.get_record("remap", victim)
    assert record.mapped_hash == record.content_hash
    artifacts = LocalArtifactStore(workspace / "home" / "artifacts")
    graph = Graph().parse(data=artifacts.get(artifacts.key_of(record.mapped_location)), format="nt")
    assert str(graph.value(URIRef(record.dataset_uri), DCTERMS.title)) == "Harvested, not yet mapped"
    run = store.runs("remap", limit=1)[0]
    assert run.details["map"]["ok"] == 1


def test_changed_base_uri_and_licence_remap_every_record_and_reach_export_and_udata(
    workspace: Path, pycsw_server: Any, udata: RealUdata, capsys: pytest.CaptureFixture[str]
) -> None:
    data = yaml.safe_load((workspace / "publish.yaml").read_text("utf-8"))
    data["targets"]["data.public.lu"]["base_url"] = udata.api
    (workspace / "publish.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    source_file = workspace / "sources" / "remap.yaml"
    source_file.write_text(source_yaml(pycsw_server.url, base_uri=OLD_BASE, licence=CC0), "utf-8")
    assert main(["run", "remap"]) == 0
    capsys.readouterr()
    # two GEMINI demo records state their licence by a URL (http://www.test.gov.uk/licenseurl) that
    # data.public.lu's licence table cannot place: those two are that target's errors, the rest lands
    code = main(["publish", "--target", "catalogue", "data.public.lu"])
    unplaceable = [line for line in capsys.readouterr().out.splitlines() if line.startswith("error ")]
    assert code == 1  # the exit-code contract: records a target refuses are bad data (1)
    assert len(unplaceable) == 2 and all("licence_unplaceable" in line for line in unplaceable)
    old = export_graph(workspace / "export")
    old_uris = {str(s) for s in old.subjects() if str(s).startswith(OLD_BASE)}
    assert old_uris and not any(str(s).startswith(NEW_BASE) for s in old.subjects())
    state = StateStore(f"sqlite:///{workspace / 'home' / 'luxcat.db'}")
    minted = {r.record_id for r in state.records("remap") if r.dataset_uri.startswith(OLD_BASE)}
    state.close()
    assert minted
    capsys.readouterr()

    source_file.write_text(source_yaml(pycsw_server.url, base_uri=NEW_BASE, licence=CC_BY), "utf-8")
    assert main(["run", "remap"]) == 0
    out = capsys.readouterr().out
    n = len(demo_records())
    assert "0 seen, 0 new, 0 changed" in out  # an incremental run: nothing harvested again ...
    assert f"({n} stored record(s) mapped again: payload or mapping changed)" in out
    store = StateStore(f"sqlite:///{workspace / 'home' / 'luxcat.db'}")
    run = store.runs("remap", limit=1)[0]
    assert run.details["map"]["ok"] == n  # ... and every record mapped again
    records = list(store.records("remap"))
    assert not any(r.dataset_uri.startswith(OLD_BASE) for r in records)
    assert {r.record_id for r in records if r.dataset_uri.startswith(NEW_BASE)} == minted

    assert main(["publish", "--target", "catalogue"]) == 0
    new = export_graph(workspace / "export")
    assert not any(str(s).startswith(OLD_BASE) for s in new.subjects())
    assert {str(s) for s in new.subjects() if str(s).startswith(NEW_BASE)}
    def count(graph: Graph, licence: str) -> int:
        return len(list(graph.subjects(DCTERMS.license, URIRef(licence))))

    defaulted = count(old, CC0) - count(new, CC0)  # records saying nothing about use now carry the new default
    assert defaulted > 0 and count(new, CC_BY) - count(old, CC_BY) == defaulted
    # only those: the default is marked as such in the export (mappers.licensing), never given to others
    marked = set(new.subjects(DCTERMS.provenance, SOURCE_DEFAULT_STATEMENT))
    assert marked and all((s, DCTERMS.license, URIRef(CC_BY)) in new for s in marked)

    capsys.readouterr()
    assert main(["publish", "--target", "data.public.lu", "--dry-run"]) == 1  # the two unplaceable licences
    plan = capsys.readouterr().out
    lines = plan.strip().splitlines()
    # every dataset updated in place on data.public.lu, except one neither change touches (the new
    # default licence reaches only records that say nothing about use)
    assert f"{n - len(unplaceable) - 1} update" in lines[-1] and "1 unchanged" in lines[-1], plan
    updates = [line for line in lines if line.startswith("update ")]
    # ... those whose records say nothing about use with the new default licence
    assert 0 < sum("license" in line for line in updates) >= len(marked)
    assert all(line.endswith(": dataservice") for line in lines if line.startswith("create "))  # new service URIs


def test_remap_flag_maps_every_record_again(pycsw_server: Any, tmp_path: Path) -> None:
    store, artifacts = stores(tmp_path)
    source = cfg(pycsw_server.url)
    run_source(source, store, artifacts, full=True, stages=("harvest", "map"))
    again = run_source(source, store, artifacts, stages=("harvest", "map"))
    assert again.details["map"]["ok"] == 0
    forced = run_source(source, store, artifacts, stages=("harvest", "map"), remap=True)
    assert forced.details["map"]["ok"] == len(demo_records())


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_old_state_database_gains_the_new_columns_and_is_remapped_once(
    backend: str, request: pytest.FixtureRequest, pycsw_server: Any, tmp_path: Path
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:  # a schema of its own: the session's PostgreSQL database is shared by other tests
        shared = request.getfixturevalue("postgres_url")
        schema = f"old_{uuid.uuid4().hex[:8]}"
        with create_engine(shared).begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{shared}{'&' if '?' in shared else '?'}options=-csearch_path%3D{schema}"
    engine = create_engine(url)
    with engine.begin() as conn:  # the records table as luxcat created it before the new columns
        conn.execute(
            text(
                "CREATE TABLE records (source_id VARCHAR(64) NOT NULL, record_id VARCHAR(512) NOT NULL, "
                "content_hash VARCHAR(64) NOT NULL, first_seen TIMESTAMP WITH TIME ZONE NOT NULL, "
                "last_seen TIMESTAMP WITH TIME ZONE NOT NULL, last_changed TIMESTAMP WITH TIME ZONE NOT NULL, "
                "status VARCHAR(16) NOT NULL, modified VARCHAR(64), dataset_uri TEXT, raw_location TEXT, "
                "mapped_location TEXT, conforms BOOLEAN, validation JSON, publish_ids JSON, "
                "PRIMARY KEY (source_id, record_id))"
            )
        )
    engine.dispose()
    store = StateStore(url)
    store_again = StateStore(url)  # a second process opening the same database: no error
    store_again.close()
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    source = cfg(pycsw_server.url)
    first = run_source(source, store, artifacts, full=True, stages=("harvest", "map"))
    assert first.details["map"]["ok"] == len(demo_records())
    with store.engine.begin() as conn:  # as if mapped by the old code: nothing says what produced it
        conn.execute(text("UPDATE records SET mapped_hash = NULL, mapped_fingerprint = NULL"))
    assert run_source(source, store, artifacts, stages=("harvest", "map")).details["map"]["ok"] == len(demo_records())
    assert run_source(source, store, artifacts, stages=("harvest", "map")).details["map"]["ok"] == 0
    assert {"mapped_hash", "mapped_fingerprint"} <= {c["name"] for c in inspect(store.engine).get_columns("records")}
    store.close()


def test_fingerprint_follows_every_mapping_relevant_setting_and_nothing_else(tmp_path: Path) -> None:
    from luxcat.remap import mapping_fingerprint

    store, artifacts = stores(tmp_path)

    def fingerprint(**extra: Any) -> str:
        return mapping_fingerprint(Pipeline(cfg("http://127.0.0.1:9/csw", **extra), store, artifacts).make_mappers())

    base = fingerprint()
    assert fingerprint() == base  # deterministic
    assert fingerprint(schedule="0 5 * * *") == base  # not mapping-relevant
    assert fingerprint(validation={"on_violation": "reject"}) == base
    changed = {
        fingerprint(base_uri=NEW_BASE),
        fingerprint(licence=CC_BY),
        fingerprint(languages=["fr"]),
        fingerprint(owner={"name": "Another owner"}),
        fingerprint(mapper=["iso19139", "dcat"]),
    }
    assert base not in changed and len(changed) == 5
