"""The fake portal's state: scenario data, the clock, drafts, disputes, decisions and credits.

Web routes call these methods and render what they return; tests and benchmarks call them
through `FakeVendorCentral`. One lock guards the state: FastAPI runs plain handlers in threads.
"""

from __future__ import annotations

import pickle
import secrets
import threading
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from recovery.money import from_minor
from recovery.testing.fake_vendor_central import statements
from recovery.testing.fake_vendor_central.credits import CreditRuns
from recovery.testing.fake_vendor_central.model import (
    PRICE_REASONS,
    Attachment,
    Dispute,
    DisputeLine,
    DisputeType,
    Draft,
    Outcome,
    Status,
)
from recovery.testing.fake_vendor_central.review import anchor_date, review
from recovery.testing.fake_vendor_central.rules import (
    Decision,
    Odds,
    Windows,
    last_day,
    matching_runs,
    redispute_last_day,
)
from recovery.testing.fake_vendor_central.scenario_source import PortalData, Row
from recovery.testing.fake_vendor_central.support_cases import (
    CASE_INCOMPLETE,
    SETTLEMENT,
    STATEMENT_MISSING,
    TOPICS,
    SupportCase,
)

NOT_AVAILABLE = "This invoice is not available for dispute."
ONLY_ONCE = "Shortages on this invoice can be disputed only once."
INELIGIBLE = "The selected items are ineligible for dispute."
REDISPUTE_FAILED = "Could not submit the re-dispute."
# Not a refusal of the dispute: the form's own check of a field it needs.
SHIPPED_DATE = "Enter the shipped date (on or before today) of each line you dispute."


