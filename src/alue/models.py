"""Imports every domain's tables so that ``Base.metadata`` is complete (for Alembic and tests)."""

from alue.area import models as area_models
from alue.casework import journey_models as casework_journey_models  # noqa: F401  (journey, early identification)
from alue.casework import models as casework_models
from alue.employers import models as employer_models
from alue.matching import models as matching_models  # noqa: F401  (weekly matching runs)
from alue.people import models as people_models
from alue.planning import models as planning_models  # noqa: F401  (scenarios, benefit facts, snapshots)
from alue.scorecard import models as scorecard_models  # noqa: F401  (scorecard inputs and fact tables)
from alue.services import models as service_models
from alue.shared import audit as audit_models  # noqa: F401  (web: audit log)
from alue.shared import auth as auth_models  # noqa: F401  (web: users, sessions, login attempts)
from alue.shared.db import Base
from alue.staff import models as staff_models
from alue.surveys import models as survey_models

__all__ = [
    "Base",
    "area_models",
    "casework_models",
    "employer_models",
    "people_models",
    "service_models",
    "staff_models",
    "survey_models",
]
