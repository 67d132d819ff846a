"""A synthetic Amazon 1P vendor with planted discrepancies, and the answer key to grade against.

`generate_scenario(out_dir)` writes SP-API JSON, Vendor Central exports, the vendor's own files,
BOL/POD PDFs and `answer_key.json` (see docs/scenario.md). Everything is deterministic in
(seed, size, today, months): the same inputs give byte-identical files.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from recovery.errors import InputError
from recovery.testing.scenario.answer_key import build_answer_key
from recovery.testing.scenario.billing import post_payments
from recovery.testing.scenario.catalog import VENDOR_CODE, VENDOR_NAME, make_catalog
from recovery.testing.scenario.chargebacks import make_chargebacks
from recovery.testing.scenario.coop import make_coop
from recovery.testing.scenario.days_off import date_near_days_off
from recovery.testing.scenario.deductions import invoice_deductions
from recovery.testing.scenario.evidence import render_documents, settle_documents
from recovery.testing.scenario.exports import write_exports
from recovery.testing.scenario.fulfilment import Numbers, fulfil
from recovery.testing.scenario.orders import at, make_orders
from recovery.testing.scenario.plan import plan_cases, prepare_price_cases
from recovery.testing.scenario.sizes import SIZES, size_profile
from recovery.testing.scenario.spapi import order, order_status, shipment
from recovery.testing.scenario.variety import Variety
from recovery.testing.scenario.world import CURRENCY, MARKETPLACE, World, stream

__all__ = ["SIZES", "ScenarioSummary", "build_world", "generate_scenario", "period_start"]


@dataclass(frozen=True)
class ScenarioSummary:
    out_dir: Path
    seed: int
    size: str
    today: date
    start: date
    counts: dict[str, int]
    seconds: float


def period_start(today: date, months: int) -> date:
    """The same day `months` months before `today` (clamped to the month's last day)."""
    if months < 1:
        raise InputError(f"months must be at least 1, got {months}")
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    day = today.day
    while True:
        try:
            return date(year, month + 1, day)
        except ValueError:
            day -= 1


def build_world(seed: int, size: str, today: date, months: int, *, varied: bool = False) -> World:
    """Everything that happened, in memory; files are views of it. `varied` plants the cases
    only a varied scenario has (variety.py), dates chargebacks so most can still be filed,
    and dates invoices and co-op invoices so that their deadlines fall on or next to US
    holidays and weekends (days_off.py)."""
    profile = size_profile(size)
    start = period_start(today, months)
    world = World(seed, profile, today, start, VENDOR_CODE, VENDOR_NAME)
    world.items = make_catalog(stream(seed, "catalog"), profile.items, profile.categories, start)
    world.orders = make_orders(
        stream(seed, "orders"),
        world.items,
        profile.purchase_orders,
        profile.lines_min,
        profile.lines_max,
        start,
        today,
    )
    plan_cases(stream(seed, "plan"), world.orders, today, varied=varied)
    prepare_price_cases(stream(seed, "prices"), world.orders)
    numbers = Numbers(stream(seed, "numbers"))
    rng = stream(seed, "fulfilment")
    for po in world.orders:
        fulfil(rng, po, today, numbers)
    settle_documents(stream(seed, "documents"), world)
    make_chargebacks(stream(seed, "chargebacks"), world, varied=varied)
    # Tiny scopes every agreement to the whole catalog so each co-op case finds receipts.
    make_coop(stream(seed, "coop"), world, scoped=profile.name != "tiny")
    if varied:
        date_near_days_off(world)
    invoice_deductions(stream(seed, "deductions"), world)
    post_payments(stream(seed, "payments"), world)
    return world


def _write_payload(path: Path, key: str, objects: Any) -> int:
    """`{"payload": {key: [...]}}`, one object per line, streamed (large scenarios are big)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write(f'{{"payload": {{"{key}": [')
        for obj in objects:
            handle.write(",\n" if count else "\n")
            handle.write(json.dumps(obj, separators=(",", ":"), ensure_ascii=False))
            count += 1
        handle.write("\n]}}\n")
    return count


def generate_scenario(
    out_dir: Path | str,
    *,
    seed: int = 1,
    size: str = "small",
    today: date | None = None,
    months: int = 12,
    xlsx: bool | None = None,
    pdfs: bool = True,
    varied: bool = False,
) -> ScenarioSummary:
    """Write a complete scenario into `out_dir`. `xlsx=None` means the size's default (every size
    but large writes XLSX twins). `varied` writes the files the way real exports vary (header
    spellings and order, preambles, either remittance layout) and plants the cases only a
    varied scenario has (see variety.py)."""
    began = time.perf_counter()
    out = Path(out_dir)
    today = today or date.today()
    profile = size_profile(size)
    world = build_world(seed, size, today, months, varied=varied)
    write_xlsx = profile.xlsx_by_default if xlsx is None else xlsx
    now = at(today)
    counts: dict[str, int] = {}
    spapi = out / "spapi"
    counts["purchase_orders"] = _write_payload(
        spapi / "purchase-orders.json",
        "orders",
        (order(po, world.vendor_code, now) for po in world.orders),
    )
    _write_payload(
        spapi / "purchase-orders-status.json",
        "ordersStatus",
        (
            order_status(po, world.vendor_code, now, details=profile.name != "large")
            for po in world.orders
        ),
    )
    counts["shipments"] = _write_payload(
        spapi / "shipments.json",
        "shipments",
        (shipment(s, world.vendor_code) for s in world.shipments if s.in_asn),
    )
    counts["po_lines"] = sum(len(po.lines) for po in world.orders)
    counts["invoices"] = len(world.invoices)
    variety = Variety(seed, world.vendor_code, f"{today:%m/%d/%Y}") if varied else None
    rows = write_exports(world, out, xlsx=write_xlsx, variety=variety)
    counts["invoice_lines"] = rows["invoices"]
    counts["remittance_lines"] = sum(len(p.lines) for p in world.payments)
    counts["payments"] = len(world.payments)
    counts["deductions"] = len(world.events)
    counts["shortage_rows"] = rows["shortages"]
    counts["price_rows"] = rows["price-details"]
    counts["coop_invoices"] = sum(1 for c in world.coop_invoices if c.event and c.event.payment)
    counts["coop_backup_rows"] = rows["coop-backup"]
    counts["chargebacks"] = rows["chargebacks"]
    counts["bank_lines"] = rows["bank"]
    counts["documents"] = len(world.documents)
    counts["pdfs"] = render_documents(world, out / "evidence") if pdfs else 0
    key = build_answer_key(world)
    counts["claims"] = len(key["claims"])
    _dump(out / "answer_key.json", key)
    _dump(
        out / "scenario.json",
        {
            "seed": seed,
            "size": profile.name,
            "today": today.isoformat(),
            "start": world.start.isoformat(),
            "end": today.isoformat(),
            "vendor_code": world.vendor_code,
            "vendor_name": world.vendor_name,
            "marketplace": MARKETPLACE,
            "currency": CURRENCY,
            "xlsx": write_xlsx,
            "pdfs": pdfs,
            "varied": varied,
            "remittance_layout": (
                "lines-only"
                if variety is not None and variety.remittance_lines_only
                else "payments"
            ),
            "evidence": {
                "documents": len(world.documents),
                "capped": profile.document_cap is not None,
                "cap": profile.document_cap,
                "note": (
                    "Only documents that planted cases rely on, plus a random sample up to the "
                    "cap, exist at this size; the answer key assumes exactly these."
                    if profile.document_cap is not None
                    else "Every shipment document of the world is written."
                ),
            },
            "counts": counts,
        },
    )
    return ScenarioSummary(
        out, seed, profile.name, today, world.start, counts, time.perf_counter() - began
    )


def _dump(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
