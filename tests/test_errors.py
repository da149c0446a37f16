"""The one error tree and the one boundary: every exception the product raises maps to an
exit code through ``errors.EXIT_CODES``, with a message and never a traceback on screen."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pipeline.cli import Boundary
from pipeline.core import errors

PACKAGE = Path(errors.__file__).parent

# What each error means to a script that runs simad (README, "Commands").
EXPECTED = {
    errors.ConfigError: 2,
    errors.RunLocked: 2,
    errors.UnknownLanguage: 2,
    errors.KeyringMissing: 2,
    errors.InputFileError: 2,
    errors.UploadTooLarge: 2,
    errors.StaleWorkbook: 2,
    errors.LocalStorageError: 3,
    errors.MirrorError: 1,
    errors.RemoteError: 3,
    errors.AuthError: 3,
    errors.MaxaError: 3,
    errors.UnexpectedResponse: 3,
    errors.RetryableError: 3,
    errors.NotTheApi: 3,
    errors.RemoteUnreachable: 3,
}


def product_errors() -> list[type[errors.SimadError]]:
    return [
        c
        for _, c in inspect.getmembers(errors, inspect.isclass)
        if issubclass(c, errors.SimadError) and c is not errors.SimadError
    ]


def boundary_app(raise_it: BaseException) -> typer.Typer:
    app = typer.Typer(cls=Boundary)

    @app.command()
    def fail() -> None:
        raise raise_it

    @app.command()
    def other() -> None:  # two commands, so that `fail` is a subcommand as in simad
        pass

    return app


def test_every_error_of_the_tree_is_in_the_table():
    assert set(product_errors()) == set(EXPECTED)


@pytest.mark.parametrize("kind", sorted(EXPECTED, key=lambda c: c.__name__))
def test_the_boundary_maps_each_error_to_its_exit_code(kind):
    result = CliRunner().invoke(boundary_app(kind("what went wrong")), ["fail"])
    assert result.exit_code == EXPECTED[kind] == errors.exit_code_for(kind("x"))
    assert "what went wrong" in result.output
    assert "Traceback" not in result.output


def test_an_unexpected_error_and_an_interrupt_have_their_own_codes():
    crash = CliRunner().invoke(boundary_app(ZeroDivisionError("oops")), ["fail"])
    assert crash.exit_code == errors.UNEXPECTED_EXIT == 70
    assert "ZeroDivisionError: oops" in crash.output and "Traceback" not in crash.output
    stop = CliRunner().invoke(boundary_app(KeyboardInterrupt()), ["fail"])
    assert stop.exit_code == errors.INTERRUPTED_EXIT == 130


def test_a_usage_error_stays_the_parsers_exit_2():
    result = CliRunner().invoke(boundary_app(RuntimeError()), ["fail", "--nope"])
    assert result.exit_code == 2


def test_no_exception_class_lives_outside_errors_py():
    """The sandbox, a stand-in for another party's server, keeps its internals to itself."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py" or "sandbox" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if any(b.endswith(("Error", "Exception")) for b in bases):
                    found.append(f"{path.name}:{node.name}")
    assert found == []


def test_a_reader_that_goes_away_ends_the_command_quietly():
    """`simad … | head`: no "unexpected error", no traceback, the shell's exit code."""
    result = CliRunner().invoke(boundary_app(BrokenPipeError(32, "Broken pipe")), ["fail"])
    assert result.exit_code == 141
    assert "nexpected" not in result.output and "Traceback" not in result.output
