"""Tables that fit the terminal, measured in display columns (a Chinese character is two).

:func:`layout` turns a table's text cells into lines no wider than ``width``:

1. everything fits: each column as wide as its widest cell;
2. else the long text column the listing names (``below``: a shipcheck's detail, a
   chase's message) moves under its row, indented, as wide as the terminal;
3. text columns wrap, the widest first, at word boundaries or between characters (never
   inside one: wcwidth knows a character's width, :func:`graphemes` where one ends), down to
   COMFORTABLE columns; identifiers (order numbers, ids, tracking numbers) never wrap;
4. while that is still too wide, the columns the listing lets go (``drop``, in order) are
   left out, then text columns wrap down to MIN_WRAP (or their widest word);
5. and when even that is too wide, each row is printed as a record, one field a line.

``width=None`` (piped output, or ``--wide``) prints every column, nothing wrapped. With
``cut`` (a terminal), a wrapped cell longer than :data:`MAX_LINES` lines ends in ``…``;
piped output is never cut.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO, Optional

SEP = "  "
INDENT = "    "
MAX_LINES = 4        # a wrapped cell on a terminal, at most
MIN_WRAP = 10        # a text column is not wrapped narrower than this (or its widest word)
COMFORTABLE = 16     # … nor narrower than this while a column may still be left out
ELLIPSIS = "…"
# Punctuation that never starts a line in Chinese typesetting (避头尾): it joins the line above.
NO_START = frozenset("。,,、.;;::!!??)）」』】》〉”’~…")


def terminal_width(stream: Optional[IO[str]] = None) -> Optional[int]:
    """The width to fit: ``COLUMNS`` when set, else the terminal's when ``stream`` is one,
    else None (piped: nothing is fitted)."""
    given = os.environ.get("COLUMNS", "").strip()
    if given.isdigit() and int(given) > 0:
        return max(int(given), 20)
    if stream is not None and is_tty(stream):
        try:
            return os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            return None
    return None


def is_tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def width(text: str) -> int:
    """Display width of one line (wide characters count two, controls none)."""
    if text.isascii() and text.isprintable():
        return len(text)
    w = _measured.get(text)
    if w is None:
        w = _measure(text)
        if len(_measured) < 8192:  # a listing repeats its words (check names, durations)
            _measured[text] = w
    return w


_measured: dict[str, int] = {}
# Each character seen: its columns, and whether it joins the character before it into
# one cluster (the clusters of :func:`graphemes`, counted without building them).
_chars: dict[str, tuple[int, bool]] = {}


def _measure(text: str) -> int:
    total, joined, first = 0, False, True
    chars = _chars
    for ch in text:
        known = chars.get(ch)
        if known is None:
            known = chars[ch] = (_cluster_width(ch), ch == _ZWJ or _joins(ch))
        if not first and (joined or known[1]):
            joined = ch == _ZWJ  # inside the cluster before: no column of its own
            continue
        total += known[0]
        joined, first = False, False
    return total


# What joins the character before it into one cluster on the screen: a zero-width joiner
# and the character after it, variation selectors, emoji skin tones, combining marks.
_ZWJ = "\u200d"


def _joins(ch: str) -> bool:
    from unicodedata import category

    o = ord(ch)
    return (0xFE00 <= o <= 0xFE0F or 0x1F3FB <= o <= 0x1F3FF or 0xE0020 <= o <= 0xE007F
            or category(ch) in ("Mn", "Me"))


def graphemes(text: str):
    """``text`` in the clusters a terminal draws as one (a letter and its marks, an emoji
    sequence joined by ZWJ): enough for tables, without wcwidth 0.3's grapheme tables."""
    if text.isascii():  # no ASCII character joins another
        yield from text
        return
    cluster = ""
    joined = False
    chars = _chars
    for ch in text:
        known = chars.get(ch)
        if known is None:
            known = chars[ch] = (_cluster_width(ch), ch == _ZWJ or _joins(ch))
        if cluster and (joined or known[1]):
            cluster += ch
            joined = ch == _ZWJ
            continue
        if cluster:
            yield cluster
        cluster, joined = ch, False
    if cluster:
        yield cluster


def _cluster_width(cluster: str) -> int:
    """A cluster's columns: its first character's (wide or full-width: 2; a control: 0)."""
    from wcwidth import wcwidth

    w = wcwidth(cluster[0])
    return max(w, 0)


def _lines(cell: str) -> list[str]:
    return cell.split("\n") if cell else [""]


def _natural(cell: str) -> int:
    return max(width(line) for line in _lines(cell))


