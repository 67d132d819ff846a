"""A page as lines of cells, whether its words came from a text layer or from OCR.

Freight forms put several label/value pairs on one visual row ("B/L No.: 123   PRO: 456") and
values in boxes under their labels. Grouping words into lines by baseline and splitting each
line into cells at wide gaps keeps both shapes readable by one parser.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import median


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)


@dataclass(frozen=True)
class Cell:
    text: str
    x0: float
    x1: float

    def overlaps(self, other: Cell, slack: float = 4.0) -> bool:
        return self.x0 < other.x1 + slack and self.x1 > other.x0 - slack


@dataclass(frozen=True)
class Line:
    page: int  # 1-based
    cells: tuple[Cell, ...]
    top: float
    bottom: float

    @property
    def text(self) -> str:
        return "  ".join(cell.text for cell in self.cells)


@dataclass(frozen=True)
class PageText:
    number: int  # 1-based
    lines: tuple[Line, ...]
    source: str  # "text" or "ocr"

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def page_from_words(number: int, words: Iterable[Word], source: str) -> PageText:
    return PageText(number=number, lines=tuple(_lines(number, list(words))), source=source)


def _lines(page: int, words: list[Word]) -> list[Line]:
    """Rows of words, chaining each word to the nearest word on its left at the same height.

    Chaining rather than one fixed baseline per row follows a scan's slight rotation across
    the page, which would otherwise split a row's label from its value.
    """
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.x0):
        best: list[Word] | None = None
        best_distance = 0.0
        for row in rows:
            last = row[-1]
            if last.x1 > word.x0 + 1.0:
                continue
            # Tops or bottoms of one row's words line up within a point or two, across font
            # sizes (bottoms) and OCR boxes stretched by a descender or a speck (tops).
            distance = min(abs(word.bottom - last.bottom), abs(word.top - last.top))
            if distance <= max(2.5, 0.4 * min(word.height, last.height)) and (
                best is None or distance < best_distance
            ):
                best, best_distance = row, distance
        if best is None:
            rows.append([word])
        else:
            best.append(word)
    rows.sort(key=lambda row: (median(w.bottom for w in row), row[0].x0))
    return [_line(page, row) for row in rows]


def _line(page: int, row: Sequence[Word]) -> Line:
    ordered = sorted(row, key=lambda w: w.x0)
    # A column gap is wider than the widest plausible space between words of the same phrase.
    gap = 0.9 * median(w.height for w in ordered)
    cells: list[list[Word]] = [[ordered[0]]]
    for word in ordered[1:]:
        if word.x0 - cells[-1][-1].x1 > gap:
            cells.append([word])
        else:
            cells[-1].append(word)
    return Line(
        page=page,
        cells=tuple(
            Cell(" ".join(w.text for w in cell), cell[0].x0, max(w.x1 for w in cell))
            for cell in cells
        ),
        top=min(w.top for w in ordered),
        bottom=max(w.bottom for w in ordered),
    )
