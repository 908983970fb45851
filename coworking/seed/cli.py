"""The `seed-demo` command."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from coworking.extensions import db
from coworking.seed import demo


@click.command("seed-demo")
@click.option(
    "--members",
    type=click.IntRange(min=1, max=100_000),
    default=demo.DEFAULT_MEMBERS,
    show_default=True,
    help="Nombre de membres.",
)
@click.option(
    "--years",
    type=click.IntRange(min=1, max=30),
    default=demo.DEFAULT_YEARS,
    show_default=True,
    help="Nombre d'années d'historique, jusqu'à aujourd'hui.",
)
@click.option(
    "--seed",
    type=int,
    default=demo.DEFAULT_SEED,
    show_default=True,
    help="Graine du générateur : la même graine donne les mêmes données.",
)
@with_appcontext
def seed_demo_command(members: int, years: int, seed: int) -> None:
    """Fill an empty database with a realistic, deterministic demo community (fictional people)."""
    try:
        result = demo.seed_demo(members=members, years=years, seed=seed)
    except demo.DatabaseNotEmpty as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(
        f"Données de démonstration chargées ({result.first_day.isoformat()} → "
        f"{result.last_day.isoformat()}) en {result.seconds:.1f} s :"
    )
    for table, count in result.counts.items():
        click.echo(f"  {table:<18} {count:>8}")
