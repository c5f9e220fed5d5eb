"""Evidence photos, kept in an ``evidence/`` folder beside the journal.

Manual 002 names photos by the buyer's id; we add the case and a sequence
number so nothing is ever overwritten. The journal keeps the relative path
and a SHA-256, so a moved or altered file can be noticed.
"""

from __future__ import annotations

import os
import re
from typing import Optional

from cstool.core.clock import wall_now  # a file's age is real time, not the shop's clock
from cstool.core.errors import InputError
from cstool.core.i18n import M_, N_

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
    from cstool.core.inputs import check_input

    check_input(source, N_("a photo"), name=f"photo {source}")
    size = os.path.getsize(source)
    if size == 0:
        raise InputError(M_("photo {source}: the file is empty", source=source))
    if size > max_bytes:
        raise InputError(M_("photo {source}: {value} MB is over the {value2} MB limit",
                            source=source, value=format(size / 1048576, '.1f'),
                            value2=format(max_bytes / 1048576, '.0f')))
    with open(source, "rb") as fh:
        kind = image_type(fh.read(16))
    if kind is None:
        raise InputError(M_("photo {source}: not an image (JPEG, PNG, GIF, BMP, WebP or "
                            "HEIC)", source=source))
    return kind


_INCOMING = ".incoming"
# Temporary copies whose command is still running: path -> the open, locked descriptor.
_held: dict[str, int] = {}


def _incoming(target: str) -> str:
    """Where a photo waits, hidden beside its final name, until the journal commits."""
    folder, name = os.path.split(target)
    return os.path.join(folder, "." + name + _INCOMING)


def _lock(fd: int, wait: bool = True) -> bool:
    try:
        import fcntl
    except ImportError:  # no advisory locks (Windows): nothing to sweep with
        return wait
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        return True
    except OSError:
        return False


def _copy(src, fd: int, digest) -> None:
    while True:
        chunk = src.read(1 << 16)
        if not chunk:
            break
        digest.update(chunk)
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view):]


def store(journal_path: str, source: str, *, buyer: str, ref: str,
          max_bytes: int = MAX_BYTES) -> dict:
    """Copy ``source`` into the evidence folder as ``<buyer>_<ref>_<n>.<ext>``.

    Returns ``{"path": relative to the journal's folder, "sha256", "bytes", "type"}``.
    The folder is created 0700 and files 0600; an existing name is never reused.
    The copy waits under a hidden name (locked, so :func:`sweep` can tell it
    from a dead command's) until :func:`publish` after the journal commits, or
    :func:`remove`: a full disk or a kill never leaves a photo the journal
    does not know.
    """
    import hashlib  # only when photos are handled: it costs start-up

    kind = check(source, max_bytes)
    target_dir = folder(journal_path)
    if not os.path.isdir(target_dir):
        os.makedirs(target_dir, mode=0o700, exist_ok=True)
        os.chmod(target_dir, 0o700)
    stem = f"{_safe(buyer)}_{_safe(ref)}"
    for n in range(1, 10000):
        name = f"{stem}_{n}.{kind}"
        target = os.path.join(target_dir, name)
        if os.path.lexists(target):
            continue
        tmp = _incoming(target)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        _lock(fd)
        digest = hashlib.sha256()
        try:
            with open(source, "rb") as src:
                _copy(src, fd, digest)
            os.fsync(fd)
            size = os.fstat(fd).st_size
        except BaseException:
            os.close(fd)
            os.unlink(tmp)
            raise
        _held[tmp] = fd
        return {"path": os.path.join("evidence", name), "sha256": digest.hexdigest(),
                "bytes": size, "type": kind}
    raise InputError(M_("too many photos named {stem}_*", stem=stem))


def _paths(journal_path: str, relative: str) -> tuple[str, str]:
    target = os.path.join(os.path.dirname(os.path.abspath(journal_path)), relative)
    return target, _incoming(target)


def publish(journal_path: str, relatives) -> None:
    """The journal has committed: move the photos it now names into place."""
    for rel in relatives:
        target, tmp = _paths(journal_path, rel)
        try:
            os.link(tmp, target)
            os.unlink(tmp)
        except FileExistsError:
            os.unlink(tmp)  # already in place (a sweep finished it)
        except OSError:
            os.replace(tmp, target)  # a file system without hard links
        finally:
            fd = _held.pop(tmp, None)
            if fd is not None:
                os.close(fd)


def remove(journal_path: str, relative: str) -> None:
    """Undo a copy whose journal write failed (so no orphan files stay behind)."""
    target, tmp = _paths(journal_path, relative)
    fd = _held.pop(tmp, None)
    if fd is not None:
        os.close(fd)
        if os.path.exists(tmp):
            os.unlink(tmp)
    elif os.path.isfile(target):
        os.unlink(target)


def sweep(journal, min_age_s: float = 5.0) -> None:
    """Finish or remove photos left behind by a command that was killed.

    A hidden copy nobody holds locked belongs to a dead command: if the
    journal names its photo (the command died after its commit), it is moved
    into place; otherwise it is removed.
    """
    d = folder(journal.path)
    try:
        names = [n for n in os.listdir(d) if n.startswith(".") and n.endswith(_INCOMING)]
    except OSError:
        return
    referenced = None
    for n in names:
        tmp = os.path.join(d, n)
        try:
            if wall_now().timestamp() - os.stat(tmp).st_mtime < min_age_s:
                continue
            fd = os.open(tmp, os.O_RDONLY)
        except OSError:
            continue
        try:
            if not _lock(fd, wait=False) or tmp in _held:
                continue  # its command is still running
            if referenced is None:
                referenced = {r[0] for r in journal.query(
                    "SELECT path FROM exception_photos UNION SELECT path FROM handover_photos")}
            target = os.path.join(d, n[1:-len(_INCOMING)])
            if os.path.join("evidence", os.path.basename(target)) in referenced \
                    and not os.path.exists(target):
                os.replace(tmp, target)
            else:
                os.unlink(tmp)
        except OSError:
            pass
        finally:
            os.close(fd)
