"""Every exception the product raises on purpose, and the exit code each one means.

Problems found in a row of data are values (``validation.Finding``), not exceptions: only what
stops an operation raises.

SimadError
├── ConfigError            bad configuration or usage                               exit 2
│   ├── RunLocked          another run holds this SIMAD_HOME and target              exit 2
│   ├── UnknownLanguage    a language other than fa or en (--lang, SIMAD_LANG)       exit 2
│   └── KeyringMissing     no system keyring to keep credentials in (simad login)    exit 2
├── InputFileError         a file the user named cannot be used                      exit 2
│   ├── UploadTooLarge     a file sent to the web app beyond its size limit          exit 2
│   └── StaleWorkbook      a web page names workbooks that are no longer open        exit 2
├── LocalStorageError      SIMAD_HOME, the ledger or a report cannot be written      exit 3
├── MirrorError            the local MAXA mirror lacks what was asked                exit 1
└── RemoteError            the remote service could not be used                      exit 3
    ├── AuthError          credentials refused (a refused login is tried once)
    ├── MaxaError          the DITAS gateway or the MAXA service refused the call
    ├── UnexpectedResponse an answer the client cannot understand
    ├── RemoteUnreachable  the first contact with a target was refused, or retries ran out
    │                      on several rows in a row (not retried)
    └── RetryableError     429, 5xx, timeout, connection error: worth trying again
        └── NotTheApi      a 2xx or 3xx that is not the API's answer (a login page)

``NotTheShape`` (a ``ValueError``, with ``TooDeep``) is the answer parser's verdict on a body
that is not the documented shape; it never escapes: the clients turn it into ``NotTheApi``.
``UnusualMarkup`` is the spreadsheet pre-check's note to itself that its fast scan met markup
it does not follow; it never escapes either: the exact parse decides. ``WordedUsage`` (a
click ``UsageError``) is a mistyped command line already said in the reader's language
(``helptext.worded_usage``): click shows it and exits 2, as with its own.

Anything else that escapes is a fault of the tool: ``UNEXPECTED_EXIT`` (70, EX_SOFTWARE), one
line on the screen and the traceback, without local variables, in the log. ``EXIT_CODES`` is
the one table the command line maps exceptions with; a run that stops early (exit 3) still
writes its report.
"""

from __future__ import annotations

from typing import IO, Any

import typer
from typer._click.exceptions import UsageError


class SimadError(Exception):
    """Base of every error the tool raises on purpose."""

    @property
    def exit_code(self) -> int:
        return exit_code_for(self)


class ConfigError(SimadError):
    pass


class RunLocked(ConfigError):
    pass


class UnknownLanguage(ConfigError):
    pass


class KeyringMissing(ConfigError):
    pass


class InputFileError(SimadError):
    pass


class UploadTooLarge(InputFileError):
    """A request body (an upload to the web app) beyond the size the app accepts."""


class StaleWorkbook(InputFileError):
    """A page of the web app names workbooks that are no longer the open ones (another tab
    opened others): nothing it asks is applied to them."""


class LocalStorageError(SimadError):
    pass


class RemoteError(SimadError):
    pass

    def __init__(self, message: str, *, status: int | None = None, trace_id: str | None = None):
        super().__init__(message)
        self.status = status
        self.trace_id = trace_id


class AuthError(RemoteError):
    pass


class RetryableError(RemoteError):
    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        trace_id: str | None = None,
    ):
        super().__init__(message, status=status, trace_id=trace_id)
        self.retry_after = retry_after
        self.attempts = 1  # set by the retry policy when it gives up


class UnexpectedResponse(RemoteError):
    pass


class MaxaError(RemoteError):
    """The gateway or the service refused the call (not retryable)."""


class MirrorError(SimadError):
    """The local MAXA mirror does not hold the terminology or version asked for."""


class NotTheApi(RetryableError):
    """A success status whose body is not what the API returns (HTML, a redirect): never a
    success. Retried, since a proxy's page may go away; the row fails if it does not."""


class NotTheShape(ValueError):
    """An answer that is not the shape the API documents (``answers``): a verdict of the
    parser, never shown as it is — the clients raise ``NotTheApi`` for it. ``code`` names
    what came instead (``null``, ``number``, ``deep`` …; the message ``shape_<code>`` says it
    to a person), never the answer's content."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class TooDeep(NotTheShape):
    """JSON nested deeper than ``answers.MAX_DEPTH``: refused before it is parsed."""

    def __init__(self) -> None:
        super().__init__("deep")


class UnusualMarkup(ValueError):
    """The fast scan of a sheet met something it does not follow (``spreadsheet_guard``):
    the exact, slower parse decides. Never shown to a person."""


class RemoteUnreachable(RemoteError):
    """The target cannot be reached: the first contact was refused, or retries ran out on
    several rows in a row. Not retried."""


class WordedUsage(UsageError):
    """A usage error of the command line in the reader's language: ``lines`` (the usage, where
    the help is, what was wrong) are shown as they are; ``message`` is the last."""

    def __init__(self, lines: list[str], ctx: Any = None) -> None:
        super().__init__(lines[-1], ctx)
        self.lines = lines

    def show(self, file: IO[Any] | None = None) -> None:
        for line in self.lines:
            typer.echo(line, file=file, err=file is None)


USAGE_EXIT = 2  # also what the command-line parser uses for a bad option
UNEXPECTED_EXIT = 70  # EX_SOFTWARE: a fault of the tool, not of the input or the server
INTERRUPTED_EXIT = 130

# The most specific class first: ``exit_code_for`` takes the first one the error is.
EXIT_CODES: dict[type[SimadError], int] = {
    RunLocked: USAGE_EXIT,
    UnknownLanguage: USAGE_EXIT,
    ConfigError: USAGE_EXIT,
    InputFileError: USAGE_EXIT,
    LocalStorageError: 3,
    MirrorError: 1,
    RemoteError: 3,
}


def exit_code_for(exc: BaseException) -> int:
    for kind, code in EXIT_CODES.items():
        if isinstance(exc, kind):
            return code
    return UNEXPECTED_EXIT
