"""Files in and out: reading what people give us, writing safely.

Reading: :func:`sniff_encoding` (a CSV's encoding from its first bytes) and
:func:`open_xlsx` (a workbook whose declared size is checked before it is read).

Writing: never over the journal, never a half-written file.

Every command that writes a file (``handover export -o``, ``journal backup``)
goes through :func:`check_output` and :func:`atomic_write`:

- The journal, its ``-wal``/``-shm``/``-journal`` files, a backup the journal
  has recorded, anything in the evidence folder and any SQLite database are
  refused as outputs, ``--force`` or not.
- An existing file is replaced only with ``--force``, and only when it is an
  ordinary file of the kind we would have written ourselves: the same
  extension and the same content type (a zip for xlsx, text for csv/md/json).
- The content goes to a temporary file in the same folder, is flushed to
  disk, and is renamed into place: a full disk or a kill leaves the old file
  (or none), never part of a new one.
"""

from __future__ import annotations

import codecs
import os
import sqlite3
import sys
from collections.abc import Iterable
from typing import IO, Callable, Optional

from cstool.core import evidence
from cstool.core.errors import CstoolError, InputError
from cstool.core.i18n import M_, N_
from cstool.core.inputs import check_input  # noqa: F401 (its callers' name for it)

SQLITE_MAGIC = b"SQLite format 3\x00"
# What --force may replace: extension -> how the file we write begins.
KINDS = {
    "xlsx": ((".xlsx", ".xlsm"), "zip"),
    "csv": ((".csv",), "text"),
    "tsv": ((".tsv",), "text"),
    "md": ((".md", ".markdown"), "text"),
    "json": ((".json",), "text"),
}


# What a file that is not the workbook its name says looks like, from its first bytes.
_LOOKS = (
    (b"\xd0\xcf\x11\xe0", N_("an old Excel 97-2003 .xls workbook")),
    (b"%PDF", N_("a PDF document")),
    (b"\xff\xd8\xff", N_("a JPEG image")),
    (b"\x89PNG", N_("a PNG image")),
    (b"Rar!", N_("a RAR archive")),
    (b"7z\xbc\xaf", N_("a 7-Zip archive")),
)


def sniff_kind(head: bytes) -> tuple[str, str]:
    """What a file is from its first bytes: ``(kind, description)``, kind one of ``xlsx``
    (a zip), ``xls`` (Excel 97-2003), ``html`` (a web page: the "xls" some back-ends
    send), ``xml`` (Excel 2003's XML spreadsheet), ``text`` (CSV-like) or ``binary``.
    The description is a message: English as its value, shown in the reader's language."""
    kind, looks = _sniffed(head)
    return kind, M_(looks)


def _sniffed(head: bytes) -> tuple[str, str]:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx", N_("a zip (xlsx) workbook")
    for magic, looks in _LOOKS:
        if head.startswith(magic):
            return ("xls" if magic == b"\xd0\xcf\x11\xe0" else "binary"), looks
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "binary", N_("UTF-16 text (Excel's \"Unicode text\", tab-separated)")
    if b"\x00" in head:
        return "binary", N_("binary data")
    text = head.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if text.startswith(b"<?xml") or text.startswith(b"<workbook"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head or b"<workbook" in text:
            return "xml", N_("an XML spreadsheet (Excel 2003 XML)")
        return "xml", N_("an XML document")
    if text.startswith(b"<") and any(t in text for t in (b"<table", b"<html", b"<tr")):
        return "html", N_("a web page (an HTML table)")
    return "text", N_("text (CSV)")


def sniff_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


# A sheet declaring more than this is not an order export (Taobao's has about 40
# columns); a real sheet never has more rows than Excel allows.
XLSX_MAX_COLUMNS = 512
XLSX_MAX_ROWS = 1_048_576


def open_xlsx(path: str, what: str = "an order export"):
    """``(workbook, first sheet)`` in read-only mode, its declared size checked.

    openpyxl pads every row to the declared width and the sheet to the declared
    height: a 1 MB file claiming ``A1:XFD200000`` would cost minutes to read.
    Such a sheet is refused at once; any other has its dimensions reset, so
    only the cells really there are read.
    """
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
    except Exception as e:  # openpyxl raises many kinds for a bad file
        raise InputError(M_("{path}: cannot read it as an xlsx workbook ({name})", path=path,
                            name=type(e).__name__)) \
            from None
    cols, rows = ws.max_column or 0, ws.max_row or 0
    if cols > XLSX_MAX_COLUMNS or rows > XLSX_MAX_ROWS:
        wb.close()
        raise InputError(M_("{path}: the sheet declares {cols} columns and {rows} rows; "
                            "{what} has at most {xlsx_max_columns} columns: not {what}",
                            path=path, cols=format(cols, ','), rows=format(rows, ','), what=what,
                            xlsx_max_columns=XLSX_MAX_COLUMNS))
    ws.reset_dimensions()
    return wb, ws


def can_fork() -> bool:
    """Whether work can be shared with a forked process here (the readers of an import)."""
    return hasattr(os, "fork") and sys.platform != "darwin"


def _head(path: str, n: int = 1 << 16) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(n)
    except OSError:
        return b""


def protected(journal_path: str, backups: Iterable[str] = ()) -> list[tuple[str, str]]:
    """``(path, what it is)`` of every file an output must never replace."""
    j = os.path.abspath(journal_path)
    out = [(j, M_("the journal"))]
    out += [(j + s, M_("the journal's {suffix} file", suffix=s))
            for s in ("-wal", "-shm", "-journal")]
    out += [(os.path.abspath(b), M_("a backup of the journal")) for b in backups]
    out.append((evidence.folder(j), M_("the evidence folder")))
    return out


def _same(a: str, b: str) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)  # a hard link to it, say
    except OSError:
        return False


