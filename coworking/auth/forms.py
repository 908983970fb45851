"""Forms for logging in and managing accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from coworking.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from coworking.forms import OnceForm
from coworking.roles import ROLE_LABELS, Role


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, ROLE_LABELS[role]) for role in (Role.VIEWER, Role.MANAGER, Role.ADMIN)]


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(_l("Saisissez votre adresse e-mail.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[
            DataRequired(_l("Saisissez votre mot de passe.")),
            Length(max=MAX_PASSWORD_LENGTH),
        ],
    )
    remember = BooleanField(_l("Rester connecté (30 jours)"))


class NewPasswordMixin:
    password = PasswordField(
        _l("Mot de passe"),
        validators=[
            DataRequired(_l("Saisissez un mot de passe.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l("Le mot de passe doit contenir au moins 12 caractères."),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Confirmation"),
        validators=[EqualTo("password", _l("Les deux mots de passe diffèrent."))],
    )


class UserCreateForm(NewPasswordMixin, OnceForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[
            DataRequired(_l("Saisissez une adresse e-mail.")),
            Email(_l("Adresse e-mail invalide."), check_deliverability=False),
            Length(max=254),
        ],
    )
    role = SelectField(_l("Rôle"), choices=role_choices, default=Role.MANAGER.value)


class RoleForm(FlaskForm):
    role = SelectField(_l("Rôle"), choices=role_choices)


class PasswordResetForm(NewPasswordMixin, FlaskForm):
    """A new password and its confirmation, set by an admin."""


class TokenForm(OnceForm):
    name = StringField(
        _l("Nom du jeton"), validators=[DataRequired(_l("Donnez un nom.")), Length(max=100)]
    )
    role = SelectField(
        _l("Rôle"),
        choices=lambda: [
            (Role.MANAGER.value, ROLE_LABELS[Role.MANAGER]),
            (Role.VIEWER.value, ROLE_LABELS[Role.VIEWER]),
        ],
    )
