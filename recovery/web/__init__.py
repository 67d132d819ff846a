"""The review UI: FastAPI + Jinja2 pages over the claims workflow, the ledger and the importers.

Thin on purpose: pages read through `reads`, changes go through `recovery.claims`, the
importers and the evidence intake, each wrapped with a role check and an audit entry.
"""
