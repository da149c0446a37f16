"""What a server says is kept only after redaction: it may echo the request.

A proxy's 403 page, a 500 that dumps its request headers or a validation message quoting the
body can hold the password, the bearer token, or other residents' national codes, mobiles and
e-mail addresses. ``scrub`` removes them before a server's text reaches the ledger, a report,
the screen or a log, and cuts it to ``MAX_SERVER_TEXT`` characters.

It works in two passes, each over the text as it stands and over every decoding of it:

1. **Known secrets, by value** (the password, a client secret, the tokens), in whatever form
   an echo gives them: as they are; JSON-escaped, once or twice (a JSON string inside a JSON
   string, as SIMAD's ``detail``), with or without ``\\uXXXX`` escapes; percent- or
   form-encoded (either case of hex); HTML-escaped; any of these inside another; in base64
   alone or inside a longer base64 value (a ``Basic`` header). Runs of white space in a
   secret match any run of white space.
2. **Credential shapes**, whoever's they are: the value of a JSON or form field, or of a
   header, named for a password, secret, token or key (a JSON string value is read as JSON,
   escaped quotes and all); the value after ``Bearer``/``Basic``; JWTs; ``user:password@`` in
   an address. Only these shapes are hidden: prose that follows the word "password" is not.

A secret of fewer than ``MIN_SECRET`` characters (white space not counted) would match
ordinary letters anywhere: it is hidden only where it is a whole value after ``:`` or ``=``
(quoted or not).
"""

from __future__ import annotations

import base64
import html
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence

from pipeline.core.digits import ascii_digits

MAX_SERVER_TEXT = 2000
HIDDEN = "***"
MIN_SECRET = 4
SCAN_FACTOR = 8  # a text longer than this many times the limit is cut before it is read

_DIGIT = "[0-9\u06f0-\u06f9\u0660-\u0669]"
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]+(?:\.[\w-]+)+")
_MOBILE = re.compile(rf"(?<![0-9\w])(?:\+98|0098|98|0)?9{_DIGIT}{{9}}(?!{_DIGIT})")
_NATIONAL_CODE = re.compile(rf"(?<!{_DIGIT}){_DIGIT}{{10}}(?!{_DIGIT})")


# -- decodings of a text, each knowing where its characters came from -----------------------


class _View:
    """A text, or a decoding of one, and where each of its characters came from in the text
    it was decoded from (``below``)."""

    __slots__ = ("_below", "_segments", "_starts", "text")

    def __init__(
        self,
        text: str,
        segments: list[tuple[int, int, int, bool]] | None = None,
        below: _View | None = None,
    ):
        self.text = text
        # (start here, start below, end below, literal): a literal segment is the same
        # characters as below; any other is one decoded escape, all of which came from there.
        self._segments = segments
        self._starts = [s[0] for s in segments] if segments else []
        self._below = below

    def origin(self, start: int, end: int) -> tuple[int, int]:
        """Where ``text[start:end]`` (not empty) came from in the original text."""
        if self._segments is not None:
            here, lo, hi, literal = self._segments[bisect_right(self._starts, start) - 1]
            first = lo + (start - here) if literal else lo
            here, lo, hi, literal = self._segments[bisect_right(self._starts, end - 1) - 1]
            end = lo + (end - here) if literal else hi
            start = first
        if self._below is not None:
            return self._below.origin(start, end)
        return start, end


Parts = Callable[[re.Match[str]], list[tuple[str, int, int]] | None]


def _decoded(view: _View, pattern: re.Pattern[str], parts: Parts) -> _View | None:
    """``view`` with every match of ``pattern`` replaced by what ``parts`` decodes it to;
    None when nothing was decoded."""
    text = view.text
    pieces: list[str] = []
    segments: list[tuple[int, int, int, bool]] = []
    done = length = 0
    for match in pattern.finditer(text):
        decoded = parts(match)
        if not decoded:
            continue
        if match.start() > done:
            segments.append((length, done, match.start(), True))
            pieces.append(text[done : match.start()])
            length += match.start() - done
        for chars, start, end in decoded:
            segments.append((length, start, end, False))
            pieces.append(chars)
            length += len(chars)
        done = match.end()
    if not segments:
        return None
    if done < len(text):
        segments.append((length, done, len(text), True))
        pieces.append(text[done:])
    return _View("".join(pieces), segments, view)


