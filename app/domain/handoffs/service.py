"""Handoffs' use cases: the handoff itself and its actions here; policies and comments in `policies.py`.
REST and GraphQL both call these."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.domain.changes import (
    check_refs,
    check_version,
    ensure_external_refs_free,
)
from app.domain.clock import rfc3339
from app.domain.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from app.domain.fields import FIRST_DAY, LAST_DAY, parse_duration, stored
from app.domain.handoffs import clocks
from app.domain.handoffs.history import _copy, _only_ticks, timeline_of
from app.domain.handoffs.model import (
    AFTER_SENDING,
    CLOCKS,
    FINAL,
    HANDOFF_DEFAULTS,
    HANDOFF_FIELDS,
    HANDOFF_FLOW,
    HANDOFF_WRITABLE,
    PRIORITIES,
    RECEIVING,
    STATUSES,
    Handoff,
    check_action,
    check_handoff,
)
from app.domain.model import ListQuery, Page
from app.domain.patch import patched, previous_attributes
from app.domain.reads import read_one, read_page
from app.domain.usecases import UseCases

READ, WRITE = "handoffs:read", "handoffs:write"
CLOCK_JOBS = {name: f"handoff.{name}_clock" for name in CLOCKS}  # the timed job of each clock
# The objects a handoff or a policy names, by field: the prefix of their ids.
REFS = {
    "from_unit_id": "unit",
    "to_unit_id": "unit",
    "from_person_id": "person",
    "to_person_id": "person",
    "objective_id": "obj",
}
MAX_TRANSITIONS = 100  # moves a handoff keeps in its history (a bound on its size; 409 beyond)


class HandoffsBase(UseCases):
    async def _handoff(self, handoff_id: str, *, for_update: bool = False) -> Handoff:
        found = await self.uow.handoffs.get(handoff_id, for_update=for_update)
        if found is None:
            raise NotFound(f"No handoff {handoff_id}.")
        return found

    async def _check_refs(self, fields: dict[str, Any], before: Any = None) -> None:
        await check_refs(self.uow, fields, REFS, before)

    async def schedule_clocks(self, handoff: Handoff) -> None:
        """Each clock's timed job at its next mark, or none (stopped, paused, no deadline, all fired)."""
        for name in CLOCKS:
            due = clocks.next_due(handoff.sla, name)
            if due is None:
                await self.uow.jobs.cancel(CLOCK_JOBS[name], handoff.id)
            else:
                await self.uow.jobs.schedule(CLOCK_JOBS[name], handoff.id, due)


