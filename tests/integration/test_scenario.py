"""The scenario generator writes a consistent world: files that parse, JSON that matches Amazon's
models, remittances that add up, and an answer key that agrees with every file."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from cli_runner import Cli

from recovery.calendar import BusinessCalendar
from recovery.money import parse_amount
from recovery.testing.scenario import generate_scenario

TODAY = date(2026, 11, 23)
MODELS = Path(__file__).resolve().parents[1] / "data" / "spapi-models"

SHORTAGE_CASES = {
    "shipped_in_full",
    "under_shipped",
    "partial_reversal",
    "pod_exception",
    "case_each_mistake",
    "duplicate_deduction",
    "no_evidence",
    "split_shipment",
}
PRICE_CASES = {"stale_cost", "over_invoiced"}
COOP_CASES = {
    "coop_valid",
    "coop_wrong_rate",
    "coop_outside_period",
    "coop_duplicate_period",
    "coop_waived",
    "coop_bad_arithmetic",
    "coop_revised_valid",
}
CHARGEBACK_CASES = {
    "chargeback_contradicted_late_asn",
    "chargeback_contradicted_missing_asn",
    "chargeback_contradicted_inaccurate_asn",
    "chargeback_contradicted_late_delivery",
    "chargeback_valid_late_asn",
    "chargeback_valid_missing_asn",
    "chargeback_valid_inaccurate_asn",
    "chargeback_valid_late_delivery",
    "chargeback_valid_carton_label",
    "chargeback_wrong_fee",
    "chargeback_duplicate",
}
EVERYDAY_CASES = {"provision", "customer_return", "allowance", "unknown_description"}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    generate_scenario(out, seed=1, size="tiny", today=TODAY)
    return out


def answer_key(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "answer_key.json").read_text())
    return data


def csv_lines(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def remittance(out: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(payments, lines) of the North-American layout: payment block, `Invoices`, lines."""
    lines = csv_lines(out / "vendor-central" / "remittance.csv")
    start = next(i for i, row in enumerate(lines) if row and row[0] == "Payment Number")
    split = next(i for i, row in enumerate(lines) if row == ["Invoices"])
    payments = [dict(zip(lines[start], row, strict=True)) for row in lines[start + 1 : split]]
    header = lines[split + 1]
    rows = [dict(zip(header, row, strict=True)) for row in lines[split + 2 :] if row]
    return payments, rows


def amount(text: str) -> Decimal:
    return parse_amount(text)


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_scenario(first, seed=7, size="tiny", today=TODAY)
    generate_scenario(second, seed=7, size="tiny", today=TODAY)
    generate_scenario(other, seed=8, size="tiny", today=TODAY, pdfs=False)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert any(f.suffix == ".pdf" for f in files) and any(f.suffix == ".xlsx" for f in files)
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "answer_key.json").read_bytes() != (other / "answer_key.json").read_bytes()


def test_a_varied_scenario_is_as_repeatable_and_its_xlsx_twins_read_alike(tmp_path: Path) -> None:
    """Varied files come from the seed too; each XLSX twin reads to its CSV's rows, and the
    plain scenario of the same seed is written otherwise."""
    from recovery.testing.fake_vendor_central.scenario_source import read_export

    first, second, plain = tmp_path / "a", tmp_path / "b", tmp_path / "plain"
    for out in (first, second):
        generate_scenario(out, seed=5, size="tiny", today=TODAY, pdfs=False, varied=True)
    generate_scenario(plain, seed=5, size="tiny", today=TODAY, pdfs=False, xlsx=False)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    headers_differ = 0
    for csv_file in [*(first / "vendor-central").glob("*.csv"), *(first / "vendor").glob("*.csv")]:
        twin = first / "xlsx" / f"{csv_file.stem}.xlsx"
        rows = read_export(csv_file, "BRWHL", csv_file.stem)[1]
        assert rows and read_export(twin, "BRWHL", csv_file.stem)[1] == rows, csv_file.stem
        relative = csv_file.relative_to(first)
        headers_differ += (first / relative).read_bytes() != (plain / relative).read_bytes()
    assert headers_differ >= 6


