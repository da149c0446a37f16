"""What every command returns: a result value the command line prints as JSON (``to_dict``)
and turns into its exit code (``exit_code``), and the web app shows."""

from __future__ import annotations

import dataclasses
from enum import Enum
from pathlib import PurePath
from typing import Any


class Result:
    """A command's result. Subclasses are dataclasses; ``to_dict`` gives their fields as JSON
    values unless a subclass says otherwise, and ``exit_code`` is 0 unless it says otherwise."""

    def to_dict(self) -> dict[str, Any]:
        if not dataclasses.is_dataclass(self):
            raise TypeError(f"{type(self).__name__} must define to_dict")
        return {f.name: plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @property
    def exit_code(self) -> int:
        return 0


def plain(value: Any) -> Any:
    """``value`` as JSON can hold it: results and dataclasses as objects, statuses as their
    words, paths as strings, tuples and sets as lists."""
    if isinstance(value, Result):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, dict):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value
