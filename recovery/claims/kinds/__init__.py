"""The claim types, one module each (`shortage`, `price`, `coop`, `chargeback`): each holds its
rule, the frames it reads, its scope keys for incremental runs, its filing window and bands,
the evidence it requires, its draft's form fields, its Vendor Central dispute form (as data)
and its templates (`ClaimKind`). Detection, the incremental scope, deadlines, drafting, filing,
the workflow, the run summary and the CLI loop over `KINDS`.

A new type is a new module here with its `ClaimKind`, its templates in `templates/claims/`,
its value in `ClaimType`, and one line below.
"""

from __future__ import annotations

from recovery.claims.kinds.chargeback import CHARGEBACK
from recovery.claims.kinds.coop import COOP
from recovery.claims.kinds.kind import ClaimKind
from recovery.claims.kinds.price import PRICE
from recovery.claims.kinds.shortage import SHORTAGE

# In the order detection judges them and summaries list them.
KINDS: dict[str, ClaimKind] = {kind.type: kind for kind in (SHORTAGE, PRICE, COOP, CHARGEBACK)}


def kind_of(claim_type: str) -> ClaimKind:
    kind = KINDS.get(claim_type)
    if kind is None:
        raise ValueError(f"unknown claim type {claim_type!r}")
    return kind
