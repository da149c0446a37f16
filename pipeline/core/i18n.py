"""User-facing console messages in Persian (default) and English (``--lang en``)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

import jdatetime

from pipeline.core.digits import TO_PERSIAN
from pipeline.core.errors import UnknownLanguage
from pipeline.core.status import rank as status_rank

MESSAGES: dict[str, dict[str, str]] = {
    "sandbox_banner": {
        "fa": "سندباکس (شبیه‌ساز سیماد و دیتاس/مکسا، نه سرور واقعی) در {url} آماده است — پایگاه داده: {db}",
        "en": "Sandbox (SIMAD and DITAS/MAXA simulator, not the real servers) listening on {url} — database: {db}",
    },
    "sandbox_faults": {
        "fa": "خطاهای ساختگی: تأخیر {latency} میلی‌ثانیه، نرخ ۵۰۳: {fail}، سقف درخواست هر حساب: {rate}{overload}",
        "en": "Injected faults: latency {latency} ms, 503 rate {fail}, rate limit per account: {rate}{overload}",
    },
    "sandbox_rate": {"fa": "{rate} در ثانیه", "en": "{rate}/s"},
    "sandbox_at_once": {
        "fa": "{rate} درخواست هم‌زمان",
        "en": "{rate} requests at once",
        "en_one": "1 request at once",
    },
    "sandbox_no_rate": {"fa": "ندارد", "en": "none"},
    "sandbox_overload": {
        "fa": "، ۵۰۳ از {at} درخواست هم‌زمان به بالا",
        "en": ", 503 from {at} requests at once",
    },
    "sandbox_limiter": {
        "fa": "شکل سقف: {shape} ({limiter})، جهش: {burst_shown} ثانیه، پاسخ پس‌زدن: {push_back} {retry_after_told}",
        "en": "Limiter: {shape} ({limiter}), burst {burst_shown} s, refusals answered {push_back} {retry_after_told}",
    },
    "sandbox_limiter_no_burst": {
        "fa": "شکل سقف: {shape} ({limiter})، پاسخ پس‌زدن: {push_back} {retry_after_told}",
        "en": "Limiter: {shape} ({limiter}), refusals answered {push_back} {retry_after_told}",
    },
    "limiter_token-bucket": {"fa": "سطل توکن", "en": "token bucket"},
    "limiter_sliding-window": {
        "fa": "پنجرهٔ لغزان، هر یک ثانیه",
        "en": "sliding window, any one second",
    },
    "limiter_fixed-window": {
        "fa": "پنجرهٔ ثابت، هر ثانیهٔ ساعت",
        "en": "fixed window, each clock second",
    },
    "limiter_sliding-window_long": {
        "fa": "پنجرهٔ لغزان، {most} درخواست در هر {seconds} ثانیه",
        "en": "sliding window, {most} requests in any {seconds} s",
    },
    "limiter_fixed-window_long": {
        "fa": "پنجرهٔ ثابت، {most} درخواست در هر {seconds} ثانیهٔ ساعت",
        "en": "fixed window, {most} requests each {seconds} s of the clock",
    },
    "limiter_sliding-window-counter": {
        "fa": "شمارندهٔ پنجرهٔ لغزان، ثانیهٔ ساعت و ثانیهٔ پیش از آن با وزن",
        "en": "sliding window counter, this clock second and the one before, weighted",
    },
    "limiter_sliding-window-counter_long": {
        "fa": "شمارندهٔ پنجرهٔ لغزان، {most} درخواست در هر {seconds} ثانیه، از دو شمارش",
        "en": "sliding window counter, {most} requests in any {seconds} s, from two counts",
    },
    "limiter_sliding-window_segments": {
        "fa": "پنجرهٔ لغزان، {most} درخواست در {seconds} ثانیه، شمرده در {segments} بخش {part} ثانیه‌ای",
        "en": "sliding window, {most} requests in {seconds} s counted in {segments} segments "
        "of {part} s",
    },
    "limiter_leaky-bucket": {"fa": "سطل نشتی، با فاصلهٔ یکسان", "en": "leaky bucket, evenly spaced"},
    "limiter_concurrency": {"fa": "درخواست‌های هم‌زمان", "en": "requests at once"},
    "retry_after_exact": {
        "fa": "با Retry-After دقیق (ثانیه‌های مانده)",
        "en": "with an exact Retry-After (seconds left)",
    },
    "retry_after_one": {"fa": "با Retry-After همیشه ۱", "en": "with Retry-After always 1"},
    "retry_after_zero": {"fa": "با Retry-After صفر", "en": "with Retry-After 0"},
    "retry_after_date": {
        "fa": "با Retry-After به شکل تاریخ HTTP",
        "en": "with Retry-After as an HTTP date",
    },
    "retry_after_none": {"fa": "بی Retry-After", "en": "with no Retry-After"},
    "review_done": {
        "fa": "{n} معرفی در سال {year} به‌روز شد. وضعیت بررسی: {statuses} — نتیجه نهایی: {results}",
        "en": "{n} declarations of year {year} updated. Review: {statuses} — final: {results}",
        "en_one": "1 declaration of year {year} updated. Review: {statuses} — final: {results}",
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
    "unknown_lang": {
        "fa": "زبان «{lang}» شناخته نیست: fa یا en.",
        "en": "unknown language {lang!r}: use fa or en",
    },
    "status_valid": {"fa": "معتبر", "en": "valid"},
    "status_invalid": {"fa": "نامعتبر", "en": "invalid"},
    "status_sent": {"fa": "ارسال شد", "en": "sent"},
    "status_unchanged": {"fa": "بدون تغییر", "en": "unchanged"},
    "status_failed": {"fa": "ناموفق", "en": "failed"},
    "status_not_sent": {"fa": "ارسال نشد", "en": "not_sent", "en_page": "not sent"},
    "status_matched": {"fa": "یکسان", "en": "matched"},
    "status_missing_on_server": {
        "fa": "روی سرور نیست",
        "en": "missing_on_server",
        "en_page": "missing on server",
    },
    "status_only_on_server": {
        "fa": "فقط روی سرور",
        "en": "only_on_server",
        "en_page": "only on server",
    },
    "status_different": {"fa": "متفاوت", "en": "different"},
    "status_name_differs": {"fa": "نام متفاوت", "en": "name_differs", "en_page": "name differs"},
    "status_retired": {"fa": "منسوخ", "en": "retired"},
    "status_unknown": {"fa": "ناشناخته", "en": "unknown"},
    "status_invalid_input": {
        "fa": "ورودی نادرست",
        "en": "invalid_input",
        "en_page": "invalid input",
    },
    "status_done": {"fa": "پایان‌یافته", "en": "done"},
    "status_running": {"fa": "در حال اجرا", "en": "running"},
    "status_interrupted": {"fa": "قطع‌شده", "en": "interrupted"},
    "status_stopped": {"fa": "متوقف‌شده", "en": "stopped"},
    "status_warnings": {"fa": "با هشدار", "en": "with warnings"},
    "template_written": {"fa": "نوشته شد: {path}", "en": "Written: {path}"},
    "target_sandbox": {
        "fa": "سندباکس — شبیه‌ساز محلی سیماد؛ هیچ داده‌ای به سرور واقعی نمی‌رود.",
        "en": "SANDBOX — the local SIMAD simulator; nothing reaches the real server.",
    },
    "target_line": {"fa": "مقصد: {target}", "en": "Target: {target}"},
    "sum_mode_submit": {"fa": "ارسال به سیماد", "en": "Submission to SIMAD"},
    "sum_fatal": {"fa": "توقف اجرا", "en": "Run stopped"},
    "sum_status": {"fa": "وضعیت", "en": "status", "en_page": "Status"},
    "sum_count": {"fa": "تعداد", "en": "count", "en_page": "Count"},
    "sum_log": {"fa": "فایل گزارش رویدادها", "en": "Log file"},
    "unreachable": {
        "fa": "سرور پس از چند تلاش پاسخ نداد: {error}",
        "en": "The server did not answer after retries: {error}",
    },
    "throttled_stop": {
        "fa": "سرور به همه‌ی تلاش‌های {n} ردیفِ پشت‌سرهم پاسخ «درخواست بیش از حد» (۴۲۹) داد و ارسال متوقف شد؛ بعداً دوباره بفرستید (ردیف‌های فرستاده‌نشده در گزارش آمده‌اند): {error}",
        "en": "The server answered 'too many requests' (429) to every try of {n} rows in a row, so the run stopped; send again later (the rows not sent are in the report): {error}",
        "en_one": "The server answered 'too many requests' (429) to every try of {n} row, so the run stopped; send again later (the rows not sent are in the report): {error}",
    },
    "photo_missing": {
        "fa": "عکس {name} پیدا نشد؛ عکس ارسال نشد.",
        "en": "Photo {name} not found; no photo sent.",
    },
    "photo_not_jpeg": {
        "fa": "عکس {name} با قالب JPG نیست؛ ارسال نشد.",
        "en": "Photo {name} is not a JPEG; not sent.",
    },
    "photo_size": {
        "fa": "اندازه عکس {name} ({kb} کیلوبایت) مجاز نیست؛ ارسال نشد.",
        "en": "Photo {name} has an unusable size ({kb} KB); not sent.",
    },
    "photo_not_jpeg_plan": {
        "fa": "عکس {name} با قالب JPG نیست؛ ارسال نخواهد شد.",
        "en": "Photo {name} is not a JPEG; it will not be sent.",
    },
    "photo_size_plan": {
        "fa": "اندازه عکس {name} ({kb} کیلوبایت) مجاز نیست؛ ارسال نخواهد شد.",
        "en": "Photo {name} has an unusable size ({kb} KB); it will not be sent.",
    },
    "photo_truncated_plan": {
        "fa": "عکس {name} ناقص است (پایان تصویر JPEG را ندارد)؛ ارسال نخواهد شد.",
        "en": "Photo {name} is cut short (no JPEG end of image); it will not be sent.",
    },
    "photo_two_plan": {
        "fa": "برای این دستیار بیش از یک عکس هست ({names})؛ هیچ‌کدام ارسال نخواهد شد. فقط یکی را نگه دارید.",
        "en": "More than one photo for this resident ({names}); none will be sent. Keep only one.",
    },
    "photo_shared_plan": {
        "fa": "نام عکس {name} با بیش از یک دستیار جور است؛ ارسال نخواهد شد.",
        "en": "Photo {name} matches more than one resident by its name; it will not be sent.",
    },
    "photo_failed": {
        "fa": "ارسال عکس ناموفق بود: {error}",
        "en": "Sending the photo failed: {error}",
    },
    "photo_refused": {
        "fa": "سرور عکس را نپذیرفت: {error}",
        "en": "The server refused the photo: {error}",
    },
    "photo_sent": {"fa": "عکس ارسال شد.", "en": "Photo sent."},
    "resident_not_accepted": {
        "fa": "ارسال نشد: دستیار این معرفی (ردیف {row}) در این اجرا پذیرفته نشد ({status}).",
        "en": "Not sent: this declaration's resident (row {row}) was not accepted in this run ({status}).",
    },
    "confirmed_on_server": {
        "fa": "در اجرای قطع‌شده قبلی به سرور رسیده بود (تأیید از سرور).",
        "en": "Reached the server in the interrupted previous run (confirmed on the server).",
    },
    "not_sent_fatal": {
        "fa": "ارسال نشد: اجرا متوقف شد ({error}).",
        "en": "Not sent: the run stopped ({error}).",
    },
    "not_sent_interrupted": {
        "fa": "ارسال نشد: اجرا با دست متوقف شد.",
        "en": "Not sent: the run was interrupted.",
    },
    "submit_summary": {"fa": "نتیجه: {counts}", "en": "Result: {counts}"},
    "submit_pushed_back": {
        "fa": "سرور در {pushed} مورد از {answers} پاسخ ({share}٪) خواست آهسته‌تر بفرستیم.",
        "en": "The server asked us to slow down in {pushed} of {answers} answers ({share}%).",
    },
    "submit_held": {
        "fa": "سرور با Retry-After ارسال را روی هم {held} ثانیه نگه داشت.",
        "en": "The server's Retry-After held the run {held} s in all.",
    },
    "submit_pace_at_end": {
        "fa": "سرعت ارسال در پایان: {rate} درخواست در ثانیه.",
        "en": "The pace at the end: {rate} requests a second.",
    },
    "submit_report": {"fa": "گزارش: {path}", "en": "Report: {path}"},
    "submit_fatal": {"fa": "اجرا متوقف شد: {error}", "en": "The run stopped: {error}"},
    "progress": {"fa": "ارسال", "en": "Sending"},
    "runs_none": {"fa": "هنوز اجرایی ثبت نشده است.", "en": "No runs recorded yet."},
    "images_not_dir": {
        "fa": "{path}: پوشه عکس‌ها پیدا نشد.",
        "en": "{path}: the photo folder does not exist.",
    },
    "sum_mode_reconcile": {"fa": "تطبیق با سیماد", "en": "Reconciliation with SIMAD"},
    "sum_mode_results": {"fa": "دریافت نتایج از سیماد", "en": "Results downloaded from SIMAD"},
    "sum_year": {"fa": "سال ارتقا", "en": "Upgrade year"},
    "sum_filters": {"fa": "فیلترها", "en": "Filters"},
    "sum_local_source": {"fa": "داده محلی", "en": "Local data"},
    "sum_invalid_skipped": {
        "fa": "ردیف‌های نامعتبر که کنار گذاشته شدند",
        "en": "Invalid rows left out",
    },
    "source_ledger": {
        "fa": "دفتر ثبت (ردیف‌های پذیرفته‌شده پیشین)",
        "en": "the ledger (rows accepted earlier)",
    },
    "source_ledger_of": {
        "fa": "دفتر ثبت (ردیف‌های پذیرفته‌شده پیشین)، سال {year}",
        "en": "the ledger (rows accepted earlier), year {year}",
    },
    "source_workbooks": {
        "fa": "فایل {files}، کاربرگ {sheets}، سال {year}",
        "en": "workbook {files}, sheet {sheets}, year {year}",
    },
    "source_no_sheet": {"fa": "(بدون کاربرگ معرفی)", "en": "(no declarations sheet)"},
    "source_holds_none": {
        "fa": "فایل {files} هیچ معرفی‌ای از سال {year} ندارد؛ ردیف‌های سرور با آن مقایسه نشدند.",
        "en": "The workbook {files} holds no declaration of year {year}; "
        "the server's rows were not compared with it.",
    },
    "source_holds_other": {
        "fa": "فایل {files} هیچ معرفی‌ای از سال {year} ندارد (سال‌های موجود در آن: {years})؛ "
        "ردیف‌های سرور با آن مقایسه نشدند.",
        "en": "The workbook {files} holds no declaration of year {year} (it holds {years}); "
        "the server's rows were not compared with it.",
    },
    "ui_col_select": {"fa": "انتخاب", "en": "Select"},
    "ui_select_row": {"fa": "انتخاب ردیف {student}", "en": "Select row {student}"},
    "ui_open_row": {"fa": "باز کردن ردیف در صفحه بررسی", "en": "open the row in the check page"},
    "ui_fix_resident": {"fa": "اصلاح ردیف دستیار", "en": "fix the resident's row"},
    "ui_resend_row": {
        "fa": "ارسال دوبارهٔ این ردیف",
        "en": "resend this row",
        "en_page": "Resend this row",
    },
    "ui_resend_selected": {
        "fa": "ارسال دوبارهٔ ردیف‌های انتخاب‌شده",
        "en": "Resend the selected rows",
    },
    "ui_resend_all": {
        "fa": "ارسال دوبارهٔ {n} ردیف نیازمند اقدام که می‌توان دوباره ارسال کرد",
        "en": "Resend the {n} rows needing action that can be resent",
        "en_one": "Resend the 1 row needing action that can be resent",
    },
    "ui_resend_all_note": {
        "fa": "از {total} ردیف نیازمند اقدام، {n} ردیف را می‌توان دوباره ارسال کرد؛ {rest} ردیف دیگر را نخست باید در فایل درست کرد (ستون «اقدام» می‌گوید چه باید کرد).",
        "en": "Of the {total} rows needing action, {n} can be resent; the other {rest} must be fixed in the workbook first (the action column says how).",
        "en_one": "Of the {total} rows needing action, 1 can be resent; the other {rest} must be fixed in the workbook first (the action column says how).",
    },
    "ui_resend_hint": {
        "fa": "ردیف‌های انتخاب‌شده حتی اگر تغییری نکرده باشند دوباره ارسال می‌شوند (مثلاً پس از رسیدن مدارک)؛ پیش از ارسال تعداد را می‌بینید.",
        "en": "The selected rows are sent again even when unchanged (say, once the papers are in); you see how many before anything is sent.",
    },
    "ui_resend_ledger": {
        "fa": "برای ارسال دوباره، با فایل باز تطبیق دهید: ردیف‌ها از همان فایل ارسال می‌شوند.",
        "en": "To resend rows, reconcile with the open workbook: rows are sent from it.",
    },
    "ui_resend_title": {"fa": "ارسال دوباره", "en": "Send again"},
    "ui_resend_count": {
        "fa": "{n} ردیف انتخاب‌شده دوباره به {target} ارسال می‌شود، حتی اگر تغییری نکرده باشد:",
        "en": "{n} selected rows will be sent again to {target}, even if unchanged:",
        "en_one": "1 selected row will be sent again to {target}, even if unchanged:",
    },
    "ui_resend_others": {
        "fa": "{n} ردیف دیگر فایل تازه است یا تغییر کرده و آن هم ارسال می‌شود.",
        "en": "{n} other rows of the workbook are new or changed and will be sent too.",
        "en_one": "1 other row of the workbook is new or changed and will be sent too.",
    },
    "ui_resend_go": {
        "fa": "ارسال {n} ردیف",
        "en": "Send {n} rows",
        "en_one": "Send 1 row",
    },
    "ui_resend_none": {
        "fa": "هیچ‌یک از ردیف‌های انتخاب‌شده از فایل باز قابل ارسال دوباره نیست؛ ردیف‌های معتبر فایل باز را انتخاب کنید.",
        "en": "None of the rows selected can be sent again from the open workbook; select valid rows of the open workbook.",
    },
    "ui_resend_cancel": {"fa": "انصراف", "en": "Cancel"},
    "ui_resend_none_ticked": {
        "fa": "هیچ ردیفی علامت نخورده است؛ ردیف‌هایی را که باید دوباره ارسال شوند علامت بزنید، یا «ارسال دوبارهٔ … ردیف نیازمند اقدام» را بزنید.",
        "en": "No row is ticked; tick the rows to send again, or use «Resend the … rows needing action».",
    },
    "plan_blocked": {
        "fa": "{where}، ردیف {row} ({student}): ارسال نمی‌شود، چون ردیف دستیار آن (ردیف {resident}) نامعتبر است و سرور آن را نپذیرفته است؛ نخست ردیف دستیار را درست کنید.",
        "en": "{where}, row {row} ({student}): not sent, because its resident's row ({resident}) is invalid and the server has not accepted the resident; fix the resident's row first.",
    },
    "ui_resend_skipped": {
        "fa": "این ردیف‌های انتخاب‌شده ارسال نمی‌شوند (در فایل نامعتبرند، در آن نیستند یا دستیارشان پذیرفته نشده است): {keys}",
        "en": "These selected rows will not be sent (invalid in the workbook, not in it, or their resident not accepted): {keys}",
    },
    "ui_resend_not_sent": {
        "fa": "ارسال نمی‌شود:",
        "en": "Not sent:",
    },
    "ui_resend_invalid": {
        "fa": "{n} ردیف نامعتبر فایل ارسال نمی‌شود (در صفحه بررسی درست کنید).",
        "en": "{n} invalid rows of the workbook will not be sent (fix them on the check page).",
        "en_one": "1 invalid row of the workbook will not be sent (fix it on the check page).",
    },
    "ui_resend_unchanged": {
        "fa": "{n} ردیف دیگر بدون تغییر پذیرفته شده است و دوباره ارسال نمی‌شود.",
        "en": "{n} other rows were accepted unchanged and are not sent again.",
        "en_one": "1 other row was accepted unchanged and is not sent again.",
    },
    "ui_submit_no_photos": {
        "fa": "عکسی ارسال نمی‌شود.",
        "en": "No photo will be sent.",
    },
    "ui_resend_kept": {
        "fa": "ردیف‌های انتخاب‌شده از همان فایل‌هایی دوباره ارسال می‌شوند که اجرای ارسال‌کنندهٔ آن‌ها نگه داشته است (بدون تغییر)، حتی اگر ردیف تغییری نکرده باشد؛ پیش از ارسال تعداد را می‌بینید.",
        "en": "The selected rows are sent again, even when unchanged, from the files the run that sent them kept (as they were); you see how many before anything is sent.",
    },
    "ui_resend_open": {
        "fa": "برای ارسال دوبارهٔ ردیف‌های دیگر، فایل {files} را در صفحه شروع باز کنید و سپس با آن تطبیق دهید (فایل‌هایی که اجرای آن‌ها نگه داشته بود دیگر نیست یا تغییر کرده است).",
        "en": "To resend the other rows, open {files} on the start page, then reconcile with it (the files their run kept are gone or have changed).",
    },
    "ui_resend_later": {
        "fa": "{n} ردیف انتخاب‌شدهٔ دیگر را اجرای دیگری فرستاده بود؛ پس از این ارسال، آن‌ها را جداگانه دوباره ارسال کنید.",
        "en": "{n} other selected rows were sent by another run; resend them on their own after this.",
        "en_one": "1 other selected row was sent by another run; resend it on its own after this.",
    },
    "ui_compared_with": {"fa": "مقایسه با: {source}", "en": "Compared with: {source}"},
    "ui_reconcile_ledger": {
        "fa": "تطبیق سال {year} با دفتر ثبت",
        "en": "Reconcile {year} against the ledger",
    },
    "review_pending": {
        "fa": "هنوز بررسی نشده",
        "en": "not reviewed yet",
        "en_page": "Not reviewed yet",
    },
    "col_category": {"fa": "نتیجه تطبیق", "en": "category", "en_page": "Comparison"},
    "col_differences": {
        "fa": "تفاوت‌ها (محلی ≠ سرور)",
        "en": "differences (local ≠ server)",
        "en_page": "Differences (local ≠ server)",
    },
    "col_review_title": {"fa": "وضعیت بررسی", "en": "review status", "en_page": "Review status"},
    "col_review_reason": {
        "fa": "دلیل اعلام‌شده",
        "en": "server's reason",
        "en_page": "Server's reason",
    },
    "col_final_title": {"fa": "نتیجه نهایی", "en": "final result", "en_page": "Final result"},
    "col_action": {"fa": "اقدام بعدی", "en": "next step", "en_page": "Next step"},
    "col_origin": {"fa": "ردیف در فایل", "en": "input row", "en_page": "Input row"},
    "col_course_title": {"fa": "عنوان رشته", "en": "course title", "en_page": "Course title"},
    "col_declare_title": {
        "fa": "عنوان کد معرفی",
        "en": "declare code title",
        "en_page": "Declare code title",
    },
    "col_course": {"fa": "کد رشته", "en": "course", "en_page": "Course"},
    "col_declarations": {"fa": "معرفی‌ها", "en": "declarations", "en_page": "Declarations"},
    "sheet_reconcile": {"fa": "تطبیق", "en": "reconciliation", "en_page": "Reconciliation"},
    "sheet_to_fix": {"fa": "نیاز به اقدام", "en": "needs action", "en_page": "Needs action"},
    "sheet_results": {"fa": "نتایج", "en": "results", "en_page": "Results"},
    "chart_title": {"fa": "نتیجه تطبیق", "en": "Reconciliation"},
    "action_fix_file": {
        "fa": "در فایل شما نامعتبر است ({problems})؛ ردیف را در صفحه بررسی باز کنید، خانه‌های قرمز را اصلاح کنید و سپس ارسال کنید.",
        "en": "Invalid in your file ({problems}); open the row in the check page, fix its red cells, then send it.",
    },
    "action_rejected": {
        "fa": "رد شده به دلیل «{reason}»: اگر ردیف باید تغییر کند آن را در صفحه بررسی اصلاح کنید؛ سپس ردیف را دوباره ارسال کنید (ارسال دوباره).",
        "en": "Rejected ('{reason}'): if the row must change, fix it in the check page; then resend the row (Resend).",
        "fa_page": "رد شده به دلیل «{reason}»: اگر ردیف باید تغییر کند آن را در صفحه بررسی اصلاح کنید؛ سپس ردیف را دوباره ارسال کنید (دکمه «ارسال دوبارهٔ این ردیف»).",
        "en_page": "Rejected ('{reason}'): if the row must change, fix it in the check page; then resend the row (the 'Resend this row' button).",
    },
    "action_correct": {
        "fa": "نیاز به اصلاح («{reason}»): ردیف را در صفحه بررسی اصلاح کنید و دوباره ارسال کنید (ارسال دوباره).",
        "en": "Needs correction ('{reason}'): fix the row in the check page, then resend it (Resend).",
        "fa_page": "نیاز به اصلاح («{reason}»): ردیف را در صفحه بررسی اصلاح کنید و دوباره ارسال کنید (دکمه «ارسال دوبارهٔ این ردیف»).",
        "en_page": "Needs correction ('{reason}'): fix the row in the check page, then resend it (the 'Resend this row' button).",
    },
    "action_different": {
        "fa": "با سرور فرق دارد: اگر فایل شما درست است ردیف را دوباره ارسال کنید (ارسال دوباره)؛ وگرنه ردیف را در صفحه بررسی مطابق سرور اصلاح کنید.",
        "en": "Differs from the server: if your file is right, resend the row (Resend); otherwise correct the row in the check page.",
        "fa_page": "با سرور فرق دارد: اگر فایل شما درست است ردیف را دوباره ارسال کنید (دکمه «ارسال دوبارهٔ این ردیف»)؛ وگرنه ردیف را در صفحه بررسی مطابق سرور اصلاح کنید.",
        "en_page": "Differs from the server: if your file is right, resend the row (the 'Resend this row' button); otherwise correct the row in the check page.",
    },
    "action_rejected_elsewhere": {
        "fa": "رد شده به دلیل «{reason}»: این ردیف در فایل باز نیست؛ اگر باید تغییر کند فایل {files} را در صفحه شروع باز کنید، ردیف را در صفحه بررسی اصلاح کنید و دوباره ارسال کنید؛ وگرنه ردیف را دوباره ارسال کنید (ارسال دوباره).",
        "en": "Rejected ('{reason}'): this row is not in the open workbook; if it must change, open {files} on the start page, fix the row in the check page and send it again; otherwise resend the row (Resend).",
    },
    "action_correct_elsewhere": {
        "fa": "نیاز به اصلاح («{reason}»): این ردیف در فایل باز نیست؛ فایل {files} را در صفحه شروع باز کنید، ردیف را در صفحه بررسی اصلاح کنید و دوباره ارسال کنید.",
        "en": "Needs correction ('{reason}'): this row is not in the open workbook; open {files} on the start page, fix the row in the check page, then send it again.",
    },
    "action_different_elsewhere": {
        "fa": "با سرور فرق دارد: این ردیف در فایل باز نیست؛ اگر فایل شما درست است ردیف را دوباره ارسال کنید (ارسال دوباره)؛ وگرنه فایل {files} را در صفحه شروع باز کنید و ردیف را مطابق سرور اصلاح کنید.",
        "en": "Differs from the server: this row is not in the open workbook; if your file is right, resend the row (Resend); otherwise open {files} on the start page and correct the row.",
    },
    "action_sent_from": {
        "fa": "فایلی که این ردیف از آن ارسال شد",
        "en": "the workbook this row was sent from",
    },
    "action_missing_on_server": {
        "fa": "روی سرور نیست: فایل را از صفحه ارسال بفرستید، یا همین ردیف را دوباره ارسال کنید (ارسال دوباره).",
        "en": "Not on the server: send the workbook from the Send page, or resend this row (Resend).",
        "fa_page": "روی سرور نیست: فایل را از صفحه ارسال بفرستید، یا همین ردیف را دوباره ارسال کنید (دکمه «ارسال دوبارهٔ این ردیف»).",
        "en_page": "Not on the server: send the workbook from the Send page, or resend this row (the 'Resend this row' button).",
    },
    "action_missing_ledger": {
        "fa": "پیش‌تر پذیرفته شده بود ولی اکنون روی سرور نیست: فایل آن را باز کنید، با آن تطبیق دهید و ردیف را دوباره ارسال کنید (ارسال دوباره).",
        "en": "Accepted earlier but no longer on the server: open its workbook, reconcile with it and resend the row (Resend).",
        "fa_page": "پیش‌تر پذیرفته شده بود ولی اکنون روی سرور نیست: فایل آن را باز کنید، با آن تطبیق دهید و ردیف را دوباره ارسال کنید (دکمه «ارسال دوبارهٔ این ردیف»).",
        "en_page": "Accepted earlier but no longer on the server: open its workbook, reconcile with it and resend the row (the 'Resend this row' button).",
    },
    "action_resident_unknown": {
        "fa": "دستیار {student} برای سرور شناخته نیست: ردیف او را در برگه دستیاران بیفزایید و هر دو را ارسال کنید.",
        "en": "Resident {student} is not known to the server: add their row to the residents sheet and submit both.",
    },
    "action_resident_invalid": {
        "fa": "ردیف دستیار {student} در برگه دستیاران نامعتبر است و این معرفی بدون او ارسال نمی‌شود: خانه‌های قرمز ردیف دستیار را اصلاح کنید و سپس ارسال کنید.",
        "en": "Resident {student}'s row in the residents sheet is invalid, and this declaration cannot be sent without it: fix the red cells of the resident's row, then submit.",
    },
    "action_resident_fix": {
        "fa": "ردیف دستیار این معرفی نامعتبر است و معرفی بدون او ارسال نمی‌شود: ردیف دستیار را اصلاح کنید ({cell})، سپس ارسال کنید.",
        "en": "This declaration's resident has an invalid row and it cannot be sent without them: fix the resident's row ({cell}), then send.",
    },
    "action_resident_refused": {
        "fa": "سرور دستیار این معرفی را نپذیرفت («{reason}»): ردیف دستیار را اصلاح کنید ({cell})، سپس فایل را ارسال کنید.",
        "en": "The server refused this declaration's resident ('{reason}'): fix the resident's row ({cell}), then send the workbook.",
    },
    "action_resident_not_sent": {
        "fa": "دستیار این معرفی ({cell}) هنوز روی سرور نیست: فایل را از صفحه ارسال بفرستید تا هر دو ارسال شوند.",
        "en": "This declaration's resident ({cell}) is not on the server yet: send the workbook from the Send page, both go.",
    },
    "resident_cell_at": {"fa": "برگه {sheet}، خانه {cell}", "en": "sheet {sheet}, cell {cell}"},
    "resident_row_at": {"fa": "برگه {sheet}، ردیف {row}", "en": "sheet {sheet}, row {row}"},
    "col_resident_name": {
        "fa": "نام دستیار",
        "en": "resident's name",
        "en_page": "Resident's name",
    },
    "resend_asked": {
        "fa": "به درخواست شما دوباره ارسال شد (ارسال دوباره).",
        "en": "Sent again on request (a resend).",
    },
    "reconcile_resend_cli": {
        "fa": "برای ارسال دوباره یک ردیف: simad submit FILE --resend STUDENT/YEAR (یا از صفحه نتایج در simad ui).",
        "en": "To send a row again: simad submit FILE --resend STUDENT/YEAR (or from the results page of simad ui).",
    },
    "action_only_on_server": {
        "fa": "فقط روی سرور است و در داده شما نیست؛ اگر از دانشگاه شماست آن را به فایل بیفزایید.",
        "en": "Only on the server, not in your data; add it to your file if it is yours.",
    },
    "reconcile_headline": {
        "fa": "{n} ردیف نیاز به اقدام دارد",
        "en": "{n} rows need action",
        "en_one": "1 row needs action",
    },
    "reconcile_headline_none": {
        "fa": "هیچ ردیفی نیاز به اقدام ندارد.",
        "en": "No row needs action.",
    },
    "sum_needs_action": {"fa": "ردیف‌های نیازمند اقدام", "en": "Rows needing action"},
    "sheet_summary": {"fa": "خلاصه", "en": "summary", "en_page": "Summary"},
    "sum_date": {"fa": "تاریخ گزارش", "en": "Report date"},
    "col_row": {"fa": "ردیف", "en": "row", "en_page": "Row"},
    "col_status": {"fa": "وضعیت", "en": "status", "en_page": "Status"},
    "col_messages": {"fa": "پیام‌ها", "en": "messages", "en_page": "Messages"},
    "col_http_status": {"fa": "کد پاسخ HTTP", "en": "HTTP status"},
    "col_server_message": {"fa": "پیام سرور", "en": "server message", "en_page": "Server message"},
    "col_trace_id": {"fa": "شناسه پیگیری", "en": "trace id", "en_page": "Trace ID"},
    "col_attempts": {"fa": "تعداد تلاش", "en": "attempts", "en_page": "Attempts"},
    "col_sent_at": {"fa": "زمان پذیرش", "en": "accepted at", "en_page": "Accepted at"},
    "col_student_number": {
        "fa": "شماره دانشجویی",
        "en": "student number",
        "en_page": "Student number",
    },
    "col_year": {"fa": "سال ارتقا", "en": "upgrade year", "en_page": "Upgrade year"},
    "col_needs_action": {"fa": "نیاز به اقدام", "en": "needs action", "en_page": "Needs action"},
    "col_review_id": {
        "fa": "کد وضعیت بررسی",
        "en": "review status id",
        "en_page": "Review status ID",
    },
    "col_final_id": {"fa": "کد نتیجه نهایی", "en": "final result id", "en_page": "Final result ID"},
    "status_yes": {"fa": "بله", "en": "yes"},
    "template_exists": {
        "fa": "این فایل‌ها از پیش هست و بازنویسی نشد: {paths}. برای جایگزینی --force بدهید.",
        "en": "These files exist and were left as they are: {paths}. Add --force to replace them.",
    },
    "template_instructions": {
        "fa": "راهنمای پر کردن\nهر ردیف یک دستیار (یا یک معرفی به ارتقا) است؛ سرستون‌ها را تغییر ندهید.\nروی هر سرستون بروید تا نام فیلد در سامانه و قاعده آن را ببینید.\nکد ملی را با صفرهای اول آن بنویسید؛ ستون متنی است و صفرها می‌مانند.\nتاریخ‌ها را شمسی (۱۴۰۲/۰۷/۱۵) یا میلادی (2023-10-07) بنویسید؛ ارقام فارسی هم پذیرفته است.\nستون‌های کددار فهرست کشویی دارند («۱ - زن»)؛ کد تنها یا عنوان تنها هم پذیرفته است.\nپیش از ارسال، فایل را در صفحهٔ «simad ui» رها کنید یا با «simad validate» بررسی کنید.\nخانه‌های نادرست قرمز نشان داده می‌شوند.\nدستیاران پیش از معرفی به ارتقا ارسال می‌شوند؛ هر دو برگه می‌توانند در یک فایل باشند.",
        "en": "How to fill this in\nEach row is one resident (or one upgrade declaration); do not change the headers.\nPoint at a header to see the field's name in SIMAD and its rule.\nType national codes with their leading zeros; the column is text, so they stay.\nType dates in Solar Hijri (1402/07/15) or Gregorian (2023-10-07); Persian digits too.\nCoded columns have a dropdown ('1 - Female'); the code or the title alone is accepted too.\nBefore sending, drop the file on the 'simad ui' page, or check it with 'simad validate'.\nWrong cells are shown in red.\nResidents are sent before upgrade declarations; both sheets may be in one file.",
        "fa_page": "راهنمای پر کردن\nهر ردیف یک دستیار (یا یک معرفی به ارتقا) است؛ سرستون‌ها را تغییر ندهید.\nروی هر سرستون بروید تا نام فیلد در سامانه و قاعده آن را ببینید.\nکد ملی را با صفرهای اول آن بنویسید؛ ستون متنی است و صفرها می‌مانند.\nتاریخ‌ها را شمسی (۱۴۰۲/۰۷/۱۵) یا میلادی (2023-10-07) بنویسید؛ ارقام فارسی هم پذیرفته است.\nستون‌های کددار فهرست کشویی دارند («۱ - زن»)؛ کد تنها یا عنوان تنها هم پذیرفته است.\nپیش از ارسال، فایل را در صفحه شروع سیماد سینک رها کنید (میان‌بُر سیماد سینک آن را باز می‌کند).\nخانه‌های نادرست قرمز نشان داده می‌شوند.\nدستیاران پیش از معرفی به ارتقا ارسال می‌شوند؛ هر دو برگه می‌توانند در یک فایل باشند.",
        "en_page": "How to fill this in\nEach row is one resident (or one upgrade declaration); do not change the headers.\nPoint at a header to see the field's name in SIMAD and its rule.\nType national codes with their leading zeros; the column is text, so they stay.\nType dates in Solar Hijri (1402/07/15) or Gregorian (2023-10-07); Persian digits too.\nCoded columns have a dropdown ('1 - Female'); the code or the title alone is accepted too.\nBefore sending, drop the file on simad-sync's start page (the simad-sync shortcut opens it).\nWrong cells are shown in red.\nResidents are sent before upgrade declarations; both sheets may be in one file.",
    },
    "gateway_400": {
        "fa": "درخواست نادرست است.",
        "en": "Bad request: the input is wrong.",
    },
    "gateway_401": {
        "fa": "اعتبارنامه معتبر نیست (نام کاربری یا رمز یا شناسه کلاینت).",
        "en": "Credential is not valid (username, password or client id).",
    },
    "gateway_403": {
        "fa": "نشانی IP شما برای دیتاس مجاز نیست.",
        "en": "Your origin IP is blocked by the gateway.",
    },
    "gateway_404": {
        "fa": "پیدا نشد.",
        "en": "Not found.",
    },
    "gateway_410": {
        "fa": "فقط HTTPS پذیرفته می‌شود.",
        "en": "Use HTTPS: plain HTTP is refused.",
    },
    "gateway_429": {
        "fa": "درخواست بیش از حد مجاز است یا مجوز استفاده از سرویس (pid) صادر نشده است.",
        "en": "Too many requests, or no permission for this service (check MAXA_PID).",
    },
    "gateway_499": {
        "fa": "ارتباط در میانه پردازش قطع شد.",
        "en": "The client closed the request.",
    },
    "gateway_500": {
        "fa": "خطای داخلی سرور.",
        "en": "Internal server error.",
    },
    "gateway_503": {
        "fa": "خطای فراهم‌کننده سرویس.",
        "en": "Service provider error.",
    },
    "gateway_504": {
        "fa": "سرویس‌دهنده پاسخ نداد.",
        "en": "Backend timeout.",
    },
    "gateway_520": {
        "fa": "خطای نامشخص.",
        "en": "Unknown error.",
    },
    "gateway_other": {
        "fa": "کد {code}",
        "en": "code {code}",
    },
    "http_status_answer": {
        "fa": "{path}: پاسخ HTTP {status}",
        "en": "{path}: HTTP {status}",
    },
    "maxa_refused": {
        "fa": "{function}: {message}",
        "en": "{function}: {message}",
    },
    "maxa_refused_id": {
        "fa": "{function}: {message} (شناسه درخواست {request_id})",
        "en": "{function}: {message} (requestId {request_id})",
    },
    "col_official_name": {"fa": "نام رسمی", "en": "official name", "en_page": "Official name"},
    "col_checked_version": {"fa": "نسخه", "en": "version", "en_page": "Version"},
    "check_no_code_column": {
        "fa": "در {path} ستون کدها پیدا نشد (سرستون‌هایی مانند «کد»، «code»، «eRx»). سرستون‌های دیده‌شده: {headers}. ستون را با --code-column نام ببرید.",
        "en": "{path}: no column of codes found (headers such as 'code', 'کد', 'eRx'). Headers seen: {headers}. Name the column with --code-column.",
        "fa_page": "در {path} ستون کدها پیدا نشد (سرستون‌هایی مانند «کد»، «code»، «eRx»). سرستون‌های دیده‌شده: {headers}. سرستون ستون کدها را «کد» بنویسید و فایل را دوباره بفرستید.",
        "en_page": "{path}: no column of codes found (headers such as 'code', 'کد', 'eRx'). Headers seen: {headers}. Name the header of the codes column 'code' and send the file again.",
    },
    "check_no_such_column": {
        "fa": "در {path} ستونی به نام «{column}» نیست. سرستون‌های دیده‌شده: {headers}.",
        "en": "{path}: there is no column '{column}'. Headers seen: {headers}.",
    },
    "check_two_code_columns": {
        "fa": "{path}، برگه {sheet}، سطر {row}: هر دو ستون {first} و {second} می‌توانند ستون کدها باشند؛ یکی را با --code-column نام ببرید.",
        "en": "{path}, sheet {sheet}, row {row}: columns {first} and {second} could both hold the codes; name one with --code-column.",
        "fa_page": "{path}، برگه {sheet}، سطر {row}: هر دو ستون {first} و {second} می‌توانند ستون کدها باشند؛ سرستون یکی را «کد» بنویسید و فایل را دوباره بفرستید.",
        "en_page": "{path}, sheet {sheet}, row {row}: columns {first} and {second} could both hold the codes; name the header of one 'code' and send the file again.",
    },
    "check_code_empty": {"fa": "کد خالی است.", "en": "The code is empty."},
    "check_code_fraction": {
        "fa": "«{value}» عدد کسری است، نه کد.",
        "en": "{value} is a fraction, not a code.",
    },
    "check_code_rounded": {
        "fa": "اکسل فقط ۱۵ رقم یک عدد را نگه می‌دارد و رقم‌های آخر این کد ({value}) گرد شده است؛ ستون را «متن» کنید و کد را دوباره وارد کنید.",
        "en": "Excel keeps 15 digits of a number, and this code ({value}) lost its last digits; format the column as text and type the code again.",
    },
    "check_code_malformed": {
        "fa": "«{value}» شکل یک کد را ندارد.",
        "en": "'{value}' is not shaped like a code.",
    },
    "check_code_not_digits": {
        "fa": "«{value}» کد نیست: کدهای این اصطلاح‌نامه فقط رقم‌اند.",
        "en": "'{value}' is not a code: this terminology's codes are digits only.",
    },
    "check_name_empty": {
        "fa": "نام خالی است.",
        "en": "The name is empty.",
    },
    "check_name_differs": {
        "fa": "نام این ردیف نام رسمی این کد در نسخه {version} نیست.",
        "en": "The row's name is not the code's official name in version {version}.",
    },
    "check_name_of_version": {
        "fa": "این نام، نام نسخه قدیمی‌تر {version} است.",
        "en": "It is the name the older version {version} had.",
    },
    "check_retired": {
        "fa": "این کد در نسخه {version} نیست؛ آخرین نسخه‌ای که آن را داشت: {last}.",
        "en": "This code is not in version {version}; the last version that had it is {last}.",
    },
    "check_unknown_yet": {
        "fa": "این کد در نسخه {version} نیست؛ نخستین بار در نسخه {first} آمده است.",
        "en": "This code is not in version {version}; it first appears in version {first}.",
    },
    "check_unknown": {
        "fa": "این کد در هیچ نسخه‌ای از {terminology} نیست.",
        "en": "This code is in no version of {terminology}.",
    },
    "check_sum_version": {"fa": "نسخه بررسی‌شده", "en": "version checked"},
    "check_sum_compared": {"fa": "نسخه‌های مقایسه‌شده", "en": "versions compared"},
    "check_headline": {
        "fa": "{valid} ردیف از {total} ردیف با {terminology} نسخه {version} می‌خواند.",
        "en": "{valid} of {total} rows agree with {terminology} version {version}.",
    },
    "check_counts": {
        "fa": "{terminology} نسخه {version}: {counts}",
        "en": "{terminology} version {version}: {counts}",
    },
    "check_row": {
        "fa": "{label}، سطر {row}: {code} — {status}: {message}",
        "en": "{label}, row {row}: {code} — {status}: {message}",
    },
    "check_official": {
        "fa": "نام رسمی: {official}",
        "en": "official name: {official}",
    },
    "check_last_name": {
        "fa": "نام در نسخه {version}: {official}",
        "en": "name in version {version}: {official}",
    },
    "check_all_valid": {
        "fa": "همه ردیف‌ها معتبرند.",
        "en": "Every row is valid.",
    },
    "sync_nothing_new": {
        "fa": "{terminology}: چیز تازه‌ای نیست (نسخه {version}).",
        "en": "{terminology}: nothing new (version {version}).",
    },
    "sync_first": {
        "fa": "{terminology}: نسخه {version} نخستین بار در آینه آمد ({n} کد).",
        "en": "{terminology}: version {version} mirrored for the first time ({n} codes).",
        "en_one": "{terminology}: version {version} mirrored for the first time (1 code).",
    },
    "sync_changed": {
        "fa": "{terminology}: از نسخه {old} به {new} — افزوده: {added}، حذف‌شده: {removed}، تغییرکرده: {changed}.",
        "en": "{terminology}: version {old} → {new} — added: {added}, removed: {removed}, changed: {changed}.",
    },
    "sync_none_mirrored": {
        "fa": "هنوز هیچ اصطلاح‌نامه‌ای در آینه نیست؛ یکی را نام ببرید (simad maxa sync eRX).",
        "en": "No terminology is mirrored yet; name one (simad maxa sync eRX).",
        "fa_page": "هنوز هیچ اصطلاح‌نامه‌ای در آینه نیست؛ یکی را برگزینید و دکمه‌ی «دریافت نسخه در آینه» را بزنید.",
        "en_page": "No terminology is mirrored yet; choose one and press 'Pull into the mirror'.",
    },
    "sync_out_not_folder": {
        "fa": "{path} پوشه نیست؛ برای --out یک پوشه بدهید.",
        "en": "{path} is not a folder; --out takes a folder.",
    },
    "maxa_not_api": {
        "fa": "{function}: پاسخ HTTP 200 از نوع {kind} پاسخ دیتاس نیست (شاید صفحه ورود یا پراکسی).",
        "en": "{function}: the HTTP 200 answer ({kind}) is not the DITAS gateway's (a login page or a proxy?).",
    },
    "maxa_cut_short": {
        "fa": "{function}: پاسخ نیمه‌کاره قطع شد.",
        "en": "{function}: the answer was cut short.",
    },
    "maxa_no_result": {
        "fa": "{function}: پاسخ نتیجه‌ای ندارد (شناسه درخواست {request_id}).",
        "en": "{function}: the answer has no result (requestId {request_id}).",
    },
    "mirror_missing": {
        "fa": "{terminology} {version}: در نسخه محلی نیست؛ نخست simad maxa pull {terminology} را اجرا کنید.",
        "en": "{terminology} {version}: not in the local mirror; run simad maxa pull {terminology} first.",
        "fa_page": "{terminology} {version}: در نسخه محلی نیست؛ نخست دکمه‌ی «دریافت نسخه در آینه» را در همین صفحه بزنید.",
        "en_page": "{terminology} {version}: not in the local mirror; press 'Pull into the mirror' on this page first.",
    },
    "maxa_no_versions": {
        "fa": "سرویس برای «{terminology}» نسخه‌ای ندارد (نام را با simad maxa terminologies بررسی کنید).",
        "en": "The service lists no versions of '{terminology}' (check the name with simad maxa terminologies).",
        "fa_page": "سرویس برای «{terminology}» نسخه‌ای ندارد؛ اصطلاح‌نامه را از فهرست همین صفحه برگزینید.",
        "en_page": "The service lists no versions of '{terminology}'; choose the terminology from this page's list.",
    },
    "maxa_no_such_version": {
        "fa": "{terminology} نسخه {version} ندارد (نسخه‌های سرویس: {known}).",
        "en": "{terminology} has no version {version} (the service has: {known}).",
    },
    "maxa_no_terms": {
        "fa": "{terminology} نسخه {version}: سرویس هیچ کدی برنگرداند.",
        "en": "{terminology} {version}: the service returned no terms.",
    },
    "no_token_to_refresh": {
        "fa": "توکنی برای تازه کردن نیست؛ نخست باید وارد شد.",
        "en": "There is no token to refresh; a login is needed first.",
    },
    "token_call_refused": {
        "fa": "سیماد درخواست {call} توکن را نپذیرفت (HTTP {status}): {text}",
        "en": "SIMAD refused the token {call} (HTTP {status}): {text}",
    },
    "no_token_in_answer": {
        "fa": "پاسخ سرور به ورود توکنی ندارد.",
        "en": "The server's token answer holds no token.",
    },
    "bad_code_name": {
        "fa": "«{value}» شناخته نیست: یکی از {names} یا یک کد از جدول {table} را بدهید.",
        "en": "'{value}' is not known: use one of {names} or a code of {table}.",
    },
    "version": {
        "fa": "simad-sync {version}",
        "en": "simad-sync {version}",
    },
    "bad_share": {
        "fa": "--fail-rate و --bogus-200 باید بین ۰ و ۱ باشند.",
        "en": "--fail-rate and --bogus-200 must be between 0 and 1.",
    },
    "maxa_col_terminology": {"fa": "اصطلاح‌نامه", "en": "terminology", "en_page": "Terminology"},
    "maxa_col_version": {"fa": "نسخه", "en": "version", "en_page": "Version"},
    "maxa_col_terms": {"fa": "تعداد کدها", "en": "terms", "en_page": "Terms"},
    "maxa_col_code": {"fa": "کد", "en": "code", "en_page": "Code"},
    "maxa_col_value": {"fa": "مقدار", "en": "value", "en_page": "Value"},
    "maxa_col_value_in": {
        "fa": "مقدار در نسخه {version}",
        "en": "value in {version}",
        "en_page": "Value in {version}",
    },
    "maxa_col_from": {"fa": "از نسخه", "en": "from version", "en_page": "From version"},
    "maxa_col_to": {"fa": "تا نسخه", "en": "to version", "en_page": "To version"},
    "maxa_col_change": {"fa": "تغییر", "en": "change", "en_page": "Change"},
    "maxa_col_codes": {"fa": "کدها", "en": "codes", "en_page": "Codes"},
    "maxa_added": {"fa": "افزوده", "en": "added"},
    "maxa_removed": {"fa": "حذف‌شده", "en": "removed"},
    "maxa_changed": {"fa": "تغییرکرده", "en": "changed"},
    "yes": {"fa": "بله", "en": "yes"},
    "no": {"fa": "خیر", "en": "no"},
    "template_yes_no": {"fa": "بله,خیر", "en": "yes,no"},
    "template_required": {"fa": "الزامی", "en": "required"},
    "template_optional": {"fa": "اختیاری", "en": "optional"},
    "template_guide": {"fa": "راهنما", "en": "guide"},
    "map_bad_entry": {
        "fa": '«{entry}» قابل فهم نیست: به شکل «سرستون=نام فیلد» بنویسید، مثل --map "رشته=CourseStudyCode" (نام فیلد: نام API یا عنوان فارسی آن).',
        "en": "'{entry}' cannot be understood: write 'header=Field', e.g. --map \"رشته=CourseStudyCode\" (the field by its API name or its label).",
    },
    "map_file_unreadable": {
        "fa": "فایل نگاشت سرستون‌ها {path} خوانده نشد ({reason}).",
        "en": "The header mapping file {path} cannot be read ({reason}).",
    },
    "header_hint_missing": {
        "fa": ' ستون «{header}» شاید همین است: اگر چنین است نام سرستون را عوض کنید یا بگویید --map "{header}={field}".',
        "en": " The column '{header}' may be it: if so, rename its header or say --map \"{header}={field}\".",
        "fa_page": " ستون «{header}» شاید همین است: اگر چنین است نام سرستون را در فایل عوض کنید و فایل را دوباره بفرستید.",
        "en_page": " The column '{header}' may be it: if so, rename its header in the file and drop the file again.",
    },
    "header_hint_unknown": {
        "fa": ' شاید منظور «{label}» است: نام سرستون را عوض کنید یا بگویید --map "{header}={field}".',
        "en": " Did you mean '{label}'? Rename the header or say --map \"{header}={field}\".",
        "fa_page": " شاید منظور «{label}» است: نام سرستون را در فایل عوض کنید و فایل را دوباره بفرستید.",
        "en_page": " Did you mean '{label}'? Rename the header in the file and drop the file again.",
    },
    "accepted_earlier": {
        "fa": "پیش‌تر در {when} پذیرفته شده است (اجرای {run_id})؛ دوباره ارسال نشد.",
        "en": "Accepted earlier, on {when} (run {run_id}); not sent again.",
    },
    "maxa_out_suffix": {
        "fa": "--out باید با .xlsx یا .csv تمام شود.",
        "en": "--out must end in .xlsx or .csv.",
    },
    "target_sandbox_short": {"fa": "سندباکس", "en": "sandbox"},
    "prompt_username": {"fa": "نام کاربری سیماد: ", "en": "SIMAD username: "},
    "prompt_password": {"fa": "رمز عبور سیماد: ", "en": "SIMAD password: "},
    "prompt_setting": {"fa": "{name}: ", "en": "{name}: "},
    # -- credentials, settings and the command line's help --
    "help_usage": {
        "fa": "روش اجرا:",
        "en": "Usage:",
    },
    # click's and typer's usage errors (``helptext.worded_usage``)
    "usage_try": {"fa": "برای راهنما: {command}", "en": "Try '{command}' for help."},
    "usage_no_such_option": {
        "fa": "گزینه‌ی {name} در این فرمان نیست.",
        "en": "No such option: {name}.",
    },
    "usage_did_you_mean": {"fa": "شاید منظورتان {options} است؟", "en": "Did you mean {options}?"},
    "usage_no_such_command": {"fa": "فرمان «{name}» نیست.", "en": "No such command '{name}'."},
    "usage_missing": {
        "fa": "{name} داده نشده است؛ این فرمان بی آن اجرا نمی‌شود.",
        "en": "Missing {name}: the command cannot run without it.",
    },
    "usage_needs_value": {
        "fa": "پس از {name} مقداری بدهید.",
        "en": "{name} needs a value after it.",
    },
    "usage_extra": {
        "fa": "این‌ها در این فرمان جایی ندارند: {values}",
        "en": "Got unexpected extra arguments: {values}",
    },
    "usage_not_whole": {
        "fa": "{name} «{value}» پذیرفتنی نیست: عددی درست بدهید.",
        "en": "{name} '{value}' cannot be used: give a whole number.",
    },
    "usage_not_number": {
        "fa": "{name} «{value}» پذیرفتنی نیست: عددی بدهید.",
        "en": "{name} '{value}' cannot be used: give a number.",
    },
    "usage_at_most": {
        "fa": "{name} «{value}» پذیرفتنی نیست: حداکثر {limit} بدهید.",
        "en": "{name} '{value}' cannot be used: give {limit} at most.",
    },
    "usage_below": {
        "fa": "{name} «{value}» پذیرفتنی نیست: کمتر از {limit} بدهید.",
        "en": "{name} '{value}' cannot be used: give less than {limit}.",
    },
    "usage_at_least": {
        "fa": "{name} «{value}» پذیرفتنی نیست: دست‌کم {limit} بدهید.",
        "en": "{name} '{value}' cannot be used: give {limit} at least.",
    },
    "usage_above": {
        "fa": "{name} «{value}» پذیرفتنی نیست: بیشتر از {limit} بدهید.",
        "en": "{name} '{value}' cannot be used: give more than {limit}.",
    },
    "usage_out_of_range": {
        "fa": "{name} «{value}» پذیرفتنی نیست: مقداری در بازه‌ی {range} بدهید.",
        "en": "{name} '{value}' cannot be used: give a value in {range}.",
    },
    "usage_bad_value": {
        "fa": "{name} «{value}» پذیرفتنی نیست.",
        "en": "{name} '{value}' cannot be used.",
    },
    "usage_bad_given": {
        "fa": "مقدار {name} پذیرفتنی نیست: {reason}",
        "en": "{name} cannot be used: {reason}",
    },
    "help_options": {
        "fa": "گزینه‌ها",
        "en": "Options",
    },
    "help_arguments": {
        "fa": "ورودی‌ها",
        "en": "Arguments",
    },
    "help_commands": {
        "fa": "فرمان‌ها",
        "en": "Commands",
    },
    "help_help": {
        "fa": "همین راهنما را نشان بده و بیرون برو.",
        "en": "Show this message and exit.",
    },
    "help_default": {
        "fa": "[پیش‌فرض: {value}]",
        "en": "[default: {value}]",
    },
    "help_required": {
        "fa": "[لازم]",
        "en": "[required]",
    },
    "help_install_completion": {
        "fa": "تکمیل خودکار فرمان‌ها را برای پوسته کنونی نصب کن.",
        "en": "Install completion for the current shell.",
    },
    "help_show_completion": {
        "fa": "کد تکمیل خودکار پوسته کنونی را نشان بده، برای رونوشت یا نصب دستی.",
        "en": "Show completion for the current shell, to copy it or customize the installation.",
    },
    "help_cmd_login": {
        "fa": "نام کاربری و رمز عبور یک مقصد را در جاکلیدی سیستم نگه دار (پرسیده می‌شود، پنهان؛ هرگز از گزینه فرمان).",
        "en": "Store the username and password of a target in the system keyring (asked for, hidden; never from a flag).",
    },
    "help_cmd_logout": {
        "fa": "اطلاعات ورود نگه‌داشته یک مقصد را از جاکلیدی سیستم پاک کن.",
        "en": "Remove a target's stored credentials from the system keyring.",
    },
    "help_service": {
        "fa": "simad (پیش‌فرض) یا maxa (دیتاس).",
        "en": "simad (default) or maxa (DITAS).",
    },
    "help_login_target": {
        "fa": "مقصدی که اطلاعات ورود برای آن است (پیش‌فرض: همان که فرمان‌ها برمی‌گزینند).",
        "en": "The target the credentials are for (default: as a command would choose it).",
    },
    "help_config": {
        "fa": "تنظیمات هر کاربر: target، username، maxa-target، lang (هرگز رمز عبور).",
        "en": "Per-user settings: target, username, maxa-target, lang (never a password).",
    },
    "help_cmd_config_get": {
        "fa": "یک تنظیم، یا همه را نشان بده.",
        "en": "Show one setting, or all of them.",
    },
    "help_cmd_config_set": {
        "fa": "یک تنظیم را در پرونده تنظیمات نگه دار.",
        "en": "Keep a setting in the settings file.",
    },
    "help_cmd_config_unset": {
        "fa": "یک تنظیم را از پرونده تنظیمات بردار.",
        "en": "Remove a setting from the settings file.",
    },
    "help_cmd_config_path": {
        "fa": "جای پرونده تنظیمات را چاپ کن.",
        "en": "Print where the settings file is.",
    },
    "help_config_key": {
        "fa": "target، username، maxa-target یا lang.",
        "en": "target, username, maxa-target or lang.",
    },
    "help_config_value": {
        "fa": "مقداری که نگه داشته می‌شود.",
        "en": "The value to keep.",
    },
    "login_stored": {
        "fa": "در جاکلیدی سیستم برای {target} ({service}) نگه داشته شد. فرمان‌ها از این پس آن را به کار می‌برند؛ ‎`simad logout`‎ پاکش می‌کند.",
        "en": "Stored in the system keyring for {target} ({service}). Commands use it from now on; `simad logout` removes it.",
    },
    "logout_removed": {
        "fa": "از جاکلیدی سیستم پاک شد: {target} ({service}).",
        "en": "Removed from the system keyring: {target} ({service}).",
    },
    "logout_none": {
        "fa": "جاکلیدی سیستم چیزی برای {target} ({service}) ندارد.",
        "en": "The system keyring holds nothing for {target} ({service}).",
    },
    "keyring_missing": {
        "fa": "این رایانه جاکلیدی سیستم ندارد (Credential Manager ویندوز، Keychain مک یا Secret Service)، پس چیزی نگه داشته نشد. اطلاعات ورود را در متغیرهای محیطی (SIMAD_USERNAME، SIMAD_PASSWORD) یا هنگام پرسش بدهید.",
        "en": "This computer has no system keyring (Windows Credential Manager, macOS Keychain or a Secret Service), so nothing was stored. Give the credentials in the environment (SIMAD_USERNAME, SIMAD_PASSWORD) or at the prompt.",
    },
    "keyring_failed": {
        "fa": "جاکلیدی سیستم به کار نیامد: {reason}",
        "en": "The system keyring could not be used: {reason}",
    },
    "login_empty": {
        "fa": "چیزی وارد نشد؛ چیزی نگه داشته نشد.",
        "en": "Nothing was entered; nothing was stored.",
    },
    "login_bad_service": {
        "fa": "سرویس ناشناخته {value}: simad یا maxa را به کار ببرید.",
        "en": "Unknown service {value}: use simad or maxa.",
    },
    "settings_unknown_key": {
        "fa": "تنظیم ناشناخته {name}: یکی از {keys} را به کار ببرید.",
        "en": "Unknown setting {name}: use one of {keys}.",
    },
    "settings_no_password": {
        "fa": "رمز عبور هرگز در پرونده تنظیمات نگه داشته نمی‌شود: ‎`simad login`‎ (جاکلیدی سیستم) یا متغیرهای محیطی را به کار ببرید.",
        "en": "A password is never kept in the settings file: use `simad login` (the system keyring) or the environment.",
    },
    "settings_set": {
        "fa": "{name} = {value} (در {path})",
        "en": "{name} = {value} (in {path})",
    },
    "settings_unset": {
        "fa": "{name} از {path} برداشته شد",
        "en": "{name} removed from {path}",
    },
    "settings_not_set": {
        "fa": "{name} تعیین نشده است.",
        "en": "{name} is not set.",
    },
    "settings_none": {
        "fa": "هیچ تنظیمی نگه داشته نشده است ({path}).",
        "en": "No setting is kept ({path}).",
    },
    "settings_bad_file": {
        "fa": "پرونده تنظیمات {path} خوانده نمی‌شود: {reason}. درستش کنید یا پاکش کنید.",
        "en": "The settings file {path} cannot be read: {reason}. Fix or delete it.",
    },
    "settings_unwritable": {
        "fa": "پرونده تنظیمات {path} نوشته نشد: {reason}",
        "en": "The settings file {path} could not be written: {reason}",
    },
    "or_between": {
        "fa": " یا ",
        "en": " or ",
    },
    "dotenv_ignored": {
        "fa": "پرونده ‎.env‎ در پوشه کنونی ({path}) نادیده گرفته شد: تنظیمات فقط از ‎.env‎ در {places} خوانده می‌شوند.",
        "en": "A .env file in the current folder ({path}) is ignored: settings are read from a .env only in {places}.",
    },
    "validate_no_rows": {
        "fa": "هیچ ردیفی برای بررسی نیست: کارپوشه فقط سرستون دارد.",
        "en": "There are no rows to check: the workbook holds headers only.",
    },
    "help_app": {
        "fa": "simad-sync: فرستادن کاربرگ‌های دستیاری به سیماد و کار با کدگذاری‌های مکسا.",
        "en": "simad-sync: send residency spreadsheets to SIMAD and work with MAXA codings.",
    },
    "help_sandbox": {
        "fa": "شبیه‌ساز داخلی سرویس سیماد.",
        "en": "The embedded simulator of the SIMAD service.",
    },
    "help_lang": {
        "fa": "زبان پیام‌ها: fa (پیش‌فرض) یا en.",
        "en": "Message language: fa (default) or en.",
    },
    "help_inputs": {
        "fa": "پرونده‌های ورودی: ‎.xlsx، ‎.xlsm، ‎.ods یا ‎.csv.",
        "en": "Input files: .xlsx, .xlsm, .ods or .csv.",
    },
    "help_map": {
        "fa": 'معنای یک سرستون را بگویید، مثلاً ‎--map "Course=CourseStudyCode"‎ (تکرارپذیر).',
        "en": 'Say what a header means, e.g. --map "Course=CourseStudyCode" (repeatable).',
    },
    "help_map_file": {
        "fa": "نگاشت ذخیره‌شده سرستون‌ها: در هر سطر یک HEADER=FIELD (‎--map به آن افزوده می‌شود).",
        "en": "A saved header mapping: one HEADER=FIELD a line (--map adds to it).",
    },
    "help_json": {
        "fa": "نتیجه را به صورت JSON چاپ کن.",
        "en": "Print the outcome as JSON.",
    },
    "help_target": {
        "fa": "‏sandbox (پیش‌فرض، شبیه‌ساز داخلی) یا نشانی پایه سرور؛ یا با SIMAD_TARGET.",
        "en": "'sandbox' (default, the embedded simulator) or a base URL; also SIMAD_TARGET.",
    },
    "help_resend": {
        "fa": "این ردیف را حتی اگر تغییری نکرده دوباره بفرست: STUDENT/YEAR (یک معرفی) یا STUDENT (یک دستیار)؛ برای بیشتر تکرار کنید. دفتر ثبت آن را ارسال دوباره می‌نویسد.",
        "en": "Send this row again even if unchanged: STUDENT/YEAR (a declaration) or STUDENT (a resident); repeat for more. The ledger notes it as a resend.",
    },
    "help_year_eg": {
        "fa": "سال ارتقا (YearId)، مثلاً ۱۴۰۲.",
        "en": "Upgrade year (YearId), e.g. 1402.",
    },
    "help_version": {
        "fa": "نسخه را نشان بده.",
        "en": "Show the version.",
    },
    "help_ui_port": {
        "fa": "درگاه شنیدن (پیش‌فرض: یک درگاه آزاد).",
        "en": "Port to listen on (default: a free one).",
    },
    "help_ui_host": {
        "fa": "نشانی شنیدن؛ برای هر نشانی جز 127.0.0.1 هشدار داده می‌شود.",
        "en": "Address to listen on; anything but 127.0.0.1 is warned about.",
    },
    "help_no_browser": {
        "fa": "نشانی را چاپ کن؛ مرورگر را باز نکن.",
        "en": "Print the address; do not open a browser.",
    },
    "help_host": {
        "fa": "نشانی شنیدن.",
        "en": "Address to listen on.",
    },
    "help_port": {
        "fa": "درگاه شنیدن.",
        "en": "Port to listen on.",
    },
    "help_sandbox_db": {
        "fa": "پرونده SQLite (پیش‌فرض SIMAD_HOME/sandbox.db).",
        "en": "SQLite file (default SIMAD_HOME/sandbox.db).",
    },
    "help_token_ttl": {
        "fa": "عمر توکن دسترسی، به ثانیه.",
        "en": "Access-token lifetime, seconds.",
    },
    "help_refresh_ttl": {
        "fa": "عمر توکن نوسازی، به ثانیه.",
        "en": "Refresh-token lifetime, seconds.",
    },
    "help_maxa_token_ttl": {
        "fa": "عمر توکن دسترسی دیتاس/مکسا، به ثانیه.",
        "en": "DITAS/MAXA access-token lifetime, seconds.",
    },
    "help_latency": {
        "fa": "تأخیری که به هر درخواست افزوده می‌شود.",
        "en": "Delay added to every request.",
    },
    "help_fail_rate": {
        "fa": "سهم درخواست‌هایی که پاسخ ۵۰۳ می‌گیرند (۰ تا ۱).",
        "en": "Share of requests answered 503 (0–1).",
    },
    "help_rate_limit": {
        "fa": "درخواست در ثانیه برای هر حساب پیش از پس‌زدن (برای concurrency: هم‌زمان؛ ۰: بی‌سقف).",
        "en": "Requests per second per account before push-back (concurrency: at once; 0: none).",
    },
    "help_limiter": {
        "fa": "شکل سقف درخواست: token-bucket، sliding-window، fixed-window، "
        "sliding-window-counter، leaky-bucket یا concurrency.",
        "en": "The rate limit's shape: token-bucket, sliding-window, fixed-window, "
        "sliding-window-counter, leaky-bucket or concurrency.",
    },
    "help_burst": {
        "fa": "چند ثانیه جهش مجاز (token-bucket: پیش‌فرض ۱؛ leaky-bucket: ۰).",
        "en": "Seconds of burst (token bucket: 1 by default; leaky bucket: 0).",
    },
    "help_segments": {
        "fa": "برای sliding-window: پنجره را به این تعداد بخش برابر می‌بُرد و در هر بخش می‌شمارد، "
        "مانند SlidingWindowRateLimiter در ASP.NET Core (پیش‌فرض ۰: هر یک ثانیهٔ دقیق).",
        "en": "For sliding-window: cut the window into this many equal segments and count in "
        "each, as ASP.NET Core's SlidingWindowRateLimiter does (0 by default: any exact second).",
    },
    "help_window": {
        "fa": "طول هر پنجره به ثانیه برای sliding-window و fixed-window (پیش‌فرض ۱)؛ هر پنجره سقف × این طول درخواست می‌پذیرد.",
        "en": "Seconds in a window, for sliding-window and fixed-window (1 by default); "
        "a window takes the rate limit times this many requests.",
    },
    "help_retry_after": {
        "fa": "سرآیند Retry-After در پاسخ پس‌زدن: exact، one، zero، date یا none.",
        "en": "Retry-After of a refusal: exact, one, zero, date or none.",
    },
    "help_push_back": {
        "fa": "کد وضعیت پاسخ پس‌زدن: ۴۲۹ یا ۵۰۳.",
        "en": "Status of a refusal: 429 or 503.",
    },
    "help_overload_at": {
        "fa": "پاسخ ۵۰۳ به درخواستی که وقتی این تعداد در جریان است برسد (۰: هرگز).",
        "en": "Answer 503 to a request arriving while this many are served (0: never).",
    },
    "help_bogus_200": {
        "fa": "سهم درخواست‌هایی که پاسخ ۲۰۰ text/html، یک صفحه ورود، می‌گیرند (۰ تا ۱).",
        "en": "Share of requests answered 200 text/html, a login page (0–1).",
    },
    "help_echo_errors": {
        "fa": "پاسخ‌های خطا سرآیندها و بدنه درخواست را بازمی‌گردانند.",
        "en": "Error answers echo the request's headers and body.",
    },
    "help_hang": {
        "fa": "ثانیه‌هایی که هر درخواست پیش از پاسخ منتظر می‌ماند.",
        "en": "Seconds every request waits before it is answered.",
    },
    "help_huge_error_body": {
        "fa": "مگابایت متنی که به هر پاسخ خطا افزوده می‌شود.",
        "en": "Megabytes of text added to every error answer.",
    },
    "help_seed": {
        "fa": "بذر مولد خطاهای ساختگی.",
        "en": "Seed of the fault generator.",
    },
    "help_clock": {
        "fa": "ثانیه‌هایی که ساعت سندباکس (Date، زمان‌های توکن) جلوتر است (منفی: عقب‌تر).",
        "en": "Seconds the sandbox's clock (Date, token times) is ahead (<0: behind).",
    },
    "help_generated_terms": {
        "fa": "‏SNOMEDCT نسخه ۲ با این تعداد اصطلاح ساختگی می‌گیرد (۰: هیچ).",
        "en": "SNOMEDCT gets a version 2 of this many made-up terms (0: none).",
    },
    "help_year": {
        "fa": "سال ارتقا (YearId).",
        "en": "Upgrade year (YearId).",
    },
    "help_only_resident": {
        "fa": "فقط این دستیار.",
        "en": "Only this resident.",
    },
    "help_review_status": {
        "fa": "accepted | rejected | needs-correction (پیوست ۴).",
        "en": "accepted | rejected | needs-correction (appendix 4).",
    },
    "help_review_reason": {
        "fa": "دلیل بررسی‌کننده.",
        "en": "The reviewer's reason.",
    },
    "help_final_result": {
        "fa": "promoted | conditional | repeat (پیوست ۵).",
        "en": "promoted | conditional | repeat (appendix 5).",
    },
    "help_random": {
        "fa": "وضعیت‌ها و نتیجه‌ها را تصادفی برگزین.",
        "en": "Draw statuses and results at random.",
    },
    "help_random_seed": {
        "fa": "بذر ‎--random.",
        "en": "Seed for --random.",
    },
    "help_template_out": {
        "fa": "پوشه‌ای که کارپوشه‌های خالی در آن نوشته می‌شوند.",
        "en": "Folder to write the blank workbooks into.",
    },
    "help_template_force": {
        "fa": "کارپوشه‌های موجود را بازنویسی کن.",
        "en": "Overwrite existing workbooks.",
    },
    "help_report": {
        "fa": "جای نوشتن گزارش (‎.xlsx).",
        "en": "Where to write the report (.xlsx).",
    },
    "help_kind": {
        "fa": "همه برگه‌ها را این نوع بدان: residents | upgrades.",
        "en": "Treat every sheet as: residents | upgrades.",
    },
    "help_course_codes": {
        "fa": "جدول رسمی کد رشته‌ها (CSV با ستون code): بررسی سخت‌گیرانه.",
        "en": "Official course-code table (CSV with a 'code' column): strict check.",
    },
    "help_images": {
        "fa": "عکس‌هایی که با شماره دانشجویی یا کد ملی نام‌گذاری شده‌اند (JPEG).",
        "en": "Photos named by student number or national code (JPEG).",
    },
    "help_concurrency": {
        "fa": "درخواست‌های هم‌زمان (۱ تا ۱۶).",
        "en": "Requests in flight at once (1–16).",
    },
    "help_force": {
        "fa": "همه ردیف‌های معتبر را بفرست، حتی بی‌تغییرها.",
        "en": "Send every valid row, even unchanged ones.",
    },
    "help_course_codes_short": {
        "fa": "جدول رسمی کد رشته‌ها (CSV): بررسی سخت‌گیرانه.",
        "en": "Official course-code table (CSV): strict check.",
    },
    "help_wait": {
        "fa": "اگر اجرای دیگری به همین مقصد می‌فرستد، منتظرش بمان.",
        "en": "If another run is sending to this target, wait for it.",
    },
    "help_max_rate": {
        "fa": "حداکثر این تعداد درخواست در ثانیه، ۰٫۱ تا ۱۰۰۰۰ (یا با SIMAD_MAX_RATE).",
        "en": "At most this many requests per second, 0.1–10000 (also SIMAD_MAX_RATE).",
    },
    "help_only_course": {
        "fa": "فقط این کد رشته.",
        "en": "Only this course code.",
    },
    "help_only_national": {
        "fa": "فقط این کد ملی.",
        "en": "Only this national code.",
    },
    "help_only_student": {
        "fa": "فقط این دانشجو.",
        "en": "Only this student.",
    },
    "help_results_out": {
        "fa": "جای نوشتن کارپوشه (‎.xlsx).",
        "en": "Where to write the workbook (.xlsx).",
    },
    "help_reconcile_inputs": {
        "fa": "پرونده‌های ورودی؛ بدون آن‌ها، آنچه دفتر ثبت پذیرفته‌شده نوشته است.",
        "en": "Input files; without them, what the ledger recorded as accepted.",
    },
    "help_runs_limit": {
        "fa": "چند اجرای اخیر فهرست شود.",
        "en": "How many recent runs to list.",
    },
    "help_runs_report": {
        "fa": "گزارش این اجرا را دوباره بنویس (وقتی نوشته نشده بود).",
        "en": "Write the report of this run again (when it could not be written).",
    },
    "help_runs_out": {
        "fa": "همراه ‎--report: جای نوشتن آن (‎.xlsx).",
        "en": "With --report: where to write it (.xlsx).",
    },
    "help_maxa": {
        "fa": "اصطلاح‌نامه‌های مکسا (eRx، IRC، ICD10، …) از راه دیتاس.",
        "en": "MAXA terminologies (eRx, IRC, ICD10, …) through DITAS.",
    },
    "help_maxa_target": {
        "fa": "‏sandbox (پیش‌فرض) یا نشانی پایه دیتاس؛ یا با MAXA_TARGET.",
        "en": "'sandbox' (default) or the DITAS base URL; also MAXA_TARGET.",
    },
    "help_maxa_json": {
        "fa": "پاسخ را به صورت JSON چاپ کن.",
        "en": "Print the answer as JSON.",
    },
    "help_lang_short": {
        "fa": "fa (پیش‌فرض) یا en.",
        "en": "fa (default) or en.",
    },
    "help_since_defined": {
        "fa": "تعریف‌شده از (مثلاً 1390/01/01 یا 2011-03-21).",
        "en": "Defined since (e.g. 1390/01/01 or 2011-03-21).",
    },
    "help_maxa_version_current": {
        "fa": "یک نسخه (پیش‌فرض: نسخه جاری).",
        "en": "A version (default: the current).",
    },
    "help_offline_answer": {
        "fa": "فقط از آینه محلی پاسخ بده.",
        "en": "Answer from the local mirror only.",
    },
    "help_since_created": {
        "fa": "ساخته‌شده از (خورشیدی یا میلادی).",
        "en": "Created since (Solar Hijri or Gregorian).",
    },
    "help_maxa_version": {
        "fa": "یک نسخه، یا latest.",
        "en": "A version, or 'latest'.",
    },
    "help_maxa_export": {
        "fa": "در ‎.xlsx یا ‎.csv هم بنویس.",
        "en": "Also export it to .xlsx or .csv.",
    },
    "help_maxa_diff_out": {
        "fa": "تغییرها را در یک کارپوشه بنویس.",
        "en": "Write the changes to a workbook.",
    },
    "help_offline_mirrored": {
        "fa": "فقط نسخه‌هایی را که در آینه هست به کار ببر.",
        "en": "Use only versions already mirrored.",
    },
    "help_drug_lists": {
        "fa": "فهرست‌های دارو: ‎.xlsx، ‎.ods یا ‎.csv.",
        "en": "Drug lists: .xlsx, .ods or .csv.",
    },
    "help_terminology": {
        "fa": "اصطلاح‌نامه (eRX، IRC، …).",
        "en": "The terminology (eRX, IRC, …).",
    },
    "help_code_column": {
        "fa": "ستون کدها، با سرستون یا حرف ستون (پیش‌فرض: خودکار).",
        "en": "The codes' column, by header or letter (default: found).",
    },
    "help_value_column": {
        "fa": "ستون نام‌ها، با سرستون یا حرف ستون (پیش‌فرض: خودکار).",
        "en": "The names' column, by header or letter (default: found).",
    },
    "help_sync_terminologies": {
        "fa": "اصطلاح‌نامه‌های همگام‌سازی (پیش‌فرض: همه آنچه در آینه هست).",
        "en": "Terminologies to sync (default: every mirrored one).",
    },
    "help_sync_out": {
        "fa": "پوشه‌ای برای کارپوشه تغییرهای هر اصطلاح‌نامه.",
        "en": "A folder for a workbook of each terminology's changes.",
    },
    "help_cmd_ui": {
        "fa": "برنامه وب دفتر: بررسی، اصلاح، ارسال و تطبیق در مرورگر. اگر هنگام کار دوباره اجرا شود (دوبار کلیک دوباره روی میان‌بر)، برنامه در حال اجرا را، واردشده، در زبانه‌ای تازه باز می‌کند و بیرون می‌رود؛ کار برنامه در حال اجرا ادامه می‌یابد.",
        "en": "The office's web app: validate, fix, submit and reconcile in the browser. Run again while it runs (a second double-click on the shortcut), it opens the running app, signed in, in a new tab, and exits; the running app's work goes on.",
    },
    "help_cmd_sandbox_serve": {
        "fa": "سندباکس را روی HTTP (یا HTTPS با ‎--tls-cert/--tls-key‎) اجرا کن تا وقتی متوقف شود.",
        "en": "Serve the sandbox over HTTP (or HTTPS with --tls-cert/--tls-key) until interrupted.",
    },
    "help_cmd_sandbox_review": {
        "fa": "وضعیت بررسی و نتیجه نهایی معرفی‌ها را در سندباکس تعیین کن (برای تمرین).",
        "en": "Set review statuses and final results of declarations in the sandbox (rehearsals).",
    },
    "help_cmd_template": {
        "fa": "کارپوشه‌های ورودی خالی بنویس: سرستون‌ها، فهرست‌های کشویی، محدودیت‌ها، راهنما.",
        "en": "Write blank input workbooks: headers, dropdowns, limits, instructions.",
    },
    "help_cmd_validate": {
        "fa": "اجرای آزمایشی: هر ردیف را با قواعد راهنما بررسی کن و گزارش علامت‌خورده بنویس.\n\nاز شبکه استفاده نمی‌شود. خروج ۰ وقتی همه ردیف‌ها معتبرند، ۱ وقتی برخی نامعتبرند یا ردیفی نیست، ۲ وقتی پرونده ورودی قابل استفاده نیست.",
        "en": "Dry run: check every row against the guide's rules and write a marked-up report.\n\nNo network is used. Exit 0 when every row is valid, 1 when some are invalid or there is no row, 2 when an input file cannot be used.",
    },
    "help_cmd_submit": {
        "fa": "بررسی کن، سپس دستیاران، عکس‌ها و معرفی‌هایشان را بفرست؛ گزارش را بنویس.\n\nردیف‌هایی که مقصد پیش‌تر پذیرفته دوباره فرستاده نمی‌شوند (‎simad runs را ببینید)، پس اجرای قطع‌شده با اجرای دوباره همان فرمان کامل می‌شود. خروج ۰ همه فرستاده یا بی‌تغییر، ۱ برخی ردیف‌ها نامعتبر/ناموفق/فرستاده‌نشده، ۲ خطای ورودی، ۳ ورود رد شد یا سرور در دسترس نیست.",
        "en": "Validate, then send residents, their photos and declarations; write the report.\n\nRows the target already accepted are not sent again (see `simad runs`), so a run that was interrupted is completed by running the same command again. Exit 0 all sent or unchanged, 1 some rows invalid/failed/not sent, 2 input error, 3 authentication refused or server unreachable.",
    },
    "help_cmd_results": {
        "fa": "معرفی‌ها را با وضعیت بررسی و نتیجه نهایی یک سال دریافت کن.",
        "en": "Download declarations with their review status and the final results of a year.",
    },
    "help_cmd_reconcile": {
        "fa": "معرفی‌های محلی را با سرور مقایسه کن و بگو کدام ردیف‌ها اقدام دفتر را لازم دارند: ردشده یا نیازمند اصلاح در بررسی، نبودن در سرور، متفاوت، یا نامعتبر در پرونده.\n\nخروج ۰ وقتی هیچ ردیفی اقدام نمی‌خواهد، ۱ تا وقتی ردیفی می‌خواهد.",
        "en": "Compare local declarations with the server's and say which rows need the office's action: rejected or needing correction in review, missing on the server, different, or invalid in the file.\n\nExit 0 when no row needs action, 1 while any does.",
    },
    "help_cmd_runs": {
        "fa": "فهرست اجراهای ارسال گذشته با مقصد، وضعیت و شمارش‌ها (از دفتر ثبت).\n\nپایان هر اجرا مانند صفحه اجراها خوانده می‌شود: پایان‌یافته، متوقف به دست کاربر، قطع‌شده، ورود ردشده یا متوقف با خطا، همراه دلیل.",
        "en": "List past submission runs with their target, state and counts (from the ledger).\n\nHow each run ended reads as on the Runs page: finished, stopped by the clerk, interrupted, login refused or stopped by an error, with the reason.",
    },
    "help_cmd_maxa_terminologies": {
        "fa": "شناسه اصطلاح‌نامه‌هایی که از یک تاریخ تعریف شده‌اند.",
        "en": "List the terminology ids defined since a date.",
    },
    "help_cmd_maxa_lookup": {
        "fa": "مقدار CODE در TERMINOLOGY (در صورت خواست، در یک نسخه).",
        "en": "The value of CODE in TERMINOLOGY (optionally in one version).",
    },
    "help_cmd_maxa_validate": {
        "fa": "آیا VALUE مقدار CODE در TERMINOLOGY است؟ خروج ۰ بله، ۱ نه.",
        "en": "Is VALUE the value of CODE in TERMINOLOGY? Exit 0 yes, 1 no.",
    },
    "help_cmd_maxa_search": {
        "fa": "کدهای TERMINOLOGY که از یک تاریخ ساخته شده‌اند.",
        "en": "Codes of TERMINOLOGY created since a date.",
    },
    "help_cmd_maxa_versions": {
        "fa": "نسخه‌های TERMINOLOGY، با علامت نسخه جاری.",
        "en": "The versions of TERMINOLOGY, the current one marked.",
    },
    "help_cmd_maxa_pull": {
        "fa": "یک نسخه از TERMINOLOGY را در انبار محلی آینه کن (و بیرون بده).",
        "en": "Mirror one version of TERMINOLOGY into the local store (and export it).",
    },
    "help_cmd_maxa_diff": {
        "fa": "کدهای افزوده، حذف‌شده و تغییرکرده میان نسخه‌های OLD و NEW (با دریافت آنچه نیست).",
        "en": "Codes added, removed and changed between versions OLD and NEW (pulling what is missing).",
    },
    "help_cmd_maxa_check": {
        "fa": "هر ردیف فهرست‌های دارو را با نسخه‌ای از اصطلاح‌نامه بسنج: valid، name_differs، retired، unknown یا invalid_input. خروج ۰ وقتی همه معتبرند، وگرنه ۱.",
        "en": "Check every row of drug lists against a version of a terminology: valid, name_differs, retired, unknown or invalid_input. Exit 0 when every row is valid, 1 otherwise.",
    },
    "help_cmd_maxa_sync": {
        "fa": "اصطلاح‌نامه‌های آینه‌شده را به آخرین نسخه برسان و بگو چه تغییر کرد. خروج ۰ چیز تازه‌ای نیست، ۱ چیزی تغییر کرد، ۳ سرویس در دسترس نبود.",
        "en": "Bring mirrored terminologies to their latest version and say what changed. Exit 0 nothing new, 1 something changed, 3 the service could not be reached.",
    },
    "interrupted_resume": {
        "fa": "متوقف شد. ردیف‌های ارسال‌شده ثبت شده‌اند؛ برای ارسال بقیه همین فرمان را دوباره اجرا کنید.",
        "en": "Interrupted. The rows sent are recorded; run the same command again to send the rest.",
    },
    "finding_group": {
        "fa": "{sheet}: {n} خانه ({code})",
        "en": "{sheet}: {n} cells ({code})",
        "en_one": "{sheet}: 1 cell ({code})",
    },
    "finding_cells": {"fa": "مثلاً: {cells}", "en": "e.g. {cells}"},
    "more_groups": {
        "fa": "و {n} گروه دیگر در گزارش.",
        "en": "and {n} more groups in the report.",
        "en_one": "and 1 more group in the report.",
    },
    "more_in_report": {
        "fa": "و {n} ردیف دیگر در گزارش.",
        "en": "and {n} more rows in the report.",
        "en_one": "and 1 more row in the report.",
    },
    "col_run": {"fa": "اجرا", "en": "run", "en_page": "Run"},
    "col_started": {"fa": "شروع", "en": "started", "en_page": "Started"},
    "col_state": {"fa": "وضعیت", "en": "state", "en_page": "State"},
    "col_counts": {"fa": "تعداد ردیف‌ها", "en": "counts", "en_page": "Counts"},
    "col_report": {"fa": "گزارش", "en": "report", "en_page": "Report"},
    "col_gregorian": {"fa": "{field} (میلادی)", "en": "{field} (Gregorian)"},
    "reconcile_done": {"fa": "تطبیق: {counts}", "en": "Reconciliation: {counts}"},
    "results_done": {
        "fa": "{n} معرفی دریافت شد.",
        "en": "{n} declarations downloaded.",
        "en_one": "1 declaration downloaded.",
    },
    "maxa_sandbox": {
        "fa": "مقصد: سندباکس مکسا/دیتاس (شبیه‌ساز محلی، نه سرور واقعی).",
        "en": "Target: MAXA/DITAS sandbox (local simulator, not the real gateway).",
    },
    "maxa_bad_date": {
        "fa": "تاریخ نامعتبر: {value} (مثل ۱۴۰۲/۰۱/۰۱ یا 2023-03-21)",
        "en": "Not a date: {value} (e.g. 1402/01/01 or 2023-03-21)",
    },
    "maxa_from_mirror": {
        "fa": "(از نسخه محلی {version})",
        "en": "(from local mirror, version {version})",
    },
    "maxa_from_version": {"fa": "(نسخه {version})", "en": "(version {version})"},
    "maxa_not_found": {
        "fa": "کد {code} در {terminology} پیدا نشد.",
        "en": "Code {code} not found in {terminology}.",
    },
    "maxa_valid": {"fa": "معتبر است.", "en": "Valid."},
    "maxa_invalid": {"fa": "معتبر نیست.", "en": "Not valid."},
    "maxa_none": {"fa": "چیزی پیدا نشد.", "en": "Nothing found."},
    "maxa_told_valid": {
        "fa": "معتبر است: کد {code} در {terminology} نسخه {version} «{official}» است.",
        "en": "Valid: code {code} is “{official}” in {terminology} version {version}.",
    },
    "maxa_told_invalid": {
        "fa": "معتبر نیست: نام رسمی کد {code} در {terminology} نسخه {version} «{official}» است، نه «{value}».",
        "en": "Not valid: the official name of code {code} in {terminology} version {version} is “{official}”, not “{value}”.",
    },
    "maxa_told_found": {
        "fa": "نام رسمی کد {code} در {terminology} نسخه {version}: «{official}»",
        "en": "Official name of code {code} in {terminology} version {version}: “{official}”",
    },
    "maxa_told_retired": {
        "fa": "کد {code} از {terminology} کنار گذاشته شده است: در نسخه {version} (آخرین نسخه) نیست؛ آخرین نسخه‌ای که آن را داشت {last} بود («{official}»).",
        "en": "Code {code} was retired from {terminology}: it is not in version {version} (the latest); the last version that had it was {last} (“{official}”).",
    },
    "maxa_told_unknown": {
        "fa": "کد {code} در {terminology} نسخه {version} پیدا نشد.",
        "en": "Code {code} was not found in {terminology} version {version}.",
    },
    "maxa_told_mirror": {"fa": "(از نسخه محلی)", "en": "(from the local mirror)"},
    "maxa_told_not_in_mirror": {
        "fa": "کد {code} در نسخه {version} از {terminology} که آینه محلی دارد نیست؛ شاید کنار گذاشته شده باشد یا هرگز نبوده است. برای دانستن، تیک «بدون اینترنت» را بردارید و دوباره جست‌وجو کنید.",
        "en": "Code {code} is not in {terminology} version {version}, the version the local mirror holds; it may have been retired, or never existed. To know, untick “Offline” and look it up again.",
    },
    "maxa_unknown_terminology": {
        "fa": "اصطلاح‌نامه «{terminology}» شناخته نیست. اصطلاح‌نامه‌های سرویس: {known}.",
        "en": "The terminology “{terminology}” is unknown. The service's terminologies: {known}.",
    },
    "maxa_not_mirrored": {
        "fa": "اصطلاح‌نامه «{terminology}» در آینه محلی نیست. آینه این‌ها را دارد: {known}. تیک «بدون اینترنت» را بردارید یا آن را با دکمه «دریافت نسخه در آینه» بگیرید.",
        "en": "The terminology “{terminology}” is not in the local mirror, which holds: {known}. Untick “Offline”, or get it with the “Pull into the mirror” button.",
    },
    "maxa_target_line": {"fa": "مقصد MAXA: {target}", "en": "MAXA target: {target}"},
    "maxa_target_sandbox": {
        "fa": "سندباکس — شبیه‌ساز محلی MAXA با داده‌های آزمایشی",
        "en": "SANDBOX — the local MAXA simulator, with test data",
    },
    "ui_maxa_pick_terminology": {
        "fa": "از فهرست اصطلاح‌نامه‌ها انتخاب کنید یا نام را بنویسید",
        "en": "choose from the list of terminologies or type the name",
    },
    "ui_maxa_pull_started": {
        "fa": "دریافت {terminology} آغاز شد؛ پیشرفت آن در زیر نشان داده می‌شود.",
        "en": "Pulling {terminology} has started; its progress is shown below.",
    },
    "maxa_pulling": {"fa": "دریافت {terminology}", "en": "Pulling {terminology}"},
    "maxa_pulled": {
        "fa": "{terminology} نسخه {version}: {n} کد در نسخه محلی ذخیره شد.",
        "en": "{terminology} version {version}: {n} codes stored in the local mirror.",
        "en_one": "{terminology} version {version}: 1 code stored in the local mirror.",
    },
    "maxa_diff": {
        "fa": "افزوده: {added} — حذف‌شده: {removed} — تغییرکرده: {changed}",
        "en": "added: {added} — removed: {removed} — changed: {changed}",
    },
    "unexpected": {
        "fa": "خطای پیش‌بینی‌نشده: {error} (جزئیات در فایل رویدادها زیر SIMAD_HOME/logs)",
        "en": "Unexpected error: {error} (details in the log under SIMAD_HOME/logs)",
    },
    "bad_target": {
        "fa": "مقصد باید sandbox یا نشانی http(s) باشد، نه {value!r}.",
        "en": "The target must be 'sandbox' or an http(s) base URL, not {value!r}.",
    },
    "http_refused": {
        "fa": "نشانی بدون رمزنگاری http:// برای {host} پذیرفته نیست؛ از https:// استفاده کنید (http فقط برای نشانی‌های محلی مثل 127.0.0.1).",
        "en": "plain http:// is refused for {host}: use https:// (http is allowed only for loopback addresses such as 127.0.0.1).",
    },
    "missing_settings": {
        "fa": "{login} را اجرا کنید، یا {names} را در محیط یا فایل .env تعیین کنید.",
        "en": "Run {login}, or set {names} in the environment or a .env file.",
    },
    "auth_refused": {
        "fa": "سیماد ورود را نپذیرفت (HTTP {status}): {text}",
        "en": "SIMAD refused the login (HTTP {status}): {text}",
    },
    "interrupted": {"fa": "متوقف شد.", "en": "Interrupted."},
    "file_not_found": {"fa": "{path}: فایل پیدا نشد.", "en": "{path}: file not found."},
    "file_type": {
        "fa": "{path}: نوع فایل {suffix} پشتیبانی نمی‌شود (xlsx، xlsm، ods یا csv).",
        "en": "{path}: unsupported file type {suffix} (use .xlsx, .xlsm, .ods or .csv).",
        "fa_page": "{path}: نوع فایل {suffix} پشتیبانی نمی‌شود (کارپوشه xlsx، xlsm، ods یا csv؛"
        " عکس jpg یا zip).",
        "en_page": "{path}: unsupported file type {suffix} (a workbook: .xlsx, .xlsm, .ods or"
        " .csv; photos: .jpg or .zip).",
    },
    "file_empty": {"fa": "{path}: فایل خالی است.", "en": "{path}: the file is empty."},
    "file_no_sheet": {
        "fa": "{path}: هیچ برگه‌ای ستون‌های دستیاران یا معرفی به ارتقا را ندارد (برگه‌ها: {sheets}). از سرستون‌های `simad template` استفاده کنید.",
        "en": "{path}: no sheet has the columns of residents or upgrade declarations (sheets: {sheets}). Use the headers of `simad template`.",
        "fa_page": "{path}: هیچ برگه‌ای ستون‌های دستیاران یا معرفی به ارتقا را ندارد (برگه‌ها: {sheets}). از سرستون‌های الگوی خالی صفحه شروع استفاده کنید (بخش «الگوی خالی»).",
        "en_page": "{path}: no sheet has the columns of residents or upgrade declarations (sheets: {sheets}). Use the headers of a blank template from the start page ('Blank templates').",
    },
    "file_password": {
        "fa": "{path}: فایل رمز دارد؛ آن را بدون رمز ذخیره کنید.",
        "en": "{path}: the workbook is password-protected; save it without a password.",
    },
    "file_unreadable": {
        "fa": "{path}: فایل صفحه‌گسترده خوانا نیست ({reason}).",
        "en": "{path}: not a readable spreadsheet ({reason}).",
    },
    "sheet_unreadable": {
        "fa": "{path} › {sheet}: برگه خوانده نشد ({reason}).",
        "en": "{path} › {sheet}: the sheet cannot be read ({reason}).",
    },
    "bad_kind": {"fa": "--kind باید یکی از {kinds} باشد.", "en": "--kind must be one of {kinds}."},
    "sum_mode": {"fa": "نوع اجرا", "en": "Mode"},
    "sum_mode_validate": {
        "fa": "اعتبارسنجی بدون ارسال (بدون شبکه)",
        "en": "Dry-run validation (no network)",
    },
    "sum_run_id": {"fa": "شناسه اجرا", "en": "Run id"},
    "sum_version": {"fa": "نسخه ابزار", "en": "Tool version"},
    "sum_elapsed": {"fa": "زمان اجرا (ثانیه)", "en": "Time taken (s)"},
    "sum_input": {"fa": "فایل ورودی", "en": "Input file"},
    "sum_sha256": {"fa": "چکیده SHA-256 ورودی", "en": "Input SHA-256"},
    "sum_skipped": {"fa": "برگه‌های نادیده گرفته شده", "en": "Sheets skipped"},
    "sum_target": {"fa": "مقصد", "en": "Target"},
    "kind_residents": {"fa": "دستیاران", "en": "residents"},
    "kind_upgrades": {"fa": "معرفی به ارتقا", "en": "upgrade declarations"},
    "col_file": {"fa": "فایل", "en": "file", "en_page": "File"},
    "col_sheet": {"fa": "برگه", "en": "sheet", "en_page": "Sheet"},
    "col_kind": {"fa": "نوع", "en": "kind", "en_page": "Kind"},
    "col_rows": {"fa": "ردیف‌ها", "en": "rows", "en_page": "Rows"},
    "col_warnings": {"fa": "با هشدار", "en": "with warnings", "en_page": "With warnings"},
    "validate_done": {"fa": "گزارش: {path}", "en": "Report: {path}"},
    "validate_all_valid": {"fa": "همه ردیف‌ها معتبرند.", "en": "Every row is valid."},
    "validate_some_invalid": {
        "fa": "{n} ردیف نامعتبر است؛ خانه‌های قرمز گزارش را اصلاح کنید.",
        "en": "{n} rows are invalid; fix the red cells of the report.",
        "en_one": "1 row is invalid; fix the red cells of the report.",
        "fa_page": "{n} ردیف نامعتبر است؛ خانه‌های قرمز جدول زیر را اصلاح کنید.",
        "en_page": "{n} rows are invalid; fix the red cells in the table below.",
        "en_one_page": "1 row is invalid; fix the red cells in the table below.",
    },
    "skipped_sheets": {
        "fa": "برگه‌های نادیده گرفته شده در {file}: {sheets}",
        "en": "Sheets skipped in {file}: {sheets}",
    },
    "answer_is_web_page": {
        "fa": "سرور به‌جای پاسخ سرویس یک صفحه وب فرستاد (شاید صفحه ورود یک پراکسی).",
        "en": "the server sent a web page instead of the service's answer (a proxy's login page?).",
    },
    "answer_not_api": {
        "fa": "{path}: پاسخ HTTP {status} از نوع {kind} پاسخ سرویس سیماد نیست (شاید صفحه ورود یا پراکسی)؛ این ردیف ارسال‌شده شمرده نمی‌شود.",
        "en": "{path}: the HTTP {status} answer ({kind}) is not the SIMAD service's (a login page or a proxy?); the row is not counted as sent.",
    },
    "answer_not_records": {
        "fa": "{path}: پاسخ HTTP {status} {what} است، نه فهرستی که سرویس برمی‌گرداند؛ این پاسخ «خالی» خوانده نمی‌شود.",
        "en": "{path}: the HTTP {status} answer is {what}, not the list the service returns; it is not read as empty.",
    },
    "shape_null": {"fa": "null (تهی)", "en": "null"},
    "shape_boolean": {"fa": "یک مقدار درست/نادرست", "en": "a true/false value"},
    "shape_number": {"fa": "یک عدد", "en": "a number"},
    "shape_text": {"fa": "یک متن", "en": "a text"},
    "shape_values": {
        "fa": "فهرستی از مقدارهای ناهمخوان",
        "en": "a list of values of the wrong kind",
    },
    "shape_object": {"fa": "شیئی بی‌فهرست", "en": "an object without the expected list"},
    "shape_unkeyed": {
        "fa": "فهرستی از رکوردهای بی‌شماره دانشجویی",
        "en": "a list of records without a student number",
    },
    "shape_deep": {"fa": "JSON با تودرتویی بیش از حد", "en": "JSON nested too deeply"},
    "shape_json": {"fa": "متنی که JSON نیست (یا نیمه‌کاره است)", "en": "not JSON (or cut short)"},
    "shape_empty": {"fa": "بدنه‌ای خالی", "en": "an empty body"},
    "shape_page": {"fa": "یک صفحه وب", "en": "a web page"},
    "in_flight_unconfirmed": {
        "fa": "معلوم نشد {n} معرفیِ در حال ارسالِ اجرای قطع‌شده قبلی به سرور رسیده است یا نه، پس دوباره فرستاده نشد ({error}). بعداً دوباره اجرا کنید.",
        "en": "Could not tell whether {n} declarations in flight when the previous run was cut off reached the server, so none was sent again ({error}). Run again later.",
        "en_one": "Could not tell whether the declaration in flight when the previous run was cut off reached the server, so it was not sent again ({error}). Run again later.",
    },
    "maxa_not_envelope": {
        "fa": "{function}: پاسخ {what} است، نه پاکت پاسخ دیتاس (شناسه درخواست {request_id}).",
        "en": "{function}: the answer is {what}, not the DITAS gateway's envelope (requestId {request_id}).",
    },
    "maxa_bad_data": {
        "fa": "{function}: دادهٔ پاسخ {what} است، نه آنچه راهنما برای این تابع می‌گوید (شناسه درخواست {request_id}).",
        "en": "{function}: the answer's data is {what}, not what the guide documents for this function (requestId {request_id}).",
    },
    "answer_redirect": {
        "fa": "{path}: سرور با HTTP {status} به نشانی دیگری هدایت کرد (شاید صفحه ورود یک پراکسی)؛ این ردیف ارسال‌شده شمرده نمی‌شود.",
        "en": "{path}: the server redirected elsewhere (HTTP {status}), most likely to a proxy's login page; the row is not counted as sent.",
    },
    "answer_too_large": {
        "fa": "{path}: پاسخ سرور از {mb} مگابایت بزرگ‌تر است و خوانده نشد.",
        "en": "{path}: the server's answer is larger than {mb} MB and was not read.",
    },
    "timed_out": {
        "fa": "{path}: سرور در زمان مقرر پاسخ نداد.",
        "en": "{path}: the server did not answer in time.",
    },
    "connection_error": {
        "fa": "{path}: اتصال به سرور برقرار نشد ({error}).",
        "en": "{path}: could not connect to the server ({error}).",
    },
    "fresh_token_refused": {
        "fa": "{path}: سرور توکن تازه را هم نپذیرفت (HTTP 401).",
        "en": "{path}: the server refused a fresh token (HTTP 401).",
    },
    # -- clock skew and simad doctor --
    "clock_skew_ahead": {
        "fa": "ساعت این رایانه {size} از ساعت سرور جلوتر است",
        "en": "the PC clock is {size} ahead of the server",
    },
    "clock_skew_behind": {
        "fa": "ساعت این رایانه {size} از ساعت سرور عقب‌تر است",
        "en": "the PC clock is {size} behind the server",
    },
    "clock_skew_warning": {
        "fa": "هشدار: {skew}. زمان انقضای توکن با ساعت سرور حساب می‌شود، ولی ساعت و منطقه زمانی این رایانه را درست کنید.",
        "en": "Warning: {skew}. Token expiry is reckoned on the server's clock, but set the PC's clock and time zone right.",
    },
    "duration_hours_minutes": {
        "fa": "{hours} ساعت و {minutes} دقیقه",
        "en": "{hours} hours {minutes} minutes",
    },
    "duration_hours": {"fa": "{hours} ساعت", "en": "{hours} hours"},
    "duration_minutes": {"fa": "{minutes} دقیقه", "en": "{minutes} minutes"},
    "duration_seconds": {"fa": "{seconds} ثانیه", "en": "{seconds} seconds"},
    "doctor_service_simad": {"fa": "سیماد", "en": "SIMAD"},
    "doctor_service_maxa": {"fa": "دیتاس/مکسا", "en": "DITAS/MAXA"},
    "doctor_settings": {"fa": "تنظیمات", "en": "settings"},
    "doctor_credentials": {"fa": "نام کاربری و گذرواژه", "en": "credentials"},
    "doctor_dns": {"fa": "نام سرور (DNS)", "en": "name (DNS)"},
    "doctor_tcp": {"fa": "اتصال (TCP)", "en": "connection (TCP)"},
    "doctor_tls": {"fa": "گواهی (TLS)", "en": "certificate (TLS)"},
    "doctor_proxy": {"fa": "پراکسی", "en": "proxy"},
    "doctor_http": {"fa": "پاسخ HTTP", "en": "HTTP answer"},
    "doctor_clock": {"fa": "ساعت", "en": "clock"},
    "doctor_login": {"fa": "ورود", "en": "login"},
    "doctor_read": {"fa": "یک خواندن بی‌خطر", "en": "a harmless read"},
    "doctor_revoke": {"fa": "باطل کردن توکن", "en": "token revocation"},
    "doctor_ledger": {"fa": "دفتر ثبت", "en": "ledger"},
    "doctor_disk": {"fa": "فضای دیسک", "en": "disk space"},
    "doctor_version": {"fa": "نسخه", "en": "version"},
    "doctor_disk_free": {
        "fa": "{gb} گیگابایت فضای آزاد در {home}",
        "en": "{gb} GB free in {home}",
    },
    "doctor_version_detail": {
        "fa": "simad-sync {version} · پایتون {python} · {os}",
        "en": "simad-sync {version} · Python {python} · {os}",
    },
    "help_cmd_doctor": {
        "fa": "بررسی تنظیمات، راه رسیدن به سرورها (نام، گواهی، پراکسی، ساعت)، ورود و وضعیت محلی؛ هر مورد با گام بعدی. فقط‌خواندنی، جز ورود و باطل کردن توکن (‎--no-login‎ آن را کنار می‌گذارد). کد خروج: ۰ همه درست، ۱ چیزی نیاز به رسیدگی دارد، ۳ سرور در دسترس نیست.",
        "en": "Check the settings, the way to the servers (name, certificate, proxy, clock), the login and the local state, each with the step to take. Read-only but for the login and its token's revocation (--no-login skips them). Exit 0 all hold, 1 something needs attention, 3 a server cannot be reached.",
    },
    "help_doctor_maxa_target": {
        "fa": "مقصد دیتاس/مکسا: sandbox یا نشانی (پیش‌فرض MAXA_TARGET).",
        "en": "The DITAS/MAXA target: sandbox or an address (default MAXA_TARGET).",
    },
    "help_doctor_no_login": {
        "fa": "بدون ورود: هیچ فراخوانی‌ای که فقط‌خواندنی نیست.",
        "en": "Skip the login: no call that is not read-only.",
    },
    "help_doctor_report": {
        "fa": "نوشتن گزارش تشخیصی بدون گذرواژه، توکن یا داده شخصی برای پشتیبانی (‎.json‎ یا متن).",
        "en": "Write a diagnostic report without password, token or personal data, for support (.json or text).",
    },
    "doctor_title": {"fa": "بررسی اتصال و تنظیمات", "en": "Connection and settings check"},
    "doctor_settings_detail": {
        "fa": "مقصد: {target} · SIMAD_HOME: {home}",
        "en": "target: {target} · SIMAD_HOME: {home}",
    },
    "doctor_maxa_target": {"fa": "مقصد مکسا: {target}", "en": "MAXA target: {target}"},
    "doctor_credentials_detail": {
        "fa": "سیماد: {simad} · مکسا: {maxa} (مقدارها نمایش داده نمی‌شوند)",
        "en": "SIMAD: {simad} · MAXA: {maxa} (values never shown)",
    },
    "doctor_source_page": {"fa": "واردشده در همین صفحه", "en": "typed in this page"},
    "doctor_source_environment": {"fa": "از متغیرهای محیطی", "en": "from the environment"},
    "doctor_source_dotenv": {"fa": "از پرونده ‎.env‎", "en": "from the .env file"},
    "doctor_source_keyring": {
        "fa": "از جاکلیدی سیستم (simad login)",
        "en": "from the system keyring (simad login)",
    },
    "doctor_source_sandbox": {"fa": "حساب نمایشی سندباکس", "en": "the sandbox's demo account"},
    "doctor_source_prompt": {
        "fa": "تنظیم نشده (پرسیده می‌شود)",
        "en": "not set (asked for)",
    },
    "doctor_source_none": {"fa": "تنظیم نشده", "en": "not set"},
    "doctor_not_applicable": {
        "fa": "موضوعیت ندارد (سندباکس درون‌برنامه‌ای)",
        "en": "not applicable (embedded sandbox)",
    },
    "doctor_not_reached": {
        "fa": "بررسی نشد: سرور در دسترس نبود",
        "en": "not checked: the server was not reached",
    },
    "doctor_dns_ok": {"fa": "{host} ← {addresses}", "en": "{host} → {addresses}"},
    "doctor_dns_by_proxy": {
        "fa": "این رایانه {host} را نمی‌شناسد؛ پراکسی نام را پیدا می‌کند",
        "en": "this PC cannot resolve {host}; the proxy looks it up",
    },
    "doctor_tcp_ok": {
        "fa": "درگاه {port} در {host} باز است ({ms} میلی‌ثانیه)",
        "en": "port {port} of {host} is open ({ms} ms)",
    },
    "doctor_tcp_proxy": {
        "fa": "پراکسی {host}:{port} در دسترس است ({ms} میلی‌ثانیه)",
        "en": "the proxy {host}:{port} is reachable ({ms} ms)",
    },
    "doctor_tls_ok": {
        "fa": "صادرکننده: {issuer} · اعتبار تا {expires} ({days} روز دیگر) · {trusted}",
        "en": "issued by {issuer} · valid until {expires} ({days} days) · {trusted}",
    },
    "doctor_tls_plain": {
        "fa": "موضوعیت ندارد (http روی همین رایانه)",
        "en": "not applicable (http on this PC)",
    },
    "doctor_tls_insecure": {
        "fa": "بررسی گواهی خاموش است (SIMAD_INSECURE_TLS=1)",
        "en": "certificate verification is off (SIMAD_INSECURE_TLS=1)",
    },
    "doctor_tls_by_proxy": {
        "fa": "از راه پراکسی؛ نتیجه در خط پاسخ HTTP پایین",
        "en": "checked through the proxy: see the HTTP answer below",
    },
    "doctor_trust_system": {
        "fa": "مورد اعتماد مخزن گواهی سیستم",
        "en": "trusted by the system's certificate store",
    },
    "doctor_trust_certifi": {
        "fa": "مورد اعتماد فهرست certifi",
        "en": "trusted by the certifi list",
    },
    "doctor_trust_system_bundle": {
        "fa": "مورد اعتماد مخزن سیستم و SIMAD_CA_BUNDLE",
        "en": "trusted by the system store and SIMAD_CA_BUNDLE",
    },
    "doctor_trust_certifi_bundle": {
        "fa": "مورد اعتماد certifi و SIMAD_CA_BUNDLE",
        "en": "trusted by certifi and SIMAD_CA_BUNDLE",
    },
    "doctor_trust_none": {"fa": "بدون بررسی", "en": "not verified"},
    "doctor_trust_bundle_only": {
        "fa": "فقط با SIMAD_CA_BUNDLE ({bundle}) مورد اعتماد است، نه با مخزن سیستم",
        "en": "trusted only through SIMAD_CA_BUNDLE ({bundle}), not by the system store",
    },
    "doctor_proxy_used": {
        "fa": "از راه {proxy} ({source})",
        "en": "through {proxy} ({source})",
    },
    "doctor_proxy_source_option": {"fa": "گزینه ‎--proxy‎", "en": "the --proxy option"},
    "doctor_proxy_source_simad_proxy": {"fa": "SIMAD_PROXY", "en": "SIMAD_PROXY"},
    "doctor_proxy_source_https_proxy": {"fa": "HTTPS_PROXY", "en": "HTTPS_PROXY"},
    "doctor_proxy_source_all_proxy": {"fa": "ALL_PROXY", "en": "ALL_PROXY"},
    "doctor_proxy_source_system": {
        "fa": "تنظیمات پراکسی سیستم",
        "en": "the system's proxy settings",
    },
    "doctor_proxy_none": {"fa": "بدون پراکسی (اتصال مستقیم)", "en": "none (direct connection)"},
    "doctor_proxy_loopback": {
        "fa": "بدون پراکسی: پراکسی HTTPS_PROXY یا ALL_PROXY برای نشانی خود این رایانه به کار نمی‌رود",
        "en": "none: the HTTPS_PROXY or ALL_PROXY proxy is not used for this computer's own address",
    },
    "doctor_proxy_bypassed": {
        "fa": "بدون پراکسی: این نشانی در NO_PROXY است",
        "en": "none: this address is in NO_PROXY",
    },
    "doctor_http_ok": {
        "fa": "سرور پاسخ داد: HTTP {status} ({ms} میلی‌ثانیه)",
        "en": "the server answered: HTTP {status} ({ms} ms)",
    },
    "doctor_clock_ok": {
        "fa": "هم‌زمان با سرور ({seconds} ثانیه اختلاف)",
        "en": "in step with the server ({seconds} s apart)",
    },
    "doctor_clock_unknown": {
        "fa": "سرور ساعت خود را نگفت (سرآیند Date)",
        "en": "the server did not say its time (Date header)",
    },
    "doctor_login_ok": {
        "fa": "پذیرفته شد؛ توکن بی‌درنگ باطل شد (تنها فراخوانی که فقط‌خواندنی نیست)",
        "en": "accepted; the token was revoked at once (the one call that is not read-only)",
    },
    "doctor_maxa_login_ok": {
        "fa": "توکن دریافت شد",
        "en": "token received",
    },
    "doctor_login_skipped": {
        "fa": "بررسی نشد (‎--no-login‎)",
        "en": "not checked (--no-login)",
    },
    "doctor_no_credentials": {
        "fa": "ورود بررسی نشد: نام کاربری و گذرواژه تنظیم نشده است",
        "en": "login not checked: no credentials are set",
    },
    "doctor_read_empty": {
        "fa": "GetDeclareResidents برای سال {year} و شماره دانشجویی‌ای که وجود ندارد: فهرستی خالی، همان شکلی که ابزار می‌شناسد",
        "en": "GetDeclareResidents for {year} and a student number that cannot exist: an empty list, a shape the tool understands",
    },
    "doctor_read_records": {
        "fa": "GetDeclareResidents: {n} رکورد به شکلی که ابزار می‌شناسد",
        "en": "GetDeclareResidents: {n} records in a shape the tool understands",
        "en_one": "GetDeclareResidents: 1 record in a shape the tool understands",
    },
    "doctor_read_extra": {
        "fa": "GetDeclareResidents فیلدهایی دارد که ابزار انتظارشان را نداشت: {fields}",
        "en": "GetDeclareResidents has fields the tool did not expect: {fields}",
    },
    "doctor_read_unknown_shape": {
        "fa": "GetDeclareResidents رکوردهایی بدون StudentNumber برگرداند: شکل پاسخ شناخته نیست",
        "en": "GetDeclareResidents returned records without a StudentNumber: a shape the tool does not understand",
    },
    "doctor_maxa_read_ok": {
        "fa": "CtsTerminologies: {n} اصطلاح‌نامه ({some}، …)",
        "en": "CtsTerminologies: {n} terminologies ({some}, …)",
        "en_one": "CtsTerminologies: 1 terminology ({some})",
    },
    "doctor_maxa_read_none": {
        "fa": "CtsTerminologies هیچ اصطلاح‌نامه‌ای برنگرداند",
        "en": "CtsTerminologies returned no terminology",
    },
    "doctor_ledger_none": {
        "fa": "هنوز دفتر ثبتی نیست (نخستین ارسال آن را می‌سازد)",
        "en": "no ledger yet (the first submission creates it)",
    },
    "doctor_ledger_ok": {"fa": "باز شد و سالم است: {path}", "en": "opens and is sound: {path}"},
    "doctor_ledger_bad": {
        "fa": "دفتر ثبت خوانده نمی‌شود یا آسیب دیده است: {reason}",
        "en": "the ledger cannot be read or is damaged: {reason}",
    },
    "doctor_fix_home": {
        "fa": "SIMAD_HOME را به پوشه‌ای از آنِ خودتان که قابل نوشتن است بگذارید.",
        "en": "Point SIMAD_HOME at a writable folder of your own.",
    },
    "doctor_fix_settings": {
        "fa": "تنظیم نام‌برده را درست کنید.",
        "en": "Correct the setting named.",
    },
    "doctor_fix_insecure": {
        "fa": "فقط برای تمرین؛ پیش از کار با سرور وزارتخانه SIMAD_INSECURE_TLS را بردارید.",
        "en": "For rehearsals only; remove SIMAD_INSECURE_TLS before working with the ministry.",
    },
    "doctor_fix_cert_soon": {
        "fa": "گواهی سرور به‌زودی منقضی می‌شود؛ به پشتیبانی سرور خبر دهید.",
        "en": "The server's certificate expires soon; tell the server's support.",
    },
    "doctor_fix_clock": {
        "fa": "ساعت، تاریخ و منطقه زمانی (تهران) این رایانه را درست کنید یا هم‌زمان‌سازی خودکار ساعت را روشن کنید.",
        "en": "Set the PC's date, time and time zone (Tehran), or turn on automatic time sync.",
    },
    "doctor_fix_login": {
        "fa": "نام کاربری و گذرواژه را بررسی کنید (SIMAD_USERNAME و SIMAD_PASSWORD).",
        "en": "Check the username and password (SIMAD_USERNAME and SIMAD_PASSWORD).",
        "fa_page": "نام کاربری و گذرواژه را در صفحه «ارسال» دوباره وارد کنید.",
        "en_page": "Type the username and password again on the Submit page.",
    },
    "doctor_fix_read": {
        "fa": "پاسخ سرور آن چیزی نیست که راهنمای وب‌سرویس می‌گوید؛ این گزارش را برای پشتیبانی بفرستید.",
        "en": "The server does not answer as the web-service guide says; send this report to support.",
    },
    "doctor_fix_shape": {
        "fa": "این گزارش را برای پشتیبانی ابزار بفرستید (simad doctor --report).",
        "en": "Send this report to the tool's support (simad doctor --report).",
        "fa_page": "این گزارش را برای پشتیبانی ابزار بفرستید (دکمه «گزارش برای پشتیبانی»).",
        "en_page": 'Send this report to the tool\'s support (the "Report for support" button).',
    },
    "doctor_fix_simad_creds": {
        "fa": "simad login را اجرا کنید، یا SIMAD_USERNAME و SIMAD_PASSWORD را در محیط یا پرونده ‎.env‎ بگذارید، یا doctor را در پنجره فرمان اجرا کنید تا پرسیده شود.",
        "en": "Run simad login, or set SIMAD_USERNAME and SIMAD_PASSWORD in the environment or a .env file, or run doctor in a terminal to be asked.",
        "fa_page": "نام کاربری و گذرواژه را در صفحه «ارسال» وارد کنید.",
        "en_page": "Type the username and password on the Submit page.",
    },
    "doctor_fix_maxa_creds": {
        "fa": "simad login --service maxa را اجرا کنید، یا MAXA_CLIENT_ID، MAXA_CLIENT_SECRET، MAXA_USERNAME، MAXA_PASSWORD و MAXA_PID را در محیط یا پرونده ‎.env‎ بگذارید.",
        "en": "Run simad login --service maxa, or set MAXA_CLIENT_ID, MAXA_CLIENT_SECRET, MAXA_USERNAME, MAXA_PASSWORD and MAXA_PID in the environment or a .env file.",
        "fa_page": "تنظیمات دیتاس/مکسا (MAXA_CLIENT_ID، MAXA_CLIENT_SECRET، MAXA_USERNAME، MAXA_PASSWORD و MAXA_PID) را از مسئول فناوری اطلاعات بخواهید.",
        "en_page": "Ask IT to set the DITAS/MAXA settings (MAXA_CLIENT_ID, MAXA_CLIENT_SECRET, MAXA_USERNAME, MAXA_PASSWORD and MAXA_PID).",
    },
    "doctor_fix_disk": {
        "fa": "فضای دیسک را آزاد کنید یا SIMAD_HOME را به دیسک دیگری ببرید.",
        "en": "Free some disk space, or move SIMAD_HOME to another disk.",
    },
    "doctor_fix_ledger": {
        "fa": "ledger.db را کنار بگذارید (تغییر نام) و این گزارش را برای پشتیبانی بفرستید.",
        "en": "Move ledger.db aside (rename it) and send this report to support.",
    },
    "doctor_report_title": {
        "fa": "گزارش تشخیصی simad-sync (بدون گذرواژه، توکن یا داده شخصی)",
        "en": "simad-sync diagnostic report (no password, token or personal data)",
    },
    "doctor_report_unwritable": {
        "fa": "گزارش در {path} نوشته نشد: {reason}",
        "en": "Could not write the report to {path}: {reason}",
    },
    "doctor_report_written": {"fa": "گزارش نوشته شد: {path}", "en": "Report written: {path}"},
    "doctor_all_hold": {"fa": "همه چیز درست است.", "en": "All checks hold."},
    "doctor_attention": {
        "fa": "{n} مورد نیاز به رسیدگی دارد.",
        "en": "{n} checks need attention.",
        "en_one": "1 check needs attention.",
    },
    "doctor_unreachable": {
        "fa": "راه رسیدن به سرور بسته است (نشانی، گواهی یا پراکسی)؛ گام پیشنهادی بالا را ببینید.",
        "en": "The way to the server is blocked (its address, its certificate or a proxy); see the step above.",
    },
    "ui_nav_connection": {"fa": "اتصال", "en": "Connection"},
    "ui_connection_title": {"fa": "اتصال به سرورها", "en": "Connection to the servers"},
    "ui_connection_hint": {
        "fa": "پیش از ارسال بررسی کنید: نام سرور، گواهی، پراکسی، ساعت، ورود و یک خواندن بی‌خطر. هیچ داده‌ای فرستاده نمی‌شود؛ فقط ورود (و باطل کردن فوری توکن) فقط‌خواندنی نیست.",
        "en": "Check before sending: the server's name, certificate, proxy, clock, login and one harmless read. No data is sent; only the login (and revoking its token at once) is not read-only.",
    },
    "ui_connection_run": {"fa": "بررسی اتصال", "en": "Check the connection"},
    "ui_connection_no_login": {
        "fa": "بدون ورود (هیچ فراخوانی غیرخواندنی)",
        "en": "Without login (no call that is not read-only)",
    },
    "ui_connection_target": {"fa": "مقصد: {target}", "en": "Target: {target}"},
    "ui_connection_not_run": {
        "fa": "هنوز بررسی نشده است.",
        "en": "Not checked yet.",
    },
    "ui_connection_report": {"fa": "گزارش برای پشتیبانی", "en": "Report for support"},
    "ui_connection_col_state": {"fa": "وضعیت", "en": "State"},
    "ui_connection_col_check": {"fa": "بررسی", "en": "Check"},
    "ui_connection_col_found": {"fa": "یافته", "en": "Found"},
    "ui_connection_col_fix": {"fa": "گام بعدی", "en": "Next step"},
    "ui_connection_state_ok": {"fa": "درست", "en": "holds"},
    "ui_connection_state_warn": {"fa": "نیاز به رسیدگی", "en": "needs attention"},
    "ui_connection_state_fail": {"fa": "نادرست", "en": "fails"},
    "ui_connection_state_skip": {"fa": "بررسی‌نشده", "en": "skipped"},
    "run_locked": {
        "fa": "اجرای دیگری ({run_id}، شروع {started}، فرایند {pid}) همین حالا به همین مقصد ارسال می‌کند. صبر کنید تا تمام شود، یا با --wait منتظر بمانید.",
        "en": "Another run ({run_id}, started {started}, process {pid}) is sending to this target right now. Let it finish, or add --wait to wait for it.",
        "fa_page": "اجرای دیگری ({run_id}، شروع {started}، فرایند {pid}) همین حالا به همین مقصد ارسال می‌کند. صبر کنید تا تمام شود، سپس دکمه‌ی «ارسال» را دوباره بزنید.",
        "en_page": "Another run ({run_id}, started {started}, process {pid}) is sending to this target right now. Let it finish, then press 'Send' again.",
    },
    "run_locked_unknown": {
        "fa": "اجرای دیگری همین حالا به {target} ارسال می‌کند. صبر کنید تا تمام شود، یا با --wait منتظر بمانید.",
        "en": "Another run is sending to {target} right now. Let it finish, or add --wait to wait for it.",
        "fa_page": "اجرای دیگری همین حالا به {target} ارسال می‌کند. صبر کنید تا تمام شود، سپس دکمه‌ی «ارسال» را دوباره بزنید.",
        "en_page": "Another run is sending to {target} right now. Let it finish, then press 'Send' again.",
    },
    "internal_error": {
        "fa": "خطای داخلی ابزار ({error})؛ جزئیات در فایل رویدادها.",
        "en": "internal error of the tool ({error}); details in the log file.",
    },
    "report_nor_ledger_written": {
        "fa": "گزارش در {path} نوشته نشد ({reason}) و دفتر ثبت محلی هم نتیجه ردیف‌ها را نگه نداشت. در SIMAD_HOME و پوشه گزارش فضا آزاد کنید و همین فرمان را دوباره اجرا کنید؛ گزارش آن سرنوشت همه ردیف‌ها را می‌گوید.",
        "en": "The report could not be written to {path} ({reason}), and the local ledger could not keep the rows' outcomes either. Free space in SIMAD_HOME and in the report's folder, then run the same command again: its report says what happened to every row.",
    },
    "report_not_written": {
        "fa": "گزارش در {path} نوشته نشد ({reason}). نتیجه همه ردیف‌ها در دفتر ثبت محلی هست؛ پس از آزاد کردن فضا بنویسید: simad runs --report {run_id}",
        "en": "The report could not be written to {path} ({reason}). Every row's outcome is in the local ledger; once there is room, run: simad runs --report {run_id}",
        "fa_page": "گزارش این اجرا نوشته نشد ({reason}). نتیجه همه ردیف‌ها در دفتر ثبت محلی هست و صفحه «اجراها» این اجرا را نشان می‌دهد.",
        "en_page": "This run's report could not be written ({reason}). Every row's outcome is in the local ledger, and the Runs page lists this run.",
    },
    "report_is_dir": {
        "fa": "{path} یک پوشه است؛ نام فایل گزارش (.xlsx) را بدهید.",
        "en": "{path} is a folder; give the report's file name (.xlsx).",
    },
    "report_not_xlsx": {
        "fa": "{path}: گزارش فقط به‌صورت کارپوشه اکسل (.xlsx) نوشته می‌شود، نه {suffix}؛ نامی با پسوند .xlsx بدهید.",
        "en": "{path}: the report is written only as an Excel workbook (.xlsx), not {suffix}; give a name ending in .xlsx.",
    },
    "review_student_none": {
        "fa": "سندباکس برای دانشجوی {student} در سال {year} معرفی‌ای ندارد؛ هیچ چیز تغییر نکرد.",
        "en": "The sandbox holds no declaration of student {student} for year {year}; nothing was changed.",
    },
    "report_folder_unusable": {
        "fa": "در پوشه {folder} نمی‌توان گزارش نوشت ({reason}).",
        "en": "The report cannot be written in {folder} ({reason}).",
    },
    "run_unknown": {
        "fa": "اجرایی با شناسه {run_id} در دفتر ثبت نیست (simad runs فهرست را نشان می‌دهد).",
        "en": "The ledger has no run {run_id} (simad runs lists them).",
        "fa_page": "اجرایی با شناسه {run_id} در دفتر ثبت نیست (صفحه «اجراها» فهرست اجراها را نشان می‌دهد).",
        "en_page": "The ledger has no run {run_id} (the Runs page lists them).",
    },
    "run_no_rows": {
        "fa": "نتیجه ردیف‌های اجرای {run_id} در دفتر ثبت نیست.",
        "en": "The ledger holds no row outcomes for run {run_id}.",
    },
    "run_input_changed": {
        "fa": "فایل «{name}» پس از آن اجرا تغییر کرده یا جابه‌جا شده است؛ گزارش آن اجرا را نمی‌توان دوباره ساخت.",
        "en": "The file “{name}” was changed or moved since that run; its report cannot be rebuilt.",
    },
    "run_input_changed_kept": {
        "fa": "فایل «{name}» که آن اجرا نزد خود نگه داشته بود (در پوشهٔ runs/{run_id} زیر SIMAD_HOME) دیگر نیست یا تغییر کرده است؛ گزارش آن اجرا را نمی‌توان دوباره ساخت.",
        "en": "The file “{name}” that run kept (in runs/{run_id} under SIMAD_HOME) is gone or was changed; its report cannot be rebuilt.",
    },
    "ledger_unusable": {
        "fa": "دفتر ثبت محلی {path} نوشته یا خوانده نشد ({reason}). فضای دیسک و دسترسی SIMAD_HOME را بررسی کنید.",
        "en": "The local ledger {path} cannot be written or read ({reason}). Check the disk space and permissions of SIMAD_HOME.",
    },
    "photo_unreadable": {
        "fa": "عکس {name} خوانده نشد ({reason}).",
        "en": "Photo {name} cannot be read ({reason}).",
    },
    "photo_truncated": {
        "fa": "عکس {name} ناقص است (پایان تصویر JPEG را ندارد)؛ ارسال نشد.",
        "en": "Photo {name} is cut short (no JPEG end of image); not sent.",
    },
    "photo_two": {
        "fa": "برای این دستیار بیش از یک عکس هست ({names})؛ هیچ‌کدام ارسال نشد. فقط یکی را نگه دارید.",
        "en": "More than one photo for this resident ({names}); none sent. Keep only one.",
    },
    "photo_shared": {
        "fa": "نام عکس {name} با بیش از یک دستیار جور است؛ ارسال نشد.",
        "en": "Photo {name} matches more than one resident by its name; not sent.",
    },
    "photo_not_found": {
        "fa": "عکسی که نامش شماره دانشجویی {student} یا کد ملی {national} باشد پیدا نشد؛ عکس ارسال نشد.",
        "en": "Photo not found: no file named with student number {student} or national code {national}; no photo sent.",
    },
    "photo_not_image": {
        "fa": "{name}: فقط عکس JPEG (jpg، jpeg) یا فایل zip عکس‌ها پذیرفته می‌شود.",
        "en": "{name}: only JPEG photos (.jpg, .jpeg) or a .zip of them are accepted.",
    },
    "photo_zip_bad": {
        "fa": "{name}: فایل zip خوانده نشد.",
        "en": "{name}: the .zip file cannot be read.",
    },
    "photo_zip_too_many": {
        "fa": "{name}: بیش از {most} فایل دارد؛ عکس‌ها را در چند zip بفرستید.",
        "en": "{name}: holds more than {most} files; send the photos in several .zip files.",
    },
    "photo_zip_too_big": {
        "fa": "{name}: باز شده‌اش بیش از {mb} مگابایت است؛ پذیرفته نشد.",
        "en": "{name}: more than {mb} MB once unpacked; refused.",
    },
    "photo_zip_unsafe": {
        "fa": "نام {name} در zip به بیرون از پوشه اشاره دارد؛ کنار گذاشته شد.",
        "en": "The name {name} in the .zip points outside its folder; left out.",
    },
    "ui_photos_title": {"fa": "عکس‌ها", "en": "Photos"},
    "ui_photos_summary": {
        "fa": "{present} از {total} دستیار عکس قابل ارسال دارند؛ {missing} بی‌عکس، {unusable} عکس غیرقابل استفاده.",
        "en": "{present} of {total} residents have a photo that can be sent; {missing} without one, {unusable} unusable.",
    },
    "ui_photos_will_send": {
        "fa": "{n} عکس همراه دستیارانش ارسال می‌شود (عکسی که بدون تغییر قبلاً پذیرفته شده دوباره ارسال نمی‌شود).",
        "en": "{n} photos will be sent with their residents (a photo accepted before, unchanged, is not sent again).",
        "en_one": "1 photo will be sent with its resident (a photo accepted before, unchanged, is not sent again).",
    },
    "ui_photos_none": {
        "fa": "عکسی گذاشته نشده است؛ عکس‌ها (JPEG، zip یا یک پوشه) را در صفحه شروع بگذارید.",
        "en": "No photos dropped; drop photos (JPEG, a .zip or a folder) on the start page.",
    },
    "ui_photos_unmatched": {
        "fa": "{n} عکس با هیچ دستیاری جور نیست:",
        "en": "{n} photos match no resident:",
        "en_one": "1 photo matches no resident:",
    },
    "ui_photos_list": {"fa": "عکس هر دستیار", "en": "Each resident's photo"},
    "ui_photo_present": {"fa": "عکس هست", "en": "photo present"},
    "ui_photo_missing": {"fa": "بی‌عکس", "en": "photo missing"},
    "ui_photo_unusable": {"fa": "عکس غیرقابل استفاده", "en": "photo unusable"},
    "ui_photos_kept": {
        "fa": "{n} عکس نگه داشته شده است.",
        "en": "{n} photos kept.",
        "en_one": "1 photo kept.",
    },
    "ui_photos_rule": {
        "fa": "عکس‌ها (JPEG تا ۲ مگابایت، چند فایل، یک zip یا یک پوشه) را هم اینجا بگذارید. عکس هر دستیار با نام فایلش پیدا می‌شود: شماره دانشجویی یا کد ملی او در نام، مانند",
        "en": "Drop photos here too (JPEG up to 2 MB: several files, a .zip or a folder). Each resident's photo is found by its file name: their student number or national code in it, as in",
    },
    "ui_photos_folder": {"fa": "انتخاب پوشه عکس‌ها", "en": "Choose a folder of photos"},
    "ui_upload_progress": {
        "fa": "در حال فرستادن فایل‌ها: {done} از {total}…",
        "en": "Sending the files: {done} of {total}…",
    },
    "ui_upload_failed": {
        "fa": "فرستادن فایل‌ها قطع شد؛ برنامه در دسترس نیست. دوباره بگذارید.",
        "en": "Sending the files stopped: the app cannot be reached. Drop them again.",
    },
    "ui_photos_full": {
        "fa": "عکس‌های یک کارپوشه روی هم بیش از {mb} مگابایت نمی‌شود؛ عکس‌های کوچک‌تری بگذارید یا عکس‌های پیشین را حذف کنید.",
        "en": "The photos of one workbook take at most {mb} MB together; drop smaller photos or remove the earlier ones.",
    },
    "ui_photos_accepted": {
        "fa": "{n} عکس را این مقصد پیش‌تر بدون تغییر پذیرفته است و دوباره ارسال نمی‌شود.",
        "en": "{n} photos were accepted unchanged by this target before and are not sent again.",
        "en_one": "1 photo was accepted unchanged by this target before and is not sent again.",
    },
    "ui_photos_remove": {"fa": "حذف عکس‌ها", "en": "Remove the photos"},
    "ui_photos_add": {"fa": "افزودن عکس در صفحه شروع", "en": "Add photos on the start page"},
    "ui_unsaved_photos": {
        "fa": "{n} عکسی که برای این کارپوشه گذاشته‌اید هم حذف می‌شود.",
        "en": "The {n} photos dropped for it are removed too.",
        "en_one": "The photo dropped for it is removed too.",
    },
    "ui_photos_example_student": {"fa": "14010007.jpg", "en": "14010007.jpg"},
    "ui_photos_example_national": {"fa": "0012345678.jpeg", "en": "0012345678.jpeg"},
    "ui_photos_sent": {"fa": "عکس ارسال‌شده", "en": "Photos sent"},
    "ui_col_resident": {"fa": "دستیار", "en": "Resident"},
    "ui_col_photo": {"fa": "عکس", "en": "Photo"},
    "target_has_credentials": {
        "fa": "نشانی مقصد نباید نام کاربری یا رمز داشته باشد؛ نشانی را بدون آن‌ها بدهید ({url}) و نام کاربری و رمز را در SIMAD_USERNAME و SIMAD_PASSWORD (یا فایل .env) بگذارید.",
        "en": "The target address must not hold a user name or password: give it without them ({url}) and put them in SIMAD_USERNAME and SIMAD_PASSWORD (or a .env file).",
    },
    "home_unusable": {
        "fa": "پوشه SIMAD_HOME ({path}) ساخته یا نوشته نمی‌شود ({reason}).",
        "en": "The SIMAD_HOME folder ({path}) cannot be created or written ({reason}).",
    },
    "home_not_folder": {
        "fa": "{path} پوشه نیست، ولی برنامه آن را پوشه‌ای از SIMAD_HOME می‌خواهد. آن را جابه‌جا یا پاک کنید، یا SIMAD_HOME را جای دیگری بگذارید.",
        "en": "{path} is not a folder, but the tool needs it as a folder of SIMAD_HOME. Move or remove it, or point SIMAD_HOME elsewhere.",
    },
    "home_not_file": {
        "fa": "{path} فایل معمولی نیست، ولی برنامه آن را فایلی از SIMAD_HOME می‌خواهد. آن را جابه‌جا یا پاک کنید، یا SIMAD_HOME را جای دیگری بگذارید.",
        "en": "{path} is not a plain file, but the tool needs it as a file of SIMAD_HOME. Move or remove it, or point SIMAD_HOME elsewhere.",
    },
    "home_foreign": {
        "fa": "{path} از آنِ کاربر دیگری ({owner}) است؛ برنامه داده‌های شخصی را در SIMAD_HOME نگه می‌دارد و از آن استفاده نمی‌کند. SIMAD_HOME را پوشه‌ای از خودتان بگذارید، یا از صاحب آن بخواهید پاکش کند.",
        "en": "{path} belongs to another user ({owner}): the tool keeps personal data in SIMAD_HOME and will not use it. Point SIMAD_HOME at a folder of your own, or have its owner remove it.",
    },
    "home_open_to_others": {
        "fa": "{path} را کاربران دیگر می‌توانند بخوانند یا بنویسند و نمی‌توان آن را فقط در دسترس شما گذاشت ({reason}). SIMAD_HOME را پوشه‌ای از خودتان بگذارید.",
        "en": "{path} can be read or written by other users and cannot be made private to you ({reason}). Point SIMAD_HOME at a folder of your own.",
    },
    "bad_option_choice": {
        "fa": "{name} «{value}» پذیرفتنی نیست: یکی از {choices} را بدهید.",
        "en": "{name} '{value}' cannot be used: give one of {choices}.",
    },
    "bad_option_seconds": {
        "fa": "{name} «{value}» پذیرفتنی نیست: ثانیه‌هایی بیشتر از صفر و تا {most} بدهید.",
        "en": "{name} '{value}' cannot be used: give seconds above zero, {most} at most.",
    },
    "bad_option_count": {
        "fa": "{name} «{value}» پذیرفتنی نیست: عددی درست از صفر تا {most} بدهید.",
        "en": "{name} '{value}' cannot be used: give a whole number from zero to {most}.",
    },
    "bad_option_number": {
        "fa": "{name} «{value}» پذیرفتنی نیست: عددی از صفر به بالا بدهید.",
        "en": "{name} '{value}' cannot be used: give a number of zero or more.",
    },
    "bad_timeout": {
        "fa": "{name} باید عددی بین {low} و {high} (ثانیه) باشد، نه «{value}».",
        "en": "{name} must be a number of seconds between {low} and {high}, not '{value}'.",
    },
    "file_link_loop": {
        "fa": "{path}: پیوند نمادین به خودش برمی‌گردد (حلقه)؛ فایل واقعی را بدهید.",
        "en": "{path}: a symbolic link that loops back on itself; give the real file.",
    },
    "file_is_folder": {
        "fa": "{path} یک پوشه است، نه فایل؛ فایل xlsx، ods یا csv درون آن را بدهید.",
        "en": "{path} is a folder, not a file; give the .xlsx, .ods or .csv file inside it.",
    },
    "file_not_regular": {
        "fa": "{path}: فایل معمولی نیست (دستگاه یا لوله).",
        "en": "{path}: not a regular file (a device or a pipe).",
    },
    "file_too_big": {
        "fa": "{path}: فایل {mb} مگابایت است؛ بیشتر از {limit} مگابایت پذیرفته نیست. آن را به چند فایل تقسیم کنید.",
        "en": "{path}: the file is {mb} MB; more than {limit} MB is not accepted. Split it into several files.",
    },
    "file_old_xls": {
        "fa": "{path}: این فایل در واقع کارپوشه قدیمی اکسل ۹۷–۲۰۰۳ (.xls) است که پسوندش عوض شده. آن را در اکسل باز کنید و با «ذخیره به نام» به‌صورت .xlsx ذخیره کنید.",
        "en": "{path}: this is really an old Excel 97–2003 workbook (.xls) with another extension. Open it in Excel and use Save As → .xlsx.",
    },
    "file_not_spreadsheet": {
        "fa": "{path}: محتوای فایل با پسوند {suffix} نمی‌خواند (فایل صفحه‌گسترده نیست یا ناقص است).",
        "en": "{path}: the content does not match its {suffix} extension (not a spreadsheet, or a damaged one).",
    },
    "sheet_too_long": {
        "fa": "{path} › {sheet}: برگه {rows} ردیف دارد؛ بیش از {limit} ردیف پذیرفته نیست. آن را به چند فایل تقسیم کنید.",
        "en": "{path} › {sheet}: the sheet has {rows} rows; more than {limit} are not accepted. Split it into several files.",
    },
    "sheet_too_wide": {
        "fa": "{path} › {sheet}: برگه {columns} ستون پر دارد؛ بیش از {limit} ستون پذیرفته نیست. ستون‌های اضافه را حذف کنید.",
        "en": "{path} › {sheet}: the sheet has {columns} filled columns; more than {limit} are not accepted. Delete the extra columns.",
    },
    "csv_mixed_encoding": {
        "fa": "{path}: بخشی از فایل UTF-8 است و از سطر {line} به بعد کدگذاری دیگری دارد (شاید دو خروجی به هم چسبانده شده). فایل را یک‌دست با UTF-8 ذخیره کنید.",
        "en": "{path}: part of the file is UTF-8 and line {line} is in another encoding (two exports pasted together?). Save the whole file as UTF-8.",
    },
    "csv_bad_field": {
        "fa": "{path}: سطر {line}، ستون {column}: خوانده نشد ({reason}).",
        "en": "{path}: line {line}, column {column}: cannot be read ({reason}).",
    },
    "csv_too_many_cells": {
        "fa": "{path}: تا سطر {line} فایل {cells} خانه دارد؛ بیش از {limit} خانه پذیرفته نیست. آن را به چند فایل تقسیم کنید.",
        "en": "{path}: by line {line} the file holds {cells} cells; more than {limit} are not accepted. Split it into several files.",
    },
    "csv_line_too_long": {
        "fa": "{path}: سطر {line} بیش از {mb} مگابایت است و پذیرفته نیست (فایل CSV نیست یا آسیب دیده است).",
        "en": "{path}: line {line} is longer than {mb} MB, which is not accepted (not a CSV, or a damaged one).",
    },
    "file_old_biff": {
        "fa": "{path}: کارپوشه اکسل ۵ یا ۹۵ یا قدیمی‌تر است و پذیرفته نیست. آن را در اکسل باز کنید و با «ذخیره به نام» به‌صورت .xlsx ذخیره کنید.",
        "en": "{path}: a workbook of Excel 5.0/95 or older, which is not accepted. Open it in Excel and use Save As → .xlsx.",
    },
    "file_xlsb": {
        "fa": "{path}: کارپوشه دودویی اکسل (.xlsb) پذیرفته نیست. آن را در اکسل باز کنید و با «ذخیره به نام» به‌صورت .xlsx ذخیره کنید.",
        "en": "{path}: binary Excel workbooks (.xlsb) are not accepted. Open it in Excel and use Save As → .xlsx.",
    },
    "file_too_many_parts": {
        "fa": "{path}: کارپوشه {count} بخش دارد؛ بیش از {limit} بخش پذیرفته نیست (فایل آسیب دیده است یا کارپوشه نیست).",
        "en": "{path}: the workbook holds {count} parts; more than {limit} are not accepted (a damaged file, or not a workbook).",
    },
    "file_part_too_big": {
        "fa": "{path}: بخش {part} کارپوشه باز شده بیش از {limit} مگابایت است و پذیرفته نیست (فایل آسیب دیده است یا بمب فشرده).",
        "en": "{path}: part {part} of the workbook unpacks to more than {limit} MB, which is not accepted (a damaged file, or a zip bomb).",
    },
    "file_part_ratio": {
        "fa": "{path}: بخش {part} کارپوشه {ratio} به ۱ فشرده شده است؛ بیش از {limit} به ۱ پذیرفته نیست (بمب فشرده، یا برگه‌ای پر از قالب‌بندی تکراری: ردیف‌ها و ستون‌های خالی را حذف و دوباره ذخیره کنید).",
        "en": "{path}: part {part} of the workbook is packed {ratio}:1; more than {limit}:1 is not accepted (a zip bomb, or a sheet of repeated formatting: delete the empty rows and columns and save again).",
    },
    "file_unpacked_too_big": {
        "fa": "{path}: کارپوشه باز شده بیش از {limit} مگابایت است؛ آن را به چند فایل تقسیم کنید.",
        "en": "{path}: the workbook unpacks to more than {limit} MB; split it into several files.",
    },
    "file_part_damaged": {
        "fa": "{path}: بخش {part} کارپوشه آسیب دیده است ({reason}). فایل را در اکسل باز کنید و دوباره ذخیره کنید.",
        "en": "{path}: part {part} of the workbook is damaged ({reason}). Open the file in Excel and save it again.",
    },
    "file_markup_run": {
        "fa": "{path}: بخش {part} {mb} مگابایت بدون نشانه‌گذاری دارد (رشته‌ای از فاصله‌ها یا یک مقدار بسیار بزرگ)؛ بیش از {limit} مگابایت پذیرفته نیست. فایل را در اکسل باز کنید و دوباره ذخیره کنید.",
        "en": "{path}: part {part} holds {mb} MB without markup (a run of blanks, or one enormous value); more than {limit} MB is not accepted. Open the file in Excel and save it again.",
    },
    "sheet_too_many_cells": {
        "fa": "{path} › {sheet}: برگه تا ردیف {row} و ستون {column} می‌رسد، یعنی {cells} خانه با خانه‌های خالی میان آن‌ها؛ بیش از {limit} خانه پذیرفته نیست. اگر ردیف‌های زیر داده‌ها یا ستون‌های پس از آن فقط فاصله یا قالب‌بندی دارند، آن‌ها را حذف کنید (انتخاب، کلیک راست، «حذف») و دوباره ذخیره کنید؛ وگرنه فایل را تقسیم کنید.",
        "en": "{path} › {sheet}: the sheet reaches row {row} and column {column}, {cells} cells counting the empty ones between; more than {limit} are not accepted. If the rows below the data or the columns after it hold only spaces or formatting, delete them (select, right-click, Delete) and save again; otherwise split the file.",
    },
    "book_too_many_cells": {
        "fa": "{path}: برگه‌ها روی هم {cells} خانه دارند (با خانه‌های خالی میان آن‌ها)؛ بیش از {limit} خانه پذیرفته نیست. برگه‌های غیرلازم را حذف یا فایل را تقسیم کنید.",
        "en": "{path}: the sheets reach {cells} cells in all, counting the empty ones between; more than {limit} are not accepted. Delete the sheets you do not need, or split the file.",
    },
    "cell_too_long": {
        "fa": "{path} › {sheet}، ردیف {row}، ستون {column}: خانه {chars} نویسه دارد؛ بیش از {limit} نویسه (حد خود اکسل) پذیرفته نیست.",
        "en": "{path} › {sheet}, row {row}, column {column}: the cell holds {chars} characters; more than {limit} (Excel's own limit) are not accepted.",
    },
    "text_too_long": {
        "fa": "{path}: بخش {part} متنی با {chars} نویسه دارد؛ یک خانه حداکثر {limit} نویسه می‌گیرد.",
        "en": "{path}: part {part} holds a text of {chars} characters; a cell holds at most {limit}.",
    },
    "text_count": {
        "fa": "{path}: بخش {part} {count} متن دارد؛ بیش از {limit} پذیرفته نیست.",
        "en": "{path}: part {part} lists {count} texts; more than {limit} are not accepted.",
    },
    "book_too_much_text": {
        "fa": "{path}: خانه‌ها روی هم {mb} مگابایت متن دارند؛ بیش از {limit} مگابایت پذیرفته نیست. فایل را تقسیم کنید.",
        "en": "{path}: the cells hold {mb} MB of text in all; more than {limit} MB is not accepted. Split the file.",
    },
    "duplicate_header": {
        "fa": "{path} › {sheet}، سطر {row}: ستون‌های {first} و {second} هر دو «{header}» هستند؛ معلوم نیست کدام درست است. یکی را حذف یا نامش را عوض کنید.",
        "en": "{path} › {sheet}, row {row}: columns {first} and {second} both hold '{header}'; which one is meant cannot be told. Delete or rename one.",
    },
    "report_write_failed": {
        "fa": "گزارش در {path} نوشته نشد ({reason}).",
        "en": "The report could not be written to {path} ({reason}).",
    },
    # -- files the office has open, output paths, a home on a network share --
    "file_was_open": {
        "fa": "{path} باز است (شاید در اکسل) و جایگزین نشد؛ در {written} نوشته شد.",
        "en": "{path} is open (in Excel?) and could not be replaced; written to {written} instead.",
    },
    "out_is_dir": {
        "fa": "{path} یک پوشه است؛ نام فایل ({suffixes}) را بدهید.",
        "en": "{path} is a folder; give a file name ({suffixes}).",
    },
    "out_bad_suffix": {
        "fa": "{path}: فقط فایل {suffixes} نوشته می‌شود، نه {suffix}.",
        "en": "{path}: only a {suffixes} file is written, not {suffix}.",
    },
    "out_folder_is_file": {
        "fa": "{folder} یک فایل است، نه پوشه؛ نمی‌توان در آن نوشت.",
        "en": "{folder} is a file, not a folder; nothing can be written in it.",
    },
    "out_write_failed": {
        "fa": "{path} نوشته نشد ({reason}).",
        "en": "{path} could not be written ({reason}).",
    },
    "network_drive": {"fa": "درایو شبکه {drive}", "en": "network drive {drive}"},
    "home_on_network": {
        "fa": "پوشه داده‌ها ({path}) روی یک پوشه شبکه است ({kind})؛ پایگاه داده دفتر (SQLite) آنجا امن نیست و ممکن است خراب شود. SIMAD_HOME را پوشه‌ای روی همین رایانه بگذارید.",
        "en": "The data folder ({path}) is on a network share ({kind}); the office's database (SQLite) is not safe there and may be corrupted. Set SIMAD_HOME to a folder on this computer.",
    },
    "first_contact_failed": {
        "fa": "به {url} وصل نشد ({error}): نشانی را بررسی کنید، یا سرور خاموش یا از این شبکه در دسترس نیست.",
        "en": "Could not connect to {url} ({error}): check the address; the server may be down or not reachable from this network.",
    },
    # -- reaching a server: trust store, CA bundle, proxies, failures named --
    "ca_bundle_unusable": {
        "fa": "فایل گواهی‌ها (SIMAD_CA_BUNDLE / --ca-bundle) {path} به کار نمی‌آید ({reason}). فایلی با قالب PEM که گواهی مرجع (CA) را دارد بدهید.",
        "en": "The certificate file (SIMAD_CA_BUNDLE / --ca-bundle) {path} cannot be used ({reason}). Give a PEM file that holds the issuing CA's certificate.",
    },
    "ca_bundle_not_pem": {
        "fa": "گواهی PEM در آن نیست",
        "en": "it holds no PEM certificate",
    },
    "insecure_tls_on": {
        "fa": "هشدار: SIMAD_INSECURE_TLS=1 — گواهی {host} بررسی نمی‌شود. این فقط برای تمرین با سرور آزمایشی است؛ برای ارسال واقعی آن را بردارید.",
        "en": "Warning: SIMAD_INSECURE_TLS=1 — the certificate of {host} is not checked. This is for rehearsals against a stand-in only; remove it for real submissions.",
    },
    "insecure_tls_refused": {
        "fa": "SIMAD_INSECURE_TLS=1 برای سرور وزارت ({host}) پذیرفته نیست: گواهی آن همیشه بررسی می‌شود. اگر گواهی مورد اعتماد نیست، گواهی مرجع را در ویندوز نصب کنید یا SIMAD_CA_BUNDLE را تنظیم کنید.",
        "en": "SIMAD_INSECURE_TLS=1 is refused for the ministry's server ({host}): its certificate is always checked. If it is not trusted, install the issuing CA in Windows or set SIMAD_CA_BUNDLE.",
    },
    "help_ca_bundle": {
        "fa": "فایل PEM گواهی‌های مرجع (CA) که علاوه بر گواهی‌های سیستم مورد اعتمادند (SIMAD_CA_BUNDLE).",
        "en": "PEM file of CA certificates to trust besides the system's (SIMAD_CA_BUNDLE).",
    },
    "help_proxy": {
        "fa": "پروکسی برای سیماد و دیتاس: http://[USER:PASSWORD@]host:port (SIMAD_PROXY).",
        "en": "Proxy for SIMAD and DITAS: http://[USER:PASSWORD@]host:port (SIMAD_PROXY).",
    },
    "help_tls_cert": {
        "fa": "با این گواهی (PEM) روی HTTPS پاسخ بده؛ --tls-key هم لازم است.",
        "en": "Serve HTTPS with this certificate (PEM); needs --tls-key.",
    },
    "help_tls_key": {
        "fa": "کلید خصوصی (PEM) گواهی --tls-cert.",
        "en": "The private key (PEM) of --tls-cert.",
    },
    "sandbox_tls_pair": {
        "fa": "--tls-cert و --tls-key با هم لازم‌اند.",
        "en": "--tls-cert and --tls-key go together.",
    },
    "sandbox_tls_missing": {
        "fa": "فایل {path} پیدا نشد.",
        "en": "The file {path} was not found.",
    },
    "proxy_source_system": {
        "fa": "تنظیمات پروکسی سیستم",
        "en": "the system's proxy settings",
    },
    "bad_proxy": {
        "fa": "نشانی پروکسی در {name} درست نیست: «{value}». نمونه: http://proxy.example:8080 (نام کاربری و گذرواژه، اگر لازم است، به شکل USER:PASSWORD@ پیش از نام میزبان).",
        "en": "The proxy address in {name} is not valid: '{value}'. For example http://proxy.example:8080 (a user and password, if needed, as USER:PASSWORD@ before the host name).",
    },
    "conn_dns": {
        "fa": "به {url} وصل نشد: نام {host} در DNS پیدا نشد.",
        "en": "Could not connect to {url}: the name {host} was not found (DNS).",
    },
    "conn_fix_dns": {
        "fa": "نشانی را از نظر غلط تایپی بررسی کنید؛ اگر درست است، DNS این شبکه آن را نمی‌شناسد: از واحد فناوری بپرسید، یا اگر شبکه با پروکسی به اینترنت می‌رود آن را با --proxy یا SIMAD_PROXY بدهید.",
        "en": "Check the address for typing errors; if it is right, this network's DNS does not know it: ask IT, or if this network reaches the internet through a proxy, give it with --proxy or SIMAD_PROXY.",
    },
    "conn_refused": {
        "fa": "به {url} وصل نشد: {host} اتصال به درگاه {port} را رد کرد (چیزی روی این درگاه پاسخ نمی‌دهد).",
        "en": "Could not connect to {url}: {host} refused the connection on port {port} (nothing accepts connections there).",
    },
    "conn_fix_refused": {
        "fa": "نشانی و درگاه را بررسی کنید؛ ممکن است سرور خاموش باشد یا دیواره آتش اتصال را رد کند.",
        "en": "Check the address and port; the server may be down, or a firewall refuses the connection.",
    },
    "conn_timeout": {
        "fa": "به {url} وصل نشد: {host} روی درگاه {port} در زمان مقرر پاسخی نداد.",
        "en": "Could not connect to {url}: no answer from {host} on port {port} in the time allowed.",
    },
    "conn_fix_timeout": {
        "fa": "ممکن است شبکه یا دیواره آتش این ارتباط را بی‌پاسخ بگذارد یا پروکسی لازم باشد: از واحد فناوری بپرسید (--proxy یا SIMAD_PROXY)؛ SIMAD_TIMEOUT زمان بیشتری می‌دهد.",
        "en": "The network or a firewall may drop the traffic, or a proxy may be needed: ask IT (--proxy or SIMAD_PROXY); SIMAD_TIMEOUT allows more time.",
    },
    "conn_untrusted": {
        "fa": "به {url} وصل نشد: گواهی سرور برای این رایانه مورد اعتماد نیست (صادرکننده: {issuer}؛ برای: {subject}؛ معتبر تا {expires}). سرور خاموش نیست.",
        "en": "Could not connect to {url}: the server's certificate is not trusted on this PC (issued by {issuer} to {subject}, valid until {expires}). The server is not down.",
    },
    "conn_fix_untrusted": {
        "fa": "گواهی مرجع صادرکننده ({issuer}) را در ویندوز (Trusted Root Certification Authorities) نصب کنید، یا SIMAD_CA_BUNDLE (یا --ca-bundle) را به فایل PEM آن گواهی تنظیم کنید.",
        "en": "Install the issuing CA ({issuer}) in Windows (Trusted Root Certification Authorities), or set SIMAD_CA_BUNDLE (or --ca-bundle) to a PEM file that holds it.",
    },
    "conn_wrong_name": {
        "fa": "به {url} وصل نشد: گواهی سرور برای نام دیگری است ({names})، نه برای {host} (صادرکننده: {issuer}).",
        "en": "Could not connect to {url}: the server's certificate is for another name ({names}), not for {host} (issued by {issuer}).",
    },
    "conn_fix_wrong_name": {
        "fa": "نشانی را بررسی کنید: باید یکی از نام‌های گواهی باشد. اگر پروکسی شبکه ارتباط را باز می‌کند و گواهی خودش را نشان می‌دهد، از واحد فناوری بپرسید.",
        "en": "Check the address: it must be one of the names the certificate gives. If this network's proxy inspects traffic and shows its own certificate, ask IT.",
    },
    "conn_expired": {
        "fa": "به {url} وصل نشد: گواهی سرور در {expires} منقضی شده است (صادرکننده: {issuer}؛ برای: {subject}).",
        "en": "Could not connect to {url}: the server's certificate expired on {expires} (issued by {issuer} to {subject}).",
    },
    "conn_fix_expired": {
        "fa": "اگر تاریخ و ساعت این رایانه درست است، گواهی سرور باید تمدید شود (به پشتیبانی سرور خبر دهید)؛ اگر نادرست است، آن را درست کنید.",
        "en": "If this PC's date and time are right, the server's certificate must be renewed (tell whoever runs the server); if they are wrong, correct them.",
    },
    "conn_tls": {
        "fa": "به {url} وصل نشد: ارتباط امن (TLS) برقرار نشد ({reason}).",
        "en": "Could not connect to {url}: the secure (TLS) connection failed ({reason}).",
    },
    "conn_fix_tls": {
        "fa": "نشانی (https) و درگاه را بررسی کنید؛ اگر درست است، از واحد فناوری بپرسید که آیا چیزی در شبکه ارتباط امن را تغییر می‌دهد.",
        "en": "Check the address (https) and port; if they are right, ask IT whether something on the network interferes with secure connections.",
    },
    "conn_proxy_auth": {
        "fa": "به {url} وصل نشد: پروکسی {proxy} (از {source}) نام کاربری و گذرواژه می‌خواهد (HTTP 407).",
        "en": "Could not connect to {url}: the proxy {proxy} (from {source}) asks for a login (HTTP 407).",
    },
    "conn_fix_proxy_auth": {
        "fa": "نام کاربری و گذرواژه پروکسی را در نشانی آن، به شکل USER:PASSWORD@ پیش از نام میزبان، در --proxy یا SIMAD_PROXY بدهید (هرگز نشان داده نمی‌شوند)؛ یا از واحد فناوری بپرسید.",
        "en": "Give the proxy's user and password in its address, as USER:PASSWORD@ before the host name, in --proxy or SIMAD_PROXY (they are never shown); or ask IT.",
    },
    "conn_proxy_login_refused": {
        "fa": "به {url} وصل نشد: پروکسی {proxy} (از {source}) نام کاربری و گذرواژه‌ای را که داده شد نپذیرفت (HTTP 407).",
        "en": "Could not connect to {url}: the proxy {proxy} (from {source}) refused the user and password given (HTTP 407).",
    },
    "conn_fix_proxy_login_refused": {
        "fa": "نام کاربری و گذرواژه پروکسی را در --proxy یا SIMAD_PROXY بازبینی کنید (حروف ویژه گذرواژه باید به شکل %XX نوشته شوند، مثلاً @ به صورت %40)؛ یا از واحد فناوری بپرسید.",
        "en": "Check the proxy's user and password in --proxy or SIMAD_PROXY (special characters in the password must be written as %XX, e.g. @ as %40); or ask IT.",
    },
    "conn_proxy_refused": {
        "fa": "به {url} وصل نشد: پروکسی {proxy} (از {source}) راه {host} را نداد ({status}). پاسخ از پروکسی است، نه از سرور.",
        "en": "Could not connect to {url}: the proxy {proxy} (from {source}) did not let the connection to {host} through ({status}). This answer is the proxy's, not the server's.",
    },
    "conn_fix_proxy_refused": {
        "fa": "از واحد فناوری بپرسید که آیا پروکسی اجازه رفتن به {host} را می‌دهد، یا تنظیم پروکسی ({source}) را بررسی کنید.",
        "en": "Ask IT whether the proxy lets this PC reach {host}, or check the proxy setting ({source}).",
    },
    "conn_proxy_page": {
        "fa": "به {url} وصل نشد: پروکسی {proxy} (از {source}) به‌جای پاسخ سرور صفحه خودش را فرستاد (این پاسخ API نیست).",
        "en": "Could not connect to {url}: the proxy {proxy} (from {source}) answered with its own page instead of the server's answer (not the API).",
    },
    "conn_fix_proxy_page": {
        "fa": "نشانی را در مرورگر همین رایانه باز کنید تا صفحه پروکسی (ورود یا مسدود بودن) را ببینید، و از واحد فناوری بخواهید راه {host} را باز کند.",
        "en": "Open the address in a browser on this PC to see the proxy's page (a login or a block), and ask IT to let {host} through.",
    },
    "conn_other": {
        "fa": "به {url} وصل نشد ({reason}).",
        "en": "Could not connect to {url} ({reason}).",
    },
    "conn_fix_other": {
        "fa": "نشانی را بررسی کنید، یا سرور خاموش یا از این شبکه در دسترس نیست.",
        "en": "Check the address; the server may be down or not reachable from this network.",
    },
    "answer_proxy_page": {
        "fa": "{path}: پاسخ HTTP {status} ({kind}) از پروکسی {proxy} است، نه پاسخ API سرور (صفحه ورود یا مسدودی پروکسی)؛ سطر ارسال‌شده حساب نمی‌شود.",
        "en": "{path}: the HTTP {status} answer ({kind}) is the proxy {proxy}'s own page, not the API's answer (a proxy login or block page); the row is not counted as sent.",
    },
    "course_table_unusable": {
        "fa": "جدول کدهای رشته {path} خوانده نشد ({reason}). یک فایل CSV با ستون code لازم است.",
        "en": "The course-code table {path} cannot be used ({reason}). A CSV file with a 'code' column is needed.",
    },
    "not_loopback": {
        "fa": "هشدار: سندباکس روی نشانی {host} در دسترس دیگران است.",
        "en": "Warning: the sandbox on {host} is reachable by other machines.",
    },
    # -- the web app (simad ui) -------------------------------------------------------------
    "not_sent_stopped": {
        "fa": "ارسال نشد: ارسال با دکمه «توقف» متوقف شد.",
        "en": "Not sent: the submission was stopped with Stop.",
    },
    "corrected_unsupported": {
        "fa": "{path}: اصلاح در همین قالب فقط برای .xlsx، .xlsm و .csv ممکن است؛ گزارش را بگیرید که مقدارهای اصلاح‌شده را دارد.",
        "en": "{path}: the corrected file can be written only as .xlsx, .xlsm or .csv; download the report, which carries the corrected values.",
    },
    "file_not_written": {
        "fa": "فایل {path} نوشته نشد ({reason}).",
        "en": "The file {path} could not be written ({reason}).",
    },
    "ui_app_name": {"fa": "سیماد سینک", "en": "simad-sync"},
    "ui_started": {
        "fa": "این نشانی را در مرورگر باز کنید (فقط یک بار کار می‌کند). برای پایان Ctrl+C را بزنید.",
        "en": "Open this address in a browser (it works once). Press Ctrl+C to stop.",
    },
    "bad_latency": {
        "fa": "{name}: تأخیر سندباکس «{value}» پذیرفتنی نیست: میلی‌ثانیه‌ای بین {low} و {high} بدهید.",
        "en": "{name}: the sandbox latency '{value}' cannot be used: give milliseconds between {low} and {high}.",
    },
    "bad_max_rate": {
        "fa": "{name}: سقف سرعت «{value}» پذیرفتنی نیست: عددی بین {low} و {high} (درخواست در ثانیه) بدهید، مانند ۲۰.",
        "en": "{name}: the rate cap '{value}' cannot be used: give a number of requests per second between {low} and {high}, such as 20.",
    },
    "progress_pace": {"fa": "{rate} درخواست در ثانیه", "en": "{rate} req/s"},
    "ui_stopped": {
        "fa": "برنامه بسته شد. کارپوشهٔ باز، اصلاح‌هایش و عکس‌ها نگه داشته شدند و با اجرای دوبارهٔ simad ui برمی‌گردند؛ رونوشت‌های موقت این نوبت پاک شدند.",
        "en": "The app has stopped. The open workbook, its corrections and its photos are kept and come back when simad ui starts again; this session's temporary copies were removed.",
    },
    "ui_run_cut": {
        "fa": "ارسال {run} با بسته‌شدن برنامه قطع شد: {n} ردیف ارسال نشد. آن‌ها را پس از اجرای دوباره از صفحهٔ «ارسال» بفرستید.",
        "en": "Submission {run} was interrupted by closing the app: {n} rows were not sent. Send them from the Submit page after starting again.",
        "en_one": "Submission {run} was interrupted by closing the app: 1 row was not sent. Send it from the Submit page after starting again.",
    },
    "ui_way_back_console": {
        "fa": "مرورگر را بستید؟ میان‌بُر سیماد سینک را دوباره باز کنید (یا دوباره simad ui): همین برنامه در زبانه‌ای تازه باز می‌شود و کارش نمی‌ایستد.",
        "en": "Closed the browser? Open the simad-sync shortcut again (or simad ui again): this same app opens in a new tab, and its work goes on.",
    },
    "ui_again_opened": {
        "fa": "سیماد سینک روی این رایانه در حال کار است؛ در زبانه‌ای تازه باز شد و کارش ادامه دارد. این پنجره را می‌توانید ببندید.",
        "en": "simad-sync is already running on this PC; it was opened in a new tab and its work goes on. You can close this window.",
    },
    "ui_again_address": {
        "fa": "سیماد سینک روی این رایانه در حال کار است؛ نشانی بالا را در مرورگر باز کنید تا به آن برگردید (فقط یک بار کار می‌کند). کارش ادامه دارد.",
        "en": "simad-sync is already running on this PC; open the address above in a browser to return to it (it works once). Its work goes on.",
    },
    "ui_way_back": {
        "fa": "اگر مرورگر را بستید، میان‌بُر سیماد سینک را دوباره باز کنید: به همین برنامه برمی‌گردید، بدون ورود دوباره، و کاری که در جریان است نمی‌ایستد.",
        "en": "If you close the browser, open the simad-sync shortcut again: you come back to this same app, signed in, and nothing under way stops.",
    },
    "ui_exposed": {
        "fa": "هشدار: برنامه روی {host} گوش می‌دهد و از رایانه‌های دیگر شبکه هم در دسترس است؛ فقط در شبکه‌ای که به آن اعتماد دارید.",
        "en": "Warning: the app listens on {host} and can be reached from other computers on the network; only on a network you trust.",
    },
    "ui_port_busy": {
        "fa": "درگاه {port} در دسترس نیست ({reason}). درگاه دیگری با --port بدهید یا آن را خالی بگذارید.",
        "en": "Port {port} cannot be used ({reason}). Give another with --port, or leave it out.",
    },
    "ui_bad_host": {
        "fa": "این برنامه فقط از نشانی خودش پاسخ می‌دهد؛ میان‌بُر سیماد سینک را دوباره باز کنید.",
        "en": "This app answers only at its own address; open the simad-sync shortcut again.",
    },
    "ui_no_session": {
        "fa": "اجازه ندارید: میان‌بُر سیماد سینک را دوباره باز کنید تا به همین برنامه برگردید.",
        "en": "Not allowed: open the simad-sync shortcut again to come back to this app.",
    },
    "ui_token_used": {
        "fa": "این نشانی یک‌بار مصرف بود و پیش‌تر استفاده شده است. میان‌بُر سیماد سینک را دوباره باز کنید.",
        "en": "This one-time address has been used already. Open the simad-sync shortcut again.",
    },
    "ui_no_csrf": {
        "fa": "درخواست بدون نشانه امنیتی صفحه پذیرفته نشد. صفحه را دوباره بارگذاری کنید.",
        "en": "The request lacks the page's security token and was refused. Reload the page.",
    },
    "ui_too_big": {
        "fa": "فایل بزرگ‌تر از {mb} مگابایت است؛ آن را به چند فایل تقسیم کنید.",
        "en": "The file is larger than {mb} MB; split it into several files.",
    },
    "ui_no_file": {"fa": "هیچ فایلی انتخاب نشد.", "en": "No file was chosen."},
    "ui_not_a_workbook": {
        "fa": "«{name}» محتوای یک کارپوشه اکسل یا فایل CSV را ندارد.",
        "en": "'{name}' does not hold an Excel workbook or a CSV file.",
    },
    "ui_no_workbook": {
        "fa": "هنوز کارپوشه‌ای باز نشده است؛ در صفحه شروع یک فایل بگذارید.",
        "en": "No workbook is open yet; drop a file on the start page.",
    },
    "ui_no_such_cell": {
        "fa": "این خانه در کارپوشه نیست.",
        "en": "There is no such cell in the workbook.",
    },
    "ui_held_missing": {
        "fa": "فایل «{name}» که برای کارپوشهٔ باز نگه داشته شده بود پیدا نشد.",
        "en": "The file '{name}' kept for the open workbook is missing.",
    },
    "ui_held_not_written": {
        "fa": "اصلاح‌ها روی این رایانه نگه داشته نشد ({reason})؛ کارپوشهٔ اصلاح‌شده را دریافت کنید.",
        "en": "The corrections could not be kept on this computer ({reason}); download the "
        "corrected workbook.",
    },
    "ui_held_damaged": {
        "fa": "فهرست اصلاح‌های نگه‌داشته آسیب دیده است.",
        "en": "The list of the corrections kept is damaged.",
    },
    "ui_held_unrestored": {
        "fa": "کارپوشه‌ای که دفعهٔ پیش باز بود ({names}) دوباره باز نشد: {reason} "
        "فایل و اصلاح‌هایش در این پوشه نگه داشته شده است: {folder}",
        "en": "The workbook open last time ({names}) could not be opened again: {reason} "
        "Its file and corrections are kept in this folder: {folder}",
    },
    "ui_unsaved_title": {
        "fa": "اصلاح‌هایی که هنوز دریافت نشده‌اند",
        "en": "Corrections not downloaded yet",
    },
    "ui_unsaved_replace": {
        "fa": "باز کردن {new} کارپوشهٔ باز ({names}) را می‌بندد: {n} اصلاحی که در این صفحه "
        "کرده‌اید در هیچ فایل دریافت‌شده‌ای نیست و از دست می‌رود.",
        "en": "Opening {new} closes the open workbook ({names}): {n} corrections made in "
        "this page are in no downloaded file and would be lost.",
        "en_one": "Opening {new} closes the open workbook ({names}): 1 correction made in "
        "this page is in no downloaded file and would be lost.",
    },
    "ui_unsaved_close": {
        "fa": "بستن کارپوشهٔ {names}: {n} اصلاحی که در این صفحه کرده‌اید در هیچ فایل "
        "دریافت‌شده‌ای نیست و از دست می‌رود.",
        "en": "Closing the workbook {names}: {n} corrections made in this page are in no "
        "downloaded file and would be lost.",
        "en_one": "Closing the workbook {names}: 1 correction made in this page is in no "
        "downloaded file and would be lost.",
    },
    "ui_unsaved_hint": {
        "fa": "کارپوشهٔ اصلاح‌شده را دریافت کنید تا اصلاح‌ها در فایل خودتان بماند؛ سپس ادامه دهید.",
        "en": "Download the corrected workbook to keep the corrections in your own file; "
        "then go on.",
    },
    "ui_unsaved_download": {
        "fa": "دریافت کارپوشهٔ اصلاح‌شده ({name})",
        "en": "Download the corrected workbook ({name})",
    },
    "ui_unsaved_replace_anyway": {"fa": "با این حال جایگزین شود", "en": "Replace anyway"},
    "ui_unsaved_close_anyway": {"fa": "با این حال بسته شود", "en": "Close anyway"},
    "ui_unsaved_cancel": {"fa": "انصراف", "en": "Cancel"},
    "ui_unsaved_title_done": {
        "fa": "همهٔ اصلاح‌ها دریافت شده است",
        "en": "Every correction is downloaded",
    },
    "ui_unsaved_saved": {
        "fa": "همهٔ اصلاح‌ها در فایل دریافت‌شده هست؛ چیزی از دست نمی‌رود.",
        "en": "Every correction is in the downloaded file; nothing will be lost.",
    },
    "ui_unsaved_open_new": {"fa": "باز کردن {new}", "en": "Open {new}"},
    "ui_unsaved_title_photos": {
        "fa": "عکس‌های این کارپوشه حذف می‌شود",
        "en": "The photos of this workbook would be removed",
    },
    "ui_unsaved_photos_replace": {
        "fa": "باز کردن {new} کارپوشهٔ باز ({names}) را می‌بندد و {n} عکسی که برای آن "
        "گذاشته‌اید حذف می‌شود.",
        "en": "Opening {new} closes the open workbook ({names}) and removes the {n} photos "
        "dropped for it.",
        "en_one": "Opening {new} closes the open workbook ({names}) and removes the photo "
        "dropped for it.",
    },
    "ui_unsaved_photos_close": {
        "fa": "بستن کارپوشهٔ {names}، {n} عکسی را که برای آن گذاشته‌اید حذف می‌کند.",
        "en": "Closing the workbook {names} removes the {n} photos dropped for it.",
        "en_one": "Closing the workbook {names} removes the photo dropped for it.",
    },
    "ui_unsaved_photos_hint": {
        "fa": "برای نگه داشتن آن‌ها انصراف را بزنید.",
        "en": "Cancel to keep them.",
    },
    "ui_unsaved_close_now": {"fa": "بستن کارپوشه", "en": "Close the workbook"},
    "ui_close_workbook": {"fa": "بستن کارپوشه", "en": "Close the workbook"},
    "ui_choose_target": {
        "fa": "مقصد را در صفحه شروع انتخاب کنید: سندباکس یا نشانی سامانه وزارت.",
        "en": "Choose the target on the start page: the sandbox or the ministry's address.",
    },
    "ui_credentials_missing": {
        "fa": "نام کاربری و گذرواژه سیماد را بدهید.",
        "en": "Give the SIMAD username and password.",
    },
    "ui_job_running": {
        "fa": "کار دیگری از همین نوع در جریان است؛ تا پایان آن صبر کنید.",
        "en": "Another job of this kind is running; wait for it to end.",
    },
    "ui_report_gone": {
        "fa": "این گزارش دیگر در دسترس نیست.",
        "en": "This report is no longer available.",
    },
    "ui_bad_year": {
        "fa": "سال تحصیلی را به عدد بدهید (مانند ۱۴۰۳).",
        "en": "Give the academic year as a number (such as 1403).",
    },
    "ui_terminology_missing": {
        "fa": "اصطلاح‌نامه را از فهرست برگزینید.",
        "en": "Choose the terminology from the list.",
    },
    "ui_stale_workbook": {
        "fa": "این صفحه مربوط به کارپوشه‌ای است که دیگر باز نیست؛ در زبانه یا پنجره دیگری «{names}» باز شد. چیزی تغییر نکرد: صفحه را دوباره بارگذاری کنید.",
        "en": "This page belongs to a workbook that is no longer open: another tab or window opened '{names}'. Nothing was changed; reload the page.",
    },
    "ui_not_found": {
        "fa": "چنین صفحه‌ای در این برنامه نیست.",
        "en": "This app has no such page.",
    },
    "ui_busy": {
        "fa": "برنامه هم‌اکنون چند فایل دیگر را می‌خواند؛ کمی بعد دوباره بفرستید.",
        "en": "The app is reading several other files right now; send this one again in a moment.",
    },
    "ui_session_full": {
        "fa": "این نشست بیش از {mb} مگابایت فایل نگه نمی‌دارد. فایل کوچک‌تری بفرستید، یا برنامه را ببندید و دوباره باز کنید.",
        "en": "This session keeps at most {mb} MB of files. Send a smaller file, or close the app and open it again.",
    },
    "ui_read_slow": {
        "fa": "خواندن «{name}» بیش از {seconds} ثانیه طول کشید و کنار گذاشته شد؛ فایل را در اکسل باز کنید و دوباره ذخیره کنید.",
        "en": "Reading '{name}' took more than {seconds} seconds and was given up; open it in Excel and save it again.",
    },
    "ui_read_failed": {
        "fa": "«{name}» خوانده نشد: خواندن آن متوقف شد (فایل آسیب‌دیده است یا طوری ساخته شده که خواننده را از کار بیندازد). فایل را در اکسل باز کنید و دوباره ذخیره کنید.",
        "en": "'{name}' could not be read: reading it stopped (the file is damaged, or made to break the reader). Open it in Excel and save it again.",
    },
    "ui_read_memory": {
        "fa": "«{name}» خوانده نشد: خواندن آن بیش از اندازه حافظه می‌خواست (فایل آسیب‌دیده است یا بسیار بزرگ). آن را به چند فایل تقسیم کنید.",
        "en": "'{name}' could not be read: reading it needed far too much memory (the file is damaged or very large). Split it into several files.",
    },
    "ui_too_many_cells": {
        "fa": "«{name}» بیش از {limit} خانه پر دارد؛ آن را به چند فایل تقسیم کنید.",
        "en": "'{name}' has more than {limit} filled cells; split it into several files.",
    },
    "ui_bad_course": {
        "fa": "کد رشته را به عدد بدهید (مانند ۱۷۱۰)، یا خالی بگذارید.",
        "en": "Give the course code as a number (such as 1710), or leave it empty.",
    },
    "corrected_unreadable": {
        "fa": "نسخه اصلاح‌شده {path} ساخته نشد: این کارپوشه را نمی‌توان بازنویسی کرد ({reason}). گزارش را بگیرید که مقدارهای اصلاح‌شده را دارد.",
        "en": "The corrected copy of {path} could not be made: this workbook cannot be rewritten ({reason}). Download the report, which carries the corrected values.",
    },
    "corrected_too_large": {
        "fa": "نسخه اصلاح‌شده {path} ساخته نشد: بخش {part} آن {mb} مگابایت است، بسیار بیشتر از آنچه یک کارپوشه اداری دارد. گزارش را بگیرید که مقدارهای اصلاح‌شده را دارد.",
        "en": "The corrected copy of {path} could not be made: its part {part} is {mb} MB, far beyond what an office workbook holds. Download the report, which carries the corrected values.",
    },
    "ui_sandbox_banner": {
        "fa": "سندباکس: هیچ داده‌ای به سامانه وزارت نمی‌رسد؛ این فقط تمرین است.",
        "en": "Sandbox: nothing reaches the ministry; this is a rehearsal.",
    },
    "ui_nav_start": {"fa": "شروع", "en": "Start"},
    "ui_nav_check": {"fa": "بررسی و اصلاح", "en": "Check and fix"},
    "ui_nav_submit": {"fa": "ارسال", "en": "Submit"},
    "ui_nav_runs": {"fa": "اجراها", "en": "Runs"},
    "ui_nav_results": {"fa": "نتایج و تطبیق", "en": "Results and reconciliation"},
    "ui_nav_maxa": {"fa": "مکسا", "en": "MAXA"},
    "ui_other_language": {"fa": "English", "en": "فارسی"},
    "ui_skip_to_main": {"fa": "رفتن به محتوای صفحه", "en": "Skip to the page's content"},
    "ui_back_start": {"fa": "بازگشت به صفحه شروع", "en": "Back to the start page"},
    "ui_start_title": {
        "fa": "کارپوشه‌ها را بگذارید و مقصد را انتخاب کنید",
        "en": "Drop your workbooks and choose the target",
    },
    "ui_step_files": {"fa": "۱. کارپوشه‌ها", "en": "1. Workbooks"},
    "ui_step_target": {"fa": "۲. مقصد", "en": "2. Target"},
    "ui_templates_title": {"fa": "الگوی خالی", "en": "Blank templates"},
    "ui_templates_hint": {
        "fa": "الگو را دریافت و پر کنید، سپس آن را در همین صفحه رها کنید؛ خانه‌های نادرست قرمز نشان داده می‌شوند. دستیاران پیش از معرفی به ارتقا ارسال می‌شوند.",
        "en": "Download a template and fill it in, then drop it on this page; wrong cells are shown in red. Residents are sent before upgrade declarations.",
    },
    "ui_template_residents": {"fa": "دستیاران", "en": "Residents"},
    "ui_template_upgrades": {"fa": "معرفی به ارتقا", "en": "Upgrade declarations"},
    "ui_template_fa": {"fa": "سرستون‌های فارسی", "en": "Persian headers"},
    "ui_template_en": {"fa": "سرستون‌های انگلیسی", "en": "English headers"},
    "ui_template_link": {"fa": "{kind} — {headers} (xlsx)", "en": "{kind} — {headers} (xlsx)"},
    "ui_template_unknown": {
        "fa": "چنین الگویی نیست؛ الگوی دستیاران یا معرفی به ارتقا را از صفحه شروع دریافت کنید.",
        "en": "No such template; download the residents or the upgrade declarations template from the start page.",
    },
    "ui_drop_here": {
        "fa": "فایل‌ها را اینجا رها کنید یا برای انتخاب کلیک کنید",
        "en": "Drop files here, or click to choose",
    },
    "ui_drop_hint": {
        "fa": "اکسل (.xlsx، .xlsm، .xls)، .ods یا CSV، هر کدام تا ۲۵ مگابایت. فایل‌ها فقط روی همین رایانه می‌مانند: کارپوشهٔ باز، اصلاح‌ها و عکس‌هایش تا وقتی خودتان آن را ببندید نگه داشته می‌شوند (بستن برنامه هم آن‌ها را پاک نمی‌کند)؛ رونوشت‌های موقت با بستن برنامه پاک می‌شوند.",
        "en": "Excel (.xlsx, .xlsm, .xls), .ods or CSV, up to 25 MB each. Files stay on this computer: the open workbook, its corrections and photos are kept until you close it (closing the app does not remove them); temporary copies are removed when the app stops.",
    },
    "ui_open_files": {"fa": "باز:", "en": "Open:"},
    "ui_to_check": {"fa": "بررسی و اصلاح", "en": "check and fix"},
    "ui_target_sandbox": {
        "fa": "سندباکس (تمرین؛ چیزی به وزارت نمی‌رسد)",
        "en": "Sandbox (rehearsal; nothing reaches the ministry)",
    },
    "ui_target_remote": {
        "fa": "سامانه وزارت، در این نشانی:",
        "en": "The ministry's system, at this address:",
    },
    "ui_choose": {"fa": "انتخاب", "en": "Choose"},
    "ui_target_none": {"fa": "هنوز مقصدی انتخاب نشده است.", "en": "No target chosen yet."},
    "ui_files": {"fa": "فایل‌ها:", "en": "Files:"},
    "ui_edits": {"fa": "{n} اصلاح", "en": "{n} corrections", "en_one": "1 correction"},
    "ui_checked_in": {"fa": "بررسی در {ms} میلی‌ثانیه", "en": "checked in {ms} ms"},
    "ui_sheets": {"fa": "برگه‌ها", "en": "Sheets"},
    "ui_findings": {"fa": "ایرادها، به ترتیب قاعده", "en": "Findings by rule"},
    "ui_group_rows": {"fa": "{n} ردیف:", "en": "{n} rows:", "en_one": "1 row:"},
    "ui_no_findings": {"fa": "هیچ ایرادی پیدا نشد.", "en": "No findings."},
    "ui_download_corrected": {"fa": "دریافت {name} اصلاح‌شده", "en": "Download {name}, corrected"},
    "ui_download_report": {"fa": "دریافت گزارش", "en": "Download the report"},
    "ui_download_workbook": {"fa": "دریافت کارپوشه", "en": "Download the workbook"},
    "ui_download": {"fa": "دریافت", "en": "Download"},
    "ui_undo": {"fa": "برگرداندن آخرین اصلاح", "en": "Undo the last correction"},
    "ui_to_submit": {"fa": "رفتن به ارسال", "en": "Go to submit"},
    "ui_all_rows": {"fa": "همه ردیف‌ها", "en": "All rows"},
    "ui_only_invalid": {"fa": "فقط ردیف‌های نامعتبر", "en": "Invalid rows only"},
    "ui_filtered_rule": {"fa": "فقط ردیف‌های یک ایراد", "en": "Rows of one finding"},
    "ui_rows_shown": {"fa": "{n} ردیف", "en": "{n} rows", "en_one": "1 row"},
    "ui_row": {"fa": "ردیف", "en": "Row"},
    "ui_previous": {"fa": "صفحه قبل", "en": "Previous"},
    "ui_next": {"fa": "صفحه بعد", "en": "Next"},
    "ui_page_of": {"fa": "صفحه {page} از {pages}", "en": "Page {page} of {pages}"},
    "ui_panel_hint": {
        "fa": "روی یک خانه قرمز کلیک کنید (یا با کلید Tab و کلیدهای جهت به آن بروید و Enter بزنید) تا ایرادش را ببینید و مقدار درست را بنویسید؛ Esc این بخش را می‌بندد.",
        "en": "Click a red cell (or reach it with Tab and the arrow keys and press Enter) to see what is wrong and type the right value; Esc closes this panel.",
    },
    "ui_panel_name": {"fa": "اصلاح خانه", "en": "Cell editor"},
    "ui_cell_title": {"fa": "«{header}»، ردیف {row}", "en": "'{header}', row {row}"},
    "ui_cell_clean": {"fa": "این خانه ایرادی ندارد.", "en": "This cell is fine."},
    "ui_cell_unchanged": {
        "fa": "مقدار همان مقدار پیشین بود؛ اصلاحی ثبت نشد.",
        "en": "The value is the one the cell already holds: no correction was recorded.",
    },
    "ui_new_value": {"fa": "مقدار درست:", "en": "Right value:"},
    "ui_save": {"fa": "ثبت و بررسی دوباره", "en": "Save and check again"},
    "ui_edit_hint": {
        "fa": "پس از ثبت، کل برگه دوباره بررسی می‌شود (تکراری‌ها چند ردیف را در بر می‌گیرند). فایل شما تا «دریافت» دست نمی‌خورد.",
        "en": "After saving, the whole sheet is checked again (duplicates span rows). Your file is not touched until you download it.",
    },
    "ui_submit_title": {"fa": "ارسال به سیماد", "en": "Submit to SIMAD"},
    "ui_login_title": {"fa": "ورود به سیماد", "en": "Sign in to SIMAD"},
    "ui_login_hint": {
        "fa": "نام کاربری و گذرواژه فقط تا پایان همین نشست در حافظه می‌ماند؛ هیچ‌جا نوشته نمی‌شود.",
        "en": "The username and password stay in memory until this session ends; they are never written anywhere.",
    },
    "ui_username": {"fa": "نام کاربری", "en": "Username"},
    "ui_password": {"fa": "گذرواژه", "en": "Password"},
    "ui_continue": {"fa": "ادامه", "en": "Continue"},
    "ui_login_refused": {
        "fa": "سیماد این نام کاربری و گذرواژه را نپذیرفت و ارسال همان‌جا متوقف شد. نام کاربری و گذرواژهٔ درست را دوباره وارد کنید؛ تا آن زمان ورود دوباره امتحان نمی‌شود.",
        "en": "SIMAD refused this username and password, and the run stopped there. Type the right username and password again; until then no login is tried.",
    },
    "ui_login_server_said": {"fa": "پاسخ سرور:", "en": "The server said:"},
    "ui_login_same_refused": {
        "fa": "سیماد همین نام کاربری و گذرواژه را پیش‌تر نپذیرفته است؛ برای آن‌که حساب قفل نشود دوباره امتحان نمی‌شود. نام کاربری یا گذرواژهٔ درست را وارد کنید.",
        "en": "SIMAD already refused exactly this username and password; they are not tried again, so that the account is not locked. Type the corrected ones.",
    },
    "ui_login_again": {
        "fa": "سیماد نام کاربری و گذرواژهٔ کنونی را نپذیرفته است؛ پیش از ارسال، درستِ آن‌ها را وارد کنید.",
        "en": "SIMAD refused the current username and password; type the right ones before sending.",
    },
    "ui_change_login": {"fa": "تغییر نام کاربری و گذرواژه", "en": "Change username and password"},
    "ui_change_login_hint": {
        "fa": "ارسال بعدی با این نام کاربری و گذرواژه وارد سیماد می‌شود.",
        "en": "The next submission signs in to SIMAD with these.",
    },
    "ui_confirm_title": {"fa": "پیش از ارسال", "en": "Before sending"},
    "ui_will_send": {"fa": "ارسال می‌شود", "en": "Will be sent"},
    "ui_will_not_send": {"fa": "نامعتبر، ارسال نمی‌شود", "en": "Invalid, not sent"},
    "ui_col_unchanged": {
        "fa": "بدون تغییر، دوباره ارسال نمی‌شود",
        "en": "Unchanged, not sent again",
    },
    "ui_col_blocked": {
        "fa": "به‌خاطر ردیف دستیار ارسال نمی‌شود",
        "en": "Held back by the resident's row",
    },
    "ui_confirm_total": {
        "fa": "{n} ردیف ارسال می‌شود.",
        "en": "{n} rows will be sent.",
        "en_one": "1 row will be sent.",
    },
    "ui_confirm_unchanged": {
        "fa": "{n} ردیف پیش‌تر بدون تغییر پذیرفته شده است و دوباره ارسال نمی‌شود.",
        "en": "{n} rows were already accepted unchanged and are not sent again.",
        "en_one": "1 row was already accepted unchanged and is not sent again.",
    },
    "ui_confirm_blocked": {
        "fa": "{n} اظهارنامه به‌خاطر ردیف دستیارش ارسال نمی‌شود:",
        "en": "{n} declarations are held back because of their resident's row:",
        "en_one": "1 declaration is held back because of its resident's row:",
    },
    "ui_slow_sandbox": {
        "fa": "سندباکس کند (هر پاسخ پس از ۳ ثانیه) — برای تمرین دکمه «توقف»",
        "en": "Slow sandbox (each answer after 3 seconds) — to rehearse the Stop button",
    },
    "ui_slow_title": {"fa": "{target} (کند)", "en": "{target} (slow)"},
    "ui_job_started_at": {"fa": "آغاز: {when}", "en": "Started: {when}"},
    "ui_job_other_target": {
        "fa": "این اجرای پیشین به مقصد دیگری بود ({when})؛ مقصد اکنون: {target}.",
        "en": "This earlier run went to another target ({when}); the target now is {target}.",
    },
    "ui_confirm_hint": {
        "fa": "ردیف‌هایی که پیش‌تر با همین مقدارها پذیرفته شده‌اند دوباره فرستاده نمی‌شوند. ارسال دوباره همیشه بی‌خطر است.",
        "en": "Rows already accepted with the same values are not sent again. Sending again is always safe.",
    },
    "ui_send": {"fa": "ارسال", "en": "Send"},
    "ui_job_submit": {"fa": "ارسال به {title}", "en": "Submission to {title}"},
    "ui_job_pull": {"fa": "دریافت {title}", "en": "Pulling {title}"},
    "ui_done": {"fa": "انجام‌شده", "en": "Done"},
    "ui_total": {"fa": "کل", "en": "Total"},
    "ui_remaining": {"fa": "مانده", "en": "Remaining"},
    "ui_rate": {"fa": "ردیف در ثانیه", "en": "Rows per second"},
    "ui_pace": {"fa": "سقف سرعت (درخواست در ثانیه)", "en": "Pace (requests per second)"},
    "ui_eta": {"fa": "ثانیه تا پایان", "en": "Seconds left"},
    "ui_state_running": {"fa": "در حال ارسال…", "en": "Sending…"},
    "ui_state_stopping": {
        "fa": "در حال توقف: ردیف‌های در راه تمام می‌شوند، سپس گزارش نوشته می‌شود.",
        "en": "Stopping: the rows in flight finish, then the report is written.",
    },
    "ui_state_done": {"fa": "پایان یافت.", "en": "Finished."},
    "ui_stop": {"fa": "توقف", "en": "Stop"},
    "ui_tab_may_close": {
        "fa": "می‌توانید این زبانه را ببندید؛ ارسال ادامه می‌یابد و با باز کردن دوباره برنامه پیشرفتش را می‌بینید.",
        "en": "You may close this tab; the submission goes on, and reopening the app shows its progress.",
    },
    "ui_submit_done": {"fa": "نتیجه: {counts}", "en": "Result: {counts}"},
    "ui_to_reconcile": {"fa": "نتایج و تطبیق", "en": "Results and reconciliation"},
    "ui_runs_title": {"fa": "اجراهای ارسال", "en": "Submission runs"},
    "ui_run_id": {"fa": "شناسه", "en": "Run"},
    "ui_run_when": {"fa": "زمان", "en": "Started"},
    "ui_run_target": {"fa": "مقصد", "en": "Target"},
    "ui_run_state": {"fa": "وضعیت", "en": "State"},
    "ui_run_counts": {"fa": "شمار ردیف‌ها", "en": "Rows"},
    "ui_run_report": {"fa": "گزارش", "en": "Report"},
    "ui_run_inputs": {"fa": "فایل‌های ورودی", "en": "Input files"},
    "ui_run_reason": {"fa": "علت", "en": "Reason"},
    "run_ending_done": {"fa": "پایان یافت", "en": "finished"},
    "run_ending_clerk": {"fa": "با دکمه «توقف» متوقف شد", "en": "stopped by the clerk"},
    "run_ending_interrupted": {"fa": "قطع شد", "en": "interrupted"},
    "run_ending_login": {"fa": "ورود پذیرفته نشد", "en": "login refused"},
    "run_ending_stopped": {"fa": "با خطا متوقف شد", "en": "stopped by an error"},
    "run_ending_running": {"fa": "در حال ارسال", "en": "running"},
    "run_reason_clerk": {
        "fa": "دکمه «توقف» زده شد؛ ردیف‌هایی که هنوز ارسال نشده بودند ارسال نشدند.",
        "en": "Stop was pressed; the rows not yet sent were not sent.",
    },
    "run_reason_interrupted": {
        "fa": "برنامه پیش از پایان ارسال بسته شد (Ctrl+C، بستن پنجره یا راه‌اندازی دوباره)؛ ردیف‌های ارسال‌نشده را دوباره ارسال کنید.",
        "en": "The app was closed before the run ended (Ctrl+C, a closed window or a restart); send the rows not sent again.",
    },
    "ui_results_title": {
        "fa": "نتایج بررسی و تطبیق با سرور",
        "en": "Review results and reconciliation",
    },
    "ui_year": {"fa": "سال تحصیلی", "en": "Academic year"},
    "ui_course": {"fa": "کد رشته (اختیاری)", "en": "Course code (optional)"},
    "ui_fetch": {"fa": "دریافت از سرور", "en": "Fetch from the server"},
    "ui_working": {"fa": "در حال دریافت…", "en": "Fetching…"},
    "ui_results_hint": {
        "fa": "تطبیق، کارپوشه باز را (یا اگر بازی نیست، آنچه دفتر ثبت پذیرفته‌شده می‌داند) با سرور مقایسه می‌کند؛ ردیف‌هایی که اقدام می‌خواهند اول می‌آیند.",
        "en": "Reconciliation compares the open workbook (or, when none is open, what the ledger recorded as accepted) with the server; rows that need action come first.",
    },
    "ui_reconcile_title": {"fa": "تطبیق سال {year}", "en": "Reconciliation of {year}"},
    "ui_results_of": {
        "fa": "معرفی‌ها و نتایج سال {year}",
        "en": "Declarations and results of {year}",
    },
    "ui_more_in_workbook": {
        "fa": "{n} ردیف دیگر در کارپوشه هست.",
        "en": "{n} more rows are in the workbook.",
        "en_one": "1 more row is in the workbook.",
    },
    "ui_maxa_title": {"fa": "مکسا: کدهای مرجع سلامت", "en": "MAXA: health coding reference"},
    "ui_maxa_hint": {
        "fa": "بررسی یک فهرست دارو، جست‌وجو و اعتبارسنجی کد، نسخه‌ها، دریافت یک نسخه در آینه محلی و مقایسه دو نسخه. با «بدون اینترنت» پاسخ از آینه محلی می‌آید.",
        "en": "Check a drug list, look up and validate a code, list versions, pull a version into the local mirror, compare two versions. Offline answers come from the local mirror.",
    },
    "ui_maxa_check": {"fa": "بررسی فهرست دارو", "en": "Check a drug list"},
    "ui_maxa_check_hint": {
        "fa": "فایل فهرست داروی خود (xlsx، ods یا csv با ستون کد و نام) را بدهید تا هر ردیف با نسخه اصطلاح‌نامه سنجیده شود: معتبر، نام متفاوت، منسوخ، ناشناخته یا ورودی نادرست.",
        "en": "Give your drug list (xlsx, ods or csv with a code and a name column) and every row is checked against the terminology's version: valid, name differs, retired, unknown or invalid input.",
    },
    "ui_maxa_check_file": {"fa": "فهرست دارو", "en": "Drug list"},
    "ui_maxa_lookup": {"fa": "جست‌وجوی کد", "en": "Look up a code"},
    "ui_maxa_validate": {"fa": "اعتبارسنجی مقدار", "en": "Validate a value"},
    "ui_maxa_versions": {"fa": "نسخه‌ها", "en": "Versions"},
    "ui_maxa_pull": {"fa": "دریافت نسخه در آینه", "en": "Pull into the mirror"},
    "ui_maxa_diff": {"fa": "مقایسه دو نسخه", "en": "Compare two versions"},
    "ui_offline": {"fa": "بدون اینترنت (از آینه محلی)", "en": "Offline (from the local mirror)"},
    "ui_latest": {"fa": "آخرین", "en": "Latest"},
    "ui_yes": {"fa": "بله", "en": "yes"},
}

LANGS = ("fa", "en")
PERSIAN_NUMBER = {**TO_PERSIAN, ord("."): ord("٫")}  # and the Persian decimal sign


def environment_lang() -> str | None:
    """``SIMAD_LANG`` as given (any case), or None when unset; ``UnknownLanguage`` if it is
    not fa or en."""
    raw = os.environ.get("SIMAD_LANG", "").strip()
    return checked(raw) if raw else None


def _from_environment() -> str:
    try:
        return environment_lang() or "fa"
    except UnknownLanguage:
        return "fa"  # the command line refuses it before any command runs


# The language of the current context (a thread, or an asyncio task and what it starts): two
# commands running side by side in one process, in two languages, never see each other's.
_lang: ContextVar[str] = ContextVar("simad_lang")


# The face the words are read in: "page" (the web app) takes an entry's page wording
# (``fa_page``, ``en_page``: a button to press, not a command to type) where it has one.
_face: ContextVar[str] = ContextVar("simad_face")


@contextmanager
def face(name: str) -> Iterator[None]:
    """Speak as ``name`` ("page" or "cli") inside the block (this thread or task only)."""
    token = _face.set(name)
    try:
        yield
    finally:
        _face.reset(token)


def current_face() -> str:
    return _face.get("cli")


def _worded(entry: Mapping[str, str], lang: str) -> str:
    """An entry's wording in ``lang`` for the current face."""
    if _face.get("cli") == "page":
        return entry.get(f"{lang}_page", entry[lang])
    return entry[lang]


