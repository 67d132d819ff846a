"""Which carrier names may be the same carrier, for PRO numbers (unique per carrier only)."""

from __future__ import annotations

import pytest

from recovery.evidence.link import same_carrier


@pytest.mark.parametrize(
    ("document", "shipment", "same"),
    [
        ("Estes Express", "Estes Express Lines", True),
        ("ESTES EXPRESS LINES", "estes express", True),
        ("Old Dominion Freight Line", "ODFL", True),  # the SCAC code is the initials
        ("ODFL", "Old Dominion Freight Line", True),
        ("R+L Carriers", "R+L Carriers", True),
        ("Saia LTL Freight", "Estes Express Lines", False),
        ("FedEx Freight", "ABF Freight", False),
        ("XPO Logistics", "ODFL", False),
        (None, "Estes Express Lines", True),  # unknown on one side: cannot tell them apart
        ("Estes Express", None, True),
        ("", "  ", True),
    ],
)
def test_same_carrier(document: str | None, shipment: str | None, same: bool) -> None:
    assert same_carrier(document, shipment) is same
