"""The SQL reader: the frames of `recovery.claims.inputs`, read set-wise from the database.

One query per frame and account (never one per deduction): the rules in
`recovery.claims.kinds` join these frames in memory. A run reads the frames its kinds declare
(`ClaimKind.reads`) and the ledger's; the others come empty.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column,
    ColumnElement,
    CompoundSelect,
    Connection,
    DateTime,
    Integer,
    Select,
    func,
    select,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.sql.base import ReadOnlyColumnCollection

from recovery.claims.incremental.scope import Scope
from recovery.claims.inputs import DetectionInput, empty_frame
from recovery.frame_values import map_distinct
from recovery.models import (
    BankTransaction,
    Chargeback,
    CoopAgreement,
    CoopBackupLine,
    CoopInvoice,
    CostRecord,
    CostSource,
    Deduction,
    EvidenceDocument,
    EvidenceLink,
    Invoice,
    InvoiceLine,
    Payment,
    PriceVarianceLine,
    PurchaseOrder,
    PurchaseOrderItem,
    Shipment,
    ShipmentItem,
    ShortageLine,
    table_of,
)


def _frame(conn: Connection, query: Select[Any] | CompoundSelect[Any]) -> pd.DataFrame:
    """The query's rows as a frame, values typed as SQLAlchemy would type them.

    The driver's rows are fetched raw and each column's result processor (dates from SQLite's
    text, UTC on timestamps, ...) runs once per distinct value instead of once per cell: at
    hundreds of thousands of rows that is most of the time a read takes.
    """
    result = conn.execute(query)
    columns = list(result.keys())
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    dialect = conn.dialect
    processors = [
        c.type.dialect_impl(dialect).result_processor(dialect, None) for c in query.selected_columns
    ]
    # One column at a time: zip transposes the rows in C, a generator per column did not.
    cells: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) or [()] * len(columns)
    data: dict[str, Any] = {}
    for name, processor, column, raw in zip(
        columns, processors, query.selected_columns, cells, strict=True
    ):
        values: Any = raw
        if processor is not None and raw:
            values = map_distinct(_objects(raw), processor)
        if _is_timestamp(column.type):
            # Kept as Python datetimes: as datetime64 every row handed to a rule would box
            # each cell into a pandas Timestamp, the slowest part of reading ASN lines.
            data[name] = pd.Series(_objects(values), dtype=object)
            continue
        if _is_integer(column.type):
            # NumPy reads a column of Python ints as int64 far faster than pandas infers it;
            # with a NULL among them it gives up and pandas decides (floats with NaN).
            numbers = np.array(values)
            if numbers.dtype.kind == "i":
                data[name] = numbers
                continue
        # A sequence, not an array: pandas then infers the dtype as it would from rows.
        data[name] = list(values)
    return pd.DataFrame(data, columns=columns)


def _objects(values: Any) -> np.ndarray[Any, Any]:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _is_integer(column_type: Any) -> bool:
    return isinstance(getattr(column_type, "impl", column_type), Integer)


def _is_timestamp(column_type: Any) -> bool:
    return isinstance(getattr(column_type, "impl", column_type), DateTime)


def _queries(
    account_id: int, scope: Scope | None = None
) -> dict[str, Select[Any] | CompoundSelect[Any]]:
    d, inv, il = table_of(Deduction).c, table_of(Invoice).c, table_of(InvoiceLine).c
    sl, pv = table_of(ShortageLine).c, table_of(PriceVarianceLine).c
    po, poi = table_of(PurchaseOrder).c, table_of(PurchaseOrderItem).c
    sh, si = table_of(Shipment).c, table_of(ShipmentItem).c
    doc, link = table_of(EvidenceDocument).c, table_of(EvidenceLink).c
    cost, ci, cl = table_of(CostRecord).c, table_of(CoopInvoice).c, table_of(CoopBackupLine).c
    ca, cb = table_of(CoopAgreement).c, table_of(Chargeback).c
    pay, bank = table_of(Payment).c, table_of(BankTransaction).c
    links, documents = table_of(EvidenceLink), table_of(EvidenceDocument)
    # The big tables are read only where a rule can use them: invoice lines that were shorted,
    # PO items a price or chargeback rule looks up, ASN lines of shorted or charged items.
    # At millions of lines that is the difference between seconds and minutes.
    # A scoped run (see `recovery.claims.incremental.scope`) reads the disputes of its POs,
    # invoices and references only; the rest of the account's findings are the last run's.
    own_sl, own_pv = sl.account_id == account_id, pv.account_id == account_id
    own_cb, own_ci, own_cl = (t.account_id == account_id for t in (cb, ci, cl))
    own_inv = inv.account_id == account_id
    if scope is not None:
        pos, invoices, refs = sorted(scope.pos), sorted(scope.invoices), sorted(scope.refs)
        own_inv = _any_of(inv, own_inv, inv.invoice_number.in_(invoices), inv.po_number.in_(pos))
        # (shortage lines' only index on the invoice number starts with the account)
        own_sl = _any_of(
            sl, own_sl, sl.po_number.in_(pos), own_sl & sl.invoice_number.in_(invoices)
        )
        own_pv = _any_of(pv, own_pv, pv.po_number.in_(pos), pv.invoice_number.in_(invoices))
        own_cb = _any_of(cb, own_cb, cb.po_number.in_(pos), cb.chargeback_id.in_(refs))
        own_ci = own_ci & ci.invoice_number.in_(refs)
        own_cl = own_cl & cl.coop_invoice_number.in_(refs)
    shorted_invoices = select(sl.invoice_number).where(own_sl)
    # (invoice, ASIN) lines a shortage was taken on; (PO, ASIN) items a price or chargeback
    # rule looks up.
    # A price debit without price discrepancy lines is judged from its invoice's lines, so
    # every line of those invoices is read, and the PO items they bill.
    # Lines are read invoice by invoice, each invoice's lines once, then picked: looked up per
    # shorted (invoice, ASIN) through the (invoice, line) index, an invoice of forty lines
    # was read once for each of its shorted ASINs (twice the time).
    price_debited = select(d.invoice_number).where(
        d.account_id == account_id, d.kind.in_(("price", "price_reversal"))
    )
    if scope is not None:
        price_debited = price_debited.where(
            d.invoice_number.in_(invoices) | d.po_number.in_(pos) | d.reference.in_(refs)
        )
    price_debited_lines = (
        select(inv.invoice_number, il.asin, inv.po_number)
        .join_from(table_of(InvoiceLine), table_of(Invoice), inv.id == il.invoice_id)
        .where(inv.account_id == account_id, inv.invoice_number.in_(price_debited))
    )
    price_debited_pairs = price_debited_lines.subquery("price_debited_lines")
    priced_items = union(
        select(pv.po_number, pv.asin).where(own_pv),
        select(cb.po_number, cb.asin).where(own_cb),
        select(price_debited_pairs.c.po_number, price_debited_pairs.c.asin),
    ).subquery("priced_items")
    disputed_pos = union(
        select(sl.po_number).where(own_sl),
        select(pv.po_number).where(own_pv),
        select(cb.po_number).where(own_cb),
        select(inv.po_number).where(
            inv.account_id == account_id, inv.invoice_number.in_(shorted_invoices)
        ),
    ).subquery("disputed_pos")
    disputed_shipments = (
        select(si.shipment_id)
        .select_from(disputed_pos)
        .join(table_of(ShipmentItem), si.po_number == disputed_pos.c.po_number)
    )
    # The ASN lines of disputed POs a rule looks at: those of a shorted item (under the PO of
    # its shortage line or of its invoice) or a charged one, and every line of an ASN whose
    # documents note a carrier exception, which is shared out over the ASN's lines. The rest,
    # ten times as many, are not read.
    looked_up_items = union(
        select(sl.po_number, sl.asin).where(own_sl),
        select(inv.po_number, sl.asin)
        .join_from(
            table_of(ShortageLine),
            table_of(Invoice),
            (inv.account_id == sl.account_id) & (inv.invoice_number == sl.invoice_number),
        )
        .where(own_sl),
        select(cb.po_number, cb.asin).where(own_cb),
    )
    noted_shipments = (
        select(link.shipment_id)
        .join_from(links, documents, doc.id == link.document_id)
        .where(doc.exception_units > 0)
    )
    # What each ASN shipped in all, over all its lines (a chargeback rule compares it with the
    # units on its BOL or POD).
    asn_lines = table_of(ShipmentItem).alias("asn_lines")
    asn_eaches = (
        select(func.coalesce(func.sum(asn_lines.c.shipped_eaches), 0))
        .where(asn_lines.c.shipment_id == sh.id)
        .scalar_subquery()
        .label("asn_eaches")
    )
    # Documents of the shipments and POs the rules look at. A full run reads every linked one:
    # most are, and the lookup through the disputed POs would cost more than it saves.
    own_shipment_documents = sh.account_id == account_id
    own_po_documents = po.account_id == account_id
    if scope is not None:
        own_shipment_documents &= link.shipment_id.in_(disputed_shipments)
        own_po_documents &= link.po_number.in_(select(disputed_pos.c.po_number))
    # What the PO received of a backup line's ASIN: looked up per line through the
    # (po_id, asin) index. Grouping all PO items first read every item of a year (2M rows).
    received = (
        select(func.sum(poi.received_eaches))
        .join_from(table_of(PurchaseOrderItem), table_of(PurchaseOrder), po.id == poi.po_id)
        .where(po.account_id == cl.account_id, po.po_number == cl.po_number, poi.asin == cl.asin)
        .scalar_subquery()
        .label("received_eaches")
    )
    document_columns = (
        doc.id.label("document_id"),
        doc.original_name,
        doc.kind,
        doc.bol_number,
        doc.pro_number,
        doc.signed,
        doc.cartons,
        doc.pallets,
        doc.units,
        doc.delivery_date,
        doc.exception_kind,
        doc.exception_units,
        doc.exception_unit,
    )
    return {
        "deductions": select(
            d.id,
            d.kind,
            d.reference,
            d.payment_number,
            d.invoice_number,
            d.po_number,
            d.asin,
            d.amount_minor,
            d.currency,
            d.raised_on,
            d.description,
        ).where(d.account_id == account_id),
        "invoices": select(
            inv.id,
            inv.invoice_number,
            inv.invoice_date,
            inv.po_number,
            inv.amount_minor,
            inv.currency,
            inv.due_date,
            inv.status,
        ).where(own_inv),
        "invoice_lines": select(
            inv.invoice_number,
            inv.po_number,
            inv.due_date,
            inv.invoice_date,
            il.line_no,
            il.asin,
            il.quantity,
            il.unit_cost_minor,
            il.amount_minor,
            il.currency,
        )
        .join_from(table_of(Invoice), table_of(InvoiceLine), inv.id == il.invoice_id)
        .where(
            inv.account_id == account_id,
            inv.invoice_number.in_(union(shorted_invoices, price_debited)),
            # (a line without an ASIN is looked up by none)
            (inv.invoice_number.in_(price_debited) & il.asin.is_not(None))
            | tuple_(inv.invoice_number, il.asin).in_(
                select(sl.invoice_number, sl.asin).where(own_sl)
            ),
        ),
        "shortage_lines": select(
            sl.invoice_number,
            sl.external_id,
            sl.po_number,
            sl.asin,
            sl.unit_price_minor,
            sl.invoiced_quantity,
            sl.shortage_quantity,
            sl.shortage_minor,
            sl.currency,
            sl.due_date,
            sl.invoice_date,
        ).where(own_sl),
        "price_lines": select(
            pv.invoice_number,
            pv.po_number,
            pv.asin,
            pv.quantity,
            pv.invoice_cost_minor,
            pv.po_cost_minor,
            pv.adjusted_cost_minor,
            pv.variance_minor,
            pv.currency,
        ).where(own_pv),
        "po_items": select(
            po.po_number,
            po.ordered_at,
            po.delivery_window_start,
            po.delivery_window_end,
            poi.asin,
            poi.ordered_unit,
            poi.unit_size,
            poi.ordered_eaches,
            poi.net_cost_minor,
            poi.currency,
            poi.received_eaches,
        )
        .join_from(table_of(PurchaseOrderItem), table_of(PurchaseOrder), po.id == poi.po_id)
        .join(
            priced_items,
            (priced_items.c.po_number == po.po_number) & (priced_items.c.asin == poi.asin),
        )
        .where(po.account_id == account_id),
        # The ASN lines, each with its ASN's own columns.
        "shipment_items": select(
            si.shipment_id.label("shipment_pk"),
            si.line_no,
            si.po_number,
            si.asin,
            si.shipped_eaches,
            sh.shipment_id,
            sh.bol_number,
            sh.pro_number,
            sh.freight_term,
            sh.created_at,
            sh.confirmed_at,
            sh.shipped_at,
            sh.delivered_at,
            sh.carton_count,
            asn_eaches,
        )
        # From the disputed POs to their ASN lines by the PO number index; filtering all the
        # account's ASN lines by PO read every line of the year. `+ 0` keeps SQLite from
        # starting at the account's shipments by their index, which is the same full read.
        .select_from(disputed_pos)
        .join(table_of(ShipmentItem), si.po_number == disputed_pos.c.po_number)
        .join(table_of(Shipment), sh.id == si.shipment_id)
        .where(
            sh.account_id + 0 == account_id,
            tuple_(si.po_number, si.asin).in_(looked_up_items)
            | si.shipment_id.in_(noted_shipments),
        )
        .order_by(si.shipment_id, si.line_no),
        # Documents linked to this account's shipments, and documents only a PO number ties to
        # one of its POs (a POD can prove a delivery date without a matching ASN).
        "documents": union_all(
            select(link.shipment_id.label("shipment_pk"), link.po_number, *document_columns)
            .join_from(links, documents, doc.id == link.document_id)
            .join(table_of(Shipment), sh.id == link.shipment_id)
            .where(own_shipment_documents),
            select(link.shipment_id.label("shipment_pk"), link.po_number, *document_columns)
            .join_from(links, documents, doc.id == link.document_id)
            .join(table_of(PurchaseOrder), po.po_number == link.po_number)
            .where(link.shipment_id.is_(None), own_po_documents),
        ),
        "costs": select(
            cost.asin,
            cost.vendor_sku,
            cost.cost_minor,
            cost.currency,
            cost.effective_from,
            cost.effective_to,
            cost.source,
            cost.source_ref,
            # Only cost lists are compared against; the PO cost observations (one per PO line)
            # are history for people, and the PO's own net cost comes with `po_items`.
        ).where(cost.account_id == account_id, cost.source == CostSource.price_list.value),
        "coop_invoices": select(
            ci.invoice_number,
            ci.agreement_id,
            ci.vendor_code,
            ci.period_start,
            ci.period_end,
            ci.invoice_date,
            ci.amount_minor,
            ci.currency,
        ).where(own_ci),
        # Only what the co-op rule reads (a backup line is in its invoice's currency): at
        # hundreds of thousands of lines each column costs a fraction of a second.
        "coop_lines": select(
            cl.coop_invoice_number,
            cl.revised,
            cl.receive_date,
            cl.order_date,
            cl.transaction_type,
            cl.quantity,
            cl.net_sales_minor,
            cl.rebate_minor,
            cl.po_number,
            cl.asin,
            received,
        ).where(own_cl),
        "coop_agreements": select(
            ca.agreement_id,
            ca.title,
            ca.vendor_code,
            ca.rate_ppm,
            ca.basis,
            ca.start_date,
            ca.end_date,
            ca.status,
            ca.waived_from,
            ca.waived_to,
        ).where(ca.account_id == account_id),
        "chargebacks": select(
            cb.chargeback_id,
            cb.issue_type,
            cb.sub_type,
            cb.po_number,
            cb.asin,
            cb.vendor_code,
            cb.notified_on,
            cb.quantity,
            cb.cartons,
            cb.amount_minor,
            cb.currency,
            cb.status,
        ).where(own_cb),
        "payments": select(
            pay.id,
            pay.payment_number,
            pay.payment_date,
            pay.amount_minor,
            pay.currency,
        ).where(pay.account_id == account_id),
        "bank": select(
            bank.id,
            bank.booked_on,
            bank.amount_minor,
            bank.currency,
            bank.reference,
        ).where(bank.account_id == account_id),
    }


def _any_of(
    columns: ReadOnlyColumnCollection[str, Column[Any]],
    own: ColumnElement[bool],
    *terms: ColumnElement[bool],
) -> ColumnElement[bool]:
    """`own` rows meeting any of `terms`, each term looked up alone through its own index.

    Given the terms ORed, or each beside `own`, SQLite (planning without statistics) reads every
    row of the account through its account index to test them: so a term names the account
    only where its column's index starts with it."""
    return own & columns.id.in_(union(*(select(columns.id).where(t) for t in terms)))


def load_detection_input(
    conn: Connection,
    account_id: int,
    scope: Scope | None = None,
    only: Collection[str] | None = None,
) -> DetectionInput:
    """The account's rows; with a scope, the disputes, invoices and documents of its keys only
    (deductions, payments, costs and agreements are always read whole: the summary buckets
    every deduction). `only`: the frames to read, by field name; the others come empty."""
    read = {}
    for name, query in _queries(account_id, scope).items():
        if only is None or name in only:
            read[name] = _frame(conn, query)
        else:
            read[name] = empty_frame(name)
    return DetectionInput(**read)


def reader_columns() -> dict[str, tuple[str, ...]]:
    """Each frame's columns as the reader's queries select them (`FRAME_COLUMNS` is the
    contract; a test holds the two together)."""
    return {name: tuple(q.selected_columns.keys()) for name, q in _queries(0).items()}
