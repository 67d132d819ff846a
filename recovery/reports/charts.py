"""The summary's charts as PNG images (matplotlib's Agg canvas: no display, no pyplot state)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from recovery.money import exponent, format_minor
from recovery.reports.figures import DEDUCTION_GROUPS, AccountFigures, WeekPoint

_COLOURS = {
    "recoverable": "#9db4d6",
    "recovered": "#1f6f43",
    "shortage": "#2f5d9e",
    "price": "#d08c2c",
    "coop": "#7d4f9e",
    "chargeback": "#b23b3b",
    "other": "#8a8a8a",
}


def _axis_money(currency: str) -> FuncFormatter:
    # Plotting is the one place money becomes a float: the axis only draws it.
    places = exponent(currency)
    cents = "." + "0" * places if places else ""

    def label(value: float, _position: int) -> str:
        whole = round(value) // 10**places * 10**places
        return (
            format_minor(whole, currency).replace(cents, "", 1)
            if cents
            else format_minor(whole, currency)
        )

    return FuncFormatter(label)


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    out = io.BytesIO()
    # No "Software" entry: the same figures give the same bytes whatever matplotlib wrote them.
    figure.savefig(out, format="png", dpi=110, metadata={"Software": None})
    return out.getvalue()


def _week_labels(points: Sequence[WeekPoint]) -> list[str]:
    return [p.label.split("-")[-1] for p in points]


def recovery_chart(account: AccountFigures) -> bytes:
    """Recoverable found and recovered, week by week over 13 weeks."""
    points = account.trend
    figure = Figure(figsize=(7.2, 2.6), layout="constrained")
    axes = figure.add_subplot()
    x = list(range(len(points)))
    width = 0.4
    axes.bar(
        [i - width / 2 for i in x],
        [p.recoverable_minor for p in points],
        width,
        label="Recoverable (drafted)",
        color=_COLOURS["recoverable"],
    )
    axes.bar(
        [i + width / 2 for i in x],
        [p.recovered_minor for p in points],
        width,
        label="Recovered",
        color=_COLOURS["recovered"],
    )
    _finish(axes, x, _week_labels(points), account.currency, "Recoverable vs recovered")
    return _png(figure)


def deductions_chart(account: AccountFigures) -> bytes:
    """Deductions raised per week, stacked by type: where the money goes."""
    points = account.trend
    figure = Figure(figsize=(7.2, 2.6), layout="constrained")
    axes = figure.add_subplot()
    x = list(range(len(points)))
    bottom = [0] * len(points)
    for group in DEDUCTION_GROUPS:
        values = [p.raised_minor[group] for p in points]
        axes.bar(x, values, 0.7, bottom=bottom, label=group, color=_COLOURS[group])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    _finish(axes, x, _week_labels(points), account.currency, "Deductions raised by type")
    return _png(figure)


def _finish(axes: Axes, x: list[int], labels: list[str], currency: str, title: str) -> None:

    axes.set_title(title, fontsize=10, loc="left")
    axes.set_xticks(x, labels, fontsize=7)
    axes.tick_params(axis="y", labelsize=7)
    axes.yaxis.set_major_formatter(_axis_money(currency))
    # The axis draws minor units; a tick every whole unit at least.
    axes.set_ylim(bottom=0, top=max(axes.get_ylim()[1], 10 ** exponent(currency)))
    axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def account_charts(account: AccountFigures) -> dict[str, bytes]:
    return {"recovery": recovery_chart(account), "deductions": deductions_chart(account)}
