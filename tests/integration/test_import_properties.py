"""Mangled exports either import correctly or fail with a row/column message; never halfway.

Hypothesis writes a valid remittance, then drops a column, garbles an amount, inserts junk rows
or truncates the file. Whatever it does, `recovery import` must exit 0 with exactly the rows the
file really holds, or exit 1 with one line naming the row and column and nothing stored.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from cli_runner import Cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select
from sqlmodel import Session

from recovery.models import Deduction, ImportBatch, RemittanceLine
from recovery.store import db

COLUMNS = [
    "Payment Number",
    "Invoice Number",
    "Invoice Date",
    "Description",
    "Invoice Amount",
    "Terms Discount Taken",
    "Amount Paid",
    "Remaining Amount",
    "Invoice Currency",
]
REQUIRED = {"Payment Number", "Invoice Number", "Invoice Amount", "Amount Paid"}
KINDS = [("Payments", ""), ("Quantity shortage", "SC"), ("Price variance", "PCR")]

line = st.tuples(
    st.integers(min_value=1, max_value=3),  # payment
    st.integers(min_value=1, max_value=10**6),  # cents
    st.sampled_from(KINDS),
    st.booleans(),  # accounting style "(12.00)" or "$1,234.56"
)


def render(rows: list[tuple[int, int, tuple[str, str], bool]]) -> list[list[str]]:
    out = []
    for n, (payment, cents, (description, suffix), fancy) in enumerate(rows):
        signed = -cents if suffix else cents
        plain = f"{Decimal(signed) / 100:.2f}"
        if fancy:
            body = f"${abs(signed) // 100:,}.{abs(signed) % 100:02d}"
            text = f"({body})" if signed < 0 else body
        else:
            text = plain
        out.append(
            [
                f"P{payment}",
                f"INV{n}{suffix}",
                "10/01/2026",
                description,
                text,
                "0.00",
                text,
                "0.00",
                "USD",
            ]
        )
    return out


def to_csv(header: list[str], rows: list[list[str]]) -> str:
    def cell(value: str) -> str:
        return f'"{value}"' if "," in value else value

    return "\n".join(",".join(cell(c) for c in r) for r in [header, *rows]) + "\n"


mangle = st.one_of(
    st.tuples(st.just("drop"), st.sampled_from(COLUMNS)),
    st.tuples(
        st.just("garble"),
        st.sampled_from(["Invoice Amount", "Amount Paid"]),
        st.sampled_from(["12..5", "abc", "$", "1,2,3", "(5"]),
    ),
    st.tuples(
        st.just("junk"),
        st.sampled_from(
            ["xx,yy,zz", "!!!", ",,,,", "Total,,,,99", "Note: figures in USD", "P1,,,,,,,,"]
        ),
    ),
    st.tuples(st.just("truncate"), st.floats(min_value=0.05, max_value=0.95)),
    st.tuples(st.just("none")),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(line, min_size=1, max_size=12), how=mangle, where=st.integers(0, 100))
def test_mangled_remittances(
    rows: list[tuple[int, int, tuple[str, str], bool]],
    how: tuple[object, ...],
    where: int,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path_factory.mktemp("mangled")
    database = folder / "r.db"
    database.write_bytes(sqlite_template.read_bytes())
    monkeypatch.setenv("RECOVERY_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.chdir(folder)
    header, body = list(COLUMNS), render(rows)
    if how[0] == "drop":
        index = header.index(str(how[1]))
        header.pop(index)
        body = [r[:index] + r[index + 1 :] for r in body]
    expected = [list(r) for r in body]
    if how[0] == "garble":
        index = header.index(str(how[1]))
        body[where % len(body)][index] = str(how[2])
    elif how[0] == "junk":
        body.insert(where % (len(body) + 1), str(how[1]).split(","))
    text = to_csv(header, body)
    if how[0] == "truncate":
        text = text[: max(1, int(len(text) * float(how[1])))]  # type: ignore[arg-type]
    path = folder / "remittance.csv"
    path.write_text(text)

    code, _, err = cli(["import", "--kind", "remittance", str(path)])

    engine = create_engine(f"sqlite:///{database}")
    with Session(engine) as s:
        stored = s.exec(select(RemittanceLine.invoice_number, RemittanceLine.paid_minor)).all()
        batches = s.exec(select(func.count()).select_from(ImportBatch)).scalar_one()
        deductions = s.exec(select(func.count()).select_from(Deduction)).scalar_one()
    engine.dispose()
    assert "Traceback" not in err
    if code != 0:
        assert code == 1 and len(err.strip().splitlines()) == 1, err
        assert "remittance.csv" in err
        assert re.search(r"row \d+|missing required column|header", err), err
        assert not stored and batches == 0 and deductions == 0
        return
    assert batches == 1
    by_number = dict(stored)
    if how[0] == "truncate":
        # The rows that survived whole are stored exactly; the cut one may be stored as cut.
        whole = [r for r in expected if to_csv(header, [r]).splitlines()[1] + "\n" in text]
        for r in whole[:-1]:
            assert r[1] in by_number
        assert set(by_number) <= {r[1] for r in expected}
        return
    assert how[0] != "garble" or how[1] not in REQUIRED  # a garbled amount never slips through
    if how[0] == "drop" and how[1] in REQUIRED:
        raise AssertionError(f"dropping {how[1]} was accepted")
    assert set(by_number) == {r[1] for r in expected}
    paid_at = header.index("Amount Paid") if "Amount Paid" in header else None
    if paid_at is not None:
        for r in expected:
            cents = int(
                Decimal(
                    r[paid_at].replace("$", "").replace(",", "").replace("(", "-").replace(")", "")
                )
                * 100
            )
            assert by_number[r[1]] == cents


def test_sqlite_template_is_migrated(sqlite_template: Path) -> None:
    engine = db.make_engine(f"sqlite:///{sqlite_template}")
    assert db.current_revision(engine) == db.head_revision(engine)
    engine.dispose()