def _words(text: str) -> list[str]:
    """Pieces a header may break after: spaces and underscores (``unpaid_`` ``minutes``)."""
    pieces, cur = [], ""
    for ch in text:
        cur += ch
        if ch in " _":
            pieces.append(cur)
            cur = ""
    if cur:
        pieces.append(cur)
    return pieces


def _min_header(text: str) -> int:
    return max((width(p.rstrip()) for p in _words(text)), default=0)


def wrap(cell: str, w: int, cut: bool = False) -> list[str]:
    """``cell`` in lines of at most ``w`` columns, broken after a space or a ``_ : / , ;``
    and between Chinese characters where it can, between any two characters where it
    must (``cut``: at most MAX_LINES, the last ending in …)."""
    out: list[str] = []
    for line in _lines(cell):
        out.extend([line] if width(line) <= w else _fill(line, w))
    if cut and len(out) > MAX_LINES:
        out = out[:MAX_LINES]
        out[-1] = clip(out[-1], w - 1) + ELLIPSIS
    return out


# Where a word longer than a line breaks: after a list's separators first, then inside
# a name (``follow_`` ``up``, ``reship=`` ``24``), never inside a time (``14:30``).
BREAK_AFTER = (frozenset(",;|/"), frozenset("_=:"))
# Opening punctuation that never ends a line: it goes down with what it opens.
NO_END = frozenset("([{（「『【《〈“‘")


def _segments(line: str):
    """The pieces a line may break between: words with their trailing space, each wide
    character on its own; closing punctuation stays with what it closes, opening
    punctuation with what it opens (避头尾), a grapheme is never split."""
    seg, after_wide = "", False
    for g in graphemes(line):
        wide = width(g) > 1
        if seg and (wide or after_wide) and g not in NO_START and not g.isspace() \
                and seg[-1] not in NO_END:
            yield seg
            seg = ""
        seg += g
        after_wide = wide
        if g.isspace():
            yield seg
            seg, after_wide = "", False
    if seg:
        yield seg


def _pieces(word: str, w: int, level: int = 0) -> list[str]:
    """A word longer than a line, in the pieces it may break after (:data:`BREAK_AFTER`)."""
    if level >= len(BREAK_AFTER):
        return [word]
    pieces, cur = [], ""
    gs = list(graphemes(word))  # a separator a mark or joiner holds on to is no break
    for k, g in enumerate(gs):
        cur += g
        before, after = gs[k - 1] if k else "", gs[k + 1] if k + 1 < len(gs) else ""
        if g in BREAK_AFTER[level] and not (g == ":" and before.isdigit() and after.isdigit()):
            pieces.append(cur)
            cur = ""
    if cur:
        pieces.append(cur)
    return [part for p in pieces
            for part in ([p] if width(p) <= w else _pieces(p, w, level + 1))]


def _fill(line: str, w: int) -> list[str]:
    """Greedy filling by words; a word longer than a line starts one and breaks at its
    separators, then between characters.

    The line being filled keeps its width (``used``, trailing spaces included): a piece
    that is not all space adds its own, since widths add up between graphemes; measuring
    the line again for each piece made a long text's wrapping quadratic."""
    lines: list[str] = []
    cur, used = "", 0

    def fits(piece: str) -> bool:  # would cur + piece, its end's spaces left out, fit?
        bare = piece.rstrip()  # (all space: cur alone, which always fits)
        return not bare or used + width(bare) <= w

    for seg in _segments(line):
        if fits(seg):
            cur, used = cur + seg, used + width(seg)
            continue
        if cur.strip():
            lines.append(cur.rstrip())
        cur, used = "", 0
        if width(seg.rstrip()) <= w:
            cur, used = seg, width(seg)
            continue
        for piece in _pieces(seg, w):
            if fits(piece):
                cur, used = cur + piece, used + width(piece)
                continue
            if cur.strip():
                lines.append(cur.rstrip())
            while width(piece.rstrip()) > w:
                head = clip(piece, w) or piece[0]
                lines.append(head)
                piece = piece[len(head):]
            cur, used = piece, width(piece)
    if cur.strip() or not lines:
        lines.append(cur.rstrip())
    return lines


def _tokens(cell: str) -> int:
    """The widest space-separated word of a cell, up to MIN_WRAP (Chinese text breaks
    between any two characters, so a long run of it counts MIN_WRAP)."""
    return min(max((width(t) for t in cell.split()), default=0), MIN_WRAP)


