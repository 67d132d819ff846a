"""The summary as a PDF: the HTML page laid out for print by WeasyPrint (Pango underneath)."""

from __future__ import annotations

from weasyprint import HTML

from recovery.reports.charts import account_charts
from recovery.reports.figures import WeeklyReport
from recovery.reports.html import data_uri, render_html


def render_pdf(report: WeeklyReport, charts: dict[str, dict[str, bytes]] | None = None) -> bytes:
    pngs = (
        charts
        if charts is not None
        else {a.vendor_code: account_charts(a) for a in report.accounts}
    )
    sources = {
        code: {name: data_uri(png) for name, png in named.items()} for code, named in pngs.items()
    }
    page = render_html(report, sources, for_print=True)
    pdf: bytes = HTML(string=page).write_pdf()  # bytes when no target is given
    return pdf