# --- every file parses ------------------------------------------------------------------------

EXPECTED_HEADERS = {
    "vendor-central/invoices.csv": "Invoice Number",
    "vendor-central/shortages.csv": "Invoice Number",
    "vendor-central/price-details.csv": "Invoice Number",
    "vendor-central/coop-invoices.csv": "Invoice Number",
    "vendor-central/chargebacks.csv": "Chargeback ID",
    "vendor/costs.csv": "ASIN",
    "vendor/coop-agreements.csv": "Agreement ID",
    "vendor/bank.csv": "Date",
}


def _header_row(rows: list[list[str]], first: str) -> int:
    return next(i for i, row in enumerate(rows) if row and row[0] == first)


def test_every_csv_parses_with_pandas_after_its_preamble(tiny: Path) -> None:
    for name, first in EXPECTED_HEADERS.items():
        path = tiny / name
        rows = csv_lines(path)
        header = _header_row(rows, first)
        frame = pd.read_csv(path, skiprows=header, encoding="utf-8-sig", dtype=str)
        assert list(frame.columns) == rows[header], name
        assert len(frame) >= 1, name
    backups = sorted((tiny / "vendor-central" / "coop-backup").iterdir())
    assert {p.suffix for p in backups} == {".csv", ".xlsx"}
    for path in backups:
        if path.suffix == ".csv":
            rows = csv_lines(path)
            assert rows[1] == [f"Invoice Number: {path.stem.removeprefix('coop-backup-')}"]
            frame = pd.read_csv(path, skiprows=_header_row(rows, "Receive Date"), dtype=str)
        else:
            sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="calamine")
            frame = sheets["Backup"]
        assert frame.iloc[-1, 0] == "Total"


def test_xlsx_twins_hold_the_same_rows(tiny: Path) -> None:
    for name, first in EXPECTED_HEADERS.items():
        stem = Path(name).stem
        rows = csv_lines(tiny / name)
        header = _header_row(rows, first)
        sheet = pd.read_excel(
            tiny / "xlsx" / f"{stem}.xlsx", header=None, dtype=str, engine="calamine"
        )
        at = next(i for i in range(len(sheet)) if sheet.iat[i, 0] == first)
        assert list(sheet.iloc[at]) == rows[header], stem
        data = [row for row in rows[header + 1 :] if row and any(row)]
        assert len(sheet.iloc[at + 1 :].dropna(how="all")) == len(data), stem


def test_remittance_payments_add_up(tiny: Path) -> None:
    payments, lines = remittance(tiny)
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        paid[line["Payment Number"]] += amount(line["Amount Paid"])
    assert payments
    for payment in payments:
        assert amount(payment["Payment Amount"]) == paid[payment["Payment Number"]]
    assert {(line["Payment Number"], line["Invoice Number"]) for line in lines}.__len__() == len(
        lines
    ), "a payment lists each reference once"


def test_the_bank_received_every_payment(tiny: Path) -> None:
    payments, _ = remittance(tiny)
    rows = csv_lines(tiny / "vendor" / "bank.csv")
    header = _header_row(rows, "Date")
    deposits: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows[header + 1 :]:
        if len(row) == 5 and row[3].startswith("AMAZON.COM SVCS PMT "):
            deposits[row[3].rsplit(" ", 1)[1]] += amount(row[1])
    for payment in payments[:-1]:  # the last run may not have reached the bank yet
        assert deposits[payment["Payment Number"]] == amount(payment["Payment Amount"])


# --- SP-API JSON against Amazon's models --------------------------------------------------------


def _validator(model: str, definition: str) -> Any:
    import jsonschema

    spec = json.loads((MODELS / model).read_text())
    schema = {"$ref": f"#/definitions/{definition}", "definitions": spec["definitions"]}
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()), spec


