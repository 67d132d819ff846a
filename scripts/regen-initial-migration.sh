#!/usr/bin/env bash
# Until the first release there are no databases to upgrade, so the schema lives in one
# migration, regenerated from the models whenever they change. After a release, add migrations
# with `alembic revision --autogenerate` instead of running this.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f migrations/versions/0001_initial_schema.py
PYTHON=${PYTHON:-.venv/bin/python}
"$PYTHON" -m alembic -c alembic.ini -x "url=sqlite:///$tmp/empty.db" \
  revision --autogenerate -m "initial schema" --rev-id 0001 >/dev/null
sed -i 's/^Create Date: .*/Create Date: (regenerated from the models)/' \
  migrations/versions/0001_initial_schema.py
"${RUFF:-.venv/bin/ruff}" format -q migrations/versions/0001_initial_schema.py
echo "regenerated migrations/versions/0001_initial_schema.py"
