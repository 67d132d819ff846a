from decimal import Decimal

import pytest

from recovery.testing.scoring import score

KEY = {
    "claims": [
        {
            "type": "shortage",
            "invoice_number": "I1",
            "po_number": "P1",
            "asin": "A1",
            "reference": "I1SC",
            "amount": "100.00",
        },
        {
            "type": "shortage",
            "invoice_number": "I2",
            "po_number": "P2",
            "asin": "A2",
            "reference": "I2SC",
            "amount": "50.00",
        },
        {"type": "coop", "reference": "CO9", "amount": "20.00"},
    ],
    "deductions": [{"reference": "I3SC", "truth": "valid"}, {"reference": "77", "truth": "valid"}],
}


def test_recall_and_precision_of_dollars() -> None:
    claims = [
        {
            "type": "shortage",
            "invoice_number": "I1",
            "po_number": "P1",
            "asin": "A1",
            "reference": "I1SC",
            "amount": "120.00",
            "status": "draft",
        },  # 20 too much
        {
            "type": "shortage",
            "invoice_number": "I3",
            "po_number": "P3",
            "asin": "A3",
            "reference": "I3SC",
            "amount": "10.00",
            "status": "ready",
        },  # a valid deduction
        {
            "type": "shortage",
            "invoice_number": "I2",
            "po_number": "P2",
            "asin": "A2",
            "reference": "I2SC",
            "amount": "50.00",
            "status": "needs_evidence",
        },  # not claimed
        {"type": "chargeback", "reference": "77", "amount": "5.00", "status": "draft"},
    ]
    scores = score(KEY, claims)
    shortage = scores["shortage"]
    assert shortage.expected == Decimal("150.00")
    assert shortage.claimed == Decimal("130.00")
    assert shortage.matched == Decimal("100.00")
    assert shortage.recall == Decimal("100.00") / Decimal("150.00")
    assert shortage.precision == Decimal("100.00") / Decimal("130.00")
    assert shortage.claims_on_valid == ["I3SC"]
    assert scores["chargeback"].claims_on_valid == ["77"]
    assert scores["coop"].recall == 0 and scores["coop"].precision == 1
    assert scores["price"].recall == 1 and scores["price"].precision == 1


EXPIRING_KEY = {
    "today": "2026-12-04",
    "claims": [
        {"type": "chargeback", "reference": "CB1", "amount": "40.00", "deadline": "2026-12-03"},
        {"type": "chargeback", "reference": "CB2", "amount": "60.00", "deadline": "2026-12-04"},
        {"type": "coop", "reference": "CO1", "amount": "30.00", "deadline": "2028-01-10"},
        {"type": "coop", "reference": "CO2", "amount": "70.00", "deadline": "2028-02-01"},
    ],
    "deductions": [],
}


def test_only_what_can_still_be_filed_counts_and_deadlines_are_compared() -> None:
    claims = [
        # Past Amazon's deadline: shown apart, neither recall nor precision.
        {"type": "chargeback", "reference": "CB1", "amount": "40.00", "status": "expired",
         "deadline": "2026-12-03"},
        # Filed as if still open although it expired yesterday: claims nothing the key expects.
        {"type": "coop", "reference": "CO1", "amount": "30.00", "status": "draft",
         "deadline": "2028-01-11"},
        # Called expired while Amazon still takes it on its last day: a miss.
        {"type": "chargeback", "reference": "CB2", "amount": "60.00", "status": "expired",
         "deadline": "2026-12-03"},
        {"type": "coop", "reference": "CO2", "amount": "70.00", "status": "ready",
         "deadline": "2028-02-01"},
    ]  # fmt: skip
    scores = score(EXPIRING_KEY, claims)
    chargeback, coop = scores["chargeback"], scores["coop"]
    assert (chargeback.expected, chargeback.expired, chargeback.claimed) == (
        Decimal("60.00"),
        Decimal("40.00"),
        Decimal(0),
    )
    assert chargeback.recall == 0
    assert chargeback.wrong_deadlines == ["CB2: 2026-12-03 ≠ 2026-12-04"]
    assert coop.recall == 1
    assert coop.wrong_deadlines == ["CO1: 2028-01-11 ≠ 2028-01-10"]


FINDINGS_KEY = {
    "today": "2026-11-23",
    "claims": [],
    "needs_evidence": [
        {"invoice_number": "I5", "po_number": "P5", "asin": "A5", "deadline": "2027-07-04"}
    ],
    "needs_look": [],
    "deductions": [
        {"reference": "I6PCR", "truth": "valid", "deadline": "2027-12-25"},
        {"reference": "88VCBSINV", "truth": "valid", "deadline": "2026-11-29"},
    ],
}


@pytest.mark.parametrize(
    ("claim", "wrong", "too_soon"),
    [
        # A finding waiting for its POD is filed by Amazon's date like any claim.
        (
            {"type": "shortage", "invoice_number": "I5", "po_number": "P5", "asin": "A5",
             "reference": "I5SC", "status": "needs_evidence", "deadline": "2027-07-06"},
            ["I5SC: 2027-07-06 ≠ 2027-07-04"],
            [],
        ),
        (
            {"type": "shortage", "invoice_number": "I5", "po_number": "P5", "asin": "A5",
             "reference": "I5SC", "status": "needs_evidence", "deadline": "2027-07-04"},
            [],
            [],
        ),
        # A claim the key does not plant (on a valid deduction) still has the deduction's date.
        (
            {"type": "price", "invoice_number": "I6", "reference": "I6PCR", "status": "draft",
             "amount": "5.00", "deadline": "2027-12-27"},
            ["I6PCR: 2027-12-27 ≠ 2027-12-25"],
            [],
        ),
        # The chargeback's debit note carries its id; expired before Sunday 29th: too soon.
        (
            {"type": "chargeback", "reference": "88", "status": "expired",
             "deadline": "2026-11-27"},
            ["88: 2026-11-27 ≠ 2026-11-29"],
            ["88: expired, Amazon accepts it until 2026-11-29"],
        ),
    ],
)  # fmt: skip
def test_every_claims_deadline_is_compared_with_the_keys(
    claim: dict[str, str], wrong: list[str], too_soon: list[str]
) -> None:
    result = score(FINDINGS_KEY, [claim])[claim["type"]]
    assert result.deadlines_checked == 1
    assert result.wrong_deadlines == wrong
    assert result.expired_too_soon == too_soon
