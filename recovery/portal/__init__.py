"""Vendor Central driven with Playwright (sync API) on Debian's Chromium.

`session.PortalSession` signs in (password + one-time code), keeps the browser state between
runs, paces page loads, waits out the throttling page and keeps a screenshot and the HTML of
every page an error happened on. `disputes` reads Dispute Management. Fields are always found by
their label or role, never by position or id: Amazon changes ids and column order.
"""
