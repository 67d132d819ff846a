"""Shortage claims: Amazon deducted units the vendor can prove it delivered.

Per invoice line item (invoice, PO, ASIN), with I units invoiced, S shipped (all ASNs of the PO
for the ASIN), P proven delivered (S less carrier exceptions, only when every shipment has a
signed BOL or POD) and D the net shortage units deducted over every debit and reversal:
Amazon may deduct I − P units, so the claimable units are D − (I − P), kept within [0, D].
Duplicated debits count each time they were taken, so a duplicate is claimable even when the
first deduction was right.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from recovery.claims.draft_input import DraftInput, LineFacts
from recovery.claims.findings import Finding, FindingLine, Verdict
from recovery.claims.inputs import DetectionInput, frames_of
from recovery.claims.kinds.common import (
    invoice_deadline,
    join_words,
    money,
    plural,
    rows_for_invoices,
    rows_for_pairs,
)
from recovery.claims.kinds.kind import ClaimKind, FiledClaim, PortalForm, Window
from recovery.claims.kinds.scope_keys import (
    DEDUCTION_LINKS,
    INVOICE_LINKS,
    SHIPMENT_LINKS,
    PoInvoices,
    Reach,
)
from recovery.evidence.exceptions import REDUCING_KINDS, UNREADABLE
from recovery.frame_values import (
    as_date,
    as_int,
    as_str,
    cell_rows,
    present,
    read_rows,
    records,
)
from recovery.models.evidence import DocumentKind
from recovery.money import from_minor
from recovery.portal.form_steps import (
    SUBMIT_AND_CONFIRM,
    CheckRefused,
    DisputedLine,
    FormScript,
    Justify,
    Press,
    Quantities,
    new_dispute,
)

SHORTAGE_KINDS = ("shortage", "shortage_reversal")


@dataclass
class _Shipment:
    """One ASN's part of a (PO, ASIN): what it shipped and what its documents prove."""

    shipment_id: str
    units: int
    bol_number: str | None
    pro_number: str | None
    shipped_on: date | None
    documents: list[dict[str, Any]] = field(default_factory=list)
    exception_units: int = 0
    proof: dict[str, Any] | None = field(init=False)

    def __post_init__(self) -> None:
        # Looked at several times per judged line: found once.
        self.proof = _proof(self.documents)


