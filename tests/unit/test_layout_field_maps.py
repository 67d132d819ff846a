"""Each layout's field map fills its table: every column a file's field is stored in exists
(a misspelt rename would fail the import of every file of that kind), and the only columns
left to the importer are the ones it computes."""

from __future__ import annotations

from typing import Any

import pytest

from recovery.models import (
    BankTransaction,
    Chargeback,
    CoopAgreement,
    CoopBackupLine,
    CoopInvoice,
    CostRecord,
    Invoice,
    InvoiceLine,
    Payment,
    PriceVarianceLine,
    RemittanceLine,
    ShortageLine,
    table_of,
)
from recovery.sources import layouts
from recovery.sources.layouts import FieldMap

# (field map, its table, the columns the importer computes besides id and account_id)
MAPS: list[tuple[str, FieldMap, Any, set[str]]] = [
    ("invoices", layouts.INVOICES.field_map, Invoice, set()),
    (
        "invoice lines",
        layouts.INVOICES.parts["invoice_line"],
        InvoiceLine,
        {"invoice_id", "line_no", "amount_minor"},
    ),
    ("payments", layouts.REMITTANCE_PAYMENTS.field_map, Payment, {"bank_transaction_id"}),
    (
        "remittance lines",
        layouts.REMITTANCE_LINE_FIELDS,
        RemittanceLine,
        {"payment_id", "base_invoice_number", "kind"},
    ),
    ("co-op invoices", layouts.COOP_INVOICES.field_map, CoopInvoice, set()),
    (
        "co-op agreements",
        layouts.COOP_AGREEMENTS.field_map,
        CoopAgreement,
        {"rate_ppm", "basis", "status"},
    ),
    (
        "co-op backup",
        layouts.COOP_BACKUP.field_map,
        CoopBackupLine,
        {"coop_invoice_number", "revised", "line_no"},
    ),
    ("shortages", layouts.SHORTAGES.field_map, ShortageLine, set()),
    ("price details", layouts.PRICE_DETAILS.field_map, PriceVarianceLine, set()),
    ("chargebacks", layouts.CHARGEBACKS.field_map, Chargeback, set()),
    ("costs", layouts.COSTS.field_map, CostRecord, {"source", "source_ref"}),
    ("bank", layouts.BANK.field_map, BankTransaction, {"imported_at", "occurrence"}),
]


@pytest.mark.parametrize(("name", "field_map", "model", "computed"), MAPS)
def test_a_field_map_fills_its_table(
    name: str, field_map: FieldMap, model: Any, computed: set[str]
) -> None:
    columns = set(table_of(model).c.keys())
    assert set(field_map.columns) <= columns, name
    assert columns - set(field_map.columns) - {"id", "account_id"} == computed, name
    assert len(set(field_map.columns)) == len(field_map.columns), f"{name}: a column twice"


@pytest.mark.parametrize(
    ("values", "fill", "row"),
    [
        # A rename, an empty cell's stored value, a field the layout lacks.
        (
            {"invoice_number": "I1", "invoice_amount": 1250, "paid": 1250, "currency": "EUR"},
            {"currency": "USD"},
            {"invoice_number": "I1", "invoice_amount_minor": 1250, "paid_minor": 1250,
             "discount_minor": 0, "withholding_minor": 0, "description": "", "currency": "EUR"},
        ),
        # What only the import knows fills an empty cell: the account's currency.
        (
            {"invoice_number": "I2", "invoice_amount": -500, "paid": -500, "currency": None,
             "description": "Quantity shortage"},
            {"currency": "USD"},
            {"invoice_number": "I2", "invoice_amount_minor": -500, "paid_minor": -500,
             "discount_minor": 0, "withholding_minor": 0, "description": "Quantity shortage",
             "currency": "USD"},
        ),
    ],
)  # fmt: skip
def test_a_remittance_line_row(
    values: dict[str, Any], fill: dict[str, Any], row: dict[str, Any]
) -> None:
    stored = layouts.REMITTANCE_LINE_FIELDS.row(values, fill)
    assert "original_invoice_number" not in stored and "payment_date" not in stored
    assert {k: stored[k] for k in row} == row


def test_column_values_fill_empty_cells_a_column_at_a_time() -> None:
    line = layouts.INVOICES.parts["invoice_line"]
    columns = {
        "asin": ["B0A", "B0B"],
        "vendor_sku": [None, "S2"],
        "quantity": [3, None],
        "unit_cost": [250, 199],
        "currency": [None, "CAD"],
    }
    values = line.column_values(columns, {"currency": "USD"})
    assert list(values) == ["asin", "vendor_sku", "quantity", "unit_cost", "currency"]
    assert values["quantity"] == [3, 0] and values["currency"] == ["USD", "CAD"]
    assert values["vendor_sku"] == [None, "S2"]  # no empty value declared: stays NULL
    assert line.columns[3] == "unit_cost_minor"
