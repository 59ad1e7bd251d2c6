"""The catalogue publish keeps its merge index on disk: what a plan holds does not grow with the catalogue.

On real records: a plan keeps only the datasets that change (the unchanged are counted, and listed
again from the index when asked), the index file goes with its plan, the served version's dataset
lists are streamed (never read whole), and the index's orders (the catalogue's, and page by page)
are exactly those of the rules in partition.py and merge.py.
"""

from __future__ import annotations

import gc
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rdflib import URIRef

from publishers.base import publish_items
from publishers.catalogue import storage
from publishers.catalogue.dumps import SpanReader
from publishers.catalogue.merge import index
from publishers.catalogue.partition import bucket
from tests.publish.corpus import load
from tests.publish.helpers import catalogue_publisher, run

T1 = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 2, 10, 0, 0, tzinfo=UTC)
KEYWORD = URIRef("http://www.w3.org/ns/dcat#keyword")


def _change_one(loaded: Any) -> str:
    """One record gains a keyword at its source, as a re-harvest would bring; its dataset URI."""
    from rdflib import Literal

    (source_id, record_id), graph = next((k, g) for k, g in loaded.graphs.items() if k[1].startswith("catalog#"))
    uri = loaded.store.get_record(source_id, record_id).dataset_uri
    graph.add((URIRef(uri), KEYWORD, Literal("disk-index-test", lang="en")))
    loaded.add(source_id, record_id, uri, graph, T2)
    return str(uri)


def test_a_plan_keeps_only_the_changes_and_counts_the_unchanged(loaded, publish_config) -> None:  # type: ignore[no-untyped-def]
    cfg = publish_config(page_size=3)
    first = run(loaded, cfg, clock=lambda: T1)
    created = [e.dataset_uri for e in first.entries if e.action == "create"]
    assert len(created) > 10 and not first.quiet
    changed = _change_one(loaded)
    second = run(loaded, cfg, clock=lambda: T2)
    assert [(e.action, e.dataset_uri) for e in second.entries if e.action != "skip"] == [("update", changed)]
    assert second.quiet == {"unchanged": len(created) - 1}
    assert second.totals()["unchanged"] == len(created) - 1 and second.totals()["update"] == 1
    # asked for (publish --all), every dataset is listed once, read again from the index
    every = [(e.action, e.dataset_uri) for e in second.every_entry() if e.action != "skip"]
    assert sorted(uri for _a, uri in every) == sorted(created)
    rendered = second.render(verbose=True).splitlines()
    assert sum(line.startswith("unchanged") for line in rendered) == len(created) - 1
    assert not any(line.startswith("unchanged") for line in second.render(verbose=False).splitlines())


def test_the_index_file_goes_with_its_plan(loaded, publish_config, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # what TMPDIR sets
    plan = run(loaded, publish_config(), clock=lambda: T1)
    folder = plan.data["index"].db.folder
    assert folder.parent == scratch and (folder / "index.sqlite").stat().st_size > 0
    del plan
    gc.collect()
    assert not folder.exists() and not list(scratch.iterdir())


def test_the_served_lists_are_streamed_never_read_whole(loaded, publish_config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cfg = publish_config(page_size=3)
    run(loaded, cfg, clock=lambda: T1)
    whole: list[str] = []
    real = storage.FolderTarget.read

    def read(self, key):  # type: ignore[no-untyped-def]
        whole.append(key)
        return real(self, key)

    monkeypatch.setattr(storage.FolderTarget, "read", read)
    _change_one(loaded)
    second = run(loaded, cfg, clock=lambda: T2)
    assert second.data["export"]["reused"]
    assert whole and not [k for k in whole if k.rsplit("/", 1)[-1].startswith("datasets.")]
    root = Path(cfg.targets.catalogue.export) / "current"
    lines = (root / "datasets.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len((root / "datasets.tsv").read_text(encoding="utf-8").splitlines())


def test_index_orders_are_the_catalogue_order_and_the_hash_pages(tmp_path: Path, publish_config) -> None:  # type: ignore[no-untyped-def]
    data = load(tmp_path / "state")
    try:
        cfg = publish_config()
        items = publish_items(data.store, data.artifacts, data.sources)
        merged = index(items, data.artifacts, cfg.merge)
        entries = list(merged.entries)
        assert len(entries) == merged.count == len({e.uri for e in entries}) > 10
        assert [e.sort_key for e in entries] == sorted(e.sort_key for e in entries)
        assert any(len(e.members) > 1 for e in entries)  # the shared SEMIC bees dataset merged across sources
        for partitions in (1, 4, 16):
            pages = list(merged.pages(partitions))
            assert [n for n, _ in pages] == list(range(1, partitions + 1))
            for n, page in pages:
                assert all(bucket(e.uri, partitions) == n - 1 for e in page)
                assert [e.sort_key for e in page] == sorted(e.sort_key for e in page)
            assert sorted(e.uri for _n, page in pages for e in page) == sorted(e.uri for e in entries)
            # a range of pages reads the same entries as the whole walk
            middle = list(merged.pages(partitions, 2, partitions - 1)) if partitions > 2 else []
            assert [(n, [e.uri for e in p]) for n, p in middle] == [
                (n, [e.uri for e in p]) for n, p in pages[1 : partitions - 1]
            ]
        # the same members as an index of the plan the publisher makes
        plan = catalogue_publisher(data, cfg).plan(publish_items(data.store, data.artifacts, data.sources))
        assert plan.data["stats"]["datasets"] + plan.data["stats"]["services"] == len(entries)
    finally:
        data.store.close()


def test_span_reader_copies_ascending_spans_and_names_a_damaged_file() -> None:
    data = b"".join(f"line {n:04d}\n".encode() for n in range(1000))
    chunks = (data[i : i + 37] for i in range(0, len(data), 37))
    reader = SpanReader(chunks, "versions/v1/datasets.jsonl")
    assert reader.take(0, 10) == data[0:10]
    assert reader.take(10, 10) == b""
    assert reader.take(500, 7000) == data[500:7000]
    assert reader.take(9000, len(data)) == data[9000:]
    with pytest.raises(ValueError, match="datasets.jsonl: span 10-20 read out of order"):
        reader.take(10, 20)
    short = SpanReader(iter([data[:100]]), "versions/v1/datasets.tsv")
    with pytest.raises(ValueError, match="datasets.tsv ends before byte 200: the previous version is damaged"):
        short.take(50, 200)


def test_page_keys_made_in_one_pass_equal_each_page_hashed_whole(tmp_path: Path, publish_config) -> None:  # type: ignore[no-untyped-def]
    """The plan's streamed page keys are the keys of earlier versions' manifests: their pages stay reusable."""
    from publishers.catalogue.export import page_name
    from publishers.catalogue.partition import PageKeys, page_key

    data = load(tmp_path / "state")
    try:
        merged = index(publish_items(data.store, data.artifacts, data.sources), data.artifacts, publish_config().merge)
        for partitions in (1, 2, 8):
            keys = PageKeys(partitions, lambda n: page_name(n, "nt"))
            for entry in merged.entries:
                keys.add(entry)
            pages = [page for _n, page in merged.pages(partitions)]
            whole = [page_key(page) for page in pages]
            assert keys.keys() == whole
            assert len({key for key, page in zip(whole, pages, strict=True) if page}) == sum(map(bool, pages)) > 0
            # nothing was served before: every dataset is "moved" (new), so no page can be taken over
            assert sum(len(v) for v in keys.moved.values()) == merged.count
    finally:
        data.store.close()
