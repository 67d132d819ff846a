"""The background service: the scheduler (`recovery run`), its jobs, the one-scheduler lock,
job runs and health, and the workers that run per-account jobs from a PostgreSQL queue
(`recovery worker`)."""
