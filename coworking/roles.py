"""The three roles and their order: a higher role can do all a lower one can."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    VIEWER = "viewer"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return ROLE_RANK[self]

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])

    def allows(self, needed: Role) -> bool:
        """Tell whether this role is at least the needed one."""
        return self.rank >= needed.rank


ROLE_RANK = {Role.VIEWER: 0, Role.MANAGER: 1, Role.ADMIN: 2}
ROLE_LABELS = {
    Role.VIEWER: _l("Lecteur"),
    Role.MANAGER: _l("Gestionnaire"),
    Role.ADMIN: _l("Administrateur"),
}
