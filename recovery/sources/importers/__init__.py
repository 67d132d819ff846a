"""One importer per kind of file; `TABULAR` in detection order (most specific first)."""

from __future__ import annotations

from recovery.sources.importers.base import ImportContext, Importer, Record, TabularImporter
from recovery.sources.importers.chargebacks import ChargebacksImporter
from recovery.sources.importers.coop import (
    CoopAgreementsImporter,
    CoopBackupImporter,
    CoopInvoicesImporter,
)
from recovery.sources.importers.disputes import PriceDetailsImporter, ShortagesImporter
from recovery.sources.importers.invoices import InvoicesImporter
from recovery.sources.importers.ledger_files import BankImporter, CostsImporter
from recovery.sources.importers.remittance import RemittanceImporter
from recovery.sources.importers.spapi_json import SpApiJsonImporter

TABULAR: dict[str, TabularImporter] = {
    importer.kind: importer
    for importer in (
        RemittanceImporter(),
        ShortagesImporter(),
        PriceDetailsImporter(),
        CoopBackupImporter(),
        CoopAgreementsImporter(),
        CoopInvoicesImporter(),
        ChargebacksImporter(),
        InvoicesImporter(),
        CostsImporter(),
        BankImporter(),
    )
}
JSON: dict[str, SpApiJsonImporter] = {
    kind: SpApiJsonImporter(kind) for kind in ("purchase-orders", "po-status", "shipments")
}

__all__ = ["JSON", "TABULAR", "ImportContext", "Importer", "Record", "TabularImporter"]