def _inside(path: str, folder: str) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(folder)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def check_output(path: str, *, journal_path: Optional[str], kind: str, force: bool = False,
                 backups: Iterable[str] = (), what: str = N_("write"), hint: str = "") -> str:
    """The absolute path to write a ``kind`` file to, or an error before any work is done.
    ``what``: what is done to it, an English msgid (``back up to``), shown translated."""
    path = os.path.abspath(os.path.expanduser(path))
    for target, name in protected(journal_path, backups) if journal_path else ():
        if name == "the evidence folder":
            if _inside(path, target):
                raise InputError(M_("{path} is in {name}, which holds the cases' photos; "
                                    "write somewhere else", path=path, name=name))
        elif _same(path, target):
            raise InputError(M_("{path} is {name}; cstool never writes over it (give "
                                "another file name)", path=path, name=name))
    if os.path.isdir(path):
        raise InputError(M_("{path} is a folder; give a file name", path=path))
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise InputError(M_("cannot {what} {path}: the folder {folder} does not exist",
                            what=M_(what), path=path, folder=folder))
    if not os.path.lexists(path):
        return path
    if _head(path, len(SQLITE_MAGIC)) == SQLITE_MAGIC:
        raise InputError(M_("{path} is a SQLite database (a journal or a backup of one); "
                            "cstool never writes over it", path=path))
    if not force:
        raise InputError(M_("{path} already exists; give --force to replace it{hint}", path=path,
                            hint=hint))
    exts, content = KINDS.get(kind, ((), "text"))
    if os.path.islink(path) or not os.path.isfile(path):
        raise InputError(M_("{path} is not an ordinary file; --force replaces only a sheet "
                            "cstool wrote", path=path))
    head = _head(path)
    looks = head.startswith(b"PK\x03\x04") if content == "zip" else b"\x00" not in head
    if os.path.splitext(path)[1].lower() not in exts or not (looks or not head):
        raise InputError(M_("{path} is not a sheet cstool would have written (a {value} "
                            "file); --force replaces only those (give another file name)",
                            path=path, value=exts[0] if exts else kind))
    return path


def atomic_write(path: str, write: Callable[[IO], None], *, binary: bool = False,
                 encoding: str = "utf-8", mode: int = 0o600) -> None:
    """Write ``path`` through ``write(fh)`` into a temporary file, then rename it into place."""
    import tempfile
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=folder)
    try:
        with (os.fdopen(fd, "wb") if binary
              else os.fdopen(fd, "w", encoding=encoding, newline="")) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    fsync_folder(folder)


def fsync_folder(folder: str) -> None:
    """Make a rename in ``folder`` durable (where the platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def backup(journal, dest: str, now_db: Optional[str] = None) -> dict:
    """An online copy (SQLite's backup API): consistent while others write.

    Written to a temporary file beside ``dest`` and linked into place only
    when complete and checked; recorded in the journal (``now_db``), so no
    later output can overwrite it.
    """
    import tempfile

    dest = os.path.abspath(os.path.expanduser(dest))
    if os.path.isdir(dest):
        raise InputError(f"{dest} is a folder; give a file name")
    if os.path.lexists(dest) and not any(
            os.path.realpath(dest) == os.path.realpath(journal.path + s)
            for s in ("", "-wal", "-shm", "-journal")):
        raise CstoolError(M_("{dest} already exists; give a new file name", dest=dest))
    dest = check_output(dest, journal_path=journal.path, kind="sqlite",
                        backups=journal.backups(), what=N_("back up to"))
    folder = os.path.dirname(dest)
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(dest) + ".",
                                   suffix=".tmp", dir=folder)
    except OSError as e:
        raise CstoolError(M_("cannot back up to {dest}: {strerror}", dest=dest,
                             strerror=e.strerror)) from None
    os.close(fd)
    try:
        os.chmod(tmp, 0o600)
        target = sqlite3.connect(tmp)
        try:
            journal.conn.backup(target)
            check = target.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            target.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        try:
            os.link(tmp, dest)  # never over a file that appeared meanwhile
        except FileExistsError:
            raise CstoolError(M_("{dest} already exists; give a new file name", dest=dest)) from None
        except OSError:
            os.replace(tmp, dest)  # a file system without hard links
    except sqlite3.Error as e:
        raise CstoolError(M_("backup to {dest} failed: {e}; nothing was written", dest=dest, e=e)) from None
    except OSError as e:
        raise CstoolError(M_("backup to {dest} failed: {strerror}; nothing was written",
                             dest=dest, strerror=e.strerror)) \
            from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    fsync_folder(folder)
    size = os.path.getsize(dest)
    if now_db is not None and not journal.readonly:
        try:
            with journal.write():
                journal.execute("INSERT INTO backups (path, bytes, created_at) VALUES (?, ?, ?)",
                             [dest, size, now_db])
        except (CstoolError, sqlite3.Error):
            pass  # the copy is made; only its record is missing
    return {"path": dest, "size_bytes": size, "check": check}
