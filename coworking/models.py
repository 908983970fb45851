"""Import every model so that SQLAlchemy and Alembic see the whole schema."""


def import_all_models() -> None:
    """Import the models of every feature package."""
    from coworking.audit import models as _audit  # noqa: F401
    from coworking.auth import models as _auth  # noqa: F401
    from coworking.community import models as _community  # noqa: F401
    from coworking.events import models as _events  # noqa: F401
    from coworking.label import models as _label  # noqa: F401
    from coworking.members import models as _members  # noqa: F401
    from coworking.space import models as _space  # noqa: F401