_JSON_ESCAPE = re.compile(
    r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
    r"|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})|\\([\"\\/'bfnrt])"
)
_SHORT_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _json_parts(match: re.Match[str]) -> list[tuple[str, int, int]]:
    """A JSON (or Python/JavaScript) string escape: ``\\"``, ``\\n``, ``\\u0627``, a
    surrogate pair, ``\\x22``."""
    high, low, unit, byte, short = match.groups()
    if high:
        char = chr(0x10000 + ((int(high, 16) - 0xD800) << 10) + int(low, 16) - 0xDC00)
    elif unit or byte:
        char = chr(int(unit or byte, 16))
    else:
        char = _SHORT_ESCAPES.get(short, short)
    return [(char, match.start(), match.end())]


_PERCENT = re.compile(r"(?:%[0-9a-fA-F]{2})+|\+")


def _percent_parts(match: re.Match[str]) -> list[tuple[str, int, int]]:
    """Percent-encoded UTF-8 (a byte that is not UTF-8 as Latin-1), and ``+`` as a space."""
    if match.group() == "+":
        return [(" ", match.start(), match.end())]
    raw = bytes.fromhex(match.group().replace("%", ""))
    out, i, at = [], 0, match.start()
    while i < len(raw):
        lead = raw[i]
        size = 1 if lead < 0x80 else 2 if lead >> 5 == 6 else 3 if lead >> 4 == 14 else 4
        try:
            char = raw[i : i + size].decode("utf-8")
        except UnicodeDecodeError:
            size, char = 1, raw[i : i + 1].decode("latin-1")
        out.append((char, at + 3 * i, at + 3 * (i + size)))
        i += size
    return out


_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")


def _entity_parts(match: re.Match[str]) -> list[tuple[str, int, int]] | None:
    chars = html.unescape(match.group())
    return [(chars, match.start(), match.end())] if chars and chars != match.group() else None


_SPACES = re.compile(r"\s{2,}|[^\S ]")
_SPACE_RUN = re.compile(r"\s+")


def _space_parts(match: re.Match[str]) -> list[tuple[str, int, int]]:
    return [(" ", match.start(), match.end())]


# (characters that announce it, what it decodes, how)
_DECODERS: tuple[tuple[str, re.Pattern[str], Parts], ...] = (
    ("\\", _JSON_ESCAPE, _json_parts),
    ("%+", _PERCENT, _percent_parts),
    ("&", _ENTITY, _entity_parts),
)
MAX_DEPTH = 3  # escapings inside escapings: HTML of JSON inside JSON, ...
MAX_VIEWS = 32


def _views(text: str) -> list[_View]:
    """The text and its decodings (JSON, percent, HTML, one inside another)."""
    root = _View(text)
    views, seen, frontier = [root], {text}, [root]
    for _ in range(MAX_DEPTH):
        following = []
        for view in frontier:
            for announce, pattern, parts in _DECODERS:
                if not any(c in view.text for c in announce):
                    continue
                decoded = _decoded(view, pattern, parts)
                if decoded is None or decoded.text in seen:
                    continue
                seen.add(decoded.text)
                views.append(decoded)
                following.append(decoded)
                if len(views) >= MAX_VIEWS:
                    return views
        frontier = following
    return views


