"""Every table, importable from one place. `base` comes first: it names constraints."""

from recovery.models.accounts import Role, User, VendorAccount
from recovery.models.base import (
    UTCDateTime,
    amount,
    money_field,
    table_of,
    time_field,
    utcnow,
)
from recovery.models.chargebacks import Chargeback
from recovery.models.claims import (
    Claim,
    ClaimEvent,
    ClaimEvidence,
    ClaimLine,
    ClaimStatus,
    ClaimType,
    FilingAttempt,
)
from recovery.models.coop import (
    PPM_PER_PERCENT,
    AgreementStatus,
    CoopAgreement,
    CoopBackupLine,
    CoopInvoice,
)
from recovery.models.detection_state import ChangedKey, DetectionState, StoredFinding
from recovery.models.evidence import DocumentKind, EvidenceConflict, EvidenceDocument, EvidenceLink
from recovery.models.orders import (
    CostRecord,
    CostSource,
    PurchaseOrder,
    PurchaseOrderItem,
    Shipment,
    ShipmentItem,
    UnitOfMeasure,
)
from recovery.models.payments import (
    BankTransaction,
    Deduction,
    Invoice,
    InvoiceLine,
    Payment,
    PriceVarianceLine,
    RemittanceKind,
    RemittanceLine,
    ShortageLine,
)
from recovery.models.runs import ImportBatch, JobRun, SyncCursor
from recovery.models.web import AuditEntry, LedgerAdjustment, WebSession

__all__ = [
    "PPM_PER_PERCENT",
    "AgreementStatus",
    "AuditEntry",
    "BankTransaction",
    "ChangedKey",
    "Chargeback",
    "Claim",
    "ClaimEvent",
    "ClaimEvidence",
    "ClaimLine",
    "ClaimStatus",
    "ClaimType",
    "CoopAgreement",
    "CoopBackupLine",
    "CoopInvoice",
    "CostRecord",
    "CostSource",
    "Deduction",
    "DetectionState",
    "DocumentKind",
    "EvidenceConflict",
    "EvidenceDocument",
    "EvidenceLink",
    "FilingAttempt",
    "ImportBatch",
    "Invoice",
    "InvoiceLine",
    "JobRun",
    "LedgerAdjustment",
    "Payment",
    "PriceVarianceLine",
    "PurchaseOrder",
    "PurchaseOrderItem",
    "RemittanceKind",
    "RemittanceLine",
    "Role",
    "Shipment",
    "ShipmentItem",
    "ShortageLine",
    "StoredFinding",
    "SyncCursor",
    "UTCDateTime",
    "UnitOfMeasure",
    "User",
    "VendorAccount",
    "WebSession",
    "amount",
    "money_field",
    "table_of",
    "time_field",
    "utcnow",
]
