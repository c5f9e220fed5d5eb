"""Sending reminders: stdout, DingTalk (钉钉) and WeCom (企业微信) group robots.

Only the standard library: a robot webhook is one JSON POST. The robots
limit message size and rate (20 messages a minute each), so long reminders
are split on line boundaries and a run sends at most what the minute allows;
what is not sent stays due for the next run.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Callable, Optional

from cstool.core.errors import CstoolError, InputError
from cstool.core.i18n import M_
from cstool.core.mask import mask_secrets, mask_url

TIMEOUT_S = 10.0
RATE_PER_MINUTE = 20
# Bytes of content per message: WeCom's text limit is 2048; DingTalk allows more,
# but long robot messages are unreadable in a group chat anyway.
LIMITS = {"wecom": 2048, "dingtalk": 4000}


class NotifyError(CstoolError):
    """A webhook refused the message or could not be reached."""


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def check_webhook(url: str, what: str = "webhook") -> str:
    """``url`` if it is a robot webhook we may post to, else an InputError (the token masked).

    The token travels in the URL, so it must go over https; plain http only to a
    robot on this machine (a relay or a test), at localhost, 127.0.0.1 or ::1.
    """
    s = str(url).strip()
    shown = mask_url(s)
    try:
        parts = urllib.parse.urlsplit(s)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - a bad port raises ValueError
    except ValueError:
        raise InputError(M_("{what} {shown} is not a URL; give the robot's https://… "
                            "address", what=what, shown=shown)) \
            from None
    if any(c.isspace() for c in s) or not host:
        raise InputError(M_("{what} {shown} is not a URL; give the robot's https://… "
                            "address (with the scheme)", what=what, shown=shown))
    if parts.scheme == "https" or (parts.scheme == "http" and host in LOCAL_HOSTS):
        return s
    if parts.scheme == "http":
        raise InputError(M_("{what} {shown} uses plain http, which would send the robot's "
                            "token unencrypted; use https:// (http only to localhost, "
                            "127.0.0.1 or ::1)", what=what, shown=shown))
    raise InputError(M_("{what} {shown} is not an https:// URL", what=what, shown=shown))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: URL-encoded base64 of HMAC-SHA256(timestamp + "\\n" + secret)."""
    import base64  # only when a DingTalk robot is called
    import hashlib
    import hmac

    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(webhook: str, secret: Optional[str], timestamp_ms: int) -> str:
    if not secret:
        return webhook
    sep = "&" if "?" in webhook else "?"
    return f"{webhook}{sep}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def split_lines(lines: list[str], limit: int, title: str = "") -> list[list[str]]:
    """The lines of each message :func:`split_message` makes (a line longer than a
    message cut at a character boundary): one pass, whatever the number of lines."""
    head_room = len(title.encode()) + 16
    budget = max(limit - head_room, 64)
    chunks: list[list[str]] = [[]]
    size = 0
    for line in lines:
        b = line.encode()
        if len(b) > budget:
            line = b[: budget - 3].decode("utf-8", "ignore") + "…"
            b = line.encode()
        if chunks[-1] and size + len(b) + 1 > budget:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += len(b) + 1
    return chunks


def split_message(lines: list[str], limit: int, title: str = "") -> list[str]:
    """Join lines into messages of at most ``limit`` UTF-8 bytes, breaking between lines.

    Every message starts with ``title`` (marked ``(2/3)`` when split); a single line
    longer than a message is cut at a character boundary.
    """
    chunks = split_lines(lines, limit, title)
    n = len(chunks)
    out = []
    for i, chunk in enumerate(chunks, 1):
        head = title + (f" ({i}/{n})" if n > 1 else "")
        out.append("\n".join(([head] if head else []) + chunk))
    return out


def _markdown(text: str) -> str:
    # Robots render markdown; keep each line its own paragraph.
    return re.sub(r"\n", "\n\n", text)


class Robot:
    """A group robot: ``kind`` is dingtalk or wecom."""

    def __init__(self, kind: str, webhook: str, secret: Optional[str] = None,
                 timeout: float = TIMEOUT_S, markdown: bool = True):
        self.kind, self.webhook, self.secret = kind, webhook, secret
        self.timeout, self.markdown = timeout, markdown

    @property
    def limit(self) -> int:
        return LIMITS[self.kind]

    def payload(self, text: str, title: str) -> dict:
        if self.kind == "dingtalk":
            if self.markdown:
                return {"msgtype": "markdown", "markdown": {"title": title, "text": _markdown(text)}}
            return {"msgtype": "text", "text": {"content": text}}
        if self.markdown:
            return {"msgtype": "markdown", "markdown": {"content": _markdown(text)}}
        return {"msgtype": "text", "text": {"content": text}}

    def url(self, timestamp_ms: int) -> str:
        if self.kind == "dingtalk":
            return dingtalk_url(self.webhook, self.secret, timestamp_ms)
        return self.webhook

    def send(self, text: str, title: str, timestamp_ms: int,
             post: Optional[Callable[[str, dict, float], dict]] = None) -> None:
        reply = (post or post_json)(self.url(timestamp_ms), self.payload(text, title), self.timeout)
        code = reply.get("errcode", 0)
        if code not in (0, "0"):
            raise NotifyError(f"{self.kind} robot {mask_url(self.webhook)} refused the message: "
                              f"errcode {code} {reply.get('errmsg', '')}".strip())


def post_json(url: str, payload: dict, timeout: float = TIMEOUT_S) -> dict:
    """POST ``payload`` as JSON; the reply's JSON (robots answer ``{"errcode": 0, …}``)."""
    import json
    import urllib.error
    import urllib.request  # costs ~13 ms: only when a robot is actually called
    data = json.dumps(payload, ensure_ascii=False).encode()
    try:
        req = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    except ValueError:
        raise NotifyError(M_("webhook {url} is not a URL", url=mask_url(url))) from None
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
    except urllib.error.HTTPError as e:
        raise NotifyError(M_("webhook {url} answered HTTP {code}", url=mask_url(url),
                             code=e.code)) from None
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = mask_secrets(getattr(e, "reason", e))
        raise NotifyError(M_("webhook {url} could not be reached ({reason})", url=mask_url(url),
                             reason=reason)) from None
    try:
        return json.loads(body.decode() or "{}")
    except ValueError:
        raise NotifyError(M_("webhook {url} answered something that is not JSON",
                             url=mask_url(url))) from None
