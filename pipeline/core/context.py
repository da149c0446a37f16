"""What a command needs from its caller besides its parameters: the language a person reads,
where the log goes, and the clock. Passed in, never set process-wide, so that the command line
and the web app's concurrent sessions each keep their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.core import i18n, logs


@dataclass(frozen=True)
class Context:
    lang: str = "fa"
    log_file: Path | None = None  # None: the command logs nowhere
    clock: Callable[[], float] = time.time

    @contextmanager
    def applied(self) -> Iterator[None]:
        """Speak ``lang`` and log to ``log_file`` in the block (this thread or task only)."""
        with i18n.language(self.lang), logs.writing_to(self.log_file):
            yield
