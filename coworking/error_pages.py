"""Error pages in the user's language, JSON for the API; never a stack trace."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from coworking.extensions import db


def is_api_request() -> bool:
    """Tell whether the request is for the JSON API (answers in JSON, never HTML)."""
    return request.path.startswith("/api/")


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Requête invalide"), _("La requête n'a pas pu être traitée.")),
        401: (_("Connexion requise"), _("Connectez-vous pour continuer.")),
        403: (_("Accès refusé"), _("Votre rôle ne permet pas cette action.")),
        404: (_("Page introuvable"), _("Cette page n'existe pas ou plus.")),
        405: (_("Méthode non autorisée"), _("Cette action n'est pas possible ici.")),
        413: (
            _("Fichier trop volumineux"),
            _("Le fichier ou le formulaire envoyé dépasse la taille autorisée."),
        ),
        429: (
            _("Trop de tentatives"),
            _("Trop de tentatives de connexion. Réessayez dans quelques minutes."),
        ),
        500: (
            _("Erreur interne"),
            _("Une erreur inattendue s'est produite ; rien n'a été enregistré."),
        ),
        503: (_("Service indisponible"), _("Le service est momentanément indisponible.")),
    }


def render_error(status: int, detail: str | None = None):
    """Answer an error in JSON for the API, else with the error page."""
    title, message = _messages().get(status, (_("Erreur"), _("Une erreur s'est produite.")))
    if detail:
        message = detail
    if is_api_request():
        response = jsonify({"error": message})
        response.status_code = status
        return response
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Register handlers for HTTP errors, CSRF failures and unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400,
            _(
                "Le formulaire a expiré ou son jeton de sécurité est invalide. Rechargez la page et réessayez."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        detail = None
        if error.code == 400 and error.description and getattr(error, "user_message", False):
            detail = error.description
        return render_error(error.code, detail)

    @app.errorhandler(InternalServerError)
    def unexpected_error(error: InternalServerError):
        # Reached for unhandled exceptions outside testing (tests see them raised).
        db.session.rollback()
        return render_error(InternalServerError.code)
