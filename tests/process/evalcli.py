"""`rubrik eval` through the real Typer app, for the tests of its --labels and --reviewed modes."""

from __future__ import annotations

from typer.testing import CliRunner

import cli


def run_eval(*args: str) -> tuple[int, str]:
    """Exit code and output of ``rubrik eval ARGS``; a UserError (printed in German by ``cli.main``) as code 2
    with its message."""
    result = CliRunner().invoke(cli.app, ["eval", *args])
    if isinstance(result.exception, cli.UserError):
        return 2, str(result.exception)
    return result.exit_code, result.output
