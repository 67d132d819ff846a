"""Storage plumbing below everything else: engines and migrations (`db`), bulk upserts
(`upsert`, `sqlite_rows`), the queue of changed keys that incremental detection reads
(`changes`) and the garbage-collector pause for bulk work (`collector`).

Nothing here knows about claims, sources or the web."""