def clip(text: str, w: int) -> str:
    """``text`` cut to ``w`` columns at a character boundary."""
    out, used = "", 0
    for g in graphemes(text):
        gw = width(g)
        if used + gw > w:
            break
        out, used = out + g, used + gw
    return out


def _wrap_header(text: str, w: int) -> list[str]:
    if width(text) <= w:
        return [text]
    lines, cur = [], ""
    for piece in _words(text):
        if cur and width(cur + piece.rstrip()) > w:
            lines.append(cur.rstrip())
            cur = ""
        cur += piece
    if cur:
        lines.append(cur.rstrip())
    return [part for line in lines for part in wrap(line, w)]


def _pad(text: str, w: int) -> str:
    return text + " " * (w - width(text))


def _join(cells: Sequence[str]) -> str:
    return SEP.join(cells).rstrip()


def layout(headers: Optional[Sequence[str]], rows: Sequence[Sequence[str]],
           width_: Optional[int] = None, ids: Sequence[int] = (), drop: Sequence[int] = (),
           below: Optional[int] = None, cut: bool = False) -> list[str]:
    """The lines of a table (``headers`` None: a plain two-column record, no header).

    ``ids``: the indexes of identifier columns (never wrapped); ``drop``: indexes that
    may be left out when narrow, first first; ``below``: the index of the text column
    that may move under its row."""
    n = len(headers) if headers is not None else (len(rows[0]) if rows else 0)
    heads = list(headers) if headers is not None else [""] * n
    natural = [max([width(h) for h in _lines(heads[i])] +
                   [_natural(r[i]) for r in rows]) for i in range(n)]
    shown = list(range(n))

    def total(cols: Sequence[int], widths: Sequence[int]) -> int:
        return sum(widths[i] for i in cols) + len(SEP) * max(len(cols) - 1, 0)

    if width_ is None or total(shown, natural) <= width_:
        return _render(heads if headers is not None else None, rows, shown, natural,
                       None, cut, width_)
    mins = [natural[i] if i in ids else
            min(natural[i], max([_min_header(heads[i])] + [_tokens(r[i]) for r in rows]))
            for i in range(n)]
    # Before a column is dropped, text columns may narrow to COMFORTABLE; after the
    # last one allowed is dropped, to their minimum.
    comfy = [natural[i] if i in ids else min(natural[i], max(mins[i], COMFORTABLE))
             for i in range(n)]
    moved: Optional[int] = None
    if below is not None and below in shown and len(shown) > 1:
        moved = below
        shown.remove(below)
    pending = [i for i in drop if i < n and i != moved]
    while total(shown, comfy) > width_:
        if pending:
            shown.remove(pending.pop(0))
        elif total(shown, mins) <= width_:
            break
        else:
            return _records(heads, rows, ids, width_, cut)
    widths = list(natural)
    while total(shown, widths) > width_:
        i = max((c for c in shown if widths[c] > mins[c]), key=lambda c: widths[c])
        widths[i] -= 1
    return _render(heads if headers is not None else None, rows, shown, widths, moved,
                   cut, width_)


def _render(headers, rows, shown, widths, below, cut, width_) -> list[str]:
    out: list[str] = []

    def block(cells: list[list[str]]) -> None:
        height = max(len(c) for c in cells) if cells else 1
        for k in range(height):
            out.append(_join([_pad(c[k] if k < len(c) else "", widths[i])
                              for c, i in zip(cells, shown)]))

    if headers is not None:
        block([_wrap_header(headers[i], widths[i]) for i in shown])
        out.append(_join(["-" * widths[i] for i in shown]))
    for r in rows:
        block([wrap(r[i], widths[i], cut) for i in shown])
        if below is not None and r[below]:
            room = max((width_ or 80) - len(INDENT), MIN_WRAP)
            out.extend(INDENT + line for line in wrap(r[below], room, cut))
    return out


def _records(heads, rows, ids, width_, cut) -> list[str]:
    """Each row as a record: ``label  value`` a line, a blank line between rows."""
    label_w = min(max(width(h) for h in heads), max(width_ // 3, 8))
    room = max(width_ - label_w - len(SEP), MIN_WRAP)
    out: list[str] = []
    for k, r in enumerate(rows):
        if k:
            out.append("")
        for i, (head, value) in enumerate(zip(heads, r)):
            labels = _wrap_header(head, label_w)
            values = [value] if i in ids else wrap(value, room, cut)
            for j in range(max(len(labels), len(values))):
                label = labels[j] if j < len(labels) else ""
                text = values[j] if j < len(values) else ""
                out.append((_pad(label, label_w) + SEP + text).rstrip())
    return out
