"""The stages' collector tuning is scoped: raised inside, restored after (errors too), never lowered."""

from __future__ import annotations

import gc

import pytest

from luxcat.gctune import STAGE_THRESHOLD, fewer_collections


def test_threshold_raised_inside_and_restored_after() -> None:
    before = gc.get_threshold()

    @fewer_collections()
    def stage() -> tuple[int, int, int]:
        return gc.get_threshold()

    assert stage()[0] == max(STAGE_THRESHOLD, before[0])
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("a failing stage")
    assert gc.get_threshold() == before


def test_an_operators_higher_threshold_is_kept() -> None:
    before = gc.get_threshold()
    gc.set_threshold(50_000, *before[1:])
    try:
        with fewer_collections():
            assert gc.get_threshold()[0] == 50_000
        assert gc.get_threshold()[0] == 50_000
    finally:
        gc.set_threshold(*before)
