"""The ``rubrik`` command: the door for people and scripts. Builds the settings once and passes them down."""

from __future__ import annotations

import typer

from publish.cli import register as register_publish

app = typer.Typer(help="rubrik – die Corona-Wirtschaftsrubrik aktuell halten.", no_args_is_help=True)
register_publish(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
