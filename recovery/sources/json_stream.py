"""Read a JSON file of any size one value at a time.

SP-API responses saved to disk run to gigabytes (a year of PO status is 1.3 GB), and read
whole a file costs several times its size in memory. `JsonReader` walks only the envelope —
the objects and arrays a caller chooses to step into — and hands every other value to the
standard library's C decoder on its own, so memory stays at one block of text plus the value
being read.

    reader = JsonReader(handle)
    for key in reader.members():          # an object: each key, value not yet read
        if key == "orders":
            for _ in reader.elements():   # an array: once per element, not yet read
                order = reader.read()
        else:
            reader.read()                 # every value must be read or stepped into

Errors carry the file's line and column, as `json.loads` of the whole text would report them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, Literal, TextIO

import msgspec

from recovery.errors import InputError

BLOCK_CHARS = 1 << 20
_WHITESPACE = " \t\n\r"
_NUMBER_TAIL = frozenset("0123456789.eE+-")
_DECODER = json.JSONDecoder()
# Candidate ends of a run tried before reading element by element (an element's own nested
# objects may begin like a whole one in a file written without spaces).
_RUN_TRIES = 8

Shape = Literal["object", "array", "value", "end"]


class JsonReader:
    def __init__(self, handle: TextIO, *, block_chars: int = BLOCK_CHARS) -> None:
        self._handle = handle
        self._block = block_chars
        self._text = ""
        self._pos = 0
        self._eof = False
        # Where `_text[0]` sits in the file, for error messages.
        self._line = 1
        self._column = 1

    def peek(self) -> Shape:
        """What the next value is, without reading it ("end" when the text is over)."""
        char = self._next_char()
        if char == "{":
            return "object"
        if char == "[":
            return "array"
        return "end" if char == "" else "value"

    def read(self) -> Any:
        """The next value, decoded whole."""
        self._next_char()
        while True:
            try:
                value, end = _DECODER.raw_decode(self._text, self._pos)
            except json.JSONDecodeError as exc:
                # Read as much again as is held, so a long value is decoded a few times, not
                # once per block.
                if self._fill(len(self._text) - self._pos):
                    continue
                raise self._error(exc.msg, exc.pos) from exc
            # A number cut off by the end of a block ("44" of "44.5") decodes as a shorter
            # number: a value counts once a character that cannot continue it follows, or the
            # file has ended.
            if (end < len(self._text) and self._text[end] not in _NUMBER_TAIL) or not self._fill():
                self._pos = end
                return value

    def members(self) -> Iterator[str]:
        """Step into an object: yields each key; its value must be read before the next."""
        self._expect("{")
        if self._next_char() == "}":
            self._pos += 1
            return
        while True:
            if self._next_char() != '"':
                raise self._error("Expecting property name enclosed in double quotes", self._pos)
            key = self.read()
            self._expect(":")
            yield key
            if self._separator("}"):
                return

    def elements(self) -> Iterator[None]:
        """Step into an array: yields once per element, which must be read before the next."""
        self._expect("[")
        if self._next_char() == "]":
            self._pos += 1
            return
        while True:
            yield None
            if self._separator("]"):
                return

    def runs(self, decode: Callable[[str], Any]) -> Iterator[tuple[bool, Any]]:
        """Step into an array of objects: yields (True, `decode`(text)) for a run of whole
        elements, the text a JSON array of them for a fast decoder to read, or (False, value)
        for one element read the usual way (the last few, one bigger than a block, broken
        text). `decode` raises `msgspec.DecodeError` or `json.JSONDecodeError` for text that
        is not JSON.

        A run ends where the next element begins with the same text as the run's first (its
        `{` and first key, as one program writes every element) and the text up to there is
        valid JSON: a cut inside an element or a string never is, so a run is always whole
        elements, whatever they hold. Decoding the run is what checks it: a separate check
        read every run twice.
        """
        self._expect("[")
        if self._next_char() == "]":
            self._pos += 1
            return
        while True:
            run = self._whole_elements(decode)
            yield (True, run[0]) if run is not None else (False, self.read())
            if self._separator("]"):
                return

    def _whole_elements(self, decode: Callable[[str], Any]) -> tuple[Any] | None:
        """The elements from here up to the last that ends in the held text, decoded (in a
        tuple: None is a value)."""
        if self._next_char() != "{":
            return None
        if len(self._text) - self._pos < self._block:
            self._fill()
        text, start = self._text, self._pos
        key_start = start + 1
        while key_start < len(text) and text[key_start] in _WHITESPACE:
            key_start += 1
        key_end = text.find('"', key_start + 1)
        if key_start >= len(text) or text[key_start] != '"' or key_end < 0:
            return None
        opening = text[start : key_end + 1]
        if "\\" in opening:
            return None
        end = len(text)
        for _ in range(_RUN_TRIES):
            next_start = text.rfind(opening, start + 1, end)
            if next_start < 0:
                return None
            comma = next_start - 1
            while text[comma] in _WHITESPACE:
                comma -= 1
            if text[comma] == ",":
                try:
                    value = decode(f"[{text[start:comma]}]")
                except (msgspec.DecodeError, json.JSONDecodeError):
                    pass
                else:
                    self._pos = comma
                    return (value,)
            end = next_start
        return None

    def _separator(self, closing: str) -> bool:
        """Past the comma between two members or elements; True at the closing bracket."""
        char = self._next_char()
        self._pos += 1
        if char == closing:
            return True
        if char != ",":
            raise self._error(f"Expecting ',' delimiter or '{closing}'", self._pos - 1)
        return False

    def _expect(self, char: str) -> None:
        if self._next_char() != char:
            raise self._error(f"Expecting '{char}'", self._pos)
        self._pos += 1

    def _next_char(self) -> str:
        """The next character that is not whitespace, without consuming it ("" at the end)."""
        while True:
            text, pos = self._text, self._pos
            while pos < len(text) and text[pos] in _WHITESPACE:
                pos += 1
            self._pos = pos
            if pos < len(text):
                return text[pos]
            if not self._fill():
                return ""

    def _fill(self, at_least: int = 0) -> bool:
        """Read another block behind what is left of the text; False at the end of the file."""
        if self._eof:
            return False
        block = self._handle.read(max(self._block, at_least))
        if not block:
            self._eof = True
            return False
        done = self._text[: self._pos]
        newlines = done.count("\n")
        if newlines:
            self._line += newlines
            self._column = len(done) - done.rfind("\n")
        else:
            self._column += len(done)
        self._text = self._text[self._pos :] + block
        self._pos = 0
        return True

    def _error(self, message: str, pos: int) -> InputError:
        before = self._text[:pos]
        newlines = before.count("\n")
        line = self._line + newlines
        column = pos - before.rfind("\n") if newlines else self._column + pos
        return InputError(f"not valid JSON: {message} (column {column})", row=line)
