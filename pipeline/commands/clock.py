"""The PC's clock against the server's: said once on the command line when they differ by
more than a few minutes (the token flow measures it: ``net.auth``)."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.core.i18n import t
from pipeline.net.auth import hear_clock_skew, skew_text


def warn_clock_skew(echo: Callable[[str], None]) -> None:
    """Have ``echo`` say, once per process, that the PC's clock is off and by how much."""
    said: list[float] = []

    def heard(skew: float) -> None:
        if not said:
            said.append(skew)
            echo(t("clock_skew_warning", skew=skew_text(skew)))

    hear_clock_skew(heard)
