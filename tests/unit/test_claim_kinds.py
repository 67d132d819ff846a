"""The kind registry holds together: every claim type has one kind, whose declarations match
what the reader, the templates and the workflow have."""

from __future__ import annotations

from recovery.claims.inputs import FRAME_COLUMNS, FRAMES
from recovery.claims.kinds import KINDS
from recovery.claims.reader import reader_columns
from recovery.ledger import LedgerFrames
from recovery.models import ClaimType
from recovery.resources import templates_dir


def test_every_claim_type_has_its_kind_in_the_types_order() -> None:
    assert list(KINDS) == [t.value for t in ClaimType]


def test_the_reader_selects_the_columns_the_frames_declare() -> None:
    """Rule tests build frames from FRAME_COLUMNS; the database must fill the same columns."""
    assert reader_columns() == FRAME_COLUMNS


def test_every_frame_is_read_by_a_kind_or_the_ledger() -> None:
    ledger = {name for name in dir(LedgerFrames) if name in FRAMES}
    read = set().union(*(kind.reads for kind in KINDS.values())) | ledger
    assert read == FRAMES


def test_each_kinds_templates_exist() -> None:
    for kind in KINDS.values():
        for name in kind.templates:
            assert (templates_dir() / "claims" / name).is_file(), name


def test_each_kind_judges_its_own_deduction_kinds() -> None:
    for kind in KINDS.values():
        assert {k.removesuffix("_reversal") for k in kind.deduction_kinds} == {kind.type}
