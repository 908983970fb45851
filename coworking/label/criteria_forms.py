"""The form admins use to edit a label criterion."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from coworking.label.criteria import COMPARATORS, DECLARATION_CHECKS, KINDS
from coworking.stats.definitions import INDICATORS


def indicator_choices() -> list[tuple[str, str]]:
    choices = [("", "—")]
    choices += [(key, definition.label()) for key, definition in INDICATORS.items()]
    choices += [
        (key, f"{_l('Vérification')} : {label}") for key, label in DECLARATION_CHECKS.items()
    ]
    return choices


class CriterionForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Optional(), Length(max=16)])
    title = StringField(
        _l("Intitulé"), validators=[DataRequired(_l("Donnez un intitulé.")), Length(max=300)]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    pillar = StringField(
        _l("Pilier"), validators=[DataRequired(_l("Donnez un pilier.")), Length(max=100)]
    )
    kind = SelectField(_l("Type"), choices=lambda: [(k, str(v)) for k, v in KINDS.items()])
    indicator_key = SelectField(
        _l("Indicateur (ou vérification d'une déclaration)"), choices=indicator_choices
    )
    comparator = SelectField(
        _l("Comparaison"), choices=lambda: [(k, str(v)) for k, v in COMPARATORS.items()]
    )
    target = DecimalField(
        _l("Cible"),
        places=None,
        validators=[Optional()],
        description=_l("Pour un pourcentage, saisissez 70 pour 70 %."),
    )
    weight = DecimalField(
        _l("Poids"),
        places=None,
        default=1,
        validators=[
            InputRequired(_l("Donnez un poids.")),
            NumberRange(min=0, max=100, message=_l("Le poids va de 0 à 100.")),
        ],
    )
    statement = TextAreaField(
        _l("Déclaration du candidat"), validators=[Optional(), Length(max=5000)]
    )
    declared_met = BooleanField(_l("Déclaré rempli"))
    evidence_required = BooleanField(_l("Justificatif obligatoire"))
    documents = SelectMultipleField(_l("Justificatifs joints"), coerce=int, validate_choice=False)
    active = BooleanField(_l("Actif"), default=True)
