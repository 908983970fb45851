"""coworking: the register of a coworking space's community, and its label dossier.

``flask --app coworking`` finds the factory here; it lives in `coworking.app`.
"""

from __future__ import annotations

from coworking.app import create_app

__all__ = ["create_app"]
