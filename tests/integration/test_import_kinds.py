"""Every kind of file imports into the right rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from recovery.config import AccountSettings, Settings
from recovery.errors import InputError
from recovery.models import (
    BankTransaction,
    Chargeback,
    CoopAgreement,
    CoopBackupLine,
    CoopInvoice,
    CostRecord,
    Deduction,
    Invoice,
    InvoiceLine,
    Payment,
    PriceVarianceLine,
    RemittanceLine,
    ShortageLine,
    VendorAccount,
)
from recovery.sources.importing import import_file

DATA = Path(__file__).parents[1] / "data" / "imports"


def sample(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copy(DATA / name, target)
    return target


def test_north_american_remittance_with_bom_preamble_totals_and_summary(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    result = import_file(engine, settings, sample(tmp_path, "remittance-na.csv"))
    assert result.kind == "remittance" and result.detected
    assert result.account == "DEFAULT" and result.account_created
    assert result.rows_read == 2 + 9
    assert result.inserted == 11 and result.updated == 0
    assert any("summary" in w for w in result.warnings)
    assert len(result.needs_look) == 1 and "Freight adjustment" in result.needs_look[0]
    with Session(engine) as s:
        payments = {p.payment_number: p for p in s.exec(select(Payment)).scalars()}
        assert payments["80012345"].amount_minor == 182106
        assert payments["80012345"].payment_date == date(2026, 11, 20)
        lines = {r.invoice_number: r for r in s.exec(select(RemittanceLine)).scalars()}
        assert len(lines) == 9
        assert lines["INV-1001"].kind == "invoice_payment"
        assert lines["INV-1001"].discount_minor == 2469
        assert lines["INV-1001"].paid_minor == 120987
        assert lines["INV-1001SC"].kind == "shortage"
        assert lines["INV-1001SC"].base_invoice_number == "INV-1001"
        assert lines["INV-1001SC"].invoice_amount_minor == -12000
        assert lines["INV-1001SCR"].kind == "shortage_reversal"
        assert lines["CO-555001"].kind == "coop" and lines["CO-555001"].base_invoice_number is None
        assert lines["4455667VCBSINV"].kind == "chargeback"
        assert lines["INV-0999XYZ"].kind == "other"
        assert all(line.payment_id == payments[line.payment_number].id for line in lines.values())
        deductions = {d.reference: d for d in s.exec(select(Deduction)).scalars()}
        assert set(deductions) == {
            "INV-1001SC",
            "INV-1002PCR",
            "CO-555001",
            "4455667VCBSINV",
            "INV-1001SCR",
            "INV-0999XYZ",
        }
        shortage = deductions["INV-1001SC"]
        assert shortage.amount_minor == 12000  # taken
        assert deductions["INV-1001SCR"].amount_minor == -3000  # given back
        assert shortage.invoice_number == "INV-1001"
        assert shortage.raised_on == date(2026, 10, 20)
        assert shortage.remittance_line_id == lines["INV-1001SC"].id
        assert shortage.invoice_id is None  # invoices not imported yet


def test_invoices_imported_later_link_the_deductions(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    import_file(engine, settings, sample(tmp_path, "remittance-na.csv"), account="ACME1")
    result = import_file(engine, settings, sample(tmp_path, "invoices-lines.csv"))
    assert result.kind == "invoices" and result.account == "ACME1" and not result.account_created
    assert result.rows_read == 3 and result.inserted == 2 + 3
    with Session(engine) as s:
        invoice = s.exec(
            select(Invoice).where(col(Invoice.invoice_number) == "INV-1001")
        ).scalar_one()
        assert invoice.amount_minor == 123456 and invoice.due_date == date(2026, 12, 1)
        lines = (
            s.exec(select(InvoiceLine).where(col(InvoiceLine.invoice_id) == invoice.id))
            .scalars()
            .all()
        )
        assert [
            (li.line_no, li.asin, li.quantity, li.unit_cost_minor, li.amount_minor)
            for li in sorted(lines, key=lambda li: li.line_no)
        ] == [
            (1, "B000000001", 10, 10000, 100000),
            (2, "B000000002", 4, 5864, 23456),
        ]
        shortage = s.exec(
            select(Deduction).where(col(Deduction.reference) == "INV-1001SC")
        ).scalar_one()
        assert shortage.invoice_id == invoice.id


def test_transaction_layout_in_a_dmy_marketplace(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=db_url,
        accounts=[AccountSettings(vendor_code="UKV01", marketplace="UK", currency="GBP")],
    )
    result = import_file(engine, settings, sample(tmp_path, "remittance-transactions.csv"))
    assert result.account == "UKV01" and result.rows_read == 3
    with Session(engine) as s:
        lines = {r.invoice_number: r for r in s.exec(select(RemittanceLine)).scalars()}
        assert lines["UK-2001SC"].invoice_date == date(2026, 10, 15)  # 15/10/2026
        assert lines["UK-2001SC"].base_invoice_number == "UK-2001"  # Original Invoice Number
        assert lines["UK-2001"].kind == "invoice_payment" and lines["UK-2001"].currency == "GBP"
        assert lines["UK-2001"].reference == "PO 7Y8Z"
        assert lines["UK-2002PCR"].kind == "price"
        assert lines["UK-2002PCR"].base_invoice_number == "UK-2002"
        payment = s.exec(select(Payment)).scalar_one()
        # No payment block in this layout: the amount is the sum of what the lines paid.
        assert payment.payment_number == "PAY-UK-1" and payment.amount_minor == 50000 - 5000 - 725


def test_shortages_price_details_chargebacks_costs(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    kinds = {
        name: import_file(engine, settings, sample(tmp_path, name)).kind
        for name in ("shortages.csv", "price-details.csv", "chargebacks.csv", "costs.csv")
    }
    assert kinds == {
        "shortages.csv": "shortages",
        "price-details.csv": "price-details",
        "chargebacks.csv": "chargebacks",
        "costs.csv": "costs",
    }
    with Session(engine) as s:
        accounts = s.exec(select(VendorAccount.vendor_code)).scalars().all()
        assert accounts == ["ACME1"]  # from Payee Code, then reused
        shortages = s.exec(select(ShortageLine)).scalars().all()
        assert sorted(
            (x.external_id, x.asin, x.shortage_quantity, x.shortage_minor) for x in shortages
        ) == [
            ("INV-1001SC", "B000000001", 1, 10000),
            ("INV-1001SC", "B000000002", 2, 2000),
            ("INV-1001SCR", "B000000002", -3, -3000),
        ]
        price = s.exec(select(PriceVarianceLine)).scalar_one()
        assert (price.invoice_cost_minor, price.po_cost_minor, price.variance_minor) == (
            10000,
            9500,
            4000,
        )
        chargebacks = {c.chargeback_id: c for c in s.exec(select(Chargeback)).scalars()}
        assert chargebacks["4455667"].amount_minor == 1231
        assert chargebacks["4455667"].notified_on == date(2026, 10, 23)
        assert chargebacks["4455668"].cartons == 3
        costs = s.exec(select(CostRecord).order_by(col(CostRecord.id))).scalars().all()
        assert [
            (c.asin, c.vendor_sku, c.cost_minor, c.effective_from, c.source) for c in costs
        ] == [
            ("B000000001", "SKU-1", 10000, date(2026, 1, 1), "price_list"),
            ("B000000001", "SKU-1", 9500, date(2026, 7, 1), "price_list"),
            ("", "SKU-9", 310, date(2026, 1, 1), "price_list"),
        ]


def test_coop_invoices_and_agreements(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    import_file(engine, settings, sample(tmp_path, "coop-invoices.csv"))
    import_file(engine, settings, sample(tmp_path, "coop-agreements.csv"))
    with Session(engine) as s:
        invoice = s.exec(select(CoopInvoice)).scalar_one()
        assert invoice.amount_minor == 2550 and invoice.agreement_id == "AGR-77"
        assert invoice.period_end == date(2026, 9, 30)
        agreements = {a.agreement_id: a for a in s.exec(select(CoopAgreement)).scalars()}
        assert agreements["AGR-77"].rate_ppm == 75_000
        assert agreements["AGR-78"].rate_ppm == 21_250
        assert agreements["AGR-78"].basis == "net sales"
        assert agreements["AGR-78"].status == "waived"
        assert agreements["AGR-78"].waived_to == date(2026, 6, 30)


def _backup_workbook(path: Path, *, preamble: bool, revised: bool) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Backup"
    header = [
        "Receive Date",
        "Order Date",
        "Purchase Order",
        "Asin",
        "Quantity",
        "Net Sales",
        "Net Sales Currency",
        "Rebate In Agreement Currency",
    ]
    if preamble:
        sheet.append(["Co-op backup report"])
        sheet.append(["Invoice Number:", "CO-555001"])
        sheet.append([])
    sheet.append(header)
    sheet.append(
        [date(2026, 9, 3), date(2026, 8, 28), "4ABC123X", "B000000001", 2, 200.0, "USD", 15.0]
    )
    sheet.append(
        [date(2026, 9, 9), date(2026, 8, 28), "4ABC123X", "B000000002", 1, 140.0, "USD", 10.5]
    )
    sheet.append(["Total", None, None, None, 3, 340.0, None, 25.5])
    sheet.append(["Generated by Vendor Central"])
    notes = book.create_sheet("Notes")
    notes.append(["This workbook lists receipts billed under the agreement."])
    if revised:
        again = book.create_sheet("Revised")
        again.append(header)
        again.append(["2026-09-03", "2026-08-28", "4ABC123X", "B000000001", 2, 200.0, "USD", 14.0])
    book.save(path)


def test_coop_backup_workbook_with_preamble_notes_sheet_and_revised_sheet(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "backup-export.xlsx"
    _backup_workbook(path, preamble=True, revised=True)
    result = import_file(engine, settings, path)
    assert result.kind == "coop-backup" and result.rows_read == 3
    assert any("Notes" in w for w in result.warnings)
    with Session(engine) as s:
        lines = s.exec(select(CoopBackupLine).order_by(col(CoopBackupLine.id))).scalars().all()
        assert [
            (
                x.coop_invoice_number,
                x.revised,
                x.line_no,
                x.quantity,
                x.rebate_minor,
                x.receive_date,
            )
            for x in lines
        ] == [
            ("CO-555001", False, 1, 2, 1500, date(2026, 9, 3)),
            ("CO-555001", False, 2, 1, 1050, date(2026, 9, 9)),
            ("CO-555001", True, 1, 2, 1400, date(2026, 9, 3)),
        ]


def test_coop_backup_number_from_the_file_name_or_a_clear_error(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    named = tmp_path / "coop-backup-CO-777.xlsx"
    _backup_workbook(named, preamble=False, revised=False)
    import_file(engine, settings, named, kind="coop-backup")
    unnamed = tmp_path / "backup.xlsx"
    _backup_workbook(unnamed, preamble=False, revised=True)
    with pytest.raises(InputError, match="which co-op invoice"):
        import_file(engine, settings, unnamed)
    with Session(engine) as s:
        numbers = s.exec(select(CoopBackupLine.coop_invoice_number).distinct()).scalars().all()
        assert numbers == ["CO-777"]


def test_bank_statement_with_decimal_commas_and_identical_lines(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=db_url,
        accounts=[AccountSettings(vendor_code="DEV01", marketplace="DE", currency="EUR")],
    )
    result = import_file(engine, settings, sample(tmp_path, "bank-de.csv"))
    assert result.kind == "bank" and result.inserted == 4
    with Session(engine) as s:
        rows = s.exec(select(BankTransaction).order_by(col(BankTransaction.id))).scalars().all()
        assert [(r.booked_on, r.amount_minor, r.reference, r.occurrence) for r in rows] == [
            (date(2026, 11, 20), 182106, "80012345", 0),
            (date(2026, 11, 27), 100000, "80012346", 0),
            (date(2026, 11, 27), -1250, "", 0),
            (date(2026, 11, 27), -1250, "", 1),
        ]


def test_user_column_map_and_odd_header_spelling(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=db_url,
        imports={"column_maps": {"chargebacks": {"Charge Amount": ["Fee (USD)"]}}},
    )
    path = tmp_path / "cb.csv"
    path.write_text("CHARGEBACK_ID , fee (usd),notification-date\n991,$7.00,2026-10-01\n")
    result = import_file(engine, settings, path)
    assert result.kind == "chargebacks"
    with Session(engine) as s:
        assert s.exec(select(Chargeback.amount_minor)).scalar_one() == 700
        assert s.exec(select(func.count()).select_from(Chargeback)).scalar_one() == 1


def test_progress_is_reported_for_big_files(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "invoices.csv"
    head = "Invoice Number,Invoice Date,Invoice Amount,Payment Due Date,ASIN,Quantity,Unit Cost\n"
    rows = "".join(f"I{n // 4},2026-01-01,4.00,2026-02-01,B{n:09d},1,1.00\n" for n in range(45_000))
    path.write_text(head + rows)
    calls: list[tuple[int, int | None]] = []
    result = import_file(
        engine, settings, path, progress=lambda done, total: calls.append((done, total))
    )
    assert result.rows_read == 45_000
    # Each time another 2,000 rows or more are read (as blocks end), against the line count.
    assert len(calls) >= 3
    assert all(total == 45_002 for _, total in calls[:-1])
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert calls[-1] == (45_000, 45_000)
