"""The summary as one HTML page (Jinja2, templates/reports/): the file, the PDF's source and the
e-mail's body. Charts are given as image sources: data URIs in a file, `cid:` links in a mail."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from decimal import Decimal

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from recovery.money import format_minor
from recovery.reports.figures import DEDUCTION_GROUPS, WeeklyReport
from recovery.resources import templates_dir

# Long lists stop here on the page; the workbook carries every row.
LIST_LIMIT = 25

TYPE_NAMES = {
    "shortage": "Shortage",
    "price": "Price",
    "coop": "Co-op",
    "chargeback": "Chargeback",
    "other": "Other",
    "total": "Total",
}

ChartSources = Mapping[str, Mapping[str, str]]  # vendor code → chart name → image source


def _percent(value: Decimal | None) -> str:
    if value is None:
        return "–"
    return f"{(value * 100).quantize(Decimal('0.1'))} %"


def _days(value: Decimal | None) -> str:
    return "–" if value is None else str(value)


def report_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir() / "reports")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["money"] = format_minor
    env.filters["percent"] = _percent
    env.filters["days"] = _days
    env.globals["TYPE_NAMES"] = TYPE_NAMES
    env.globals["GROUPS"] = DEDUCTION_GROUPS
    env.globals["LIST_LIMIT"] = LIST_LIMIT
    return env


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_html(report: WeeklyReport, charts: ChartSources, *, for_print: bool = False) -> str:
    template = report_environment().get_template("weekly.html.j2")
    return template.render(report=report, charts=charts, for_print=for_print)