class Refusal(Exception):
    """What the portal shows instead of taking a dispute (its own words, DOMAIN.md)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Portal:
    def __init__(
        self,
        data: PortalData,
        *,
        windows: Windows | None = None,
        odds: Odds | None = None,
        today: date | None = None,
    ) -> None:
        self.data = data
        self.windows = windows or Windows()
        self.odds = odds or Odds()
        self.today = today or data.today
        self.lock = threading.RLock()
        self.disputes: dict[str, Dispute] = {}
        self.drafts: dict[str, Draft] = {}
        self._next_dispute = 4_100_000_000 + data.seed * 10_000
        self.cases: dict[str, SupportCase] = {}
        self._next_case = 17_000_000_000 + data.seed * 10_000
        numbers = [int(p["payment_number"]) for p in data.payments if p["payment_number"].isdigit()]
        self.credits = CreditRuns(max(numbers, default=99_000_000) + 3, data.currency)
        self._shortages: dict[str, list[Row]] = defaultdict(list)
        for row in data.shortages:
            self._shortages[row["invoice_number"]].append(row)
        self._invoices: dict[str, list[Row]] = defaultdict(list)
        for row in data.invoices:
            self._invoices[row["invoice_number"]].append(row)
        self._price: dict[str, list[Row]] = defaultdict(list)
        for row in data.price_details:
            self._price[row["invoice_number"]].append(row)
        self._coop = {row["invoice_number"]: row for row in data.coop_invoices}
        self._chargebacks = {row["chargeback_id"]: row for row in data.chargebacks}

    # -- reading -----------------------------------------------------------------------------

    def money(self, minor: int | None) -> str:
        return "" if minor is None else f"{from_minor(minor, self.data.currency):,}"

    def price_lines(self, number: str) -> list[Row]:
        return list(self._price.get(number, []))

    def has_shortage(self, number: str) -> bool:
        return any((r["shortage_quantity"] or 0) > 0 for r in self._shortages.get(number, []))

    def remittance(self) -> tuple[list[Row], list[Row]]:
        """Payments made by today: the scenario's, then the credit runs after approvals."""
        payments = [p for p in self.data.payments if p["payment_date"] <= self.today]
        paid = {p["payment_number"] for p in payments}
        lines = [line for line in self.data.remittance_lines if line["payment_number"] in paid]
        credit_payments, credit_lines = self.credits.paid_by(self.today)
        return payments + credit_payments, lines + credit_lines

    def shortage_rows(self) -> list[Row]:
        return statements.shortage_rows(self.data, self._in_order())

    def chargeback_rows(self) -> list[Row]:
        return statements.chargeback_rows(self.data, self._in_order())

    def open_items(self) -> list[Row]:
        return statements.open_items(self.data, self._in_order())

    def _in_order(self) -> list[Dispute]:
        return sorted(self.disputes.values(), key=lambda d: d.id)  # ids are issued in order

    def dispute_list(
        self,
        *,
        query: str = "",
        status: str = "",
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> list[Dispute]:
        """Dispute Management's list: by dispute id or disputed invoice, date range, bucket."""
        found = []
        query = query.strip()
        for dispute in reversed(self._in_order()):
            if query and query not in (dispute.id, dispute.invoice_number):
                continue
            if status and dispute.status.value != status:
                continue
            if date_from and dispute.created < date_from:
                continue
            if date_to and dispute.created > date_to:
                continue
            found.append(dispute)
        return found

    # -- filing ------------------------------------------------------------------------------

    def start(self, kind: DisputeType, invoice_numbers: list[str]) -> Draft:
        """ "Create new dispute" → type and invoice numbers → "Next": the line table to edit."""
        numbers = [n.strip() for n in invoice_numbers if n.strip()]
        if not numbers:
            raise Refusal(NOT_AVAILABLE)
        with self.lock:
            lines: list[DisputeLine] = []
            if kind == DisputeType.shortage:
                for number in numbers:
                    lines.extend(self._shortage_lines(number))
            elif kind == DisputeType.coop and len(numbers) == 1:
                lines.append(self._coop_line(numbers[0]))
            else:
                # Price claims are filed from Payments › Invoices; vendor returns are not ours.
                raise Refusal(NOT_AVAILABLE)
            draft = Draft(secrets.token_hex(8), kind, ",".join(numbers), lines, self.today)
            self.drafts[draft.token] = draft
            return draft

    def _shortage_lines(self, number: str) -> list[DisputeLine]:
        rows = self._shortages.get(number)
        if not rows or not self.has_shortage(number):
            raise Refusal(NOT_AVAILABLE)
        if matching_runs(DisputeType.shortage, rows[0]["due_date"], self.today, self.windows):
            raise Refusal(NOT_AVAILABLE)
        if any(
            d.type == DisputeType.shortage and d.invoice_number == number and not d.is_redispute
            for d in self.disputes.values()
        ):
            raise Refusal(ONLY_ONCE)
        net: dict[tuple[str, str], list[Row]] = defaultdict(list)
        for row in rows:
            net[(row["po_number"] or "", row["asin"])].append(row)
        lines = []
        for (po, asin), group in net.items():
            quantity = sum(r["shortage_quantity"] or 0 for r in group)
            amount = sum(r["shortage_amount"] or 0 for r in group)
            if quantity <= 0:
                continue
            debit = next(r for r in group if (r["shortage_quantity"] or 0) > 0)
            lines.append(
                DisputeLine(
                    reference=f"{number}SC",
                    po_number=po,
                    asin=asin,
                    external_id=debit["external_id"],
                    unit_price_minor=debit["unit_price"],
                    invoice_quantity=debit["invoiced_quantity"],
                    invoice_minor=(debit["invoiced_quantity"] or 0) * (debit["unit_price"] or 0),
                    shortage_quantity=quantity,
                    shortage_minor=amount,
                    dispute_quantity=quantity,
                    dispute_minor=amount,
                    invoice_number=number,
                )
            )
        return lines

    def _coop_line(self, number: str) -> DisputeLine:
        row = self._coop.get(number)
        if row is None:
            raise Refusal(NOT_AVAILABLE)
        if self._first_dispute_of(DisputeType.coop, number) is not None:
            raise Refusal(INELIGIBLE)
        return DisputeLine(
            reference=number,
            po_number=None,
            asin=None,
            external_id=row["agreement_id"],
            unit_price_minor=None,
            invoice_quantity=None,
            invoice_minor=row["amount"],
            shortage_quantity=None,
            shortage_minor=row["amount"],
            dispute_quantity=None,
            dispute_minor=row["amount"],
        )

    def _first_dispute_of(self, kind: DisputeType, number: str) -> Dispute | None:
        for dispute in self.disputes.values():
            if (
                dispute.type == kind
                and dispute.invoice_number == number
                and not dispute.is_redispute
            ):
                return dispute
        return None

    def edit_lines(
        self,
        draft: Draft,
        quantities: list[int | None],
        amounts: list[int | None],
        shipped: list[date | None] | None = None,
    ) -> None:
        """ "Continue" from the line table: the dispute quantities and amounts as edited, and
        for shortages the shipped date of each disputed line."""
        with self.lock:
            self._edit_lines(draft, quantities, amounts, shipped or [None] * len(draft.lines))

    def _edit_lines(
        self,
        draft: Draft,
        quantities: list[int | None],
        amounts: list[int | None],
        shipped: list[date | None],
    ) -> None:
        if not len(quantities) == len(amounts) == len(shipped) == len(draft.lines):
            raise Refusal(INELIGIBLE)
        rows = zip(draft.lines, quantities, amounts, shipped, strict=True)
        for line, quantity, amount, shipped_on in rows:
            if line.shortage_quantity is not None:
                if quantity is None or not 0 <= quantity <= line.shortage_quantity:
                    raise Refusal(INELIGIBLE)
                if quantity > 0 and (shipped_on is None or shipped_on > self.today):
                    raise Refusal(SHIPPED_DATE)
                line.shipped_on = shipped_on
                line.dispute_quantity = quantity
                price = line.unit_price_minor or 0
                line.dispute_minor = quantity * price if amount is None else amount
            elif amount is not None:
                line.dispute_minor = amount
            if not 0 <= line.dispute_minor <= line.shortage_minor:
                raise Refusal(INELIGIBLE)
        if not any(line.dispute_minor > 0 for line in draft.lines):
            raise Refusal(INELIGIBLE)

    def submit(
        self, draft: Draft, justification: str, attachments: list[Attachment]
    ) -> list[Dispute]:
        """ "Submit" → confirm: one dispute per invoice (bulk claims were ended)."""
        with self.lock:
            if draft.token not in self.drafts:
                raise Refusal(INELIGIBLE)
            if not justification.strip():
                raise Refusal(INELIGIBLE)
            lines = [line for line in draft.lines if line.dispute_minor > 0]
            by_invoice: dict[str, list[DisputeLine]] = defaultdict(list)
            for line in lines:
                by_invoice[line.invoice_number or line.reference].append(line)
            filed = []
            for number, group in by_invoice.items():
                if draft.type == DisputeType.shortage and any(
                    d.type == DisputeType.shortage and d.invoice_number == number
                    for d in self.disputes.values()
                ):
                    raise Refusal(ONLY_ONCE)
                filed.append(
                    self._store(
                        draft.type,
                        number,
                        group,
                        justification,
                        attachments,
                    )
                )
            del self.drafts[draft.token]
            return filed

    def submit_price(
        self,
        number: str,
        reason: str,
        justification: str,
        attachments: list[Attachment],
    ) -> Dispute:
        """Payments › Invoices › "Dispute a Price Discrepancy": one dispute per invoice."""
        with self.lock:
            rows = self._price.get(number)
            if not rows:
                raise Refusal(NOT_AVAILABLE)
            if reason not in PRICE_REASONS or not justification.strip():
                raise Refusal(INELIGIBLE)
            if self._first_dispute_of(DisputeType.price, number) is not None:
                raise Refusal(INELIGIBLE)
            seen: set[tuple[str, str]] = set()
            lines = []
            for row in rows:
                key = (row["po_number"] or "", row["asin"])
                if key in seen:  # the export repeats a line per payment it was deducted on
                    continue
                seen.add(key)
                lines.append(
                    DisputeLine(
                        reference=f"{number}PCR",
                        invoice_number=number,
                        po_number=row["po_number"],
                        asin=row["asin"],
                        external_id=None,
                        unit_price_minor=None,
                        invoice_quantity=row["quantity"],
                        invoice_minor=(row["invoice_cost"] or 0) * (row["quantity"] or 0),
                        shortage_quantity=None,
                        shortage_minor=row["variance"],
                        dispute_quantity=None,
                        dispute_minor=row["variance"],
                    )
                )
            dispute = self._store(DisputeType.price, number, lines, justification, attachments)
            dispute.reason = reason
            return dispute

    def submit_chargeback(
        self, chargeback_id: str, summary: str, attachments: list[Attachment]
    ) -> Dispute:
        """Reports › Operational Performance › the chargeback › "Dispute Chargeback"."""
        with self.lock:
            row = self._chargebacks.get(chargeback_id)
            if row is None:
                raise Refusal(NOT_AVAILABLE)
            if not summary.strip() or self._first_dispute_of(DisputeType.chargeback, chargeback_id):
                raise Refusal(INELIGIBLE)
            line = DisputeLine(
                reference=chargeback_id,
                po_number=row["po_number"],
                asin=row["asin"],
                external_id=None,
                unit_price_minor=None,
                invoice_quantity=row["quantity"],
                invoice_minor=row["amount"],
                shortage_quantity=None,
                shortage_minor=row["amount"],
                dispute_quantity=None,
                dispute_minor=row["amount"],
            )
            return self._store(DisputeType.chargeback, chargeback_id, [line], summary, attachments)

    def can_redispute(self, dispute: Dispute) -> bool:
        if (
            dispute.outcome not in (Outcome.denied, Outcome.partial)
            or dispute.is_redispute
            or dispute.redispute_id is not None
            or dispute.resolved_on is None
        ):
            return False
        if dispute.type == DisputeType.coop:
            # Co-op invoices can be disputed and re-disputed until they are two years old.
            last = last_day(dispute.type, anchor_date(self.data, dispute), self.windows)
        else:
            last = redispute_last_day(dispute.type, dispute.resolved_on, self.windows)
        return self.today <= last

    def redispute(
        self, dispute_id: str, justification: str, attachments: list[Attachment]
    ) -> Dispute:
        """A second dispute of a Denied or Partially approved one, once, after its review."""
        with self.lock:
            parent = self.disputes.get(dispute_id)
            if parent is None or not self.can_redispute(parent) or not justification.strip():
                raise Refusal(REDISPUTE_FAILED)
            lines = [
                DisputeLine(
                    reference=line.reference,
                    po_number=line.po_number,
                    asin=line.asin,
                    external_id=line.external_id,
                    unit_price_minor=line.unit_price_minor,
                    invoice_quantity=line.invoice_quantity,
                    invoice_minor=line.invoice_minor,
                    shortage_quantity=line.shortage_quantity,
                    shortage_minor=line.shortage_minor,
                    dispute_quantity=(
                        None
                        if line.dispute_quantity is None
                        else line.dispute_quantity - (line.approved_quantity or 0)
                    ),
                    dispute_minor=line.dispute_minor - line.approved_minor,
                    invoice_number=line.invoice_number,
                )
                for line in parent.lines
                if line.dispute_minor > line.approved_minor
            ]
            child = self._store(
                parent.type,
                parent.invoice_number,
                lines,
                justification,
                attachments,
                parent_id=parent.id,
            )
            child.reason = parent.reason
            parent.redispute_id = child.id
            return child

    def _store(
        self,
        kind: DisputeType,
        number: str,
        lines: list[DisputeLine],
        justification: str,
        attachments: list[Attachment],
        *,
        parent_id: str | None = None,
    ) -> Dispute:
        self._next_dispute += 1
        dispute = Dispute(
            id=f"DSPT{self._next_dispute}",
            type=kind,
            invoice_number=number,
            lines=lines,
            justification=justification.strip(),
            attachments=list(attachments),
            created=self.today,
            submitted_at=datetime.now(UTC),
            currency=self.data.currency,
            parent_id=parent_id,
        )
        self.disputes[dispute.id] = dispute
        return dispute

    # -- Contact Us ------------------------------------------------------------------------

    def open_case(
        self,
        topic: str,
        subject: str,
        description: str,
        attachments: list[Attachment],
        open_items: list[dict[str, str]] | None,
    ) -> SupportCase:
        """Contact Us › "Send": a settlement case needs its statement attached (`open_items`
        read from it; None when no attachment is one)."""
        with self.lock:
            if topic not in TOPICS or not subject.strip() or not description.strip():
                raise Refusal(CASE_INCOMPLETE)
            if topic == SETTLEMENT and not open_items:
                raise Refusal(STATEMENT_MISSING)
            self._next_case += 1
            case = SupportCase(
                id=str(self._next_case),
                topic=topic,
                subject=subject.strip(),
                description=description.strip(),
                attachments=list(attachments),
                created=self.today,
                submitted_at=datetime.now(UTC),
                open_items=list(open_items or []),
            )
            self.cases[case.id] = case
            return case

    def case_list(self, query: str = "") -> list[SupportCase]:
        """The case log, newest first: by case id, or by words of its subject or description."""
        query = query.strip()
        return [
            case
            for case in sorted(self.cases.values(), key=lambda c: c.id, reverse=True)
            if not query or query == case.id or query in case.subject or query in case.description
        ]

    # -- time and decisions ------------------------------------------------------------------

    def advance(self, days: int) -> date:
        if days < 0:
            raise ValueError("the clock only moves forward")
        with self.lock:
            self.today += timedelta(days=days)
            self.settle()
            return self.today

    def settle(self) -> None:
        """Move every open dispute along to today: review, then a decision and its credit."""
        with self.lock:
            for dispute in self._in_order():
                if dispute.status == Status.resolved:
                    continue
                if self.today >= dispute.created + timedelta(days=self.windows.review_days):
                    self._decide(dispute)
                elif self.today > dispute.created:
                    needs_proof = dispute.type == DisputeType.shortage and not dispute.attachments
                    dispute.status = Status.pending_you if needs_proof else Status.pending_amazon

    def _decide(self, dispute: Dispute) -> None:
        parent = self.disputes.get(dispute.parent_id) if dispute.parent_id else None
        decision = review(self.data, dispute, parent, windows=self.windows, odds=self.odds)
        self._apply(dispute, decision)

    def _apply(self, dispute: Dispute, decision: Decision) -> None:
        for line, (quantity, amount) in zip(dispute.lines, decision.approved, strict=True):
            line.approved_quantity = quantity
            line.approved_minor = amount
        dispute.status = Status.resolved
        dispute.outcome = decision.outcome
        dispute.resolution = decision.resolution
        # Decided when its review ended, even when the clock jumped past that day.
        dispute.resolved_on = dispute.created + timedelta(days=self.windows.review_days)
        if dispute.approved_minor > 0:
            self.credits.add(dispute)

    # -- keeping the state between runs (the demo resumes with the disputes it filed) ---------

    _KEPT = ("today", "disputes", "drafts", "_next_dispute", "credits", "cases", "_next_case")

    def state(self) -> bytes:
        """Everything that changes after start (clock, drafts, disputes, credits): the fake's
        own objects, read back only by `restore` from a file the same program wrote."""
        with self.lock:
            return pickle.dumps({name: getattr(self, name) for name in self._KEPT})

    def restore(self, state: bytes) -> None:
        kept = pickle.loads(state)  # our own file only, see `state`
        with self.lock:
            for name in self._KEPT:
                if name in kept:  # a state from before a part existed keeps its default
                    setattr(self, name, kept[name])

    def disputes_json(self) -> list[dict[str, Any]]:
        with self.lock:
            currency = self.data.currency
            return [d.as_json(lambda m: str(from_minor(m, currency))) for d in self._in_order()]
