"""Demo data: a plausible, deterministic community for trying the application (`seed-demo`).

Also the first run's setup (`first-run`): the seed sits above every other feature, so it is
the one place that may fill them all.
"""

from __future__ import annotations

from flask import Flask

from coworking.seed import cli


def register(app: Flask) -> None:
    """Register this feature's commands."""
    app.cli.add_command(cli.seed_demo_command)
    app.cli.add_command(cli.first_run_command)