def _unknown_keys(value: Any, schema: dict[str, Any], spec: dict[str, Any], path: str) -> list[str]:
    """Field names the model does not define (it allows extras, we promise not to use any)."""
    while "$ref" in schema:
        schema = spec["definitions"][schema["$ref"].rsplit("/", 1)[1]]
    found: list[str] = []
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key not in schema["properties"]:
                found.append(f"{path}.{key}")
            else:
                found += _unknown_keys(item, schema["properties"][key], spec, f"{path}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += _unknown_keys(item, schema["items"], spec, f"{path}[{index}]")
    return found


@pytest.mark.parametrize(
    ("file", "model", "definition"),
    [
        ("purchase-orders.json", "vendorOrders.json", "GetPurchaseOrdersResponse"),
        ("purchase-orders-status.json", "vendorOrders.json", "GetPurchaseOrdersStatusResponse"),
        ("shipments.json", "vendorShipments.json", "GetShipmentDetailsResponse"),
    ],
)
def test_spapi_json_validates_against_amazons_models(
    tiny: Path, file: str, model: str, definition: str
) -> None:
    validator, spec = _validator(model, definition)
    document = json.loads((tiny / "spapi" / file).read_text())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    assert _unknown_keys(document, {"$ref": f"#/definitions/{definition}"}, spec, "") == []
    key = next(iter(document["payload"]))
    assert document["payload"][key], "at least one object"


def test_spapi_times_money_and_windows_use_amazons_formats(tiny: Path) -> None:
    orders = json.loads((tiny / "spapi" / "purchase-orders.json").read_text())["payload"]["orders"]
    details = orders[0]["orderDetails"]
    assert details["purchaseOrderDate"].endswith("Z") and "T" in details["purchaseOrderDate"]
    start, end = details["shipWindow"].split("--")
    assert start < end
    item = details["items"][0]
    assert set(item["netCost"]) == {"currencyCode", "amount"}
    assert Decimal(item["netCost"]["amount"]).as_tuple().exponent == -2
    assert {
        i["orderedQuantity"]["unitOfMeasure"] for o in orders for i in o["orderDetails"]["items"]
    } <= {
        "Cases",
        "Eaches",
    }


# --- the answer key agrees with the files -------------------------------------------------------


def test_answer_key_deductions_are_exactly_the_remittance_deductions(tiny: Path) -> None:
    key = answer_key(tiny)
    _, lines = remittance(tiny)
    on_file = {
        (line["Invoice Number"], line["Payment Number"]): -amount(line["Amount Paid"])
        for line in lines
        if line["Description"] != "Payments"
    }
    planted = {
        (d["reference"], d["payment_number"]): Decimal(d["amount"]) for d in key["deductions"]
    }
    assert planted == on_file
    assert sum(planted.values()) == Decimal(key["totals"]["deducted"])


def test_shortage_details_add_up_to_each_debit(tiny: Path) -> None:
    _, lines = remittance(tiny)
    debits = {
        line["Invoice Number"]: -amount(line["Amount Paid"])
        for line in lines
        if line["Description"].startswith("Quantity shortage")
    }
    rows = csv_lines(tiny / "vendor-central" / "shortages.csv")
    header = _header_row(rows, "Invoice Number")
    detail: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows[header + 1 :]:
        if len(row) == len(rows[header]) and row[0] != "Total":
            record = dict(zip(rows[header], row, strict=True))
            invoice, external_id = record["Invoice Number"], record["External ID"]
            value = amount(record["Shortage Amount"])
            # External ID is the product's UPC or SKU on most invoices (DOMAIN.md); where it
            # is not a debit note, the row is the detail of the invoice's SC note.
            if not external_id.startswith(invoice):
                assert value > 0
                external_id = f"{invoice}SC"
            detail[external_id] += value
    assert detail == debits
    products = [
        dict(zip(rows[header], row, strict=True))["External ID"]
        for row in rows[header + 1 :]
        if len(row) == len(rows[header]) and row[0] != "Total"
    ]
    # Some rows carry a product id (a UPC's digits or the vendor's SKU), some a debit note.
    assert any(p.isdigit() for p in products)
    assert any(p.startswith("BW-") for p in products)
    assert any(p.endswith("SC") for p in products)


def test_price_details_add_up_to_each_price_debit(tiny: Path) -> None:
    _, lines = remittance(tiny)
    debits = {
        line["Invoice Number"].removesuffix("PCR"): -amount(line["Amount Paid"])
        for line in lines
        if line["Description"] == "Price variance"
    }
    frame = pd.read_csv(tiny / "vendor-central" / "price-details.csv", dtype=str)
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for _, row in frame.iterrows():
        sums[row["Invoice Number"]] += Decimal(row["Variance Amount"])
    assert sums == debits


def test_coop_invoices_match_their_backups_as_planted(tiny: Path) -> None:
    key = answer_key(tiny)
    cases = {d["reference"]: d["case"] for d in key["deductions"] if d["kind"] == "coop"}
    rows = csv_lines(tiny / "vendor-central" / "coop-invoices.csv")
    header = _header_row(rows, "Invoice Number")
    billed = {row[0]: amount(row[8]) for row in rows[header + 1 :] if row}
    folder = tiny / "vendor-central" / "coop-backup"
    mismatches = set()
    for number, total in billed.items():
        xlsx = folder / f"coop-backup-{number}.xlsx"
        if xlsx.exists():
            sheets = pd.read_excel(xlsx, sheet_name=None, engine="calamine")
            frame = sheets.get("Revised", sheets["Backup"])
        else:
            path = folder / f"coop-backup-{number}.csv"
            frame = pd.read_csv(path, skiprows=_header_row(csv_lines(path), "Receive Date"))
        lines = frame[frame["Receive Date"] != "Total"]
        backup = sum(Decimal(str(v)) for v in lines["Rebate In Agreement Currency"])
        if backup.quantize(Decimal("0.01")) != total:
            mismatches.add(number)
    assert mismatches, "a co-op invoice whose total is not the sum of its backup is planted"
    assert all(cases[number] == "coop_bad_arithmetic" for number in mismatches)


def test_every_planted_case_appears_in_tiny(tiny: Path) -> None:
    key = answer_key(tiny)
    cases = {d["case"] for d in key["deductions"]}
    wanted = SHORTAGE_CASES | PRICE_CASES | COOP_CASES | CHARGEBACK_CASES | EVERYDAY_CASES
    assert wanted - cases == set()
    kinds = {d["kind"] for d in key["deductions"]}
    assert {"shortage_reversal", "provision_reversal", "returns", "allowance", "other"} <= kinds
    truths = {d["truth"] for d in key["deductions"]}
    assert truths == {
        "recoverable",
        "partly_recoverable",
        "valid",
        "reversal",
        "needs_evidence",
        "unexplained",
    }
    assert key["short_pays"] and key["receivables"] and key["over_invoiced"]
    assert key["needs_evidence"]
    assert {c["type"] for c in key["claims"]} == {"shortage", "price", "coop", "chargeback"}


def test_claims_add_up_to_the_recoverable_deductions(tiny: Path) -> None:
    key = answer_key(tiny)
    claimed: dict[str, Decimal] = defaultdict(Decimal)
    for claim in key["claims"]:
        claimed[claim["type"]] += Decimal(claim["amount"])
        assert claim["deadline"] >= "2025-01-01" and len(claim["deadline"]) == 10
    recoverable: dict[str, Decimal] = defaultdict(Decimal)
    for deduction in key["deductions"]:
        recoverable[deduction["kind"]] += Decimal(deduction["recoverable"])
    for kind in ("shortage", "price", "coop", "chargeback"):
        assert claimed[kind] == recoverable[kind], kind
    assert sum(claimed.values()) == Decimal(key["totals"]["recoverable"])


def test_shortage_truths_follow_the_formula(tiny: Path) -> None:
    key = answer_key(tiny)
    by_case = defaultdict(list)
    for deduction in key["deductions"]:
        if deduction["kind"] == "shortage":
            by_case[deduction["case"]].append(deduction)
    assert {d["truth"] for d in by_case["under_shipped"]} == {"valid"}
    assert {d["truth"] for d in by_case["no_evidence"]} == {"needs_evidence"}
    assert {d["truth"] for d in by_case["pod_exception"]} == {"partly_recoverable"}
    first, second = by_case["duplicate_deduction"]
    assert first["reference"] == second["reference"]
    assert first["payment_number"] != second["payment_number"]
    assert (first["truth"], second["truth"]) == ("valid", "recoverable")


def test_invoices_reconcile_on_the_remittance(tiny: Path) -> None:
    key = answer_key(tiny)
    _, lines = remittance(tiny)
    short = {s["invoice_number"]: Decimal(s["amount"]) for s in key["short_pays"]}
    paid: dict[str, Decimal] = defaultdict(Decimal)
    last: dict[str, dict[str, str]] = {}
    for line in lines:
        if line["Description"] == "Payments":
            number = line["Invoice Number"]
            paid[number] += amount(line["Amount Paid"]) + amount(line["Terms Discount Taken"])
            last[number] = line
    for number, line in last.items():
        invoiced = amount(line["Invoice Amount"])
        remaining = amount(line["Remaining Amount"])
        assert invoiced == paid[number] + remaining + short.get(number, Decimal(0)), number


def test_evidence_files_are_the_answer_keys_documents(tiny: Path) -> None:
    key = answer_key(tiny)
    files = sorted(p.name for p in (tiny / "evidence").iterdir())
    assert files == sorted(entry["file"] for entry in key["evidence"])
    assert all(name.startswith("doc-") for name in files)
    assert any(entry["exception_kind"] == "short" for entry in key["evidence"])
    assert {entry["kind"] for entry in key["evidence"]} == {"bol", "pod"}
    assert (tiny / "evidence" / files[0]).read_bytes().startswith(b"%PDF")


# --- the command ----------------------------------------------------------------------------


def test_scenario_command_writes_a_scenario(tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "scn"
    code, stdout, _ = cli(
        [
            "testing",
            "scenario",
            "--out",
            str(out),
            "--size",
            "tiny",
            "--seed",
            "4",
            "--today",
            "2026-11-23",
            "--months",
            "9",
            "--no-xlsx",
            "--no-pdfs",
        ]
    )
    assert code == 0
    assert "tiny" in stdout and "answer_key.json" in stdout
    meta = json.loads((out / "scenario.json").read_text())
    assert (meta["seed"], meta["size"], meta["today"], meta["start"]) == (
        4,
        "tiny",
        "2026-11-23",
        "2026-02-23",
    )
    assert meta["marketplace"] == "US" and meta["currency"] == "USD"
    assert not (out / "xlsx").exists() and not (out / "evidence").exists()


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["--size", "huge"], 2, "huge"),
        (["--months", "0"], 2, "--months"),
        # A date that cannot be read is a bad argument, as `detect --today` says it.
        (["--today", "23/11/2026"], 1, "--today '23/11/2026': not a date (use YYYY-MM-DD)"),
    ],
)
def test_scenario_command_rejects_bad_arguments(
    tmp_path: Path,
    cli: Cli,
    args: list[str],
    exit_code: int,
    message: str,
) -> None:
    code, _, err = cli(["testing", "scenario", "--out", str(tmp_path / "x"), *args])
    assert code == exit_code
    assert message in err and "Traceback" not in err


