"""The weekly summary by e-mail: the HTML page as the body (charts inline by Content-ID), the PDF
and the workbook attached, sent through the configured SMTP server."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import make_msgid

from recovery.config import SmtpSettings
from recovery.errors import ConfigError, RecoveryError
from recovery.reports.charts import account_charts
from recovery.reports.figures import WeeklyReport
from recovery.reports.html import render_html
from recovery.reports.pdf import render_pdf
from recovery.reports.xlsx import render_xlsx


class MailError(RecoveryError):
    """The SMTP server refused or could not be reached."""


def _sender(smtp: SmtpSettings) -> str:
    sender = smtp.sender or smtp.user
    if not sender:
        raise ConfigError("smtp.sender: set the From address (or smtp.user) to send the report")
    return sender


def weekly_message(report: WeeklyReport, *, sender: str, recipients: Sequence[str]) -> EmailMessage:
    charts = {a.vendor_code: account_charts(a) for a in report.accounts}
    # Mail clients do not show data: URIs; inline parts referenced by cid: they do.
    cids = {
        code: {name: make_msgid(domain="recovery.report") for name in named}
        for code, named in charts.items()
    }
    sources = {
        code: {name: "cid:" + cid.strip("<>") for name, cid in named.items()}
        for code, named in cids.items()
    }
    stem = f"recovery-weekly-{report.calendar.week.label.removeprefix('Week ')}"
    message = EmailMessage()
    message["Subject"] = report.title
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message.set_content(
        f"{report.title}. This summary is HTML; the PDF and the workbook are attached."
    )
    message.add_alternative(render_html(report, sources), subtype="html")
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None  # added just above
    for code, named in charts.items():
        for name, png in named.items():
            html_part.add_related(
                png,
                maintype="image",
                subtype="png",
                cid=cids[code][name],
                filename=f"{code}-{name}.png",
            )
    message.add_attachment(
        render_pdf(report, charts), maintype="application", subtype="pdf", filename=f"{stem}.pdf"
    )
    message.add_attachment(
        render_xlsx(report),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=f"{stem}.xlsx",
    )
    return message


def send_weekly(report: WeeklyReport, smtp: SmtpSettings, recipients: Sequence[str]) -> None:
    if not smtp.host:
        raise ConfigError("smtp.host: no SMTP server is configured to send the report through")
    if not recipients:
        raise ConfigError("reports.recipients: nobody to send the report to (or give --to)")
    if smtp.user and smtp.password is None:
        raise ConfigError(
            "smtp.password: missing for smtp.user; set RECOVERY_SMTP__PASSWORD or a file "
            "smtp__password in the secrets directory"
        )
    sender = _sender(smtp)
    where = f"{smtp.host}:{smtp.port}"
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as server:
            if smtp.starttls:
                server.starttls(context=ssl.create_default_context())
            if smtp.user and smtp.password is not None:
                server.login(smtp.user, smtp.password.get_secret_value())
            # Rendered once the server has accepted us: a wrong password fails in a second.
            server.send_message(weekly_message(report, sender=sender, recipients=recipients))
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(
            f"e-mail: {where} refused the login of {smtp.user} ({exc.smtp_code})"
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(f"e-mail: {where} does not offer STARTTLS (smtp.starttls)") from None
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        raise MailError(f"e-mail: could not send through {where}: {exc}") from None