def _one(entry: Mapping[str, str], lang: str) -> str | None:
    """An entry's singular wording for the current face (a page wording's own, ``en_one_page``;
    the command line's only where the page has no wording of its own), or None."""
    if _face.get("cli") == "page" and (f"{lang}_one_page" in entry or f"{lang}_page" in entry):
        return entry.get(f"{lang}_one_page")
    return entry.get(f"{lang}_one")


def set_lang(lang: str) -> None:
    """Set the language of the current context (the command line does this once)."""
    _lang.set(checked(lang))


def chosen(lang: str | None) -> str:
    """Speak ``lang`` from here on when one is given (``UnknownLanguage`` for anything but fa
    or en); the language now spoken."""
    if lang:
        set_lang(lang)
    return current_lang()


def checked(lang: str) -> str:
    key = lang.strip().lower()
    if key not in LANGS:
        raise UnknownLanguage(unknown_language_text(lang))
    return key


def unknown_language_text(lang: str) -> str:
    """The refusal of an unknown language, in both languages on one line: the reader's
    language is the one that is unknown (and ``t`` would ask for it again)."""
    shown = "".join(c if c.isprintable() else "?" for c in lang)[:40]
    entry = MESSAGES["unknown_lang"]
    return f"{entry['fa'].format(lang=shown)} — {entry['en'].format(lang=shown)}"


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Speak ``lang`` inside the block, and what it spoke before after it."""
    token = _lang.set(checked(lang))
    try:
        yield
    finally:
        _lang.reset(token)


def current_lang() -> str:
    return _lang.get(None) or _from_environment()


def number(value: int | float) -> str:
    """A number as the reader writes it: Persian digits and decimal sign in Persian."""
    text = str(value)
    return number_text(text) if current_lang() == "fa" else text


def t(key: str, **values: object) -> str:
    """The message ``key`` in the current language, filled with ``values``.

    Numbers are written in the language's digits; an entry may have a singular form
    (``en_one``), used when ``n`` is 1.
    """
    lang = current_lang()
    entry = MESSAGES[key]
    worded = _worded(entry, lang)
    template = _one(entry, lang) or worded if values.get("n") == 1 else worded
    if lang == "fa":
        values = {
            k: number(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
            for k, v in values.items()
        }
    return template.format(**values)


class Said(str):
    """A message as ``said`` wrote it, that ``again`` writes anew in the language spoken
    then: what a long action stopped with, read later on a page of another language."""

    key: str
    values: dict[str, object]


def said(key: str, **values: object) -> Said:
    """``t(key, **values)``, keeping the key and the values to be written again later."""
    out = Said(t(key, **values))
    out.key, out.values = key, values
    return out


def again(text: object) -> str:
    """``text`` in the current language (and face) when ``said`` wrote it; else as it is."""
    if isinstance(text, Said):
        values = {k: again(v) if isinstance(v, Said) else v for k, v in text.values.items()}
        return t(text.key, **values)
    return "" if text is None else str(text)


def plain(key: str) -> str:
    """The message ``key`` as it is (no values filled in), in the current language and face."""
    return _worded(MESSAGES[key], current_lang())


def in_status_order(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """``counts`` as (status, count) pairs in the order statuses are always listed."""
    return sorted(counts.items(), key=lambda kv: (status_rank(kv[0]), kv[0]))


def counts_text(counts: Mapping[str, int]) -> str:
    """``sent: 12, failed: 1`` in the current language, in a fixed order."""
    return listing(f"{word(k)}: {number(v)}" for k, v in in_status_order(counts) if v) or "-"


def listing(items: Iterable[object]) -> str:
    """Items as a list reads in the current language: ``a، b`` in Persian, ``a, b`` in English."""
    separator = "، " if current_lang() == "fa" else ", "
    return separator.join(str(item) for item in items)


def when(timestamp: float) -> str:
    """A moment as the reader writes it: Solar Hijri in Persian, ISO in English."""
    moment = datetime.fromtimestamp(timestamp)
    if current_lang() == "fa":
        solar = jdatetime.datetime.fromgregorian(datetime=moment)
        return number_text(solar.strftime("%Y/%m/%d %H:%M"))
    return moment.strftime("%Y-%m-%d %H:%M")


def when_text(iso: str | None) -> str | None:
    """An ISO-8601 moment (as the ledger keeps it) written as ``when`` writes it."""
    if not iso:
        return None
    try:
        return when(datetime.fromisoformat(iso).timestamp())
    except ValueError:
        return iso


def number_text(text: str) -> str:
    """Every digit of ``text`` in Persian digits."""
    return text.translate(PERSIAN_NUMBER)


def word(value: str) -> str:
    """A status or category word of the SPEC (valid, sent, matched, …) in the current language;
    in English exactly the SPEC's word."""
    entry = MESSAGES.get(f"status_{value}")
    return _worded(entry, current_lang()) if entry else value
