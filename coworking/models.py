"""Every model of every feature, imported here so that SQLAlchemy and Alembic see the whole schema."""

from __future__ import annotations

from coworking.audit import models as audit_models
from coworking.auth import models as auth_models
from coworking.community import models as community_models
from coworking.documents import models as document_models
from coworking.events import models as event_models
from coworking.label import models as label_models
from coworking.members import models as member_models
from coworking.partners import models as partner_models
from coworking.space import models as space_models
from coworking.submissions import FormSubmission  # noqa: F401 (the kernel's one table)

MODEL_MODULES = (
    audit_models,
    auth_models,
    member_models,
    partner_models,
    document_models,
    space_models,
    event_models,
    community_models,
    label_models,
)
