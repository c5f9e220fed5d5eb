"""What counts as an English word in Chinese output, for the tests of the languages.

Chinese output may hold what a person types or copies back: options and commands,
domain values (``wangwang``, ``damaged``), policy keys, file formats, identifiers
(order numbers, buyer accounts, courier codes, paths, URLs), acronyms (JSON, CSV) and a
few product names. Any other run of Latin letters is an English word that was left
untranslated."""

from __future__ import annotations

import re

# Product names and technical words a Chinese agent reads as they are.
NAMES = {"Datasette", "SQLite", "Excel", "Ctrl", "pip", "markdown", "webhook", "cstool",
         "cron", "crontab", "jq", "sort", "uniq", "cut", "date", "supervisor", "x", "auto",
         "none", "web", "install", "chat", "export", "md", "xlsx", "csv", "json", "jsonl", "tsv", "table",
         "stdout", "stdin", "dingtalk", "wecom", "generic", "today", "yesterday", "presale",
         "aftersale", "team", "shipping", "red", "yellow", "green", "blue", "purple", "zh",
         "en", "d", "h", "min", "w", "m", "y", "http", "https", "shop", "set", "default",
         "on", "off", "true", "false", "step", "hours", "tb", "jd", "pdd", "douyin", "taobao",
         "youzan", "cancel", "address", "attr", "slip",
         "Unicode", "WPS"}  # Chinese Excel's own name of a file type: "Unicode 文本"

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\-]*")


def allowed_words() -> set[str]:
    """Every word a person may type to cstool: commands, options, choices, domain values,
    policy keys (and their parts)."""
    import click

    from cstool.app import policy
    from cstool.cli import cli
    from cstool.core import vocab

    words = set(NAMES)

    def walk(cmd, ctx):
        words.update((ctx.info_name or "").split())
        for p in cmd.params:
            for opt in getattr(p, "opts", []) + getattr(p, "secondary_opts", []):
                words.update(re.findall(r"[A-Za-z]+", opt))
            if isinstance(p.type, click.Choice):
                for c in p.type.choices:
                    words.update(re.findall(r"[A-Za-z]+", str(c)))
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                words.add(name)
                walk(sub, click.Context(sub, parent=ctx, info_name=name))

    walk(cli, click.Context(cli, info_name="cstool"))
    for v in vocab.EVERY:
        for canon in v.values:
            words.update(re.findall(r"[A-Za-z]+", canon))
    for k in policy.keys():
        words.update(re.findall(r"[A-Za-z]+", k.name))
    return words


def _identifier(token: str) -> bool:
    return any(c.isdigit() for c in token) or any(c in token for c in "_./@=:$\\~*-")


def english_words(text: str, allowed: set[str]) -> list[str]:
    """The English words in ``text`` that are none of the above."""
    found = []
    for raw in re.split(r"[\s,;()\[\]{}|<>\"'`“”‘’,。;:()【】《》、!?…→·]+", text):
        if not raw or _identifier(raw):
            continue
        for token in _TOKEN.findall(raw):
            token = token.strip("'-")
            if not token or token.isupper() or token in allowed or token.lower() in allowed:
                continue
            found.append(token)
    return found
