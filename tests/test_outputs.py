"""No command can overwrite the journal, and no file is ever half-written."""

from __future__ import annotations

import errno
import os
import sqlite3

import pytest
from conftest import dump

from cstool.handover import sheet as sheets


@pytest.fixture
def shop(run, demo):
    run(["--agent", "倩", "handover", "add", "-c", "回访", "--buyer", "tb_lily", "-p", "回电"],
        check=0)
    return demo


def export(run, *args, fmt="md"):
    return run(["--agent", "倩", "handover", "export", "--format", fmt, *map(str, args)])


@pytest.mark.parametrize("suffix, what", [
    ("", "is the journal"), ("-wal", "is the journal's -wal file"),
    ("-shm", "is the journal's -shm file"), ("-journal", "is the journal's -journal file"),
])
@pytest.mark.parametrize("fmt", ["md", "csv", "json", "xlsx"])
def test_the_journal_and_its_files_are_refused_as_output(run, shop, suffix, what, fmt):
    target = str(shop) + suffix
    existed = os.path.exists(target)
    before = dump(shop)
    for force in ([], ["--force"]):
        result = export(run, "-o", target, *force, fmt=fmt)
        assert result.exit_code == 1
        assert result.output == (f"Error: {target} {what}; cstool never writes over it "
                                 "(give another file name)\n")
    assert dump(shop) == before
    assert os.path.exists(target) == existed


def test_a_link_to_the_journal_is_refused(run, shop, tmp_path):
    soft, hard = tmp_path / "sheet.md", tmp_path / "copy.md"
    soft.symlink_to(shop)
    os.link(shop, hard)
    before = dump(shop)
    for target in (soft, hard):
        result = export(run, "-o", target, "--force")
        assert result.exit_code == 1 and "is the journal; cstool never writes over it" in \
            result.output
    assert dump(shop) == before and soft.is_symlink()


def test_a_recorded_backup_and_any_database_are_refused(run, shop, tmp_path):
    backup = tmp_path / "backup.md"
    run(["journal", "backup", str(backup)], check=0)
    result = export(run, "-o", backup, "--force")
    assert result.exit_code == 1 and "is a backup of the journal" in result.output
    other = tmp_path / "other.md"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    result = export(run, "-o", other, "--force")
    assert result.exit_code == 1 and "is a SQLite database" in result.output
    assert sqlite3.connect(other).execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_the_evidence_folder_is_refused(run, shop, tmp_path):
    folder = shop.parent / "evidence"
    folder.mkdir()
    result = export(run, "-o", folder / "sheet.md")
    assert result.exit_code == 1 and "is in the evidence folder" in result.output
    assert list(folder.iterdir()) == []


def test_force_replaces_only_a_sheet_of_the_same_kind(run, shop, tmp_path):
    sheet = tmp_path / "sheet.xlsx"
    assert export(run, "-o", sheet, fmt="xlsx").exit_code == 0
    first = sheet.read_bytes()
    again = export(run, "-o", sheet, fmt="xlsx")
    assert again.exit_code == 1 and "already exists; give --force" in again.output
    assert export(run, "-o", sheet, "--force", fmt="xlsx").exit_code == 0
    assert sheet.read_bytes()[:4] == b"PK\x03\x04" and sheet.read_bytes() != b""
    assert first[:4] == b"PK\x03\x04"
    for name, content, fmt in [("notes.xlsx", b"my notes", "xlsx"),     # not a workbook
                               ("report.md", b"\x00\x01binary", "md"),  # not text
                               ("plan.txt", b"my plan", "md")]:         # not our extension
        f = tmp_path / name
        f.write_bytes(content)
        result = export(run, "-o", f, "--force", fmt=fmt)
        assert result.exit_code == 1 and "is not a sheet cstool would have written" in \
            result.output, name
        assert f.read_bytes() == content
    md = tmp_path / "sheet.md"
    md.write_text("## old sheet\n", encoding="utf-8")
    assert export(run, "-o", md, "--force").exit_code == 0
    assert "工作交接记录表" in md.read_text(encoding="utf-8")


def test_a_missing_folder_is_one_clear_line(run, shop, tmp_path):
    result = export(run, "-o", tmp_path / "nope" / "sheet.md")
    assert result.exit_code == 1
    assert result.output == (f"Error: cannot write {tmp_path / 'nope' / 'sheet.md'}: the folder "
                             f"{tmp_path / 'nope'} does not exist\n")


def test_backup_refuses_the_journal_its_files_and_a_missing_folder(run, shop, tmp_path):
    before = dump(shop)
    for target, message in [(shop, "is the journal"), (str(shop) + "-wal", "-wal file"),
                            (tmp_path / "nodir" / "b.db",
                             f"cannot back up to {tmp_path / 'nodir' / 'b.db'}: the folder "
                             f"{tmp_path / 'nodir'} does not exist")]:
        result = run(["journal", "backup", str(target)])
        assert result.exit_code == 1 and message in result.output, target
        assert "internal error" not in result.output
    assert dump(shop) == before
    assert not (tmp_path / "nodir").exists()


def test_a_backup_is_recorded_and_leaves_no_temporary_file(run, shop, tmp_path):
    b = tmp_path / "b.db"
    run(["journal", "backup", str(b)], check=0)
    conn = sqlite3.connect(shop)
    assert conn.execute("SELECT path FROM backups").fetchall() == [(str(b),)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.db", "journal.db", "journal.db-shm",
                                                          "journal.db-wal"]


def full_disk(real_write):
    """A sheet writer that writes part of the sheet, then finds the disk full."""
    def write(sheet, fh, *args, **kw):
        fh.write(b"PK\x03\x04 half a workbook" if "b" in getattr(fh, "mode", "") else "half")
        raise OSError(errno.ENOSPC, "No space left on device")
    return write


@pytest.mark.parametrize("fmt, writer", [("xlsx", "write_xlsx"), ("md", "write_md"),
                                         ("csv", "write_csv")])
def test_a_full_disk_leaves_the_old_sheet_and_no_partial_file(run, shop, tmp_path, monkeypatch,
                                                             fmt, writer):
    sheet = tmp_path / f"sheet.{fmt}"
    assert export(run, "-o", sheet, fmt=fmt).exit_code == 0
    old = sheet.read_bytes()
    before = dump(shop)
    monkeypatch.setattr(sheets, writer, full_disk(getattr(sheets, writer)))
    result = export(run, "-o", sheet, "--force", fmt=fmt)
    assert result.exit_code == 1
    assert result.output.startswith("Error: the disk is full") and \
        len(result.output.splitlines()) == 1
    assert sheet.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert dump(shop) == before  # the sheet's journal rows were rolled back too
