"""Benchmark: read N rendered BOL/POD PDFs on every core and score them against their truth.

Target (issue 6): text PDFs extracted and parsed at >= 20 documents/s on a 2-core machine.
Prints documents/s for extraction alone and for the whole `add_evidence` (hash, extract, store,
record, link) into a fresh SQLite database, then the per-field precision/recall table.
`--scanned K` adds K image-only PDFs read through Tesseract (reported separately: OCR is slow).

    .venv/bin/python bench/bench_evidence.py [--documents 200] [--workers 0] [--scanned 0]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from recovery.config import EvidenceSettings, Settings
from recovery.evidence.extract import ExtractOptions
from recovery.evidence.ingest import add_evidence, extract_files, worker_count
from recovery.store import db
from recovery.testing.documents import DocumentTruth, render_document
from recovery.testing.evidence_scoring import Scorecard, random_truths

TARGET_PER_SECOND = 20.0


def _render(folder: Path, truths: list[DocumentTruth], *, scanned: bool) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, truth in enumerate(truths):
        path = folder / f"{index:05d}-{truth.layout}-{truth.kind}.pdf"
        path.write_bytes(render_document(truth, scanned=scanned))
        paths.append(path)
    return paths


def _score(paths: list[Path], truths: list[DocumentTruth], workers: int) -> tuple[float, Scorecard]:
    started = time.perf_counter()
    results = extract_files(paths, ExtractOptions(), workers)
    elapsed = time.perf_counter() - started
    card = Scorecard()
    for path, truth, (extraction, error) in zip(paths, truths, results, strict=True):
        if extraction is None:
            raise SystemExit(f"{path}: {error}")
        card.add(path.name, truth, extraction.document)
    return elapsed, card


def _report(title: str, count: int, elapsed: float, card: Scorecard) -> None:
    print(f"\n{title}: {count} documents in {elapsed:.2f} s = {count / elapsed:.1f} documents/s")
    print(card.table())
    for miss in card.misses[:20]:
        print(f"  miss: {miss}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--workers", type=int, default=0, help="0 = one per CPU core")
    parser.add_argument("--scanned", type=int, default=0, help="image-only PDFs through OCR")
    args = parser.parse_args()
    workers = worker_count(args.workers, args.documents)
    print(f"{os.cpu_count()} CPU core(s), {workers} worker process(es)")

    with tempfile.TemporaryDirectory(prefix="bench-evidence-") as tmp:
        root = Path(tmp)
        truths = random_truths(args.documents, seed=2026)
        started = time.perf_counter()
        paths = _render(root / "text", truths, scanned=False)
        rendering = time.perf_counter() - started
        print(f"rendered {len(paths)} text PDFs in {rendering:.2f} s (not counted)")

        elapsed, card = _score(paths, truths, args.workers)
        _report("extract + parse (text PDFs)", len(paths), elapsed, card)
        rate = len(paths) / elapsed

        settings = Settings(
            database_url=f"sqlite:///{root / 'bench.db'}",
            data_dir=root / "data",
            evidence=EvidenceSettings(workers=args.workers),
        )
        engine = db.make_engine(settings.database_url)
        db.upgrade(engine)
        started = time.perf_counter()
        result = add_evidence(engine, settings, [root / "text"])
        whole = time.perf_counter() - started
        engine.dispose()
        print(
            f"\nadd_evidence (hash, extract, store, record, link): {len(result.added)} documents "
            f"in {whole:.2f} s = {len(result.added) / whole:.1f} documents/s"
        )

        if args.scanned:
            scan_truths = random_truths(args.scanned, seed=99)
            scans = _render(root / "scanned", scan_truths, scanned=True)
            elapsed, scan_card = _score(scans, scan_truths, args.workers)
            _report("OCR (scanned PDFs, Tesseract)", len(scans), elapsed, scan_card)

    verdict = "meets" if rate >= TARGET_PER_SECOND else "MISSES"
    print(f"\n{rate:.1f} documents/s {verdict} the target of {TARGET_PER_SECOND:.0f}/s")
    print(f"worst per-field precision/recall (text): {card.worst():.1%}")
    return 0 if rate >= TARGET_PER_SECOND and card.worst() >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())
