"""Chargeback claims: fees the evidence contradicts, duplicates, and fees off the schedule.

A chargeback is contradicted when the ASN was confirmed before the truck left (within a grace),
when an ASN exists for a "missing ASN" charge, when the ASN's units match the carrier's
documents for an "inaccurate ASN" charge, or when the POD shows delivery inside the PO's delivery
window for a late-delivery charge. A second chargeback for the same PO, ASIN and type is a
duplicate. Otherwise the fee is recomputed from the schedule, cartons and units charged capped at
what the ASN and the BOL/POD show, and any excess is claimed. Types are recognised by meaning
(`recovery.claims.chargeback_types`); a type the rules do not know, or one with neither a rule
nor a fee, is left to a person ("needs a look"), never called valid.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from recovery.claims.chargeback_types import (
    ChargebackType,
    SynonymTable,
    type_named,
    words,
)
from recovery.claims.draft_input import DraftInput
from recovery.claims.findings import Finding, Verdict
from recovery.claims.inputs import DetectionInput, frames_of
from recovery.claims.kinds.common import (
    chargeback_id_of,
    money,
    net_deductions,
    plural,
    rows_for_pairs,
)
from recovery.claims.kinds.kind import ClaimKind, FiledClaim, PortalForm, Window
from recovery.claims.kinds.scope_keys import (
    DEDUCTION_LINKS,
    SHIPMENT_LINKS,
    Names,
    Reach,
    RefAlias,
)
from recovery.config import ChargebackFee, RuleSettings
from recovery.errors import ConfigError
from recovery.frame_values import as_date, as_datetime, as_int, as_str, present, records
from recovery.models.evidence import DocumentKind
from recovery.money import from_minor, to_minor
from recovery.portal.form_steps import FormScript, Justify, Open, Press, Refusal

CHARGEBACK_KINDS = ("chargeback", "chargeback_reversal")


def detect_chargebacks(inp: DetectionInput, rules: RuleSettings) -> list[Finding]:
    charged = net_deductions(
        inp.deductions, CHARGEBACK_KINDS, lambda row: chargeback_id_of(str(row["reference"]))
    )
    chargebacks = {str(r["chargeback_id"]): r for r in records(inp.chargebacks)}
    evidence = _Evidence(inp)
    table = SynonymTable.build(rules.chargeback_synonyms)
    first_of_kind = _first_of_kind(chargebacks.values(), table)
    fees = fee_schedule(rules, table)
    findings = []
    for chargeback_id in sorted(set(charged) | set(chargebacks)):
        row = chargebacks.get(chargeback_id)
        if chargeback_id in charged:
            net = charged[chargeback_id]
            amount, currency, ids = net.minor, net.currency, net.ids
        elif row is not None:
            amount, currency, ids = as_int(row["amount_minor"]), str(row["currency"]), set()
        else:
            continue
        if amount <= 0:
            continue
        base: dict[str, Any] = dict(
            type="chargeback",
            key=f"chargeback:{chargeback_id}",
            reference=chargeback_id,
            currency=currency,
            deduction_ids=tuple(sorted(ids)),
        )
        if row is None:
            findings.append(
                Finding(
                    verdict=Verdict.unexplained,
                    amount=from_minor(amount, currency),
                    confidence=0,
                    reason=(
                        f"Chargeback {chargeback_id} took {money(amount, currency)} but is not in "
                        "the chargeback export; import it to judge the charge."
                    ),
                    **base,
                )
            )
            continue
        findings.append(
            _judge(chargeback_id, amount, row, evidence, first_of_kind, fees, rules, base, table)
        )
    return findings


def fee_schedule(rules: RuleSettings, table: SynonymTable) -> dict[ChargebackType, ChargebackFee]:
    """`[rules.chargeback_fees]` by type; a key may also be an export's own words ("ASN/Late
    ASN"), classified like a chargeback."""
    schedule: dict[ChargebackType, ChargebackFee] = {}
    for key, fee in rules.chargeback_fees.items():
        try:
            kind = type_named(key, "rules.chargeback_fees")
        except ConfigError:
            found = table.classify(*key.split("/"))
            if found is None:
                raise
            kind = found
        schedule[kind] = fee
    return schedule


