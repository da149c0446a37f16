"""Exceptions that stop an operation. Problems found in a row of data are values, not exceptions.

SimadError
├── ConfigError          bad configuration or usage (exit 2)
│   └── RunLocked        another run holds this SIMAD_HOME and target (exit 2)
├── InputFileError       an input file cannot be read (exit 2)
├── LocalStorageError    the ledger or a report cannot be written (disk full…) (exit 3)
└── RemoteError          the remote service could not be used (exit 3)
    ├── AuthError        credentials refused, refresh and re-authentication failed
    ├── RetryableError   429, 5xx, timeout, connection error: worth trying again
    │   ├── NotTheApi        a 2xx or 3xx that is not the API's answer (a login page, a proxy)
    │   └── RemoteUnreachable  retries ran out on several rows in a row
    └── UnexpectedResponse  an answer the client cannot understand

A run that stops early (exit 3) still writes its report.
"""

from __future__ import annotations


class SimadError(Exception):
    """Base of every error the tool raises on purpose."""

    exit_code = 1


class ConfigError(SimadError):
    exit_code = 2


class RunLocked(ConfigError):
    pass


class InputFileError(SimadError):
    exit_code = 2


class LocalStorageError(SimadError):
    exit_code = 3


class RemoteError(SimadError):
    exit_code = 3

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


class NotTheApi(RetryableError):
    """A success status whose body is not what the API returns (HTML, a redirect): never a
    success. Retried, since a proxy's page may go away; the row fails if it does not."""


class RemoteUnreachable(RetryableError):
    """Retries ran out on several rows in a row: the server is down or unreachable."""
