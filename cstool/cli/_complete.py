"""Shell completion (click's, for bash, zsh and fish): commands, domain words in English
and Chinese, and order numbers from the journal.

click completes command names and options itself; :func:`attach` adds what it cannot
know: a :class:`~cstool.cli._common.Domain` option completes its vocabulary (``--kind
dam`` → ``damaged``, ``--kind 破`` → ``破损``), and an order number completes from the
journal's orders, newest first. Completion runs on every Tab, so it imports nothing
heavy: a read-only sqlite3 connection (the standard library's), no tabulate, no
sqlite-utils, no policy.

    eval "$(_CSTOOL_COMPLETE=bash_source cstool)"     # ~/.bashrc
    eval "$(_CSTOOL_COMPLETE=zsh_source cstool)"      # ~/.zshrc
    _CSTOOL_COMPLETE=fish_source cstool | source      # ~/.config/fish/completions/cstool.fish
"""

from __future__ import annotations

from typing import Optional

import click

# Parameters that hold order numbers, by their name in the commands.
ORDER_PARAMS = frozenset({"order_id", "order_ids"})
MAX_ORDERS = 50  # a shell lists these at most; more digits narrow them


def attach(command: click.Command) -> click.Command:
    """Give ``command``'s order-number parameters (and its subcommands' loaded so far)
    the journal's completion."""
    for param in command.params:
        if param.name in ORDER_PARAMS and param._custom_shell_complete is None:
            param._custom_shell_complete = complete_order
    for sub in getattr(command, "commands", {}).values():
        attach(sub)
    return command


def _db_path(ctx: click.Context) -> Optional[str]:
    """The journal the command line names (``--db``), else CSTOOL_DB or the default."""
    while ctx is not None:
        app = ctx.obj
        if getattr(app, "db_path", None):
            return app.db_path
        ctx = ctx.parent
    return None


def order_numbers(db_path: Optional[str], prefix: str, limit: int = MAX_ORDERS) -> list[tuple]:
    """(order number, buyer, status) of the journal's orders starting with ``prefix``,
    newest first; nothing when there is no journal or it cannot be read."""
    import sqlite3

    from cstool.core.journal import read_only

    conn = read_only(db_path)
    if conn is None:
        return []
    try:
        # a range on the primary key's text, not LIKE: an index walk, and no wildcards
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else None
        sql = "SELECT order_id, buyer, status FROM orders"
        args: list = []
        if upper is not None:
            sql += " WHERE order_id >= ? AND order_id < ?"
            args = [prefix, upper]
        rows = conn.execute(sql + " ORDER BY created_at DESC LIMIT ?", [*args, limit]).fetchall()
    except sqlite3.Error:
        return []
    finally:
        conn.close()
    return rows


def complete_order(ctx: click.Context, param: click.Parameter, incomplete: str):
    """Order numbers from the journal, with the buyer and the status beside each."""
    from click.shell_completion import CompletionItem

    from cstool.core.vocab import STATUS

    return [CompletionItem(order, help=" ".join(x for x in (buyer, STATUS.shown(status)) if x))
            for order, buyer, status in order_numbers(_db_path(ctx), incomplete)]


def complete_words(vocab, incomplete: str):
    """A vocabulary's words starting with ``incomplete``: the English values (the Chinese
    word beside each), or, for Chinese typed, the Chinese words (the value beside)."""
    from click.shell_completion import CompletionItem

    lowered = incomplete.lower()
    out = [CompletionItem(v, help=vocab.labels[v] if vocab.labels[v] != v else None)
           for v in vocab.values if v.startswith(lowered) or
           v.replace("_", "-").startswith(lowered)]
    if not out or not incomplete.isascii():
        seen = {i.value for i in out}
        for canon in vocab.values:
            for alias in vocab.aliases[canon]:
                if alias.startswith(incomplete) and alias not in seen and not alias.isdigit():
                    seen.add(alias)
                    out.append(CompletionItem(alias, help=canon))
    return out
