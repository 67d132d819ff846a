"""Text from a file written into a spreadsheet must stay text (formula injection, issue 26).

OWASP's CSV-injection advice: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return is read by spreadsheet programs as a formula; a leading apostrophe makes it plain text.
i26 builds the shared module every export will use; this one is switched to it at merge.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value
