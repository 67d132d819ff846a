"""Every export reads the same whatever its header spellings, column order and preamble, and
the remittance reads the same in either of its layouts (issue 24: break the circle)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from recovery.testing.fake_vendor_central.scenario_source import read_export
from recovery.testing.scenario import build_world
from recovery.testing.scenario.exports import Export, exports, remittance, remittance_lines_only
from recovery.testing.scenario.variety import HEADER_SPELLINGS, FileVariety
from recovery.testing.scenario.world import World
from recovery.testing.scenario.writers import Block, Cell, Style, write_csv

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(4, "tiny", TODAY, 12)


def _read(path: Path, kind: str) -> list[dict[str, Any]]:
    return read_export(path, "BRWHL", kind)[1]


def _write(path: Path, blocks: Sequence[Block], style: Style) -> Path:
    write_csv(path, blocks, style)
    return path


def _renamed(blocks: Sequence[Block], old: str, new: str) -> list[Block]:
    return [
        Block(
            [new if h == old else h for h in block.headers],
            list(block.rows),
            before=block.before,
            after=block.after,
        )
        for block in blocks
    ]


def _spellings(world: World) -> list[tuple[Export, str, str]]:
    out = []
    for export in exports(world):
        headers = {h for block in export.blocks() for h in block.headers}
        for header in sorted(headers):
            for spelling in HEADER_SPELLINGS.get(header, ()):
                if spelling not in headers:
                    out.append((export, header, spelling))
    return out


def test_every_other_name_of_a_column_reads_as_the_column(world: World, tmp_path: Path) -> None:
    cases = _spellings(world)
    assert len(cases) >= 25, "the spellings table covers the exports' columns"
    plain: dict[str, list[dict[str, Any]]] = {}
    for export, header, spelling in cases:
        if export.name not in plain:
            path = _write(tmp_path / f"{export.name}.csv", export.blocks(), export.style)
            plain[export.name] = _read(path, export.name)
        assert plain[export.name], export.name
        blocks = _renamed(export.blocks(), header, spelling)
        path = _write(tmp_path / f"{export.name}-{spelling}.csv", blocks, export.style)
        assert _read(path, export.name) == plain[export.name], f"{export.name}: {spelling!r}"


@pytest.mark.parametrize("casing", ["title", "upper", "lower", "snake"])
def test_casing_column_order_and_preamble_change_nothing(
    world: World, tmp_path: Path, casing: str
) -> None:
    preamble: list[Sequence[Cell]] = [["Vendor Central export"], ["Vendor code: BRWHL"], []]
    for export in exports(world):
        plain = _read(_write(tmp_path / "plain.csv", export.blocks(), export.style), export.name)
        shape = FileVariety(random.Random(casing), casing, preamble)
        varied = shape.apply(export.blocks())
        path = _write(tmp_path / f"{export.name}-{casing}.csv", varied, export.style)
        assert _read(path, export.name) == plain, f"{export.name} written {casing}"
        if casing == "snake":
            assert all("_" in h or h.isalnum() for h in varied[0].headers)


def test_both_remittance_layouts_read_to_the_same_lines(world: World, tmp_path: Path) -> None:
    style = Style("dollar", "us", bom=True)
    blocks = _write(tmp_path / "blocks.csv", remittance(world), style)
    lines_only = _write(tmp_path / "lines.csv", remittance_lines_only(world), style)
    with_block = _read(blocks, "remittance")
    without = _read(lines_only, "remittance")
    assert {r["section"] for r in without} == {"lines"}
    fields = ("payment_number", "invoice_number", "invoice_date", "invoice_amount", "paid")
    fields += ("discount", "remaining", "currency", "description")

    def lines(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [tuple(r[f] for f in fields) for r in rows if r["section"] == "lines"]

    assert lines(without) == lines(with_block)
    paid_on = {r["payment_number"]: r["payment_date"] for r in with_block if "payment_date" in r}
    assert {r["payment_number"]: r["payment_date"] for r in without} == paid_on
    # A debit note names the vendor invoice it belongs to.
    debits = [r for r in without if r["invoice_number"].endswith("SC")]
    assert debits and all(r["original_invoice_number"] == r["invoice_number"][:-2] for r in debits)
