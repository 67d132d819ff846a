"""The words freight forms use for each field, most specific first.

A cell is claimed by the longest label that starts it, so "Handling units: 3" is pallets (not
units), "Date received" is the delivery date (not the generic "Date" of a BOL) and "Carrier
signature / pickup date" is a box heading, not a signature. Headings that look like labels but
hold no value are listed under IGNORED so they cannot be mistaken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

IGNORED = "ignored"

LABELS: dict[str, tuple[str, ...]] = {
    "bol_number": (
        r"bill of lading (?:number|no\.?|#)",
        r"shipper'?s b/?l (?:number|no\.?|#)",
        r"b/?l (?:number|no\.?|#)",
        r"bol (?:number|no\.?|#)",
        r"bill of lading",
        r"bol",
        r"b/l",
        r"lading (?:number|no\.?)",  # OCR lost "Bill of"
    ),
    "pro_number": (
        r"(?:tracking\s*/\s*)?pro (?:number|no\.?|#)",
        r"freight bill (?:number|no\.?|#)",
        r"carrier pro",
        r"pro",
    ),
    "delivery_date": (
        r"deliver(?:y|ed) date",
        r"date (?:received|delivered)",
        r"(?:delivered|received) on",
        r"delivered",
    ),
    "ship_date": (
        r"ship(?:ping)? date",
        r"date shipped",
        r"pick-?up date",
        r"pick-?up",
        r"date",
    ),
    "po_numbers": (
        r"purchase orders?(?:\s*\(s\))?(?: numbers?| no\.?| #)?",
        r"customer order (?:number|no\.?)",
        r"reference \(po\)",
        r"po (?:numbers?|no\.?|#)",
        r"po\s*\(s\)",
        r"p\.\s?o\.?(?:\s*(?:numbers?|no\.?|#)(?:'?s)?)?",
        r"pos?",
    ),
    "ship_to": (
        r"location(?: #)?",
        r"ship to",
        r"consignee",
        r"deliver(?:ed)? to",
        r"destination",
        r"recipient",
    ),
    "carrier": (r"carrier name", r"carrier"),
    "cartons": (
        r"total (?:cartons|pieces|cases|packages|pcs|ctns)",
        r"number of (?:pieces|cartons)",
        r"cartons",
        r"ctns",
        r"cases",
        r"pieces",
        r"packages",
        r"pcs",
    ),
    "pallets": (
        r"total (?:pallets|skids)",
        r"handling units",
        r"pallets",
        r"skids",
        r"plts",
    ),
    "units": (r"total units", r"units", r"eaches"),
    "weight_lb": (
        r"total weight",
        r"gross weight",
        r"weight(?:\s*\(lbs?\))?",
        r"wt\.?",
    ),
    "receiver": (
        r"received by",
        r"signed (?:for )?by",
        r"consignee signature",
        r"receiver(?:'s)? signature",
        r"receiver",
    ),
    "carrier_signature": (
        r"carrier signature",
        r"driver signature",
        r"picked up by(?: driver)?",
    ),
    IGNORED: (
        r"shipper(?: signature\s*/?\s*date)?",
        r"carrier signature\s*/?\s*pick-?up date",
        r"carrier information",
        r"consignee receipt",
        r"customer order information",
        r"trailer number",
        r"scac",
        r"pallet/slip",
        r"#? ?pkgs",
        r"pkg type",
        r"freight charges?(?: terms)?",
        r"bill to",
        r"commodity description",
        r"signature image on file",
        r"(?:delivery )?exceptions?(?: \(shortage / damage / refused\))?",
        r"os\s?&\s?d(?: notes?| exceptions?)?",
        r"notes?",
        r"remarks",
        r"comments",
        r"description",
        r"class",
        r"address",
        r"city/state/zip",
        r"name",
        r"grand total",
    ),
}


@dataclass(frozen=True)
class LabelMatch:
    field: str
    priority: int  # position in the field's list: lower is more specific
    rest: str  # what follows the label in the same cell, separators stripped


def _compile() -> list[tuple[str, int, re.Pattern[str]]]:
    return [
        (field, priority, re.compile(rf"^(?:{pattern})(?=$|[\s:#.)])[\s:#.]*", re.IGNORECASE))
        for field, patterns in LABELS.items()
        for priority, pattern in enumerate(patterns)
    ]


_PATTERNS = _compile()


def match_label(cell_text: str) -> LabelMatch | None:
    """The longest label that starts this cell, if any."""
    best: tuple[int, str, int, str] | None = None
    for field, priority, pattern in _PATTERNS:
        found = pattern.match(cell_text)
        if found is None:
            continue
        label_end = len(found.group(0).rstrip(" :#."))
        if best is None or label_end > best[0]:
            best = (label_end, field, priority, cell_text[found.end() :].strip())
    if best is None:
        return None
    return LabelMatch(field=best[1], priority=best[2], rest=best[3])