@pytest.mark.slow
def test_a_small_scenario_in_another_season_is_consistent(tmp_path: Path) -> None:
    generate_scenario(tmp_path, seed=2, size="small", today=date(2026, 6, 30), pdfs=False)
    test_remittance_payments_add_up(tmp_path)
    test_answer_key_deductions_are_exactly_the_remittance_deductions(tmp_path)
    test_shortage_details_add_up_to_each_debit(tmp_path)
    test_price_details_add_up_to_each_price_debit(tmp_path)
    test_coop_invoices_match_their_backups_as_planted(tmp_path)
    test_claims_add_up_to_the_recoverable_deductions(tmp_path)
    test_invoices_reconcile_on_the_remittance(tmp_path)
    for file, model, definition in [
        ("purchase-orders.json", "vendorOrders.json", "GetPurchaseOrdersResponse"),
        ("shipments.json", "vendorShipments.json", "GetShipmentDetailsResponse"),
    ]:
        validator, _ = _validator(model, definition)
        document = json.loads((tmp_path / "spapi" / file).read_text())
        assert not list(validator.iter_errors(document))
    key = answer_key(tmp_path)
    revenue = sum(
        (Decimal(row["Invoice Amount"]) for row in _first_invoice_rows(tmp_path)), Decimal(0)
    )
    share = Decimal(key["totals"]["deducted"]) / revenue
    assert Decimal("0.01") < share < Decimal("0.08"), "deductions are a few percent of revenue"