class _Evidence:
    """What the ASNs, POs and documents say, indexed by PO and ASIN."""

    def __init__(self, inp: DetectionInput) -> None:
        # Only the ASN lines of charged PO items become Python rows.
        charged = rows_for_pairs(inp.shipment_items, ("po_number", "asin"), inp.chargebacks)
        self.shipments: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for item in records(charged):
            self.shipments[(str(item["po_number"]), str(item["asin"]))].append(item)
        self.documents: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.po_documents: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for doc in records(inp.documents):
            if present(doc["shipment_pk"]):
                self.documents[int(doc["shipment_pk"])].append(doc)
            else:
                self.po_documents[str(doc["po_number"])].append(doc)
        # (the PO items of charged ones: the frame holds those of price debits too)
        charged_items = rows_for_pairs(inp.po_items, ("po_number", "asin"), inp.chargebacks)
        self.po_items = {(str(r["po_number"]), str(r["asin"])): r for r in records(charged_items)}
        self.items_per_shipment: dict[int, int] = defaultdict(int)
        for pk in inp.shipment_items["shipment_pk"].tolist():
            self.items_per_shipment[int(pk)] += 1
        self.shipment_units: dict[int, int] = {
            int(pk): as_int(units)
            for pk, units in zip(
                charged["shipment_pk"].tolist(), charged["asn_eaches"].tolist(), strict=True
            )
        }

    def cartons_shown(self, po_number: str, asin: str) -> tuple[int, str] | None:
        """Cartons the ASNs of this PO and ASIN and their BOL/POD show (the larger of the two
        per shipment), or None when none says."""
        return self._shown(po_number, asin, "carton_count", "cartons")

    def units_shown(self, po_number: str, asin: str) -> tuple[int, str] | None:
        """Units of the ASIN the ASNs shipped, or the BOL/POD units of a shipment that
        carried only this ASIN, whichever is larger; None when none says."""
        return self._shown(po_number, asin, "shipped_eaches", "units")

    def _shown(
        self, po_number: str, asin: str, asn_column: str, doc_column: str
    ) -> tuple[int, str] | None:
        total, sources = 0, []
        for s in self.shipments.get((po_number, asin), []):
            pk = int(s["shipment_pk"])
            asn = as_int(s[asn_column]) if present(s[asn_column]) else None
            single = self.items_per_shipment.get(pk, 1) == 1
            docs = [
                (as_int(d[doc_column]), d)
                for d in self.documents.get(pk, [])
                if present(d[doc_column]) and (doc_column == "cartons" or single)
            ]
            counts = [c for c in [asn, *(c for c, _ in docs)] if c is not None]
            if not counts:
                return None  # a shipment nobody counted: the charge cannot be capped
            total += max(counts)
            shown = [f"ASN {s['shipment_id']} {asn}" if asn is not None else ""]
            shown += [
                f"{str(d['kind']).upper()} {d['bol_number'] or d['document_id']} {c}"
                for c, d in docs
            ]
            sources.append(", ".join(x for x in shown if x))
        if not sources:
            return None
        return total, "; ".join(sources)


def _judge(
    chargeback_id: str,
    amount: int,
    row: dict[str, Any],
    evidence: _Evidence,
    first_of_kind: dict[tuple[str, ...], str],
    fees: dict[ChargebackType, ChargebackFee],
    rules: RuleSettings,
    base: dict[str, Any],
    table: SynonymTable,
) -> Finding:
    currency = base["currency"]
    po_number, asin = as_str(row["po_number"]) or "", as_str(row["asin"]) or ""
    issue, sub = str(row["issue_type"] or ""), str(row["sub_type"] or "")
    head = (
        f"Chargeback {chargeback_id} ({issue} / {sub}) on PO {po_number or 'unknown'} "
        f"ASIN {asin or 'unknown'} took {money(amount, currency)}"
    )
    details: dict[str, Any] = dict(
        invoice_number=None,
        po_number=po_number or None,
        asin=asin or None,
        quantity=as_int(row["quantity"]) or None,
        base_date=as_date(row["notified_on"]),
    )
    kind = table.classify(issue, sub)
    kind_key = _kind_key(row, table)
    contradiction, evidence_ids = _contradiction(kind, po_number, asin, evidence, rules)
    if first_of_kind.get(kind_key, chargeback_id) != chargeback_id:
        verdict, claim, confidence = Verdict.claimable, amount, 95
        reason = (
            f"{head}; it duplicates chargeback {first_of_kind[kind_key]} for the same PO, "
            f"ASIN and type: claim the full {money(amount, currency)}."
        )
    elif contradiction:
        verdict, claim, confidence = Verdict.claimable, amount, 90
        reason = f"{head}; {contradiction}: claim the full {money(amount, currency)}."
    elif kind is None:
        verdict, claim, confidence = Verdict.unexplained, amount, 0
        reason = (
            f"{head}; '{issue} / {sub}' is not a chargeback type the rules know, so nothing "
            "was checked: needs a look (if it is one of the known types, add its words to "
            "[rules.chargeback_synonyms])."
        )
    else:
        fee = _expected_fee(kind, row, evidence, fees, currency)
        if fee is None:
            verdict, claim, confidence = Verdict.unexplained, amount, 0
            reason = (
                f"{head}; type {kind.value}: no fee rule applies and no evidence contradicts "
                "it, so it cannot be judged: needs a look."
            )
        else:
            expected, how = fee
            if amount > expected:
                verdict, claim, confidence = Verdict.claimable, amount - expected, 90
                reason = (
                    f"{head}; the fee schedule gives {how} = "
                    f"{money(expected, currency)}: claim {money(amount, currency)} − "
                    f"{money(expected, currency)} = {money(claim, currency)}."
                )
            else:
                verdict, claim, confidence = Verdict.valid, 0, 90
                reason = (
                    f"{head}; the evidence does not contradict it and the fee matches "
                    f"the schedule ({how} = {money(expected, currency)}): it stands."
                )
    return Finding(
        verdict=verdict,
        amount=from_minor(claim, currency),
        confidence=confidence,
        reason=reason,
        evidence_ids=evidence_ids,
        facts={
            "issue_type": issue,
            "sub_type": sub,
            "chargeback_type": kind.value if kind else None,
            "charged": str(from_minor(amount, currency)),
        },
        **base,
        **details,
    )