def _hide(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every span (merged where they touch) replaced by ``HIDDEN``."""
    if not spans:
        return text
    spans.sort()
    out, done = [], 0
    start, end = spans[0]
    for a, b in spans[1:]:
        if a <= end:
            end = max(end, b)
            continue
        out += [text[done:start], HIDDEN]
        done, (start, end) = end, (a, b)
    out += [text[done:start], HIDDEN, text[end:]]
    return "".join(out)


# -- pass 1: known secrets, by value ----------------------------------------------------------


def _base64_forms(secret: str) -> set[str]:
    """The secret in base64, alone and at each of the three places it can start inside a
    longer base64 value (``user:password``): the characters that depend on it alone."""
    data = secret.encode("utf-8", "surrogatepass")
    forms = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data).decode()
        core = encoded[-(-8 * shift // 6) : 8 * (shift + len(data)) // 6]
        if shift == 0:
            forms |= {encoded.rstrip("="), core}
        elif len(core) >= 8:
            forms.add(core)
    return forms | {f.translate(str.maketrans("+/", "-_")) for f in forms}


def _needles(secret: str) -> tuple[list[str], str | None]:
    """What to look for: the secret's forms, longest first; or a short secret, to be found
    only as a whole value. (Nothing is kept between calls: no secret outlives its use.)"""
    flat = _SPACE_RUN.sub(" ", secret).strip()
    if len(_SPACE_RUN.sub("", flat)) < MIN_SECRET:
        return [], flat or None
    return sorted({flat, *_base64_forms(secret)}, key=len, reverse=True), None


_VALUE_BEFORE = re.compile(r"[:=] ?[\"']?\Z")  # what a whole value follows ...
_VALUE_AFTER = frozenset("\"'&,;}]< ")  # ... and ends with (white space is one space here)


def _found(text: str, needle: str) -> Iterator[int]:
    at = text.find(needle)
    while at >= 0:
        yield at
        at = text.find(needle, at + 1)


def _secret_spans(text: str, secrets: Iterable[str | None]) -> list[tuple[int, int]]:
    needles: list[str] = []
    shorts: list[str] = []
    for secret in dict.fromkeys(s for s in secrets if isinstance(s, str) and s):
        forms, short = _needles(secret)
        needles += forms
        shorts += [short] if short else []
    if not needles and not shorts:
        return []
    spans = []
    for view in _views(text):
        flat = _decoded(view, _SPACES, _space_parts) or view  # white space runs as one space
        seen = flat.text
        for needle in needles:
            spans += [flat.origin(at, at + len(needle)) for at in _found(seen, needle)]
        for short in shorts:
            for at in _found(seen, short):
                end = at + len(short)
                whole = end == len(seen) or seen[end] in _VALUE_AFTER
                if whole and _VALUE_BEFORE.search(seen, max(0, at - 3), at):
                    spans.append(flat.origin(at, end))
    return spans


def _margin(secrets: Sequence[str | None]) -> int:
    """More characters than any form of any of ``secrets`` takes."""
    return 24 * max((len(s) for s in secrets if isinstance(s, str)), default=0) + 16


# -- pass 2: credential shapes ---------------------------------------------------------------

_NAME = r"[\w.-]*?(?:password|passwd|pwd|secret|token|api[-_]?key|authorization|cookie)[\w.-]*"
_JSON_FIELD = re.compile(
    rf"""(?ix) (["']) {_NAME} \1 \s*:\s*
    ( "(?:[^"\\]|\\.)*(?:"|\Z) | '(?:[^'\\]|\\.)*(?:'|\Z) | [^\s,}}\]\[{{"']+ )"""
)
_FORM_FIELD = re.compile(rf"(?i)(?:(?<=[?&;\s])|^){_NAME}=([^&\s\"'<>]+)")
_HEADER = re.compile(  # a header line whose whole value is a credential
    r"(?im)^[ \t]*(?:proxy-authorization|authorization|cookie|set-cookie)[ \t]*:[ \t]*(\S[^\r\n]*)"
)
_TOKEN_HEADER = re.compile(  # one whose value is, when it has the shape of one
    r"(?im)^[ \t]*(?:[\w-]*token|x-api-key|api-key)[ \t]*:[ \t]*([^\s,;]{8,})"
)
_AUTH_SCHEME = re.compile(r"(?i)\b(?:bearer|basic|digest)\s+([A-Za-z0-9._~+/-]{8,}=*)")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_URL_CREDENTIALS = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://([^/\s:@]+:[^/\s@]+)@")


def _credential_like(match: re.Match[str]) -> bool:
    """A value (after ``Bearer``, ``Basic``, ``token:``) that is a credential, not a word
    ("Basic information"): it has a digit or a symbol, or capitals after its first letter."""
    value = match.group(1)
    return bool(re.search(r"[0-9._~+/=-]", value)) or value[1:] != value[1:].lower()


# (pattern, the group hidden, a check of the match)
_RULES: tuple[tuple[re.Pattern[str], int, Callable[[re.Match[str]], bool] | None], ...] = (
    (_JSON_FIELD, 2, None),
    (_FORM_FIELD, 1, None),
    (_HEADER, 1, None),
    (_TOKEN_HEADER, 1, _credential_like),
    (_AUTH_SCHEME, 1, _credential_like),
    (_JWT, 0, None),
    (_URL_CREDENTIALS, 1, None),
)


_MAYBE = re.compile(r"[\"'=:]|eyJ|(?i:bearer|basic|digest)")  # what every rule needs


def _shape_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for view in _views(text):
        if not _MAYBE.search(view.text):
            continue
        for pattern, group, check in _RULES:
            for match in pattern.finditer(view.text):
                start, end = match.span(group)
                if end > start and (check is None or check(match)):
                    spans.append(view.origin(start, end))
    return spans


# -- the whole -------------------------------------------------------------------------------


def redact_text(
    text: str,
    *,
    secrets: Iterable[str | None] = (),
    keep: Iterable[object] = (),
    identifiers: bool = True,
) -> str:
    """``text`` without secrets and credentials (by value, then by shape), and without
    personal identifiers other than ``keep`` when ``identifiers``. Not cut, its lines kept."""
    out = _hide(text, _secret_spans(text, secrets))
    out = _hide(out, _shape_spans(out))
    return _without_identifiers(out, keep) if identifiers else out


def _without_identifiers(text: str, keep: Iterable[object]) -> str:
    own = {ascii_digits(str(v)).strip().lower() for v in keep if v not in (None, "")}

    def hide(match: re.Match[str]) -> str:
        found = match.group(0)
        return found if ascii_digits(found).lower() in own else HIDDEN

    text = _EMAIL.sub(hide, text)
    text = _MOBILE.sub(hide, text)
    return _NATIONAL_CODE.sub(hide, text)


def scrub(
    text: object,
    *,
    secrets: Iterable[str | None] = (),
    keep: Iterable[object] = (),
    identifiers: bool = True,
    limit: int = MAX_SERVER_TEXT,
) -> str:
    """``text`` without secrets, and without personal identifiers other than ``keep``, on
    one line of at most ``limit`` characters.

    ``secrets`` are removed wherever and however they appear (the password, the tokens);
    credential-shaped values always are. National codes, mobiles and e-mail addresses are
    hidden unless they are one of ``keep`` (the row's own values, which a refusal may rightly
    quote).
    """
    out = str(text) if text is not None else ""
    secrets = tuple(secrets)
    scan = SCAN_FACTOR * limit
    if len(out) <= scan:
        return shorten(redact_text(out, secrets=secrets, keep=keep, identifiers=identifiers), limit)
    # Only ``limit`` characters are kept: read no more than needed. A secret the cut went
    # through is not found whole: the end it may be in is dropped once the rest is clean.
    out = _hide(out[:scan], _secret_spans(out[:scan], secrets))
    out = " ".join(out.split())
    out = out[: max(0, len(out) - _margin(secrets))]
    out = redact_text(out, keep=keep, identifiers=identifiers)
    return shorten(out, limit)


def shorten(text: str, limit: int = MAX_SERVER_TEXT) -> str:
    """At most ``limit`` characters, whitespace runs collapsed."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
