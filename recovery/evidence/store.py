"""Content-addressed storage of evidence files: one copy per distinct content, named by sha256.

Files live at `<root>/<first two hex digits>/<sha256><suffix>`, so the same document added
twice (under any name) is stored once, and a stored file can never silently change: its name is
its checksum. Original names are metadata, kept in the database by the caller.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    relative_path: str  # relative to the store's root, with forward slashes
    size_bytes: int
    created: bool  # False when the same content was already stored


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def relative_path_for(self, sha256: str, suffix: str = ".pdf") -> str:
        return f"{sha256[:2]}/{sha256}{suffix.lower()}"

    def path_of(self, relative_path: str) -> Path:
        return self.root / relative_path

    def add(self, source: Path, sha256: str | None = None) -> StoredFile:
        """Copy `source` into the store unless its content is already there."""
        digest = sha256 or sha256_of(source)
        relative = self.relative_path_for(digest, source.suffix or ".pdf")
        target = self.path_of(relative)
        size = source.stat().st_size
        if target.exists():
            return StoredFile(digest, relative, size, created=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Copy to a temporary name and rename, so a crash never leaves a truncated file under
        # a checksum name that promises complete content.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        os.close(handle)
        try:
            shutil.copyfile(source, temporary)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return StoredFile(digest, relative, size, created=True)
