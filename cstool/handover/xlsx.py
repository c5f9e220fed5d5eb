"""The handover sheet's xlsx file, written directly: one worksheet, five styles.

XlsxWriter's cell-by-cell machinery (a format object per cell, each row through a
temporary file, every part through its own temporary file) was most of ``handover
export`` (docs/benchmarks.md). This writes the same parts XlsxWriter writes for the
sheet, byte for byte (``tests/test_handover_xlsx.py`` compares them), straight into
the zip: a title merged across the columns, a bold header row, the receipt header
filled, text cells in the text format ``@``, wrapped photo lists, frozen panes, an
autofilter, the workbook's creation time. Every text is an inline string; a number is
a number. One difference, on purpose: a text that looks like XlsxWriter's rich-string
markup (``<r>…</r>``) is escaped like any other, never written as XML.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any, Optional

from cstool.handover.xlsx_theme import THEME

_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_OFFICE = "application/vnd.openxmlformats-officedocument"

# The styles, by name: (the cell format's xf, its number format if any). Their indexes
# are given in the order of first use, as XlsxWriter gives them.
_FONT = '<color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/>'
_XF = {
    "title": '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
    "bold": '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
    "receipt": '<xf numFmtId="0" fontId="2" fillId="2" borderId="0" xfId="0" applyFont="1" '
               'applyFill="1"/>',
    "text": '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
            'applyNumberFormat="1"/>',
    "wrap": '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
            '<alignment vertical="top" wrapText="1"/></xf>',
}

_STR_MAX = 32767  # UTF-16 units in a cell
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def column(c: int) -> str:
    """A column's letters: 0 → A, 12 → M, 26 → AA."""
    name = ""
    c += 1
    while c:
        c, rest = divmod(c - 1, 26)
        name = chr(65 + rest) + name
    return name


