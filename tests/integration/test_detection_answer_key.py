"""Detection against the scenario generator's answer key (issue: reconcile every deducted cent).

Recall of recoverable dollars that can still be filed ≥ 99 % and precision of claimed dollars
≥ 99.5 % per type, no claim on a deduction planted as valid, every claim's deadline equal to the
answer key's (Amazon's date), and every invoice's buckets adding up to its deductions.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from pipeline import expected_buckets, run_pipeline
from sqlalchemy import Engine

from recovery.config import Settings
from recovery.testing.scoring import score


@pytest.mark.parametrize(
    ("size", "seed"),
    [("tiny", 1), ("tiny", 2), ("tiny", 3), pytest.param("small", 4, marks=pytest.mark.slow)],
)
def test_detection_scores_against_the_answer_key(
    engine: Engine, settings: Settings, tmp_path: Path, size: str, seed: int
) -> None:
    if engine.dialect.name != "sqlite" and size != "tiny":
        pytest.skip("the larger run proves the rules; PostgreSQL runs the tiny ones")
    run = run_pipeline(engine, settings, tmp_path, seed=seed, size=size)
    scores = score(run.answer_key, run.claims)
    print(
        f"\n{size} seed {seed}: type       expected    claimed    recall  precision"
        "   expired (not scored)"
    )
    for kind, s in scores.items():
        print(
            f"  {kind:<11}{s.expected:>12}{s.claimed:>11}{s.recall:>9.3f}{s.precision:>10.3f}"
            f"{s.expired:>12}"
        )
    for kind, s in scores.items():
        assert s.recall >= Decimal("0.99"), f"{kind} recall {s.recall:.3f}"
        assert s.precision >= Decimal("0.995"), f"{kind} precision {s.precision:.3f}"
        assert s.claims_on_valid == [], f"{kind} claimed planted valid deductions"
        assert s.wrong_deadlines == [], f"{kind} deadlines differ from Amazon's"
    [account] = run.detection.accounts
    assert sum(account.buckets.values()) == account.deducted
    # Every deduction the remittances took is accounted for, to the cent.
    planted = sum(
        int(Decimal(d["amount"]) * 100)
        for d in run.answer_key["deductions"]
        if Decimal(d["amount"]) > 0
    )
    assert account.deducted == planted


def test_buckets_match_the_answer_key_for_every_invoice(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    """Each invoice's deducted cents, bucket by bucket, are those the answer key states:
    moving money from one bucket to another fails, not only losing it."""
    from recovery.claims.detection import find_all
    from recovery.claims.kinds import KINDS
    from recovery.claims.reader import load_detection_input
    from recovery.frame_values import as_str
    from recovery.ledger import BUCKETS, bucket_deductions

    run = run_pipeline(engine, settings, tmp_path, seed=5, size="tiny")
    with engine.connect() as conn:
        inp = load_detection_input(conn, 1)
    groups = bucket_deductions(inp, find_all(inp, settings), judged_families=KINDS)
    reference_of = dict(zip(inp.deductions["id"], inp.deductions["reference"], strict=True))
    actual: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(BUCKETS, 0))
    for group in groups:
        assert all(value >= 0 for value in group.buckets.values())
        assert group.total == group.gross
        kind, anchor = group.key.split(":", 1)
        if kind == "judged":
            anchor = str(reference_of[int(anchor)])
        for bucket, minor in group.buckets.items():
            actual[group.invoice_number or anchor][bucket] += minor
    # A debit note whose invoice the import could not tell (an unknown suffix) stands alone.
    invoice_of = {
        str(reference): as_str(number)
        for reference, number in zip(
            inp.deductions["reference"], inp.deductions["invoice_number"], strict=True
        )
    }
    expected = expected_buckets(run.answer_key, invoice_of)
    assert set(actual) == set(expected)
    wrong = {
        anchor: (actual[anchor], expected[anchor])
        for anchor in expected
        if actual[anchor] != expected[anchor]
    }
    assert wrong == {}, f"{len(wrong)} of {len(expected)} invoices bucketed wrongly"
    assert sum(sum(b.values()) for b in actual.values()) == sum(
        sum(b.values()) for b in expected.values()
    )
