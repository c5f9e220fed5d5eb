"""Evidence photos, kept in an ``evidence/`` folder beside the journal.

Manual 002 names photos by the buyer's id; we add the case and a sequence
number so nothing is ever overwritten. The journal keeps the relative path
and a SHA-256, so a moved or altered file can be noticed.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Optional

from cstool.errors import InputError

MAX_BYTES = 10 * 1024 * 1024

# Image types by content (magic bytes), not by file name.
_MAGIC = [
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
]


def image_type(head: bytes) -> Optional[str]:
    for magic, ext in _MAGIC:
        if head.startswith(magic):
            return ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "heic"
    return None


def folder(journal_path: str) -> str:
    return os.path.join(os.path.dirname(os.path.abspath(journal_path)), "evidence")


def _safe(part: str) -> str:
    """A buyer id or reference made safe for a file name (keeps Chinese)."""
    s = re.sub(r"[\\/:*?\"<>|\s]+", "_", str(part)).strip("._")
    return s[:60] or "unknown"


def check(source: str, max_bytes: int = MAX_BYTES) -> str:
    """The image type of ``source``, or an InputError saying what is wrong with it."""
    if not os.path.isfile(source):
        raise InputError(f"photo {source}: no such file")
    size = os.path.getsize(source)
    if size == 0:
        raise InputError(f"photo {source}: the file is empty")
    if size > max_bytes:
        raise InputError(f"photo {source}: {size / 1048576:.1f} MB is over the "
                         f"{max_bytes / 1048576:.0f} MB limit")
    with open(source, "rb") as fh:
        kind = image_type(fh.read(16))
    if kind is None:
        raise InputError(f"photo {source}: not an image (JPEG, PNG, GIF, BMP, WebP or HEIC)")
    return kind


def store(journal_path: str, source: str, *, buyer: str, ref: str,
          max_bytes: int = MAX_BYTES) -> dict:
    """Copy ``source`` into the evidence folder as ``<buyer>_<ref>_<n>.<ext>``.

    Returns ``{"path": relative to the journal's folder, "sha256", "bytes", "type"}``.
    The folder is created 0700 and files 0600; an existing name is never reused.
    """
    kind = check(source, max_bytes)
    target_dir = folder(journal_path)
    if not os.path.isdir(target_dir):
        os.makedirs(target_dir, mode=0o700, exist_ok=True)
        os.chmod(target_dir, 0o700)
    stem = f"{_safe(buyer)}_{_safe(ref)}"
    digest = hashlib.sha256()
    for n in range(1, 10000):
        name = f"{stem}_{n}.{kind}"
        target = os.path.join(target_dir, name)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            while True:
                chunk = src.read(1 << 16)
                if not chunk:
                    break
                digest.update(chunk)
                out.write(chunk)
        return {"path": os.path.join("evidence", name), "sha256": digest.hexdigest(),
                "bytes": os.path.getsize(target), "type": kind}
    raise InputError(f"too many photos named {stem}_*")


def remove(journal_path: str, relative: str) -> None:
    """Undo a copy whose journal write failed (so no orphan files stay behind)."""
    path = os.path.join(os.path.dirname(os.path.abspath(journal_path)), relative)
    if os.path.isfile(path):
        os.unlink(path)