def _proof(documents: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The signed BOL or POD that proves the shipment: a POD says more (what arrived) than a
    BOL (what left)."""
    signed = [d for d in documents if d.get("signed") and d.get("kind") in ("bol", "pod")]
    return min(signed, key=lambda d: (d.get("kind") != "pod", d["document_id"]), default=None)


@dataclass
class _Line:
    invoice_number: str
    asin: str
    po_number: str | None
    currency: str
    unit_cost_minor: int
    invoiced: int
    deducted_units: int = 0
    deducted_minor: int = 0
    debits: list[str] = field(default_factory=list)
    due_date: Any = None
    invoice_date: Any = None
    # Signs of the product-id rows already counted (+1 debits, -1 reversals): such a row is
    # the line's detail under every note of its invoice, so a second one (listed again under
    # another note) is the same units, not more.
    counted_signs: set[int] = field(default_factory=set)


def detect_shortages(inp: DetectionInput) -> list[Finding]:
    times_taken = _times_taken(inp)
    notes = _notes_by_invoice(inp)
    lines = _deducted_lines(inp, times_taken, notes)
    _apply_invoice_lines(inp, lines)
    shipments = _shipments_by_po_asin(
        inp, {(line.po_number or "", line.asin) for line in lines.values()}
    )
    ids_by_reference = _deduction_ids_by_reference(inp)
    findings: list[Finding] = []
    # Several invoices can bill the same PO and ASIN: proven units are shared out in invoice order.
    proven_left: dict[tuple[str, str], int] = {}
    for line in sorted(lines.values(), key=lambda x: (x.po_number or "", x.asin, x.invoice_number)):
        if line.deducted_units <= 0:
            continue
        findings.append(
            _judge(
                line,
                shipments.get((line.po_number or "", line.asin), []),
                proven_left,
                ids_by_reference,
            )
        )
    findings.extend(_debits_without_detail(inp, times_taken))
    return findings


def _times_taken(inp: DetectionInput) -> dict[str, int]:
    deductions = inp.deductions
    taken = deductions[deductions["kind"].isin(SHORTAGE_KINDS)]
    return {str(k): int(v) for k, v in taken.groupby("reference").size().items()}


@dataclass
class _Notes:
    """An invoice's shortage debit notes and reversal credits as the remittances took them
    (each reference once per time taken), in suffix order: SC, then SCRSC re-raises."""

    debits: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)


def _notes_by_invoice(inp: DetectionInput) -> dict[str, _Notes]:
    deductions = inp.deductions
    taken = deductions[deductions["kind"].isin(SHORTAGE_KINDS)]
    notes: dict[str, _Notes] = defaultdict(_Notes)
    for reference, kind, invoice_number in zip(
        taken["reference"].tolist(),
        taken["kind"].tolist(),
        taken["invoice_number"].tolist(),
        strict=True,
    ):
        invoice = as_str(invoice_number)
        if invoice is None:
            continue
        bucket = notes[invoice].debits if kind == "shortage" else notes[invoice].credits
        bucket.append(str(reference))
    for entry in notes.values():
        entry.debits.sort(key=lambda r: (len(r), r))
        entry.credits.sort(key=lambda r: (len(r), r))
    return notes


def is_shortage_note(external_id: str | None, invoice_number: str) -> bool:
    """Whether a shortage detail row's `External ID` names one of the invoice's own shortage
    debit notes or reversals (`<inv>SC`, `<inv>SCR`, `<inv>SCRSC`, also written `<inv>-SC`).

    `External ID` is the product's external identifier (UPC/EAN/ISBN or the vendor's item code,
    as in the portal's dispute form, DOMAIN.md); some exports put the debit note there, and
    then a row is the detail of that one note."""
    if not external_id:
        return False
    text = external_id.strip().upper()
    invoice = invoice_number.strip().upper()
    if not text.startswith(invoice):
        return False
    return text[len(invoice) :].lstrip("- _") in ("SC", "SCR", "SCRSC")


def _deducted_lines(
    inp: DetectionInput, times_taken: dict[str, int], notes: dict[str, _Notes]
) -> dict[tuple[str, str], _Line]:
    lines: dict[tuple[str, str], _Line] = {}
    rows = list(
        read_rows(
            inp.shortage_lines,
            invoice_number=str,
            asin=str,
            po_number=as_str,
            currency=str,
            unit_price_minor=as_int,
            invoiced_quantity=as_int,
            due_date=as_date,
            invoice_date=as_date,
            external_id=as_str,
            shortage_quantity=as_int,
            shortage_minor=as_int,
        )
    )
    # Notes that have rows of their own for a line: a product-id row of the same line is not
    # their detail too (SC rows with the product's id beside SCRSC rows naming their note).
    named: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        if is_shortage_note(row["external_id"], row["invoice_number"]):
            named[(row["invoice_number"], row["asin"])].add(str(row["external_id"]))
    for row in rows:
        key = (row["invoice_number"], row["asin"])
        line = lines.get(key)
        if line is None:
            line = lines[key] = _Line(
                invoice_number=key[0],
                asin=key[1],
                po_number=row["po_number"],
                currency=row["currency"],
                unit_cost_minor=row["unit_price_minor"],
                invoiced=row["invoiced_quantity"],
                due_date=row["due_date"],
                invoice_date=row["invoice_date"],
            )
        if is_shortage_note(row["external_id"], key[0]):
            reference = str(row["external_id"])
            # Listed in the details but not (yet) on a remittance still counts once: it was
            # raised.
            taken = [reference] * max(times_taken.get(reference, 0), 1)
        else:
            # A row per invoice line (External ID is the product's id): a shortage row is the
            # detail of every shortage debit note the invoice took, a negative row of every
            # reversal.
            entry = notes.get(key[0], _Notes())
            reversal = row["shortage_quantity"] < 0
            sign = -1 if reversal else 1
            if sign in line.counted_signs:
                continue
            line.counted_signs.add(sign)
            notes_taken = entry.credits if reversal else entry.debits
            own = named.get(key, set())
            taken = (
                [note for note in notes_taken if note not in own]
                if notes_taken
                else [f"{key[0]}{'SCR' if reversal else 'SC'}"]
            )
        line.deducted_units += row["shortage_quantity"] * len(taken)
        line.deducted_minor += row["shortage_minor"] * len(taken)
        line.debits.extend(taken)
        line.invoiced = max(line.invoiced, row["invoiced_quantity"])
        if not line.po_number:
            line.po_number = row["po_number"]
    return lines


@dataclass
class _Billed:
    """What an invoice bills of one ASIN, over its lines."""

    quantity: int
    unit_cost: int
    po_number: str | None
    due_date: date | None

    def add(self, quantity: int, unit_cost: int, po_number: str | None, due: date | None) -> None:
        self.quantity += quantity
        self.unit_cost = max(self.unit_cost, unit_cost)
        self.po_number = self.po_number or po_number
        self.due_date = self.due_date or due


def _apply_invoice_lines(inp: DetectionInput, lines: dict[tuple[str, str], _Line]) -> None:
    """The invoice itself is the better source for units invoiced and the unit cost."""
    if not inp.invoice_lines.empty and lines:
        # Only the lines that were deducted: an invoice export can hold millions of others.
        # Per (invoice, ASIN): the units of its lines, the highest unit cost, the first PO
        # number and due date given (summed in Python: a pandas group cost more).
        billed: dict[tuple[str, str], _Billed] = {}
        for invoice_number, asin, quantity, unit_cost, po_number, due_date in cell_rows(
            inp.invoice_lines,
            "invoice_number",
            "asin",
            "quantity",
            "unit_cost_minor",
            "po_number",
            "due_date",
        ):
            key = (str(invoice_number), str(asin))
            if key not in lines:
                continue
            sums = billed.get(key)
            if sums is None:
                billed[key] = _Billed(quantity, unit_cost, as_str(po_number), as_date(due_date))
            else:
                sums.add(quantity, unit_cost, as_str(po_number), as_date(due_date))
        for key, sums in billed.items():
            line = lines[key]
            line.invoiced = int(sums.quantity)
            if as_int(sums.unit_cost):
                line.unit_cost_minor = int(sums.unit_cost)
            line.po_number = line.po_number or sums.po_number
            line.due_date = line.due_date or sums.due_date
    numbers = {line.invoice_number for line in lines.values()}
    invoices = {
        str(r["invoice_number"]): r for r in records(rows_for_invoices(inp.invoices, numbers))
    }
    for line in lines.values():
        invoice = invoices.get(line.invoice_number)
        if invoice is not None:
            line.due_date = line.due_date or as_date(invoice["due_date"])
            line.invoice_date = line.invoice_date or as_date(invoice["invoice_date"])
            line.po_number = line.po_number or as_str(invoice["po_number"])


def _shipments_by_po_asin(
    inp: DetectionInput, wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], list[_Shipment]]:
    """The ASN lines of the wanted (PO, ASIN) items, with their shipment's documents.

    Only those lines become Python rows: the ASNs carrying a shorted item hold ten times as
    many lines of other items, needed only where a carrier exception is shared out.
    """
    documents: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for doc in records(inp.documents):
        if present(doc["shipment_pk"]):
            documents[int(doc["shipment_pk"])].append(doc)
    asn_lines = inp.shipment_items
    pairs = pd.DataFrame(sorted(wanted), columns=["po_number", "asin"])
    mine = rows_for_pairs(asn_lines, ("po_number", "asin"), pairs)
    exceptions = _carrier_exceptions(asn_lines, set(mine["shipment_pk"]), documents)
    by_key: dict[tuple[str, str], list[_Shipment]] = defaultdict(list)
    for item in records(mine):
        shipment_pk = int(item["shipment_pk"])
        by_key[(str(item["po_number"]), str(item["asin"]))].append(
            _Shipment(
                shipment_id=str(item["shipment_id"]),
                units=as_int(item["shipped_eaches"]),
                bol_number=as_str(item["bol_number"]),
                pro_number=as_str(item["pro_number"]),
                shipped_on=as_date(item["shipped_at"]),
                documents=documents.get(shipment_pk, []),
                exception_units=exceptions.get((shipment_pk, as_int(item["line_no"])), 0),
            )
        )
    return by_key


def _carrier_exceptions(
    asn_lines: pd.DataFrame, shipment_pks: set[int], documents: dict[int, list[dict[str, Any]]]
) -> dict[tuple[int, int], int]:
    """Units a carrier exception takes from each ASN line, by (shipment, line number), for the
    given shipments whose documents note one."""
    noted = {pk for pk in shipment_pks if any(_notes_exception(d) for d in documents.get(pk, []))}
    if not noted:
        return {}
    items_by_shipment: dict[int, list[dict[str, Any]]] = defaultdict(list)
    columns = ["shipment_pk", "line_no", "shipped_eaches", "carton_count"]
    for item in records(asn_lines.loc[asn_lines["shipment_pk"].isin(noted), columns]):
        items_by_shipment[int(item["shipment_pk"])].append(item)
    taken: dict[tuple[int, int], int] = {}
    for shipment_pk, items in items_by_shipment.items():
        shipped = sum(as_int(i["shipped_eaches"]) for i in items)
        exception_left = max(
            _exception_eaches(d, shipped, as_int(items[0]["carton_count"]))
            for d in documents[shipment_pk]
        )
        for item in sorted(items, key=lambda i: as_int(i["line_no"])):
            # A carrier exception on a multi-item shipment is charged to its items in ASN order.
            exception = min(exception_left, as_int(item["shipped_eaches"]))
            exception_left -= exception
            taken[(shipment_pk, as_int(item["line_no"]))] = exception
    return taken


def _notes_exception(doc: dict[str, Any]) -> bool:
    """Noted short, damaged or refused: an overage alone takes nothing from the proof."""
    kinds = (as_str(doc.get("exception_kind")) or "short").split("+")
    return as_int(doc.get("exception_units")) > 0 and any(k in REDUCING_KINDS for k in kinds)


def _unread_exception(shipments: list[_Shipment]) -> dict[str, Any] | None:
    """A document noting an exception the reader could not count: P is not known."""
    return next(
        (d for s in shipments for d in s.documents if d.get("exception_kind") == UNREADABLE),
        None,
    )


def _exception_eaches(doc: dict[str, Any], shipped: int, asn_cartons: int) -> int:
    """A receiver writes "SHORT 3 CTNS": the units that makes, from the document's own
    units-per-carton (or the ASN's). When it cannot be worked out, assume the whole shipment."""
    if not _notes_exception(doc):
        return 0
    count = as_int(doc.get("exception_units"))
    unit = as_str(doc.get("exception_unit")) or "unit"
    if unit == "unit":
        return count
    units = as_int(doc.get("units")) or shipped
    per = {
        "carton": as_int(doc.get("cartons")) or asn_cartons,
        "pallet": as_int(doc.get("pallets")),
    }.get(unit, 0)
    if per <= 0 or units % per:
        return shipped
    return count * (units // per)


def _judge(
    line: _Line,
    shipments: list[_Shipment],
    proven_left: dict[tuple[str, str], int],
    ids_by_reference: dict[str, list[int]],
) -> Finding:
    currency = line.currency
    deducted = line.deducted_units
    shipped = sum(s.units for s in shipments)
    exceptions = sum(s.exception_units for s in shipments)
    unproven = [s for s in shipments if s.proof is None]
    pool_key = (line.po_number or "", line.asin)
    if pool_key not in proven_left:
        proven_left[pool_key] = shipped - exceptions
    delivered = min(proven_left[pool_key], line.invoiced)
    proven_left[pool_key] -= delivered
    claimable = max(0, min(deducted, deducted - (line.invoiced - delivered)))
    amount_minor = min(claimable * line.unit_cost_minor, line.deducted_minor)
    # The claim's reference is the deduction's own id: the invoice's first shortage debit note
    # (SC before a re-raised SCRSC; a reversal credit only when nothing else is known).
    references = sorted(set(line.debits), key=lambda r: (_is_reversal(r), len(r), r))

    facts: dict[str, Any] = {
        "invoiced_units": line.invoiced,
        "shipped_units": shipped,
        "exception_units": exceptions,
        "proven_units": delivered,
        "deducted_units": deducted,
        "unit_cost": str(from_minor(line.unit_cost_minor, currency)),
        "debits": line.debits,
        "shipments": [s.shipment_id for s in shipments],
        "shipped_date": _first_date(s.shipped_on for s in shipments),
        "bol_numbers": sorted({s.bol_number for s in shipments if s.bol_number}),
        "pro_numbers": sorted({s.pro_number for s in shipments if s.pro_number}),
    }
    documents = {d["document_id"]: d for s in shipments for d in s.documents}
    evidence_ids = tuple(sorted(documents))
    deduction_ids = tuple(sorted(i for r in references for i in ids_by_reference.get(r, [])))
    head = (
        f"Invoice {line.invoice_number} (PO {line.po_number or 'unknown'}) ASIN {line.asin}: "
        f"invoiced {line.invoiced} units"
    )
    debits = f"Amazon deducted {deducted} units net ({', '.join(references)})"

    if not shipments:
        verdict, confidence = Verdict.needs_evidence, 0
        reason = (
            f"{head}; no ASN on record for this PO and ASIN, so delivery cannot be shown; "
            f"{debits}. Nothing can be claimed until the shipment is proven."
        )
        claimable = deducted
        amount_minor = line.deducted_minor
    elif unproven:
        verdict, confidence = Verdict.needs_evidence, 0
        missing = join_words(f"ASN {s.shipment_id}" for s in unproven)
        reason = (
            f"{head}; {_shipped_text(shipments)}, but {missing} has no signed BOL or POD; "
            f"{debits}. Add the carrier's signed BOL or POD to claim up to "
            f"{claimable} units × {money(line.unit_cost_minor, currency)} = "
            f"{money(amount_minor, currency)}."
        )
    elif claimable == 0:
        verdict, confidence = Verdict.valid, 95
        if shipped < line.invoiced:
            why = f"the vendor shipped {shipped} of {line.invoiced} units invoiced"
        else:
            why = f"the documents prove only {delivered} units delivered"
        reason = (
            f"{head}; {_shipped_text(shipments)}; {debits}; {why}, so Amazon may deduct "
            f"{line.invoiced - delivered} units and this shortage stands."
        )
    elif (unread := _unread_exception(shipments)) is not None:
        verdict, confidence = Verdict.unexplained, 0
        document = unread.get("original_name") or f"document {unread['document_id']}"
        reason = (
            f"{head}; {_shipped_text(shipments)}; {debits}; {document} notes a carrier "
            "exception whose count could not be read, so the units proven delivered are not "
            f"known: read it and claim up to {claimable} units × "
            f"{money(line.unit_cost_minor, currency)} = {money(amount_minor, currency)} "
            "less what it excepts."
        )
    else:
        verdict, confidence = Verdict.claimable, 95 if exceptions == 0 else 90
        reason = (
            f"{head}; {_shipped_text(shipments)}; {debits}; Amazon may deduct only "
            f"I − P = {line.invoiced} − {delivered} = {line.invoiced - delivered} units; "
            f"{claimable} units × {money(line.unit_cost_minor, currency)} = "
            f"{money(amount_minor, currency)}."
        )
    amount = from_minor(amount_minor, currency)
    return Finding(
        type="shortage",
        verdict=verdict,
        key=f"shortage:{line.invoice_number}:{line.po_number or ''}:{line.asin}",
        reference=references[0],
        amount=amount,
        currency=currency,
        reason=reason,
        confidence=confidence,
        invoice_number=line.invoice_number,
        po_number=line.po_number,
        asin=line.asin,
        quantity=claimable,
        base_date=line.due_date,
        deduction_ids=deduction_ids,
        evidence_ids=evidence_ids,
        lines=(
            FindingLine(
                line.invoice_number,
                line.po_number,
                line.asin,
                claimable,
                amount,
            ),
        ),
        facts={**facts, "invoice_date": _iso(line.invoice_date)},
    )


def _is_reversal(reference: str) -> bool:
    return reference.upper().endswith("SCR")


def _shipped_text(shipments: list[_Shipment]) -> str:
    parts = []
    for s in shipments:
        text = f"ASN {s.shipment_id} shipped {plural(s.units, 'unit')}"
        proof = s.proof
        if proof is not None:
            name = "POD" if proof.get("kind") == "pod" else "BOL"
            number = s.bol_number or proof.get("bol_number") or proof.get("document_id")
            signed = f"{name} {number} signed"
            if present(proof.get("cartons")):
                signed += f" for {plural(as_int(proof.get('cartons')), 'carton')}"
            if s.exception_units:
                kind = proof.get("exception_kind") or "exception"
                signed += f" with {s.exception_units} units noted {kind}"
            elif proof.get("exception_kind") == UNREADABLE:
                signed += " with an exception noted that could not be read"
            else:
                signed += " with no exception"
            text += f" ({signed})"
        parts.append(text)
    return join_words(parts)


def _debits_without_detail(inp: DetectionInput, times_taken: dict[str, int]) -> list[Finding]:
    """A shortage debit with no line detail cannot be judged per ASIN: a person must look."""
    lines = inp.shortage_lines
    detailed: set[str] = set()
    # Rows without a debit note id (External ID is the product's id, or empty) are the detail
    # of every shortage debit of their invoice. Decided per invoice, so that judging some
    # invoices again gives what judging all of them gives.
    lines_without_ids: set[str] = set()
    for external_id, invoice_number in zip(
        lines["external_id"].tolist(), lines["invoice_number"].tolist(), strict=True
    ):
        if as_str(invoice_number) is None:
            continue
        if is_shortage_note(as_str(external_id), str(invoice_number)):
            detailed.add(str(external_id))
        else:
            lines_without_ids.add(str(invoice_number))
    findings = []
    # Its invoice's dates, for the deadline of the person's look.
    invoices = {
        str(number): (as_date(due), as_date(dated))
        for number, due, dated in zip(
            inp.invoices["invoice_number"].tolist(),
            inp.invoices["due_date"].tolist(),
            inp.invoices["invoice_date"].tolist(),
            strict=True,
        )
    }
    # The debits without detail, each with its rows in the order taken (grouped in Python:
    # a pandas group cost more than judging it).
    debits: dict[str, list[tuple[Any, str, int, int]]] = defaultdict(list)
    for reference, kind, invoice_number, currency, amount, deduction_id in cell_rows(
        inp.deductions, "reference", "kind", "invoice_number", "currency", "amount_minor", "id"
    ):
        if kind == "shortage" and present(reference) and str(reference) not in detailed:
            debits[str(reference)].append((invoice_number, currency, amount, deduction_id))
    for reference, rows in sorted(debits.items()):
        invoice_number = as_str(rows[0][0])
        if invoice_number in lines_without_ids:
            continue
        currency = str(rows[0][1])
        total = sum(int(amount) for _, _, amount, _ in rows)
        findings.append(
            Finding(
                type="shortage",
                verdict=Verdict.unexplained,
                key=f"shortage-debit:{reference}",
                reference=reference,
                amount=from_minor(total, currency),
                currency=currency,
                reason=(
                    f"Shortage debit {reference} of {money(total, currency)} on invoice "
                    f"{invoice_number or 'unknown'} has no line detail (ASIN, quantity); import "
                    "the shortage dispute details to judge it."
                ),
                confidence=0,
                invoice_number=invoice_number,
                deduction_ids=tuple(int(i) for *_, i in rows),
                base_date=invoices.get(invoice_number or "", (None, None))[0],
                facts={"invoice_date": _iso(invoices.get(invoice_number or "", (None, None))[1])},
            )
        )
    return findings


def _deduction_ids_by_reference(inp: DetectionInput) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = defaultdict(list)
    for reference, deduction_id in zip(
        inp.deductions["reference"].tolist(), inp.deductions["id"].tolist(), strict=True
    ):
        ids[str(reference)].append(int(deduction_id))
    return ids


def _first_date(days: Iterable[date | None]) -> str | None:
    first = min((d for d in days if d is not None), default=None)
    return first.isoformat() if first else None


def _iso(value: Any) -> str | None:
    day = as_date(value)
    return day.isoformat() if day else None


__all__ = ["SHORTAGE_KINDS", "Decimal", "detect_shortages"]


# --- the rest of what a shortage claim is -----------------------------------------------------

_PROOF_OF_DELIVERY = frozenset({DocumentKind.bol, DocumentKind.pod})


def shortage_evidence(data: DraftInput) -> list[str]:
    """A shortage claim names its line item and carries a carrier-signed BOL or signed POD."""
    missing: list[str] = []
    for label, value in (
        ("invoice number", data.invoice_number),
        ("PO number", data.po_number),
        ("ASIN", data.asin),
    ):
        if not value:
            missing.append(f"the {label}")
    proofs = [d for d in data.documents if d.kind in _PROOF_OF_DELIVERY and d.signed is not False]
    if not proofs:
        po = f" for PO {data.po_number}" if data.po_number else ""
        missing.append(f"a carrier-signed BOL or signed POD{po}")
    return missing


def shortage_form(data: DraftInput) -> dict[str, Any]:
    # Amazon ended bulk claims: one dispute per invoice line item.
    lines = data.lines or (
        LineFacts(1, data.invoice_number, data.po_number, data.asin, data.quantity, data.amount),
    )
    return {
        "form": "shortage",
        "disputes": [
            {
                "invoice_number": line.invoice_number or data.invoice_number,
                "po_number": line.po_number or data.po_number,
                "asin": line.asin or data.asin,
                "disputed_quantity": line.quantity,
                "amount": str(line.amount),
                "shipped_date": data.facts.get("shipped_date"),
            }
            for line in lines
        ],
    }


def shortage_portal_form(claims: Sequence[FiledClaim]) -> FormScript:
    """One invoice's shortage dispute: Amazon takes the invoice's lines together, once."""
    invoice = claims[0].invoice_number or ""
    lines = tuple(
        DisputedLine(
            claim.asin or "",
            claim.quantity or 0,
            str(claim.draft_fields.get("shipped_date") or ""),
        )
        for claim in claims
    )
    return FormScript(
        (
            *new_dispute("Shortage invoice", invoice),
            Quantities(lines, not_offered=f"invoice {invoice} offers no line for"),
            Press("Continue"),
            CheckRefused(),
            Justify(),
        ),
        typed={"invoice_number": invoice},
    )


SHORTAGE = ClaimKind(
    type="shortage",
    label="shortage",
    deduction_kinds=SHORTAGE_KINDS,
    reads=frames_of(
        {"deductions", "invoices", "invoice_lines", "shortage_lines", "shipment_items", "documents"}
    ),
    scope=(
        *DEDUCTION_LINKS,
        *INVOICE_LINKS,
        *SHIPMENT_LINKS,
        Reach(
            "shortage_line", by="external_id", keys="ref", invoice="invoice_number", po="po_number"
        ),
        PoInvoices("shortage_line"),
    ),
    judge=lambda inp, _rules: detect_shortages(inp),
    window=Window(
        deadline=invoice_deadline,
        matching_days=lambda rules: rules.shortage_matching_days,
        aged_bands=lambda rules: (rules.shortage_optimal_days, rules.shortage_maturing_days),
    ),
    max_level=3,
    missing_evidence=shortage_evidence,
    form_fields=shortage_form,
    portal_form=PortalForm(
        group=lambda c: f"shortage:{c.account_id}:{c.invoice_number}",
        search=lambda c: c.invoice_number or "",
        fill=shortage_portal_form,
        submit=SUBMIT_AND_CONFIRM,
    ),
    templates=("shortage_dispute.j2", "shortage_redispute.j2"),
)