def _first_invoice_rows(out: Path) -> list[dict[str, str]]:
    rows = csv_lines(out / "vendor-central" / "invoices.csv")
    header = _header_row(rows, "Invoice Number")
    seen: dict[str, dict[str, str]] = {}
    for row in rows[header + 1 :]:
        record = dict(zip(rows[header], row, strict=True))
        seen.setdefault(record["Invoice Number"], record)
    return list(seen.values())


def test_the_key_states_amazons_deadline_and_some_fall_on_days_off(tiny: Path) -> None:
    key = json.loads((tiny / "answer_key.json").read_text(encoding="utf-8"))
    calendar = BusinessCalendar(country="US")
    disputable = ("shortage", "price", "coop", "chargeback")
    for deduction in key["deductions"]:
        if deduction["kind"] in disputable:
            assert deduction["deadline"], deduction["reference"]
    charged = [
        date.fromisoformat(d["deadline"]) for d in key["deductions"] if d["kind"] == "chargeback"
    ]
    # Deadlines on a weekend or holiday stay there (Amazon's calendar days).
    assert any(not calendar.is_business_day(day) for day in charged)
    rows = csv_lines(tiny / "vendor-central" / "chargebacks.csv")
    header = _header_row(rows, "Chargeback ID")
    wordings = {
        (row[1], row[2])
        for row in rows[header + 1 :]
        if len(row) == len(rows[header]) and row[0].isdigit()
    }
    # The same types in several exports' words.
    assert len(wordings) > 5


