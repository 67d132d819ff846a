"""One hash of what a database holds: stored rows, links and findings, whatever the row ids.

A change that only makes something faster (a bulk path, set-wise linking) must leave the same
rows behind. Row ids are not comparable (PostgreSQL's sequences skip on upserts, SQLite's do
not), so a row is hashed from its own values with each foreign key replaced by the hash of the
row it points to; a table is the sorted list of its rows' hashes. What records when or how
something ran (import batches, job runs, the change queue, detection's own state) and the
columns stamped with the current time are left out.

    digest = store_digest(engine)        # hex string, the same on SQLite and PostgreSQL
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Table, select
from sqlmodel import SQLModel

import recovery.models  # noqa: F401  (every table on the metadata)

# How something ran, not what it found.
SKIPPED_TABLES = frozenset(
    {"import_batch", "job_run", "changed_key", "detection_state", "sync_cursor", "app_user"}
)
# Stamped with the moment of the write.
SKIPPED_COLUMNS = frozenset(
    {
        "vendor_account.created_at",
        "evidence_document.added_at",
        "bank_transaction.imported_at",
        "purchase_order.updated_at",
        "shipment.updated_at",
        "claim.created_at",
        "claim.updated_at",
        "claim_event.at",
        "filing_attempt.started_at",
        "filing_attempt.finished_at",
    }
)


def store_digest(engine: Engine) -> str:
    """The hash of every table's rows (see the module's text)."""
    return hashlib.sha256(json.dumps(table_digests(engine), sort_keys=True).encode()).hexdigest()


def table_digests(engine: Engine) -> dict[str, str]:
    """Per table, the hash of its rows: which table differs when the whole does."""
    row_hashes: dict[str, dict[Any, str]] = {}
    digests: dict[str, str] = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:  # parents before children
            if table.name in SKIPPED_TABLES:
                continue
            hashes: dict[Any, str] = {}
            for row in conn.execute(select(table)).mappings():
                hashes[row.get("id")] = _row_hash(table, row, row_hashes)
            row_hashes[table.name] = hashes
            joined = "\n".join(sorted(hashes.values()))
            digests[table.name] = hashlib.sha256(joined.encode()).hexdigest()
    return digests


def _row_hash(table: Table, row: Any, parents: dict[str, dict[Any, str]]) -> str:
    values: dict[str, Any] = {}
    for column in table.columns:
        if column.name == "id" or f"{table.name}.{column.name}" in SKIPPED_COLUMNS:
            continue
        value = row[column.name]
        for key in column.foreign_keys:
            target = key.column.table.name
            # A key into a skipped table (the import batch a row came in) says how, not what.
            value = None if target in SKIPPED_TABLES else parents.get(target, {}).get(value, value)
        values[column.name] = _plain(value)
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def _plain(value: Any) -> Any:
    """The same text for the same value from either database's driver."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (date, Decimal)):
        return str(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (dict, list)):
        return json.loads(json.dumps(value, sort_keys=True, default=str))
    return value
