"""What a server says is kept only after redaction: it may echo the request.

A proxy's 403 page, a 500 that dumps its request headers or a validation message quoting the
body can hold the password, the bearer token, or other residents' national codes, mobiles and
e-mail addresses. ``scrub`` removes them before a server's text reaches the ledger, a report,
the screen or a log, and cuts it to ``MAX_SERVER_TEXT`` characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_SERVER_TEXT = 2000
HIDDEN = "***"

_DIGIT = "[0-9\u06f0-\u06f9\u0660-\u0669]"
_CREDENTIAL_FIELD = re.compile(
    r"""(?ix)
    (["']?(?:password|passwd|pwd|secret|client_secret|token|accesstoken|access_token|
          refreshtoken|refresh_token|api[-_]?key|authorization|cookie)["']?\s*[:=]\s*)
    ("[^"]*"|'[^']*'|[^\s,;&}]+)
    """
)
_AUTH_SCHEME = re.compile(r"(?i)\b(bearer|basic|digest)\s+[A-Za-z0-9._~+/=-]{6,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]+(?:\.[\w-]+)+")
_MOBILE = re.compile(rf"(?<![0-9\w])(?:\+98|0098|98|0)?9{_DIGIT}{{9}}(?!{_DIGIT})")
_NATIONAL_CODE = re.compile(rf"(?<!{_DIGIT}){_DIGIT}{{10}}(?!{_DIGIT})")
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@")
_ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def _ascii(text: str) -> str:
    return text.translate(_ASCII_DIGITS)


def scrub(
    text: object,
    *,
    secrets: Iterable[str | None] = (),
    keep: Iterable[object] = (),
    identifiers: bool = True,
    limit: int = MAX_SERVER_TEXT,
) -> str:
    """``text`` without secrets, and without personal identifiers other than ``keep``.

    ``secrets`` are removed wherever they appear (the password, the tokens); credential-named
    fields, ``Bearer …`` values, JWTs and ``user:password@`` in addresses always are. National
    codes, mobiles and e-mail addresses are hidden unless they are one of ``keep`` (the row's
    own values, which a refusal may rightly quote).
    """
    out = str(text) if text is not None else ""
    out = out[: 2 * limit]  # only ``limit`` is kept: scrub no more than needed
    for secret in secrets:
        if secret and len(secret) >= 4:
            out = out.replace(secret, HIDDEN)
    out = _URL_CREDENTIALS.sub(rf"\1{HIDDEN}@", out)
    out = _AUTH_SCHEME.sub(rf"\1 {HIDDEN}", out)
    out = _CREDENTIAL_FIELD.sub(rf"\1{HIDDEN}", out)
    out = _JWT.sub(HIDDEN, out)
    if not identifiers:  # the caller scrubs them later, knowing whose row it is
        return shorten(out, limit)
    own = {_ascii(str(v)).strip().lower() for v in keep if v not in (None, "")}

    def hide(match: re.Match[str]) -> str:
        found = match.group(0)
        return found if _ascii(found).lower() in own else HIDDEN

    out = _EMAIL.sub(hide, out)
    out = _MOBILE.sub(hide, out)
    out = _NATIONAL_CODE.sub(hide, out)
    return shorten(out, limit)


def shorten(text: str, limit: int = MAX_SERVER_TEXT) -> str:
    """At most ``limit`` characters, whitespace runs collapsed."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
