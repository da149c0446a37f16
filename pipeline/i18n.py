"""User-facing console messages in Persian (default) and English (``--lang en``)."""

from __future__ import annotations

import os

MESSAGES: dict[str, dict[str, str]] = {
    "sandbox_banner": {
        "fa": "سندباکس (شبیه‌ساز سیماد، نه سرور واقعی) در {url} آماده است — پایگاه داده: {db}",
        "en": "Sandbox (SIMAD simulator, not the real server) listening on {url} — database: {db}",
    },
    "sandbox_faults": {
        "fa": "خطاهای ساختگی: تأخیر {latency} میلی‌ثانیه، نرخ ۵۰۳: {fail}، سقف درخواست: {rate}/ثانیه",
        "en": "Injected faults: latency {latency} ms, 503 rate {fail}, rate limit {rate}/s",
    },
    "review_done": {
        "fa": "{changed} معرفی در سال {year} به‌روز شد. وضعیت بررسی: {statuses} — نتیجه نهایی: {results}",
        "en": "{changed} declarations of year {year} updated. Review: {statuses} — final: {results}",
    },
    "review_none": {
        "fa": "هیچ معرفی‌ای برای سال {year} در سندباکس نیست.",
        "en": "The sandbox holds no declaration for year {year}.",
    },
    "review_nothing_to_set": {
        "fa": "یکی از --status، --final-result یا --random را بدهید.",
        "en": "Give --status, --final-result or --random.",
    },
    "error": {"fa": "خطا: {message}", "en": "Error: {message}"},
    "not_loopback": {
        "fa": "هشدار: سندباکس روی نشانی {host} در دسترس دیگران است.",
        "en": "Warning: the sandbox on {host} is reachable by other machines.",
    },
}

_lang = os.environ.get("SIMAD_LANG", "fa")


def set_lang(lang: str) -> None:
    global _lang
    if lang not in ("fa", "en"):
        raise ValueError(f"unknown language {lang!r}: use fa or en")
    _lang = lang


def current_lang() -> str:
    return _lang if _lang in ("fa", "en") else "fa"


def t(key: str, **values: object) -> str:
    """The message ``key`` in the current language, filled with ``values``."""
    return MESSAGES[key][current_lang()].format(**values)
