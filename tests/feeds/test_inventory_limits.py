"""Issue 17, F3 and F6: XLSX inventories are read by content, never by their declared `<dimension ref>`.

A stale dimension (A1:C49 for 51 rows) made openpyxl's read-only mode drop the last rows silently
(the run said "complete" and 2 records were withdrawn); an absurd one (A1:XFD1048576 in a 4.9 KB
file) made it pad every row to 16,384 cells (3 GB in 5 s). The workbooks are built with openpyxl
from the rows of the shipped demo inventory, then their sheet XML gets the faulty dimension.
"""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

from harvesters.inventory import InventoryHarvester, InventoryOptions
from harvesters.inventory.table import read_csv
from luxcat.records import RawRecord
from tests.feeds.helpers import Sandbox, source
from tests.feeds.test_mappers import INVENTORY, demo_columns


def workbook(rows: int, dimension: str) -> bytes:
    """An XLSX with the demo inventory's header and `rows` data rows (its real rows, ids made unique)."""
    from openpyxl import Workbook

    table = read_csv(INVENTORY.read_bytes())
    book = Workbook()
    sheet = book.active
    sheet.append(table.header)
    for n in range(rows):
        _, values = table.rows[n % len(table.rows)]
        row = [values.get(h) for h in table.header]
        row[0] = f"{row[0]}-{n:03d}"
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return with_dimension(buffer.getvalue(), dimension)


def with_dimension(xlsx: bytes, dimension: str) -> bytes:
    """The same package with `<dimension ref>` of the first sheet replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), data)
                assert count == 1
            dst.writestr(info, data)
    return out.getvalue()


def options(path: Path, **extra: Any) -> dict[str, Any]:
    return {"location": str(path), "format": "xlsx", **demo_columns(), **extra}


def harvest(path: Path, **extra: Any) -> tuple[list[RawRecord], InventoryHarvester]:
    harvester = InventoryHarvester("inv", InventoryOptions.model_validate(options(path, **extra)))
    return [r for r in harvester.harvest() if isinstance(r, RawRecord)], harvester


def test_stale_dimension_reads_every_row_and_withdraws_nothing(tmp_path: Path) -> None:
    path = tmp_path / "inventaire.xlsx"
    path.write_bytes(workbook(51, "A1:C49"))
    records, harvester = harvest(path)
    assert len(records) == 51 and harvester.report.complete
    sandbox = Sandbox(tmp_path)
    cfg = source("inv", "inventory", options(path), "inventory")
    first = sandbox.harvest(cfg)
    second = sandbox.harvest(cfg)
    assert first.counts.seen == second.counts.seen == 51 and second.complete
    assert second.counts.withdrawn == 0 and len(sandbox.active("inv")) == 51


def test_absurd_declared_dimension_costs_no_memory(tmp_path: Path) -> None:
    path = tmp_path / "inventaire.xlsx"
    path.write_bytes(workbook(5, "A1:XFD1048576"))
    assert path.stat().st_size < 10_000
    tracemalloc.start()
    try:
        records, harvester = harvest(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(records) == 5 and harvester.report.complete
    assert peak < 64 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB (was 3 GB)"


def test_rows_past_the_cap_make_an_incomplete_listing_never_a_withdrawal(tmp_path: Path) -> None:
    path = tmp_path / "inventaire.xlsx"
    path.write_bytes(workbook(51, "A1:V52"))
    sandbox = Sandbox(tmp_path)
    assert sandbox.harvest(source("inv", "inventory", options(path), "inventory")).counts.seen == 51
    capped = sandbox.harvest(source("inv", "inventory", options(path, max_rows=40), "inventory"))
    assert not capped.complete
    assert capped.counts.withdrawn == 0 and len(sandbox.active("inv")) == 51
    records, harvester = harvest(path, max_rows=40)
    assert len(records) == 40
    assert any("more than 40 data rows" in e for e in harvester.report.errors)