class Handoffs(HandoffsBase):
    async def get_handoff(self, handoff_id: str, as_of: datetime | None = None) -> Handoff:
        self._org(READ)
        return await read_one(self.uow.handoffs, handoff_id, as_of, "handoff")

    async def list_handoffs(self, query: ListQuery, as_of: datetime | None = None) -> Page[Handoff]:
        self._org(READ)
        for name, choices in (("status", STATUSES), ("priority", PRIORITIES)):
            if name in query.filters and query.filters[name] not in choices:
                raise Invalid(
                    "The filters are invalid.", [FieldError(f"/{name}", f"must be one of: {', '.join(choices)}")]
                )
        return await read_page(self.uow.handoffs, query, as_of)

    async def create_handoff(self, fields: dict[str, Any]) -> Handoff:
        self._org(WRITE)
        fields = {**HANDOFF_DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}
        check_handoff(fields, creating=True)
        await self._check_refs(fields)
        await self._sender(fields["from_unit_id"])
        await ensure_external_refs_free(self.uow.handoffs, fields["external_refs"], None)
        now = self.clock.now()
        handoff = self._new(
            Handoff,
            "ho",
            sla=clocks.new_sla(),
            history=[self._entry(now, "create", None, "draft")],
            **stored(fields, HANDOFF_FIELDS),
        )
        await self._add(self.uow.handoffs, handoff, "handoff.created")
        return handoff

    async def update_handoff(
        self, handoff_id: str, patch: dict[str, Any], expected_version: int | None = None
    ) -> Handoff:
        """The sending side edits a draft; once sent, only the checklist, links and external refs change (either
        side)."""
        self._org(WRITE)
        handoff = await self._handoff(handoff_id, for_update=True)
        check_version(handoff, expected_version)
        allowed = HANDOFF_WRITABLE if handoff.status == "draft" else AFTER_SENDING
        if handoff.status in FINAL:
            allowed = ("links", "external_refs")
        fixed = sorted(set(patch) - set(allowed))
        if fixed:
            code = "read_only" if handoff.status == "draft" else "conflict"
            detail = f"A {handoff.status} handoff's {', '.join(fixed)} cannot change."
            if handoff.status != "draft":
                raise Conflict(detail, field=f"/{fixed[0]}")
            raise Invalid(detail, [FieldError(f"/{k}", "cannot be changed", code) for k in fixed])
        for f in HANDOFF_FIELDS:
            if f.name in patch and patch[f.name] is None and not f.nullable:
                raise Invalid(
                    "The request has invalid fields.", [FieldError(f"/{f.name}", "must not be null", "required")]
                )
        merged = patched(handoff, patch, HANDOFF_WRITABLE)  # payload: merged too
        check_handoff(merged, creating=False)
        await self._check_refs(merged, handoff)
        if handoff.status == "draft":
            await self._side(handoff, "edit")
            if merged["from_unit_id"] != handoff.from_unit_id or merged.get("from_person_id") != handoff.from_person_id:
                await self._sender(merged["from_unit_id"])
        else:
            await self._either_side(handoff)
            _only_ticks(handoff, merged)
        await ensure_external_refs_free(self.uow.handoffs, merged["external_refs"], handoff.id, handoff.external_refs)
        changed = replace(handoff, **stored(merged, HANDOFF_FIELDS, patch))
        previous = await self._save_changes(self.uow.handoffs, handoff, changed)
        if not previous:
            return handoff
        self._record("handoff.updated", changed.resource(), previous)
        return changed

    async def upsert_handoff(self, system: str, external_id: str, fields: dict[str, Any]) -> tuple[Handoff, bool]:
        """A CRM opens a handoff itself, keyed by its own id (a deal); while it is a draft, the same PUT
        updates it."""
        self._org(WRITE)

        async def update(existing: Handoff, patch: dict[str, Any]) -> Handoff:
            if existing.status != "draft":  # what a sent handoff keeps of the body
                patch = {k: v for k, v in patch.items() if k in AFTER_SENDING}
            return await self.update_handoff(existing.id, patch)

        return await self._upsert(
            self.uow.handoffs, system, external_id, fields, self.create_handoff, update, HANDOFF_FIELDS,
            defaults=HANDOFF_DEFAULTS,  # priority, payload, checklist stay (they are `kept`)
        )  # fmt: skip

    # --- actions -----------------------------------------------------------------------------------------

    async def act(
        self, handoff_id: str, action: str, fields: dict[str, Any], expected_version: int | None = None
    ) -> Handoff:
        """send, accept, decline, wait, resume, forward, complete, cancel: each from the states the table
        allows (409 otherwise), by the side that may take it (403 otherwise)."""
        self._org(WRITE)
        fields = {k: v for k, v in fields.items() if v is not None}
        check_action(action, fields)
        handoff = await self._handoff(handoff_id, for_update=True)
        check_version(handoff, expected_version)
        transition = HANDOFF_FLOW.take(handoff.status, action, handoff)
        await self._side(handoff, action)
        if len(handoff.history) >= MAX_TRANSITIONS:
            raise Conflict(
                f"{handoff_id} has made {MAX_TRANSITIONS} moves, the most a handoff keeps; cancel it and open a new one."
            )
        if action == "forward":
            await self._check_refs(fields)
            if fields["to_unit_id"] == handoff.to_unit_id:
                raise Invalid(
                    "A forward names another unit.", [FieldError("/to_unit_id", "is the unit that holds it", "invalid")]
                )
        now = self.clock.now()
        before = handoff.resource()
        changed = replace(handoff, status=transition.target, sla=_copy(handoff.sla), history=list(handoff.history))
        await self._apply(changed, action, fields, now)
        changed.history.append(self._entry(now, action, handoff.status, transition.target, **fields))
        changed.touch(now)
        await self.uow.handoffs.save(changed, expected_version=handoff.version)
        self._record(
            transition.event or "handoff.updated", changed.resource(), previous_attributes(before, changed.resource())
        )
        await self.schedule_clocks(changed)
        return changed

    async def _apply(self, h: Handoff, action: str, fields: dict[str, Any], now: datetime) -> None:
        """The clocks, the segments and the offers (what the analytics count) that the action moves."""
        sla, offers = h.sla, self.uow.handoff_offers
        if action == "send":
            if sla["accept"]["started_at"] is None:  # the first send starts both clocks
                await self._apply_policy(h, now)
                clocks.start(sla, now, h.accept_by, h.due_at)
            clocks.hand_to(sla, h.to_unit_id, now)
            await offers.offer(h.id, h.from_unit_id, h.to_unit_id, now)
        elif action == "accept":
            clocks.stop(sla, "accept", now)
            await offers.decide(h.id, "accepted", now)
        elif action == "decline":
            clocks.stop(sla, "accept", now)
            clocks.stop(sla, "complete", now)
            clocks.hand_to(sla, None, now)
            await offers.decide(h.id, "declined", now, fields["reason_code"])
        elif action == "wait":
            clocks.pause(sla, now, fields["reason"])
        elif action == "resume":
            length = clocks.resume(sla, now)
            if h.due_at is not None:
                h.due_at = h.due_at + length
        elif action == "forward":  # a forward counts for the forwarding unit and its new addressee
            await offers.decide(h.id, "forwarded", now)
            shift = clocks.restart(sla, "accept", now)  # accepted, then forwarded: the new unit accepts too
            if h.accept_by is not None:
                h.accept_by = h.accept_by + shift
            forwarding = h.to_unit_id
            h.to_unit_id, h.to_person_id = fields["to_unit_id"], fields.get("to_person_id")
            clocks.hand_to(sla, h.to_unit_id, now)
            await offers.offer(h.id, forwarding, h.to_unit_id, now)
        elif action in ("complete", "cancel"):
            clocks.stop(sla, "accept", now)
            shift = clocks.stop(sla, "complete", now)  # a pause that ends here moves due_at, as a resume does
            if h.due_at is not None:
                h.due_at = h.due_at + shift
            clocks.hand_to(sla, None, now)
            if action == "cancel":
                await offers.decide(h.id, "cancelled", now)

    async def _apply_policy(self, h: Handoff, now: datetime) -> None:
        """The policies that fit set the deadlines the sender left empty, each from the most specific policy
        that sets it: one naming both units wins over one naming the receiving unit, which wins over one
        naming the sender, then any."""
        fitting = sorted(
            (
                p
                for p in await self.uow.handoff_policies.all()
                if p.from_unit_id in (None, h.from_unit_id) and p.to_unit_id in (None, h.to_unit_id)
            ),
            key=lambda p: (p.rank, p.id),
            reverse=True,
        )
        accept = next((parse_duration(p.accept_within) for p in fitting if p.accept_within), None)
        complete = next((parse_duration(p.complete_within) for p in fitting if p.complete_within), None)
        if h.accept_by is None and accept is not None:
            h.accept_by = now + accept
        if h.due_at is None and complete is not None:
            h.due_at = now + complete

    async def _side(self, handoff: Any, action: str | None) -> None:
        """A token acting as a person acts for its side only; an integration token (no person) for either."""
        person = self.principal.person_id
        if person is None or action is None:
            return
        receiving = action in RECEIVING
        await self._active(person)
        values: dict[str, Any] = handoff if isinstance(handoff, dict) else vars(handoff)
        keys = ("to_person_id", "to_unit_id") if receiving else ("from_person_id", "from_unit_id")
        addressed, unit = values.get(keys[0]), values.get(keys[1])
        if person == addressed or await self._member(person, unit):
            return
        side = "receiving" if receiving else "sending"
        raise Forbidden(f"Only the {side} side of this handoff (its person, or a member of its unit) may {action} it.")

    async def _active(self, person_id: str) -> None:
        found = await self.uow.people.get(person_id)
        if found is None or found.status != "active":
            raise Forbidden("The person this token acts as is not an active person of this organization.")

    async def _sender(self, from_unit_id: str) -> None:
        """Who drafts for a unit belongs to it (an integration token drafts for any)."""
        person = self.principal.person_id
        if person is None:
            return
        await self._active(person)
        if not await self._member(person, from_unit_id):
            raise Forbidden("Only a member of the sending unit drafts a handoff for it.")

    async def _either_side(self, handoff: Handoff) -> None:
        person = self.principal.person_id
        if person is None:
            return
        await self._active(person)
        if person in (handoff.from_person_id, handoff.to_person_id):
            return
        if await self._member(person, handoff.from_unit_id) or await self._member(person, handoff.to_unit_id):
            return
        raise Forbidden("Only the two sides of a handoff change it.")

    async def _member(self, person_id: str, unit_id: str | None) -> bool:
        """A running membership of any kind (member, rotation, training) in the unit, today."""
        today = self.clock.now().date()
        return any(
            m.unit_id == unit_id and m.active_on(today) for m in await self.uow.memberships.of_people([person_id])
        )

    def _entry(self, now: datetime, action: str, source: str | None, target: str, **fields: Any) -> dict[str, Any]:
        return {
            "at": rfc3339(now),
            "action": action,
            "from": source,
            "to": target,
            "actor": self.actor or self.principal.actor,
            **fields,
        }

    async def analytics(self, period_start: date, period_end: date) -> list[dict[str, Any]]:
        """Per directed pair of units (the sending unit, the unit offered the handoff; a forward counts for the
        forwarding unit and its new addressee), the offers made in the period (days of the organization's
        time zone): counts by outcome, acceptance rate (accepted among those the unit decided: accepted,
        declined or forwarded), median and 90th percentile of the time to accept, overdue rate, decline
        reasons."""
        self._org(READ)
        check_period(period_start, period_end)
        org = await self.uow.organizations.get(self.principal.require_organization())
        zone = ZoneInfo(org.time_zone if org is not None else "UTC")
        start = datetime.combine(period_start, time.min, zone)
        end = datetime.combine(period_end + timedelta(days=1), time.min, zone)
        return await self.uow.handoff_offers.pairs(start, end)

    async def timeline(self, handoff_id: str) -> list[dict[str, Any]]:
        return timeline_of(await self.get_handoff(handoff_id))


def check_period(period_start: date, period_end: date) -> None:
    """An analytics period: days between 1900 and 2999, a year at most, not ending before it starts."""
    if period_end < period_start:
        raise Invalid("The period ends before it starts.", [FieldError("/period_end", "is before period_start")])
    if not (FIRST_DAY <= period_start <= LAST_DAY and FIRST_DAY <= period_end <= LAST_DAY):
        raise Invalid("Periods lie between 1900 and 2999.", [FieldError("/period_start", "out of range")])
    if (period_end - period_start).days >= 366:
        raise Invalid("A period is at most a year.", [FieldError("/period_end", "more than a year after period_start")])
