"""Command: readiness --from DATE --to DATE [--json]."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from coworking.extensions import db
from coworking.label.criteria import ensure_default_criteria
from coworking.label.readiness import evaluate
from coworking.stats.charts import french_number, french_percent
from coworking.stats.cli import parse_period


@click.command("readiness")
@click.option("--from", "start", metavar="AAAA-MM-JJ", help="Premier jour de la période.")
@click.option("--to", "end", metavar="AAAA-MM-JJ", help="Dernier jour de la période (inclus).")
@click.option("--json", "as_json", is_flag=True, help="Écrire du JSON au lieu d'un tableau.")
@with_appcontext
def readiness_command(start: str | None, end: str | None, as_json: bool) -> None:
    """Evaluate the label criteria over a period (a French table, or JSON)."""
    period = parse_period(start, end)
    result = evaluate(period)
    if not result.results:
        raise click.ClickException(
            "Aucun critère actif à évaluer : chargez le catalogue par défaut avec "
            "« flask --app coworking load-criteria » (ou le bouton « Ajouter les critères par "
            "défaut manquants » de /admin/criteria), ou réactivez des critères."
        )
    if as_json:
        payload = {
            "period": period.as_dict(),
            "score": result.score,
            "points": result.points,
            "total_points": result.total_points,
            "criteria": [
                {
                    "code": item.code,
                    "title": item.title,
                    "kind": item.kind,
                    "target": item.target,
                    "value": item.value,
                    "met": item.met,
                    "weight": item.weight,
                    "points": item.points,
                    "gap": item.gap_text,
                    "evidence": [document.title for document in item.evidence],
                }
                for item in result.results
            ],
        }
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    click.echo(
        f"Préparation au label du {period.start.strftime('%d/%m/%Y')} au "
        f"{period.end.strftime('%d/%m/%Y')} : score {french_percent(result.score)}, "
        f"{result.met_count} critères remplis sur {len(result.results)}, "
        f"{french_number(result.points)} / {french_number(result.total_points)} points"
    )
    for item in result.results:
        mark = "OK " if item.met else "-- "
        click.echo(
            f"  {mark}{item.code:<7} {item.title[:60]:<60} {item.value_text:>9} "
            f"(cible {item.target_text}){'  ' + item.gap_text if item.gap_text else ''}"
        )


@click.command("load-criteria")
@with_appcontext
def load_criteria_command() -> None:
    """Add the default criteria catalogue's missing criteria (never changes edited ones)."""
    added = ensure_default_criteria()
    db.session.commit()
    click.echo(f"{added} critère(s) ajouté(s) au catalogue.")
