"""Exceptions that stop an operation. Problems found in a row of data are values, not exceptions.

SimadError
├── ConfigError          bad configuration or usage (exit 2)
├── InputFileError       an input file cannot be read (exit 2)
└── RemoteError          the remote service could not be used
    ├── AuthError        credentials refused, refresh and re-authentication failed (exit 3)
    ├── RetryableError   429, 5xx, timeout, connection error: worth trying again
    └── UnexpectedResponse  an answer the client cannot understand
"""

from __future__ import annotations


class SimadError(Exception):
    """Base of every error the tool raises on purpose."""

    exit_code = 1


class ConfigError(SimadError):
    exit_code = 2


class InputFileError(SimadError):
    exit_code = 2


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


class UnexpectedResponse(RemoteError):
    pass