def _contradiction(
    kind: ChargebackType | None,
    po_number: str,
    asin: str,
    evidence: _Evidence,
    rules: RuleSettings,
) -> tuple[str | None, tuple[int, ...]]:
    shipments = evidence.shipments.get((po_number, asin), [])
    if kind == ChargebackType.missing_asn and shipments:
        ids = sorted({str(s["shipment_id"]) for s in shipments})
        return f"ASN {', '.join(ids)} was sent for this PO and ASIN", ()
    if kind == ChargebackType.late_asn:
        grace = timedelta(minutes=rules.asn_grace_minutes)
        for s in shipments:
            confirmed, shipped = as_datetime(s["confirmed_at"]), as_datetime(s["shipped_at"])
            if confirmed and shipped and confirmed <= shipped + grace:
                return (
                    f"ASN {s['shipment_id']} was confirmed {_stamp(confirmed)}, before the "
                    f"shipment left at {_stamp(shipped)}"
                ), ()
    if kind == ChargebackType.inaccurate_asn:
        for s in shipments:
            shipment_pk = int(s["shipment_pk"])
            docs = [d for d in evidence.documents.get(shipment_pk, []) if present(d["units"])]
            asn_units = evidence.shipment_units[shipment_pk]
            for doc in docs:
                if as_int(doc["units"]) == asn_units:
                    return (
                        f"ASN {s['shipment_id']} listed {asn_units} units and "
                        f"{str(doc['kind']).upper()} {doc['bol_number'] or doc['document_id']}"
                        f" shows the same {asn_units} units"
                    ), (int(doc["document_id"]),)
    if kind == ChargebackType.late_delivery:
        po = evidence.po_items.get((po_number, asin))
        start = as_datetime(po["delivery_window_start"]) if po else None
        end = as_datetime(po["delivery_window_end"]) if po else None
        documents = [
            d for s in shipments for d in evidence.documents.get(int(s["shipment_pk"]), [])
        ]
        documents += evidence.po_documents.get(po_number, [])
        for doc in documents:
            delivered = as_date(doc["delivery_date"])
            if doc["kind"] != "pod" or not (delivered and start and end):
                continue
            if start.date() <= delivered <= end.date():
                return (
                    f"POD {doc['bol_number'] or doc['document_id']} shows delivery on "
                    f"{delivered}, inside the PO's delivery window {start.date()} to "
                    f"{end.date()}"
                ), (int(doc["document_id"]),)
    return None, ()


def _expected_fee(
    kind: ChargebackType,
    row: dict[str, Any],
    evidence: _Evidence,
    fees: dict[ChargebackType, ChargebackFee],
    currency: str,
) -> tuple[int, str] | None:
    fee = fees.get(kind)
    if fee is None:
        return None
    po_number, asin = str(row["po_number"]), str(row["asin"])
    if fee.per_carton is not None:
        charged = as_int(row["cartons"])
        cartons, why = _counted(charged, "carton", evidence.cartons_shown(po_number, asin))
        per = to_minor(fee.per_carton, currency)
        return per * cartons, f"{why} × {money(per, currency)}"
    if fee.per_unit is not None:
        charged = as_int(row["quantity"])
        units, why = _counted(charged, "unit", evidence.units_shown(po_number, asin))
        per = to_minor(fee.per_unit, currency)
        return per * units, f"{why} × {money(per, currency)}"
    if fee.percent_of_cost is not None:
        po = evidence.po_items.get((po_number, asin))
        if po is None or not present(po["net_cost_minor"]):
            return None
        units, cost = as_int(row["quantity"]), as_int(po["net_cost_minor"])
        product_cost = units * cost
        exact = Decimal(product_cost) * fee.percent_of_cost / 100
        expected = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
        return expected, (
            f"{fee.percent_of_cost}% of {units} units × {money(cost, currency)}"
            f" = {fee.percent_of_cost}% of {money(product_cost, currency)}"
        )
    return None