def test_a_varied_scenario_puts_every_types_deadlines_on_and_next_to_days_off() -> None:
    """Shortage, price and co-op deadlines (24 months / two years from the invoice) fall on
    US holidays and weekends and on the business day after one, as chargebacks' do; the key
    states the calendar day itself, never the next business day."""
    from recovery.testing.scenario import build_world
    from recovery.testing.scenario.answer_key import build_answer_key

    world = build_world(2, "tiny", TODAY, 12, varied=True)
    key = build_answer_key(world)
    calendar = BusinessCalendar(country="US")
    dated = {invoice.number: invoice.invoice_date for invoice in world.invoices}
    dated.update((coop.number, coop.invoice_date) for coop in world.coop_invoices)
    off: dict[str, int] = defaultdict(int)
    after_off: dict[str, int] = defaultdict(int)
    holidays = 0
    for deduction in key["deductions"]:
        kind = deduction["kind"]
        if kind not in ("shortage", "price", "coop", "chargeback") or not deduction["deadline"]:
            continue
        deadline = date.fromisoformat(deduction["deadline"])
        if kind != "chargeback":
            document = dated[deduction["invoice_number"] or deduction["reference"]]
            assert (deadline.month, deadline.day) == (document.month, document.day) or (
                (document.month, document.day, deadline.day) == (2, 29, 28)
            ), deduction["reference"]
            assert deadline.year == document.year + 2, deduction["reference"]
            holidays += calendar.holiday_name(deadline) is not None
            holidays += calendar.holiday_name(document) is not None
        off[kind] += not calendar.is_business_day(deadline)
        after_off[kind] += calendar.is_business_day(deadline) and not calendar.is_business_day(
            date.fromordinal(deadline.toordinal() - 1)
        )
    assert all(off[kind] for kind in ("shortage", "price", "coop", "chargeback")), dict(off)
    assert sum(after_off.values()) >= 3, dict(after_off)
    assert holidays >= 2