def _data(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _attr(text: str) -> str:
    return _data(text).replace('"', "&quot;").replace("\n", "&#xA;")


def _truncated(text: str) -> str:
    """At most 32,767 UTF-16 units, as Excel holds (a character above U+FFFF counts two)."""
    if len(text) <= _STR_MAX // 2:
        return text
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > _STR_MAX:
            return text[:i]
    return text


def _inline(text: str) -> str:
    """A text as an inline string's ``<is>`` (control characters as ``_xHHHH_``, as Excel
    writes them; leading or trailing space kept)."""
    if "_x" in text:
        text = _ESCAPED.sub(r"_x005F\1", text)
    if not text.isprintable() and _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<is><t{space}>{_data(text)}</t></is>'


def _width(chars: float) -> str:
    """A column width in characters as Excel stores it (7-pixel digits, 5 pixels' padding)."""
    pixels = int(chars * 7 + 0.5) + 5 if chars >= 1 else int(chars * 12 + 0.5)
    return f"{(pixels * 256 // 7) / 256.0:.16g}"


class Sheet:
    """One worksheet streamed into an xlsx: :meth:`title`, :meth:`header`, then
    :meth:`row` for each row (in order), then :meth:`close`. ``rows``: how many data
    rows will follow (the dimension and the filter are written before them)."""

    def __init__(self, out: IO[bytes], name: str, widths: Sequence[float], rows: int,
                 created: str):
        self.name, self.created = name, created
        self.cols = len(widths)
        self.last = column(self.cols - 1)
        self.bottom = rows + 2
        self.styles: list[str] = []  # by first use
        self._style: dict[str, str] = {}  # name -> its ' s="N"'
        self._letters = [column(c) for c in range(self.cols)]
        self._zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED)
        self._part("[Content_Types].xml", _content_types())
        self._part("_rels/.rels", _RELS)
        self._part("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        self._sheet = self._zip.open(_info("xl/worksheets/sheet1.xml"), "w")
        self._buf: list[str] = []
        self._n = 2
        cols = "".join(f'<col min="{i}" max="{i}" width="{_width(w)}" customWidth="1"/>'
                       for i, w in enumerate(widths, start=1))
        self._write(
            f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f'<dimension ref="A1:{self.last}{self.bottom}"/>'
            '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
            '<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>')

    def style(self, name: Optional[str]) -> str:
        """The ``s`` attribute of a cell in style ``name`` ("" for the default)."""
        if name is None:
            return ""
        got = self._style.get(name)
        if got is None:
            self.styles.append(name)
            got = self._style[name] = f' s="{len(self.styles)}"'
        return got

    def title(self, text: str) -> None:
        """Row 1: ``text`` merged across every column, bold 13 pt."""
        s = self.style("title")
        rest = "".join(f'<c r="{column(c)}1"{s}/>' for c in range(1, self.cols))
        self._write(f'<row r="1"><c r="A1"{s} t="inlineStr">{_inline(_truncated(text))}</c>'
                    f'{rest}</row>')

    def header(self, texts: Sequence[str], styles: Sequence[str]) -> None:
        """Row 2: the headers, each in its style."""
        self._write('<row r="2">' + "".join(
            f'<c r="{column(c)}2"{self.style(st)} t="inlineStr">{_inline(t)}</c>'
            for c, (t, st) in enumerate(zip(texts, styles))) + "</row>")

    def row(self, cells: Iterable[tuple[Any, Optional[str]]]) -> None:
        """The next row: (value, style) per column. ``None`` or ``""`` is a blank cell
        (written only when it has a style); a number is a number; anything else text."""
        self._n += 1
        n = str(self._n)
        out = ['<row r="', n, '">']
        add = out.append
        style = self.style
        for letter, (value, st) in zip(self._letters, cells):
            if value is None or value == "":
                if st is not None:
                    add(f'<c r="{letter}{n}"{style(st)}/>')
            elif type(value) is str:
                s = style(st)
                add(f'<c r="{letter}{n}"{s} t="inlineStr">{_inline(_truncated(value))}</c>')
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                s = style(st)
                add(f'<c r="{letter}{n}"{s}><v>{value:.16G}</v></c>')
            else:
                s = style(st)
                add(f'<c r="{letter}{n}"{s} t="inlineStr">'
                    f'{_inline(_truncated(str(value)))}</c>')
        add("</row>")
        self._write("".join(out))

    def _write(self, text: str) -> None:
        self._buf.append(text)
        if len(self._buf) >= 256:
            self._flush()

    def _flush(self) -> None:
        self._sheet.write("".join(self._buf).encode("utf-8"))
        self._buf.clear()

    def _part(self, name: str, text: str) -> None:
        self._zip.writestr(_info(name), text.encode("utf-8"))

    def close(self) -> None:
        """The rest of the sheet and the workbook's other parts."""
        area = f"A2:{self.last}{self.bottom}"
        self._write(f'</sheetData><autoFilter ref="{area}"/><mergeCells count="1">'
                    f'<mergeCell ref="A1:{self.last}1"/></mergeCells><pageMargins left="0.7" '
                    'right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                    '</worksheet>')
        self._flush()
        self._sheet.close()
        quoted = "'" + self.name.replace("'", "''") + "'"
        self._part("xl/workbook.xml", (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><fileVersion appName="xl" '
            'lastEdited="4" lowestEdited="4" rupBuild="4505"/><workbookPr '
            'defaultThemeVersion="124226"/><bookViews><workbookView xWindow="240" '
            'yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews><sheets>'
            f'<sheet name="{_attr(self.name)}" sheetId="1" r:id="rId1"/></sheets><definedNames>'
            '<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
            f"{_data(quoted)}!$A$2:${self.last}${self.bottom}</definedName></definedNames>"
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'))
        self._part("xl/styles.xml", self._styles())
        self._part("xl/theme/theme1.xml", THEME)
        self._part("docProps/core.xml", (
            f'{_HEAD}<cp:coreProperties xmlns:cp="{_PKG}/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/'
            'terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.'
            'org/2001/XMLSchema-instance"><dc:creator></dc:creator><cp:lastModifiedBy>'
            '</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">'
            f'{self.created}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">'
            f'{self.created}</dcterms:modified></cp:coreProperties>'))
        self._part("docProps/app.xml", (
            f'{_HEAD}<Properties xmlns="{_REL.replace("relationships", "extended-properties")}"'
            f' xmlns:vt="{_REL.replace("relationships", "docPropsVTypes")}"><Application>'
            'Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false'
            '</ScaleCrop><HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant>'
            '<vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4>'
            '</vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="1" '
            f'baseType="lpstr"><vt:lpstr>{_data(self.name)}</vt:lpstr></vt:vector>'
            '</TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate>'
            '<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>'
            '<AppVersion>12.0000</AppVersion></Properties>'))
        self._zip.close()

    def _styles(self) -> str:
        formats = ('<numFmts count="1"><numFmt numFmtId="164" formatCode="@"/></numFmts>'
                   if "text" in self.styles else "")
        xfs = "".join(_XF[s] for s in self.styles)
        return (f'{_HEAD}<styleSheet xmlns="{_MAIN}">{formats}<fonts count="3"><font>'
                f'<sz val="11"/>{_FONT}</font><font><b/><sz val="13"/>{_FONT}</font><font><b/>'
                f'<sz val="11"/>{_FONT}</font></fonts><fills count="3"><fill><patternFill '
                'patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
                '<fill><patternFill patternType="solid"><fgColor rgb="FFFFF2CC"/><bgColor '
                'indexed="64"/></patternFill></fill></fills><borders count="1"><border><left/>'
                '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1">'
                '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                f'<cellXfs count="{len(self.styles) + 1}"><xf numFmtId="0" fontId="0" '
                f'fillId="0" borderId="0" xfId="0"/>{xfs}</cellXfs><cellStyles count="1">'
                '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs '
                'count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
                'defaultPivotStyle="PivotStyleLight16"/></styleSheet>')


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    # deflate's fastest level (ZipFile.open takes it from the entry; Python 3.13 names
    # the attribute compress_level)
    if hasattr(info, "compress_level"):
        info.compress_level = 1
    else:
        info._compresslevel = 1
    return info


def _content_types() -> str:
    sml = f"{_OFFICE}.spreadsheetml"
    overrides = (("/docProps/app.xml", f"{_OFFICE}.extended-properties+xml"),
                 ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-"
                                        "properties+xml"),
                 ("/xl/styles.xml", f"{sml}.styles+xml"),
                 ("/xl/theme/theme1.xml", f"{_OFFICE}.theme+xml"),
                 ("/xl/workbook.xml", f"{sml}.sheet.main+xml"),
                 ("/xl/worksheets/sheet1.xml", f"{sml}.worksheet+xml"))
    return (f'{_HEAD}<Types xmlns="{_PKG}/content-types"><Default Extension="rels" '
            f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
            + "</Types>")


_RELS = (f'{_HEAD}<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
         f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" '
         f'Type="{_PKG}/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
         f'<Relationship Id="rId3" Type="{_REL}/extended-properties" '
         'Target="docProps/app.xml"/></Relationships>')
_WORKBOOK_RELS = (f'{_HEAD}<Relationships xmlns="{_PKG}/relationships"><Relationship '
                  f'Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                  f'<Relationship Id="rId2" Type="{_REL}/theme" Target="theme/theme1.xml"/>'
                  f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/>'
                  '</Relationships>')
