"""Command: indicators --from DATE --to DATE [--json]."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from coworking.periods import Period, PeriodError
from coworking.stats.definitions import INDICATORS, format_value
from coworking.stats.indicators import compute_indicators


def parse_period(start: str | None, end: str | None) -> Period:
    """Read the period of a command (this year when both are left out)."""
    try:
        if start is None and end is None:
            return Period.this_year()
        return Period.parse(start, end)
    except PeriodError as error:
        option = "--from" if error.field == "from" else "--to"
        raise click.ClickException(f"{option} : {error.message}") from None


@click.command("indicators")
@click.option("--from", "start", metavar="AAAA-MM-JJ", help="Premier jour de la période.")
@click.option("--to", "end", metavar="AAAA-MM-JJ", help="Dernier jour de la période (inclus).")
@click.option("--json", "as_json", is_flag=True, help="Écrire du JSON au lieu d'un tableau.")
@with_appcontext
def indicators_command(start: str | None, end: str | None, as_json: bool) -> None:
    """Print the indicators of a period (a French table, or JSON)."""
    period = parse_period(start, end)
    values = compute_indicators(period)
    if as_json:
        click.echo(
            json.dumps({"period": period.as_dict(), "indicators": values}, ensure_ascii=False)
        )
        return
    click.echo(
        f"Indicateurs du {period.start.strftime('%d/%m/%Y')} au {period.end.strftime('%d/%m/%Y')}"
        f" ({period.days} jours)"
    )
    labels = {key: INDICATORS[key].label("fr") for key in values}
    width = max(len(label) for label in labels.values())
    for key, value in values.items():
        click.echo(f"  {labels[key]:<{width}}  {format_value(key, value, 'fr'):>10}")
