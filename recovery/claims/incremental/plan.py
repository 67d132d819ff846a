"""Whether a detection run judges everything or only what changed, and how the two combine.

A run is full the first time (or after changes queued while it ran, see
`recovery.store.changes.EVERYTHING`), after the rules or their settings changed, when asked to,
or when so much changed that reading everything is cheaper. Otherwise it reruns the rules on
the scope of the queued changes and keeps the last run's findings everywhere else: the result is
the same set of findings a full run would produce, which the tests check against a full run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import Connection

from recovery.claims.findings import Finding
from recovery.claims.incremental.scope import MAX_SCOPED_KEYS, Queue, Scope, close_scope, read_queue
from recovery.claims.incremental.stored_findings import (
    fingerprint,
    load_findings,
    stored_fingerprint,
)
from recovery.claims.inputs import DetectionInput
from recovery.claims.kinds.common import chargeback_id_of
from recovery.config import Settings
from recovery.store.changes import EVERYTHING


@dataclass
class RunPlan:
    queue: Queue
    fingerprint: str
    scope: Scope | None  # None: every finding is computed
    why: str  # for people: why this run is full, or what it looks at
    # The last run's outside the scope, as stored for the summary (`stored_findings.load_findings`).
    kept: list[Finding] = field(default_factory=list)
    stale_keys: set[str] = field(default_factory=set)  # last run's, inside it

    @property
    def full(self) -> bool:
        return self.scope is None


def plan_run(conn: Connection, account_id: int, settings: Settings, *, full: bool) -> RunPlan:
    """Read the queue before the data: whatever is queued after this waits for the next run."""
    current = fingerprint(settings)
    previous = stored_fingerprint(conn, account_id)
    why = None
    if full:
        why = "full run (asked for)"
    elif previous is None:
        why = "full run (first run)"
    elif previous != current:
        why = "full run (the rules or their settings changed)"
    if why is not None:
        # What changed does not matter: only which queued rows to clear when done.
        return RunPlan(read_queue(conn, account_id, keys=False), current, None, why)
    queue = read_queue(conn, account_id)
    if EVERYTHING in queue.keys:
        # Written by an import that began before the first run had committed.
        return RunPlan(queue, current, None, "full run (changes queued before the first run)")
    if queue.size > MAX_SCOPED_KEYS:
        return RunPlan(queue, current, None, f"full run ({queue.size:,} changed keys)")
    scope = close_scope(conn, account_id, queue)
    if scope.size > MAX_SCOPED_KEYS:
        return RunPlan(queue, current, None, f"full run (changes reach {scope.size:,} keys)")
    kept, stale = [], set()
    for finding in load_findings(conn, account_id):
        if scope.covers(finding):
            stale.add(finding.key)
        else:
            kept.append(finding)
    why = (
        f"changes only: {len(scope.pos):,} POs, {len(scope.invoices):,} invoices, "
        f"{len(scope.refs):,} references"
    )
    return RunPlan(queue, current, scope, why, kept, stale)


def rules_input(inp: DetectionInput, scope: Scope | None) -> DetectionInput:
    """What the rules see: in a scoped run, only the deductions the scope names.

    The frames hold every deduction (the summary buckets them all); the rules must not judge
    deductions whose other rows were not read.
    """
    if scope is None:
        return inp
    d = inp.deductions
    named = (
        # (a reference without the debit-note suffix maps to itself)
        d["reference"].astype(str).map(chargeback_id_of).isin(scope.refs)
        | d["invoice_number"].isin(scope.invoices)
        | d["po_number"].isin(scope.pos)
    )
    return replace(inp, deductions=d[named].reset_index(drop=True))


@dataclass
class Combined:
    findings: list[Finding]  # every finding: this run's inside the scope, the last run's outside
    computed: list[Finding]  # the ones this run computed (and stores)
    # Those taken from the last run, as stored for the summary (`stored_findings.load_findings`).
    summarised: frozenset[str]


def combine(plan: RunPlan, computed: list[Finding]) -> Combined:
    """Every finding, with only the scope's taken from this run."""
    if plan.scope is None:
        return Combined(computed, computed, frozenset())
    fresh = [f for f in computed if plan.scope.covers(f)]
    fresh_keys = {f.key for f in fresh}
    kept = [f for f in plan.kept if f.key not in fresh_keys]
    return Combined([*kept, *fresh], fresh, frozenset(f.key for f in kept))
