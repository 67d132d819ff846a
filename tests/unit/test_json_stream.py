"""The streaming JSON reader reads what json.loads reads, whatever the block boundaries."""

from __future__ import annotations

import io
import json
from functools import partial
from typing import Any

import msgspec
import pytest

from recovery.errors import InputError
from recovery.sources.json_stream import JsonReader
from recovery.sources.spapi_shapes import as_plain, decode_documents


def read_all(reader: JsonReader) -> Any:
    """Rebuild the whole value by stepping into every object and array."""
    shape = reader.peek()
    if shape == "object":
        return {key: read_all(reader) for key in reader.members()}
    if shape == "array":
        return [read_all(reader) for _ in reader.elements()]
    return reader.read()


DOCUMENTS = [
    {"payload": {"orders": [{"n": 1, "cost": 123456789}, {"n": 2, "tags": ["a", "b"]}]}},
    [1, 22, 333, 4444.5, -7e3, True, False, None, "x"],
    {"a": {}, "b": [], "c": [[], [{}]], "é": "naïve ✓", "q": 'say "hi" \\ ok'},
    [],
    {},
    12345,
]


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64, 1 << 20])
@pytest.mark.parametrize("value", DOCUMENTS, ids=range(len(DOCUMENTS)))
def test_any_block_size_reads_the_same_value(value: Any, block: int) -> None:
    for text in (json.dumps(value), json.dumps(value, indent=2)):
        reader = JsonReader(io.StringIO(text), block_chars=block)
        assert read_all(reader) == value
        assert reader.peek() == "end"


@pytest.mark.parametrize("block", [1, 5, 1 << 20])
def test_a_number_cut_by_a_block_is_read_whole(block: int) -> None:
    reader = JsonReader(io.StringIO("[123456789,987654321]"), block_chars=block)
    assert [reader.read() for _ in reader.elements()] == [123456789, 987654321]


@pytest.mark.parametrize(
    "text",
    [
        '{"orders": [\n{"n": 1,}\n]}',
        "[1, 2\n\n  3]",
        '{"a" 1}',
        '{"a": [1, 2}',
        '{"a": "unterminated',
        "",
        '{"a": 1} trailing',
    ],
)
@pytest.mark.parametrize("block", [2, 1 << 20])
def test_errors_name_the_line_json_loads_names(text: str, block: int) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(InputError, match="not valid JSON") as raised:
        reader = JsonReader(io.StringIO(text), block_chars=block)
        read_all(reader)
        if reader.peek() != "end":
            reader.read()
    assert raised.value.row == expected.value.lineno


def test_an_error_deep_in_a_long_file_names_its_line_and_column() -> None:
    lines = [json.dumps({"n": n}) + "," for n in range(5000)]
    text = '{"orders": [\n' + "\n".join(lines) + '\n{"n": 5000 "oops"}\n]}'
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(InputError) as raised:
        read_all(JsonReader(io.StringIO(text), block_chars=4096))
    assert raised.value.row == expected.value.lineno == 5002
    assert f"(column {expected.value.colno})" in raised.value.detail


def _orders() -> list[Any]:
    """Documents that begin alike, with nested objects that begin like them too, and strings
    holding what a cut between two documents would look like."""
    orders: list[Any] = []
    for n in range(300):
        order: dict[str, Any] = {
            "purchaseOrderNumber": f"PO{n}",
            "items": [{"purchaseOrderNumber": f"PO{n}", "n": i} for i in range(n % 4)],
        }
        if n % 7 == 0:
            order["note"] = 'ends },{"purchaseOrderNumber": "X" and \\ "quotes" é ✓'
        orders.append(order)
    return orders


def read_runs(reader: JsonReader) -> tuple[list[Any], int]:
    """The array's elements through `runs`, and how many came in runs."""
    values: list[Any] = []
    in_runs = 0
    for whole, value in reader.runs(json.loads):
        if whole:
            in_runs += len(value)
            values.extend(value)
        else:
            values.append(value)
    return values, in_runs


@pytest.mark.parametrize("block", [1, 50, 4096, 1 << 20])
@pytest.mark.parametrize("indent", [None, 2])
def test_runs_are_whole_elements_whatever_the_blocks(block: int, indent: int | None) -> None:
    orders = _orders()
    text = json.dumps(orders, indent=indent, ensure_ascii=False)
    reader = JsonReader(io.StringIO(text), block_chars=block)
    values, in_runs = read_runs(reader)
    assert values == orders
    assert reader.peek() == "end"
    if block >= 4096:
        assert in_runs > len(orders) // 2  # most go to the fast decoder in runs


@pytest.mark.parametrize("text", ["[]", "[1, 2, 3]", '["a", {"b": 1}]', '[{"a": 1}]'])
def test_runs_of_anything_else_are_read_one_by_one(text: str) -> None:
    values, in_runs = read_runs(JsonReader(io.StringIO(text)))
    assert values == json.loads(text)
    assert in_runs == 0 or text == '[{"a": 1}]'


def test_broken_json_between_runs_names_its_line() -> None:
    lines = [json.dumps({"purchaseOrderNumber": n}) + "," for n in range(5000)]
    text = "[\n" + "\n".join(lines[:4000]) + '\n{"purchaseOrderNumber": 1 "oops"},\n'
    text += "\n".join(lines[4000:]) + '\n{"purchaseOrderNumber": 0}\n]'
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(InputError) as raised:
        read_runs(JsonReader(io.StringIO(text), block_chars=4096))
    assert raised.value.row == expected.value.lineno == 4002


@pytest.mark.parametrize("block", [64, 4096, 1 << 16])
def test_runs_decoded_typed_find_their_cuts_when_a_document_does_not_fit(block: int) -> None:
    """The typed decoder is what checks a run: a cut inside a document (at an ignored field
    holding what looks like whole documents) must not pass, even when the run also holds a
    document the shapes do not take (read plainly then)."""
    orders: list[dict[str, Any]] = []
    for n in range(400):
        order: dict[str, Any] = {"purchaseOrderNumber": f"PO{n}", "purchaseOrderState": "New"}
        if n % 5 == 0:  # an ignored field whose objects begin as a whole document does
            order["history"] = [{"purchaseOrderNumber": f"OLD{n}", "purchaseOrderState": "x"}]
        if n % 50 == 7:  # not Amazon's shape: the run it is in is read plainly
            order["orderDetails"] = {"items": [{"itemSequenceNumber": 12}]}
        orders.append(order)
    reader = JsonReader(io.StringIO(json.dumps(orders)), block_chars=block)
    read: list[Any] = []
    for whole, value in reader.runs(partial(decode_documents, "purchase-orders")):
        read.extend(value if whole else [value])
    plain = [as_plain(doc) if isinstance(doc, msgspec.Struct) else doc for doc in read]
    assert [doc["purchaseOrderNumber"] for doc in plain] == [
        o["purchaseOrderNumber"] for o in orders
    ]
    assert all(
        isinstance(doc, dict) for doc, o in zip(read, orders, strict=True) if "orderDetails" in o
    )
