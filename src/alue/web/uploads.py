"""Files uploaded for import, kept between the check and the import (an hour at most).

A page checks an uploaded file first (a dry run that writes nothing) and imports it only when the user
confirms, so the file waits here in between: under a random token, found only for the user who uploaded
it and for :data:`KEEP_S` seconds, deleted when it is imported, and otherwise removed by the next upload
after that time. The directory is ``$ALUE_UPLOAD_DIR``, else ``alue-uploads`` in the system's temporary
directory; it is created with owner-only permissions. Several application processes on one host share it.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from fastapi import UploadFile

#: the largest file accepted (a year of an area's vacancies is a few megabytes)
MAX_BYTES = 10 * 1024 * 1024
#: how long an uploaded file waits for its import
KEEP_S = 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
_CHUNK = 1024 * 1024


class UploadTooLarge(ValueError):
    """The file is larger than :data:`MAX_BYTES`."""


def upload_dir() -> Path:
    path = Path(os.environ.get("ALUE_UPLOAD_DIR") or Path(tempfile.gettempdir()) / "alue-uploads")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _name(user_id: int, token: str, suffix: str) -> str:
    return f"{user_id}-{token}{suffix}"


def save(upload: UploadFile, *, user_id: int, suffix: str) -> tuple[str, Path]:
    """Store ``upload`` for ``user_id``: (token, path). Raises :class:`UploadTooLarge` (nothing is kept)."""
    prune()
    token = secrets.token_urlsafe(24)
    path = upload_dir() / _name(user_id, token, suffix)
    size = 0
    try:
        with path.open("xb") as handle:
            os.chmod(path, 0o600)
            while chunk := upload.file.read(_CHUNK):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise UploadTooLarge(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
                handle.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return token, path


def find(token: str, *, user_id: int) -> Path | None:
    """The file ``user_id`` uploaded under ``token``, while it is kept; None otherwise."""
    if not _TOKEN.fullmatch(token):
        return None
    for path in upload_dir().glob(_name(user_id, token, ".*")):
        if time.time() - path.stat().st_mtime <= KEEP_S:
            return path
    return None


def prune(now: float | None = None) -> int:
    """Delete the files older than :data:`KEEP_S`; the number deleted."""
    moment = time.time() if now is None else now
    removed = 0
    for path in upload_dir().iterdir():
        try:
            if moment - path.stat().st_mtime > KEEP_S:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process removed it first
            continue
    return removed