def _counted(charged: int, noun: str, shown: tuple[int, str] | None) -> tuple[int, str]:
    """A per-carton or per-unit fee applies at most to what was shipped: the count charged,
    capped at the count the ASN and the BOL/POD show."""
    if shown is None or charged <= shown[0]:
        return charged, plural(charged, noun)
    count, source = shown
    return count, (f"{plural(count, noun)} ({source}; {plural(charged, noun)} were charged)")


def _kind_key(row: dict[str, Any], table: SynonymTable) -> tuple[str, ...]:
    """The same PO, ASIN and type, however the export words the type."""
    issue, sub = as_str(row["issue_type"]), as_str(row["sub_type"])
    kind = table.classify(issue, sub)
    named = kind.value if kind else f"{words(issue or '')}/{words(sub or '')}"
    return (str(row["po_number"]), str(row["asin"]), named)


def _first_of_kind(rows: Any, table: SynonymTable) -> dict[tuple[str, ...], str]:
    first: dict[tuple[str, ...], str] = {}
    for row in sorted(
        rows, key=lambda r: (as_date(r["notified_on"]) or date.min, str(r["chargeback_id"]))
    ):
        first.setdefault(_kind_key(row, table), str(row["chargeback_id"]))
    return first


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# --- the rest of what a chargeback claim is ---------------------------------------------------


def chargeback_evidence(data: DraftInput) -> list[str]:
    missing: list[str] = []
    if not data.reference:
        missing.append("the chargeback id")
    sub_type = str(data.facts.get("sub_type") or "").lower()
    delivered = [d for d in data.documents if d.kind == DocumentKind.pod]
    if "late delivery" in sub_type and not delivered:
        missing.append("a signed POD showing the delivery date")
    return missing


def chargeback_form(data: DraftInput) -> dict[str, Any]:
    return {
        "form": "chargeback",
        "chargeback_id": data.reference,
        "issue_type": data.facts.get("issue_type"),
        "sub_type": data.facts.get("sub_type"),
        "po_number": data.po_number,
        "asin": data.asin,
    }


def chargeback_portal_form(claims: Sequence[FiledClaim]) -> FormScript:
    """The chargeback's own page in Operational Performance, its "Dispute Chargeback"."""
    chargeback = claims[0].reference
    missing = Refusal("chargeback", f"chargeback {chargeback} cannot be disputed")
    return FormScript(
        (
            Open(f"/operational-performance/chargebacks/{chargeback}"),
            Press("Dispute Chargeback", paced=False, missing=missing),
            Justify("Dispute summary", "Add Attachments"),
        ),
        typed={"chargeback_id": chargeback},
    )


CHARGEBACK = ClaimKind(
    type="chargeback",
    label="chargeback",
    deduction_kinds=CHARGEBACK_KINDS,
    reads=frames_of({"deductions", "chargebacks", "po_items", "shipment_items", "documents"}),
    scope=(
        *DEDUCTION_LINKS,
        *SHIPMENT_LINKS,
        Reach("chargeback", by="chargeback_id", keys="ref", po="po_number"),
        Names("chargeback", ref="chargeback_id", by="po_number", keys="po"),
        # A chargeback's debit note names it with a suffix: both name the same finding.
        RefAlias(chargeback_id_of),
    ),
    judge=detect_chargebacks,
    # 30 calendar days from the notification (DOMAIN.md); the band counts the days left.
    window=Window(
        deadline=lambda base, rules, _invoice_date: (
            base + timedelta(days=rules.chargeback_deadline_days)
        ),
        matching_days=lambda _rules: 0,
        aged_bands=None,
    ),
    # One second dispute and no third (domain notes).
    max_level=2,
    missing_evidence=chargeback_evidence,
    form_fields=chargeback_form,
    portal_form=PortalForm(
        group=lambda c: f"chargeback:{c.id}",
        search=lambda c: c.reference,
        fill=chargeback_portal_form,
        submit=(Press("Submit Dispute"),),
    ),
    templates=("chargeback_dispute.j2", "chargeback_redispute.j2"),
)
