"""Approved disputes paid back: credit lines on the next weekly payment run.

After approval the money comes back on a later remittance (DOMAIN.md): `<inv>SCR` for
shortages, price and co-op credits with their own descriptions. The numbers and descriptions
are ones our remittance classifier reads as reversals (`recovery/sources/classify.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from recovery.testing.fake_vendor_central.model import Dispute, DisputeType
from recovery.testing.fake_vendor_central.scenario_source import Row

PAYDAY = 1  # Tuesday: the scenario's payment runs are weekly on Tuesdays

_CREDIT = {
    DisputeType.shortage: ("{}SCR", "Quantity shortage reversal"),
    DisputeType.price: ("{}PCRR", "Price variance reversal"),
    DisputeType.coop: ("{}", "COOP reversal"),
    DisputeType.chargeback: ("{}VCBSINV", "Vendor compliance chargeback reversal"),
}


@dataclass
class _Run:
    payment_number: str
    day: date
    lines: dict[str, Row] = field(default_factory=dict)  # by credit line number


class CreditRuns:
    """Payments the fake makes after the scenario's own, one per payday with credits."""

    def __init__(self, next_payment_number: int, currency: str) -> None:
        self._next = next_payment_number
        self._currency = currency
        self._runs: dict[date, _Run] = {}

    def add(self, dispute: Dispute) -> None:
        """Credit what `dispute` won on the first payday after its decision."""
        assert dispute.resolved_on is not None
        ahead = (PAYDAY - dispute.resolved_on.weekday()) % 7 or 7
        day = dispute.resolved_on + timedelta(days=ahead)
        run = self._runs.get(day)
        if run is None:
            run = _Run(str(self._next), day)
            self._next += 3
            self._runs[day] = run
        pattern, description = _CREDIT[dispute.type]
        number = pattern.format(dispute.invoice_number)
        line = run.lines.setdefault(
            number,
            {
                "payment_number": run.payment_number,
                "invoice_number": number,
                "invoice_date": dispute.resolved_on,
                "description": description,
                "invoice_amount": 0,
                "discount": 0,
                "paid": 0,
                "remaining": 0,
                "currency": dispute.currency,
            },
        )
        line["invoice_amount"] += dispute.approved_minor
        line["paid"] += dispute.approved_minor

    def paid_by(self, today: date) -> tuple[list[Row], list[Row]]:
        """(payments, lines) of the runs made on or before `today`."""
        payments: list[Row] = []
        lines: list[Row] = []
        for day in sorted(self._runs):
            if day > today:
                break
            run = self._runs[day]
            payments.append(
                {
                    "payment_number": run.payment_number,
                    "payment_date": run.day,
                    "payment_amount": sum(line["paid"] for line in run.lines.values()),
                    "currency": self._currency,
                }
            )
            lines.extend(run.lines.values())
        return payments, lines
