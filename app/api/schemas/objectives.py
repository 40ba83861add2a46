"""REST schemas of objectives, key results and check-ins. They document the wire; the rules (and their
error codes, the same as GraphQL's) are the domain's declaration (app/domain/objectives/model.py), which
every input goes through."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeAlias

from pydantic import Field

from app.api.schemas.common import RequestBody
from app.api.schemas.derive import choice, create_body, patch_body, resource_body
from app.domain.objectives.model import (
    CHECK_IN_FIELDS,
    CHECK_IN_READ_ONLY,
    HEALTHS,
    KEY_RESULT_CHANGEABLE,
    KEY_RESULT_DEFAULTS,
    KEY_RESULT_FIELDS,
    KEY_RESULT_READ_ONLY,
    OBJECTIVE_DEFAULTS,
    OBJECTIVE_FIELDS,
    OBJECTIVE_STATUSES,
    PROGRESS_RULES,
)
from app.domain.objectives.model import CheckIn as CheckInModel
from app.domain.objectives.model import KeyResult as KeyResultModel
from app.domain.objectives.model import Objective as ObjectiveModel
from app.domain.objectives.progress import OBJECTIVE_READ_ONLY

if TYPE_CHECKING:
    ObjectiveStatus: TypeAlias = str
    ProgressRule: TypeAlias = str
    Health: TypeAlias = str
else:  # enumerations of the declared values
    ObjectiveStatus, ProgressRule, Health = choice(OBJECTIVE_STATUSES), choice(PROGRESS_RULES), choice(HEALTHS)

ObjectiveCreate = create_body("ObjectiveCreate", OBJECTIVE_FIELDS, OBJECTIVE_DEFAULTS, doc="A new objective.")
ObjectivePut = create_body(
    "ObjectivePut",
    OBJECTIVE_FIELDS,
    OBJECTIVE_DEFAULTS,
    doc="An objective as another system keeps it: created (draft or active) or replaced (a status moves as a"
    " PATCH moves it).",
    replacing=True,
)
ObjectivePatch = patch_body(
    "ObjectivePatch", OBJECTIVE_FIELDS, doc="A JSON merge patch of an objective; a status names the move to take."
)
Objective = resource_body(
    "Objective", ObjectiveModel, OBJECTIVE_FIELDS, read_only=OBJECTIVE_READ_ONLY, doc="A shared objective."
)
KeyResultCreate = create_body("KeyResultCreate", KEY_RESULT_FIELDS, KEY_RESULT_DEFAULTS, doc="A new key result.")
KeyResultPatch = patch_body(
    "KeyResultPatch",
    KEY_RESULT_CHANGEABLE,
    doc="A JSON merge patch of a key result (its objective is fixed).",
)
KeyResult = resource_body(
    "KeyResult",
    KeyResultModel,
    KEY_RESULT_FIELDS,
    read_only=KEY_RESULT_READ_ONLY,
    doc="A measure of an objective, from a start value to a target.",
)
CheckInCreate = create_body("CheckInCreate", CHECK_IN_FIELDS, {"external_refs": {}}, doc="A key result's value now.")
CheckIn = resource_body(
    "CheckIn", CheckInModel, CHECK_IN_FIELDS, read_only=CHECK_IN_READ_ONLY, doc="A key result's value, recorded."
)


class Contribution(RequestBody):
    kind: Literal["key_result", "objective"]
    id: str
    title: str
    progress: float
    weight: float
    share: float = Field(description="weight × progress / total_weight.")


class ProgressExplained(RequestBody):
    objective_id: str
    progress_rule: ProgressRule
    progress: float = Field(description="The sum of the inputs' shares.")
    total_weight: float
    inputs: list[Contribution]
