"""Whether departments work together, in one read: per pair of units over a period, the handoffs between
them (each way), the objectives one owns and the other contributes to, what one unit's people answered in
surveys about the other (under the surveys' own anonymity thresholds), and the people who belong to both."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.domain.feedback.results import results
from app.domain.handoffs.service import Handoffs, check_period
from app.domain.model import ListQuery, every_page
from app.domain.text import spreadsheet_safe
from app.domain.usecases import UseCases

READ = "org:read"
SECTIONS = {"handoffs": "handoffs:read", "objectives": "objectives:read", "surveys": "feedback:read"}


class Collaboration(UseCases):
    async def pairs(self, period_start: date, period_end: date) -> list[dict[str, Any]]:
        """Every pair of units that shares something in the period, `unit_ids` in id order. A section the
        caller's token may not read is null (handoffs: handoffs:read; objectives: objectives:read;
        surveys: feedback:read)."""
        self._org(READ)
        may = {name: self.principal.has(scope) for name, scope in SECTIONS.items()}
        out: dict[tuple[str, str], dict[str, Any]] = {}

        def pair(a: str, b: str) -> dict[str, Any]:
            key = (a, b) if a < b else (b, a)
            return out.setdefault(key, {
                "unit_ids": list(key),
                "handoffs": {"a_to_b": None, "b_to_a": None} if may["handoffs"] else None,
                "shared_objectives": [] if may["objectives"] else None,
                "survey_scores": [] if may["surveys"] else None,
                "people_in_both": {"people": 0, "member": 0, "rotation": 0, "training": 0},
            })  # fmt: skip

        check_period(period_start, period_end)
        if may["handoffs"]:
            for flow in await Handoffs(self.uow, self.principal, self.clock).analytics(period_start, period_end):
                a, b = flow["from_unit_id"], flow["to_unit_id"]
                if a and b and a != b:
                    pair(a, b)["handoffs"]["a_to_b" if a < b else "b_to_a"] = flow
        for a, b, people, member, rotation, training in await self.uow.collaboration.people_in_both(
            period_start, period_end
        ):
            pair(a, b)["people_in_both"] = {"people": people, "member": member, "rotation": rotation,
                                            "training": training}  # fmt: skip
        if may["objectives"]:
            for (
                owner,
                contributor,
                objective_id,
                title,
                progress,
                status,
            ) in await self.uow.collaboration.shared_objectives(period_start, period_end):
                pair(owner, contributor)["shared_objectives"].append({
                    "objective_id": objective_id, "title": title, "owner_unit_id": owner,
                    "contributor_unit_id": contributor, "progress": progress, "status": status})  # fmt: skip
        if may["surveys"]:
            for score in await self._survey_scores(period_start, period_end):
                pair(score["from_unit_id"], score["about_unit_id"])["survey_scores"].append(score)
        return [out[k] for k in sorted(out)]

    async def _survey_scores(self, period_start: date, period_end: date) -> list[dict[str, Any]]:
        """For each survey about a unit that closes in the period (an anonymous one once closed): what each
        other unit's people answered,
        as the survey's results show it by unit (a group under its threshold, and the next-smallest beside
        it, shows no score): the mean of its scale questions' means."""
        zone = ZoneInfo(await self.time_zone())
        start = datetime.combine(period_start, time.min, zone)
        end = datetime.combine(period_end + timedelta(days=1), time.min, zone)
        out = []
        for survey in await every_page(self.uow.surveys, ListQuery(limit=200)):
            if survey.about_unit_id is None or not (start <= survey.closes_at < end):
                continue
            if survey.anonymous and survey.status != "closed":
                continue  # an anonymous survey's results count once it closed (as its own results do)
            shown = results(survey, await self.uow.survey_responses.of_survey(survey.id), "unit")
            for group in shown.get("groups", []):
                if group["unit_id"] == survey.about_unit_id:
                    continue
                means = [q["mean"] for q in group["questions"] if not q.get("suppressed") and q.get("mean") is not None]
                out.append({
                    "survey_id": survey.id, "title": survey.title, "about_unit_id": survey.about_unit_id,
                    "from_unit_id": group["unit_id"], "responses": group["responses"],
                    "score": round(sum(means) / len(means), 4) if means and not group["suppressed"] else None,
                    "suppressed": group["suppressed"] or not means})  # fmt: skip
        return out


CSV_COLUMNS = [
    "unit_a_id", "unit_b_id", "handoffs_a_to_b", "acceptance_rate_a_to_b", "median_seconds_to_accept_a_to_b",
    "overdue_rate_a_to_b", "handoffs_b_to_a", "acceptance_rate_b_to_a", "median_seconds_to_accept_b_to_a",
    "overdue_rate_b_to_a", "shared_objectives", "shared_objectives_mean_progress", "survey_scores",
    "people_in_both", "rotations", "training",
]  # fmt: skip


def as_csv(pairs: list[dict[str, Any]]) -> str:
    """One row per pair, for a spreadsheet (empty cells where the section is not readable or has nothing)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for p in pairs:
        row: list[Any] = list(p["unit_ids"])
        for way in ("a_to_b", "b_to_a"):
            flow = (p["handoffs"] or {}).get(way) or {}
            row += [flow.get("offered", ""), _cell(flow.get("acceptance_rate")),
                    _cell(flow.get("median_seconds_to_accept")), _cell(flow.get("overdue_rate"))]  # fmt: skip
        shared = p["shared_objectives"] or []
        row += [len(shared), _cell(sum(o["progress"] for o in shared) / len(shared) if shared else None)]
        scores = [s for s in p["survey_scores"] or [] if s["score"] is not None]
        row += [" ".join(f"{s['from_unit_id']}→{s['about_unit_id']}:{s['score']}" for s in scores)]
        people = p["people_in_both"]
        row += [people["people"], people["rotation"], people["training"]]
        writer.writerow([spreadsheet_safe(str(c)) for c in row])
    return out.getvalue()


def _cell(value: Any) -> Any:
    return "" if value is None else round(value, 4) if isinstance(value, float) else value
