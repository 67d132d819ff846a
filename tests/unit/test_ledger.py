"""Reconciliation: every deducted cent has a bucket, payments meet deposits (invoice balances are
summed by the database: tests/integration/test_invoice_balances.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from recovery.claims.findings import Finding, Verdict
from recovery.claims.inputs import detection_input
from recovery.claims.kinds import KINDS
from recovery.ledger import (
    BUCKETS,
    bucket_deductions,
    match_bank_deposits,
)


def deduction(i: int, kind: str, reference: str, amount: int, invoice: str | None = "INV1"):
    return {
        "id": i,
        "kind": kind,
        "reference": reference,
        "invoice_number": invoice,
        "amount_minor": amount,
        "currency": "USD",
        "payment_number": f"P{i}",
    }


def finding(key: str, ids: tuple[int, ...], verdict: Verdict, amount: str) -> Finding:
    return Finding(
        type="shortage",
        verdict=verdict,
        key=key,
        reference="INV1SC",
        amount=Decimal(amount),
        currency="USD",
        reason="",
        deduction_ids=ids,
    )


def test_every_deducted_cent_lands_in_exactly_one_bucket() -> None:
    inp = detection_input(
        deductions=[
            deduction(1, "shortage", "INV1SC", 20_160),
            deduction(2, "shortage_reversal", "INV1SCR", -5_000),
            deduction(3, "returns", "RTV9", 3_000, invoice=None),
            deduction(4, "other", "MYSTERY", 1_234, invoice=None),
            deduction(5, "price", "INV1PCR", 5_000),
        ]
    )
    findings = [
        # One debit covering two ASINs: two findings share the deductions.
        finding("shortage:INV1:PO:A", (1, 2), Verdict.claimable, "100.00"),
        finding("shortage:INV1:PO:B", (1, 2), Verdict.needs_evidence, "20.00"),
        finding("price:INV1", (5,), Verdict.claimable, "50.00"),
    ]
    status = {"price:INV1": ("filed", 0)}
    groups = bucket_deductions(inp, findings, status, judged_families=KINDS)
    assert all(g.total == g.gross for g in groups)
    assert all(v >= 0 for g in groups for v in g.buckets.values())
    totals = {b: sum(g.buckets[b] for g in groups) for b in BUCKETS}
    assert sum(totals.values()) == 20_160 + 3_000 + 1_234 + 5_000
    assert totals["recovered"] == 5_000  # the SCR
    assert totals["claimable"] == 10_000
    assert totals["unexplained"] == 2_000 + 1_234  # needs evidence + unknown description
    assert totals["claimed"] == 5_000
    assert totals["valid"] == 20_160 - 5_000 - 10_000 - 2_000 + 3_000


def test_won_claims_are_recovered_and_the_rest_denied() -> None:
    inp = detection_input(deductions=[deduction(1, "shortage", "INV1SC", 10_000)])
    groups = bucket_deductions(
        inp,
        [finding("k", (1,), Verdict.claimable, "100.00")],
        {"k": ("partially_won", 6_000)},
        judged_families=KINDS,
    )
    assert groups[0].buckets["recovered"] == 6_000
    assert groups[0].buckets["denied"] == 4_000


def test_a_decided_claim_is_recovered_as_credits_are_seen_never_as_promised() -> None:
    # $100 deducted and claimed; Amazon approved $60 of it and denied $40.
    def buckets(status: str, recovered: int, credit: int) -> dict[str, int]:
        rows = [deduction(1, "shortage", "INV1SC", 10_000)]
        if credit:
            rows.append(deduction(2, "shortage_reversal", "INV1SCR", -credit))
        inp = detection_input(deductions=rows)
        [group] = bucket_deductions(
            inp,
            [finding("k", (1, 2) if credit else (1,), Verdict.claimable, "100.00")],
            {"k": (status, recovered)},
            {"k": 6_000},
            judged_families=KINDS,
        )
        assert group.total == group.gross
        return {b: v for b, v in group.buckets.items() if v}

    # Decided, not paid yet: the approval is promised money, still "claimed".
    assert buckets("partially_won", 0, 0) == {"claimed": 6_000, "denied": 4_000}
    # The credit came on a remittance: it is recovered once, not again through the claim.
    assert buckets("partially_won", 6_000, 6_000) == {"recovered": 6_000, "denied": 4_000}
    # Half paid so far.
    assert buckets("partially_won", 3_000, 3_000) == {
        "recovered": 3_000,
        "claimed": 3_000,
        "denied": 4_000,
    }
    # Re-disputed (the ladder): what is not seen yet is still being claimed, nothing denied.
    assert buckets("redispute_ready", 6_000, 6_000) == {"recovered": 6_000, "claimed": 4_000}
    # Denied at the top of the ladder after the first approval was paid.
    assert buckets("closed", 6_000, 6_000) == {"recovered": 6_000, "denied": 4_000}


def test_what_needed_a_person_is_bucketed_by_what_the_person_decided() -> None:
    inp = detection_input(deductions=[deduction(1, "shortage", "INV1SC", 30_000)])
    findings = [
        finding("looked", (1,), Verdict.unexplained, "100.00"),
        finding("rejected", (1,), Verdict.unexplained, "100.00"),
        finding("approved", (1,), Verdict.needs_evidence, "100.00"),
    ]
    status = {
        "looked": ("needs_look", 0),
        "rejected": ("rejected", 0),
        "approved": ("approved", 0),
    }
    [group] = bucket_deductions(inp, findings, status, judged_families=KINDS)
    assert group.buckets["unexplained"] == 10_000  # still waiting for a person
    assert group.buckets["written_off"] == 10_000  # a person rejected it
    assert group.buckets["claimable"] == 10_000  # a person approved it: it will be filed


def test_a_claim_larger_than_the_debit_cannot_overfill_the_buckets() -> None:
    inp = detection_input(deductions=[deduction(1, "shortage", "INV1SC", 10_000)])
    groups = bucket_deductions(
        inp, [finding("k", (1,), Verdict.claimable, "150.00")], judged_families=KINDS
    )
    assert groups[0].buckets["claimable"] == 10_000 and groups[0].total == 10_000


def test_payments_match_deposits_by_amount_and_date() -> None:
    inp = detection_input(
        payments=[
            {
                "id": 1,
                "payment_number": "P1",
                "payment_date": date(2026, 9, 1),
                "amount_minor": 50_000,
                "currency": "USD",
            },
            {
                "id": 2,
                "payment_number": "P2",
                "payment_date": date(2026, 9, 15),
                "amount_minor": 30_000,
                "currency": "USD",
            },
            {
                "id": 3,
                "payment_number": "P3",
                "payment_date": date(2026, 10, 1),
                "amount_minor": 12_345,
                "currency": "USD",
            },
            {
                "id": 4,
                "payment_number": "P4",
                "payment_date": date(2026, 10, 20),
                "amount_minor": 9_999,
                "currency": "USD",
            },
            {
                "id": 5,
                "payment_number": "P5",
                "payment_date": date(2026, 11, 1),
                "amount_minor": 70_000,
                "currency": "USD",
            },
            {
                "id": 6,
                "payment_number": "P6",
                "payment_date": date(2026, 11, 17),
                "amount_minor": -13_013,
                "currency": "USD",
            },
        ],
        bank=[
            {"id": 10, "booked_on": date(2026, 9, 3), "amount_minor": 50_000, "currency": "USD"},
            {"id": 11, "booked_on": date(2026, 9, 14), "amount_minor": 20_000, "currency": "USD"},
            {"id": 12, "booked_on": date(2026, 9, 16), "amount_minor": 10_000, "currency": "USD"},
            # too late
            {"id": 13, "booked_on": date(2026, 10, 20), "amount_minor": 12_345, "currency": "USD"},
            # not equal
            {"id": 14, "booked_on": date(2026, 10, 21), "amount_minor": 9_998, "currency": "USD"},
            # the same figure in another currency is not the payment
            {"id": 15, "booked_on": date(2026, 11, 2), "amount_minor": 70_000, "currency": "CAD"},
            {"id": 16, "booked_on": date(2026, 11, 3), "amount_minor": 70_000, "currency": "USD"},
            # a payment that deductions outweighed: a debit on the statement
            {"id": 17, "booked_on": date(2026, 11, 19), "amount_minor": -13_013, "currency": "USD"},
        ],
    )
    matches = {m.payment_number: m.deposit_ids for m in match_bank_deposits(inp, window_days=5)}
    assert matches == {"P1": (10,), "P2": (11, 12), "P5": (16,), "P6": (17,)}
