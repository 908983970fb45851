# TEMPORARY DEV SCAFFOLD — NOT COMMITTED (feature/stats owns this file)
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from coworking.extensions import db
from coworking.label.models import Criterion
from coworking.stats.indicators import compute_indicators


@dataclass
class Result:
    criterion: Any
    value: Any
    met: bool
    evidence: list = field(default_factory=list)


@dataclass
class Readiness:
    score: float
    results: list


def evaluate(period):
    values = compute_indicators(period)
    results = []
    for c in db.session.scalars(
        select(Criterion).where(Criterion.active).order_by(Criterion.position)
    ):
        v = values.get(c.indicator_key) if c.kind == "metric" else None
        met = (v is not None and v >= (c.target or 0)) if c.kind == "metric" else c.declared_met
        results.append(Result(c, v, met, list(c.documents)))
    w = sum(r.criterion.weight for r in results) or 1
    return Readiness(sum(r.criterion.weight for r in results if r.met) / w, results)
