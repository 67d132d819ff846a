"""How fast `draft_claims` renders and moves claims (detection drafts every new claim).

    .venv/bin/python bench/bench_drafting.py [N] [DATABASE_URL]

Prints claims per second for N shortage claims with one POD each (default 2000, a temporary
SQLite file). A DATABASE_URL must name an empty, throwaway database: the script migrates it and
leaves its rows there.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from recovery.claims.drafting import draft_claims
from recovery.config import Settings
from recovery.models import Claim, ClaimEvidence, ClaimLine, EvidenceDocument, VendorAccount
from recovery.store import db


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as tmp:
        url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(database_url=url, data_dir=Path(tmp) / "data")
        engine = db.make_engine(url)
        db.upgrade(engine)
        with db.session_scope(engine) as session:
            account = VendorAccount(vendor_code="BENCH", name="Bench Brand")
            session.add(account)
            session.flush()
            assert account.id is not None
            claims = []
            for i in range(count):
                claim = Claim(
                    account_id=account.id,
                    finding_key=f"shortage:INV{i}SC",
                    type="shortage",
                    reference=f"INV{i}SC",
                    invoice_number=f"INV{i}",
                    po_number=f"PO{i}",
                    asin="B000000001",
                    quantity=12,
                    amount_minor=10080,
                    currency="USD",
                    confidence_pct=95,
                    reason=f"Invoice INV{i}: 12 units × $8.40 = $100.80",
                    draft_fields={"invoiced_units": 120, "shipped_date": "2026-03-02"},
                )
                pod = EvidenceDocument(
                    sha256=f"{i:064d}", original_name=f"pod-{i}.pdf", stored_path="x", kind="pod"
                )
                session.add_all([claim, pod])
                claims.append((claim, pod))
            session.flush()
            for claim, pod in claims:
                assert claim.id is not None and pod.id is not None
                session.add(ClaimEvidence(claim_id=claim.id, document_id=pod.id))
                session.add(
                    ClaimLine(claim_id=claim.id, line_no=1, amount_minor=10080, currency="USD")
                )
            session.flush()
            started = time.perf_counter()
            draft_claims(session, [c for c, _ in claims], settings)
            session.flush()
            elapsed = time.perf_counter() - started
        engine.dispose()
    backend = engine.url.get_backend_name()
    rate = count / elapsed
    print(f"draft_claims: {count} claims in {elapsed:.2f} s = {rate:.0f} claims/s ({backend})")


if __name__ == "__main__":
    main()
