from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.api.schemas.common import RequestBody, Resource


class CalendarFeedCreate(RequestBody):
    owner_type: Literal["unit", "person"] = Field(description="Whose dates the feed holds.")
    owner_id: str = Field(min_length=1, max_length=40, examples=["unit_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"])


class CalendarFeed(Resource):
    owner_type: Literal["unit", "person"]
    owner_id: str
    areas: list[str] = Field(
        description="What the feed holds (handoffs, objectives, surveys): the areas its creator's token could read."
    )
    external_refs: dict[str, str]


class CalendarFeedWithUrl(CalendarFeed):
    url: str | None = Field(
        default=None,
        description="The feed's secret URL (iCalendar), for a calendar app to subscribe to. In this answer"
        " only (absent from an `Idempotency-Key` replay); DELETE the feed to revoke it.",
    )
