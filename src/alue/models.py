"""Imports every domain's tables so that ``Base.metadata`` is complete (for Alembic and tests)."""

from alue.area import models as area_models
from alue.casework import models as casework_models
from alue.employers import models as employer_models
from alue.people import models as people_models
from alue.services import models as service_models
from alue.shared.db import Base
from alue.staff import models as staff_models

__all__ = [
    "Base",
    "area_models",
    "casework_models",
    "employer_models",
    "people_models",
    "service_models",
    "staff_models",
]
