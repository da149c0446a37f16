"""Every page of the app in one list, like datasette's ``routes()``: a URL, its method and its
handler, a plain ``async def`` in the module of its page (``start``, ``check``, ``submit``,
``results``, ``maxa``). A new page is a handler in one of those modules (or a new one) and one
line here."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.web.routes import check, connection, maxa, results, start, submit

STATIC = Path(__file__).parents[1] / "static"
POST = ["POST"]

routes: list[BaseRoute] = [
    Route("/", start.start),
    Route("/upload", start.upload, methods=POST),
    Route("/photos/remove", start.remove_photos, methods=POST),
    Route("/target", start.choose_target, methods=POST),
    Route("/lang", start.set_lang, methods=POST),
    Route("/template/{kind}", start.template),
    Route("/check", check.check),
    Route("/cell", check.cell),
    Route("/cell", check.edit, methods=POST),
    Route("/undo", check.undo, methods=POST),
    Route("/download/corrected", check.download_corrected),
    Route("/download/report", check.download_report),
    Route("/unsaved", check.unsaved_page),
    Route("/unsaved", check.answer, methods=POST),
    Route("/close", check.close, methods=POST),
    Route("/submit", submit.submit_page),
    Route("/submit", submit.submit, methods=POST),
    Route("/credentials", submit.credentials, methods=POST),
    Route("/jobs/{job}/events", submit.events),
    Route("/jobs/{job}/stop", submit.stop, methods=POST),
    Route("/runs", results.runs),
    Route("/runs/{run}/report", results.run_report),
    Route("/results", results.results_page),
    Route("/results", results.results, methods=POST),
    Route("/resend/confirm", results.resend_confirm, methods=POST),
    Route("/resend", results.resend, methods=POST),
    Route("/download/{name}", results.download_out),
    Route("/maxa", maxa.maxa_page),
    Route("/maxa-check", maxa.check, methods=POST),
    Route("/maxa/lookup", maxa.lookup, methods=POST),
    Route("/maxa/validate", maxa.validate, methods=POST),
    Route("/maxa/versions", maxa.versions, methods=POST),
    Route("/maxa/diff", maxa.diff, methods=POST),
    Route("/maxa/pull", maxa.pull, methods=POST),
    Route("/connection", connection.connection_page),
    Route("/connection/check", connection.check, methods=POST),
    Route("/connection/report", connection.report),
    Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
]
