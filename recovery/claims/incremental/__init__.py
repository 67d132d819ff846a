"""What a detection run must judge again, and how its findings join the last run's.

`plan` decides (everything, or the scope of the queued changes), `scope` closes the queued
keys over what they affect, `stored_findings` keeps the last run's findings and the rules'
fingerprint. `recovery.claims.detection` drives them: plan → read → judge → store → draft.
"""
