"""Option values several commands read the same way."""

from __future__ import annotations

from datetime import date

from recovery.errors import RecoveryError


def parse_day(value: str | None) -> date | None:
    """`--today YYYY-MM-DD`; a bad one is a user error (exit 1) naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RecoveryError(f"--today {value!r}: not a date (use YYYY-MM-DD)") from None
