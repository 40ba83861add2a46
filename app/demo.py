"""`liaison demo`: a realistic organization to explore in the console and GraphiQL. A company, six
departments with their teams, 120 people with managers, cross-department memberships, roles and RACI,
objectives with check-ins over a quarter, handoffs in every state, feedback, and a closed survey with
results. It goes through the same domain services as the API (every change has its events), in the
configured database; past days are reached by moving the domain's clock, as the tests do."""

from __future__ import annotations

import asyncio
import random
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from app.domain.clock import set_clock_offset
from app.domain.principal import PLATFORM_ADMIN, Principal
from app.settings import Settings

DEPARTMENTS = {
    "Sales": ["Sales EMEA", "Sales Americas"],
    "Delivery": ["Onboarding", "Implementation"],
    "Finance": ["Accounting"],
    "People": ["Recruiting"],
    "Engineering": ["Platform", "Integrations"],
    "Support": ["Customer Care"],
}
GIVEN = ["Ada", "Ben", "Chloé", "Diego", "Emma", "Farid", "Grace", "Hugo", "Inès", "Jonas", "Kenji", "Lena",
         "Malik", "Nora", "Oscar", "Priya", "Quentin", "Rosa", "Samir", "Tess"]  # fmt: skip
FAMILY = ["Martin", "Okafor", "Nguyen", "Schmidt", "Rossi", "Dubois", "Kowalski", "Silva", "Haddad", "Berg",
          "Tanaka", "Moreau"]  # fmt: skip
STEPS = 7


def _say(step: int, what: str) -> None:
    print(f"liaison demo [{step}/{STEPS}] {what}", file=sys.stderr, flush=True)


def seed(settings: Settings, name: str, slug: str, base_url: str) -> int:
    from app.domain.errors import DomainError

    try:
        org, admin_token = asyncio.run(_seed(settings, name, slug))
    except DomainError as exc:
        print(f"liaison demo: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        set_clock_offset(0)
    print(f"""
Organization {org} is ready.

  export TOKEN={admin_token}

  {base_url}/docs                          the console (Authorize: paste the token)
  {base_url}/graphql                       GraphiQL
  {base_url}/v1/org-chart                  the chart
  {base_url}/v1/objectives                 objectives and their progress
  {base_url}/v1/analytics/handoffs?period_start={(datetime.now(UTC) - timedelta(days=90)).date()}&period_end={datetime.now(UTC).date()}
  {base_url}/v1/surveys                    a closed survey: GET /v1/surveys/{{id}}/results
""")
    return 0


async def _seed(settings: Settings, name: str, slug: str) -> tuple[str, str]:
    from app.auth.tokens import TokenService
    from app.domain.organizations.service import Organizations
    from app.repo.engine import make_engine
    from app.repo.migrate import upgrade
    from app.repo.uow import Database

    await asyncio.to_thread(upgrade, settings.database_url)
    rnd = random.Random(7)
    db = Database(make_engine(settings.database_url))
    try:
        async with db.unit_of_work(None, write=True) as uow:
            org = (await Organizations(uow, _platform()).create(name, slug, "Europe/Paris")).id
            await uow.commit()
        admin = Principal(subject="demo", organization_id=org, scopes=frozenset({"admin"}))

        async def do(work: Callable[[Any], Awaitable[Any]]) -> Any:
            async with db.unit_of_work(org, write=True) as uow:
                found = await work(uow)
                await uow.commit()
                return found

        set_clock_offset(-95 * 86_400)  # the quarter starts three months ago
        _say(1, "the org chart: a company, six departments and their teams, 120 people")
        people, units = await _org_chart(do, admin, rnd)
        _say(2, "cross-department memberships: projects, rotations, training")
        await _memberships(do, admin, people, units, rnd)
        _say(3, "roles and RACI")
        await _roles(do, admin, people, units)
        _say(4, "objectives with key results, and check-ins over the quarter")
        await _objectives(do, admin, people, units, rnd)
        _say(5, "handoffs between departments, in every state")
        await _handoffs(do, admin, people, units, rnd)
        set_clock_offset(-20 * 86_400)
        _say(6, "feedback, and a survey answered then closed")
        survey = await _survey(do, admin, org, people, units, rnd)
        set_clock_offset(0)
        await _close(do, admin, survey)
        await _feedback(do, org, people, units, rnd)
        _say(7, "done")
        token = TokenService(settings).mint(subject="demo", organization_id=org, scopes="admin", ttl=86_400)
        return org, token
    finally:
        await db.dispose()


def _platform() -> Principal:
    return Principal(subject="demo", organization_id=None, scopes=frozenset({PLATFORM_ADMIN}))


async def _org_chart(do: Any, admin: Principal, rnd: random.Random) -> tuple[list[str], dict[str, str]]:
    from app.domain.org_chart.sync import OrgChartSync

    units = [{"external_id": "co", "name": "Northwind", "kind": "company", "parent_external_id": None}]
    for dept, teams in DEPARTMENTS.items():
        units.append({"external_id": dept, "name": dept, "kind": "department", "parent_external_id": "co"})
        units += [{"external_id": t, "name": t, "kind": "team", "parent_external_id": dept} for t in teams]
    homes = [u["external_id"] for u in units if u["kind"] == "team"]
    people = []
    for i in range(120):
        given, family = GIVEN[i % len(GIVEN)], FAMILY[(i * 7) % len(FAMILY)]
        home = homes[i % len(homes)] if i >= 7 else (list(DEPARTMENTS)[i - 1] if i else "co")
        people.append({
            "external_id": f"E{i:03d}", "given_name": given, "family_name": f"{family}-{i}",
            "email": f"{given.lower()}.{family.lower()}{i}@northwind.example", "title": "Head" if i < 7 else "Analyst",
            "manager_external_id": None if i == 0 else (f"E{0:03d}" if i < 7 else None),
            "unit_external_id": home,
        })  # fmt: skip
    depts = list(DEPARTMENTS)
    for p in people[7:]:
        dept = next(d for d, teams in DEPARTMENTS.items() if p["unit_external_id"] in teams)
        p["manager_external_id"] = f"E{depts.index(dept) + 1:03d}"

    async def sync(uow: Any) -> None:
        await OrgChartSync(uow, admin).run("hr", units, people)

    await do(sync)

    async def read(uow: Any) -> tuple[list[str], dict[str, str]]:
        found_people = await uow.people.by_system("hr")
        found_units = await uow.units.by_system("hr")
        return [found_people[f"E{i:03d}"].id for i in range(120)], {k: u.id for k, u in found_units.items()}

    found: tuple[list[str], dict[str, str]] = await do(read)
    ids, unit_ids = found

    async def leads(uow: Any) -> None:
        from app.domain.org_chart.service import OrgChart

        for i, dept in enumerate(depts, start=1):
            await OrgChart(uow, admin).update_unit(unit_ids[dept], {"lead_person_id": ids[i]})
        await OrgChart(uow, admin).update_unit(unit_ids["co"], {"lead_person_id": ids[0]})

    await do(leads)
    return ids, unit_ids


async def _memberships(do: Any, admin: Principal, people: list[str], units: dict[str, str], rnd: random.Random) -> None:
    from app.domain.org_chart.service import OrgChart

    async def work(uow: Any) -> None:
        chart = OrgChart(uow, admin)
        teams = [t for ts in DEPARTMENTS.values() for t in ts]
        for n, i in enumerate(rnd.sample(range(7, 120), 30)):
            kind = ("member", "rotation", "training")[n % 3]
            await chart.create_membership({"person_id": people[i], "unit_id": units[rnd.choice(teams)], "kind": kind,
                                           "title": "Project member" if kind == "member" else None})  # fmt: skip

    await do(work)


async def _roles(do: Any, admin: Principal, people: list[str], units: dict[str, str]) -> None:
    from app.domain.roles.raci import Roles

    async def work(uow: Any) -> None:
        roles = Roles(uow, admin)
        controller = await roles.create_role({"name": "Controller", "unit_id": units["Finance"],
                                              "responsibilities": ["Close the month", "Approve spend over 10k"]})  # fmt: skip
        account = await roles.create_role({"name": "Account manager", "unit_id": units["Sales"],
                                           "responsibilities": ["Own the customer relationship"]})  # fmt: skip
        await roles.create_role_assignment({"role_id": controller.id, "person_id": people[30]})
        for i, team in ((40, "Sales EMEA"), (41, "Sales Americas")):
            await roles.create_role_assignment({"role_id": account.id, "person_id": people[i], "unit_id": units[team]})
        await roles.create_raci_entry({"subject_type": "unit", "subject_id": units["co"], "party_type": "role",
                                       "party_id": controller.id, "letter": "C", "inherit": "append"})  # fmt: skip
        await roles.create_raci_entry({"subject_type": "unit", "subject_id": units["Delivery"], "party_type": "unit",
                                       "party_id": units["Support"], "letter": "I", "inherit": "append"})  # fmt: skip

    await do(work)


async def _objectives(do: Any, admin: Principal, people: list[str], units: dict[str, str], rnd: random.Random) -> None:
    from app.domain.clock import SYSTEM_CLOCK
    from app.domain.objectives.service import Objectives

    start = SYSTEM_CLOCK.now().date()
    period = {"period_start": start, "period_end": start + timedelta(days=90), "status": "active"}
    plan = [
        ("co", "Grow recurring revenue 20%", None),
        ("Sales", "Win 40 new accounts", "co"),
        ("Delivery", "Onboard every new account in 10 days", "co"),
        ("Support", "Answer 90% of tickets within a day", None),
    ]

    async def work(uow: Any) -> list[tuple[str, str]]:
        o = Objectives(uow, admin)
        made: dict[str, str] = {}
        krs = []
        for owner, title, parent in plan:
            obj = await o.create_objective({"title": title, "owner_unit_id": units[owner], **period,
                                            "parent_id": made.get(parent or ""),
                                            "contributor_unit_ids": [units["Delivery"]] if owner == "Sales" else []})  # fmt: skip
            made[owner] = obj.id
            if owner != "co":
                kr = await o.create_key_result({"objective_id": obj.id, "title": f"{title}: measure", "target_value": 100,
                                                "check_in_cadence": "weekly"})  # fmt: skip
                krs.append((kr.id, owner))
        return krs

    krs = await do(work)
    for week in range(1, 13):  # a check-in a week over the quarter, from three months ago to now
        set_clock_offset((-95 + 7 * week) * 86_400)
        for kr, _owner in krs:

            async def check_in(uow: Any, kr: str = kr, week: int = week) -> None:
                value = min(100, week * 8 + rnd.randint(-3, 5))
                await Objectives(uow, admin).create_check_in({"key_result_id": kr, "value": value,
                                                              "confidence": round(rnd.uniform(0.5, 0.95), 2)})  # fmt: skip

            await do(check_in)


async def _handoffs(do: Any, admin: Principal, people: list[str], units: dict[str, str], rnd: random.Random) -> None:
    from app.domain.handoffs.policies import HandoffPolicies

    routes = [("Sales", "Delivery"), ("Delivery", "Support"), ("Engineering", "Support"), ("Sales", "Finance")]
    paths = [[], ["send"], ["send", "accept"], ["send", "accept", "complete"], ["send", "decline"],
             ["send", "accept", "wait"], ["send", "forward"], ["cancel"]]  # fmt: skip

    async def policy(uow: Any) -> None:
        await HandoffPolicies(uow, admin).create_handoff_policy({"accept_within": "P1D", "complete_within": "P10D"})

    await do(policy)
    for n in range(24):
        frm, to = routes[n % len(routes)]
        set_clock_offset((-80 + 3 * n) * 86_400)

        async def create(uow: Any, frm: str = frm, to: str = to, n: int = n) -> str:
            h = await HandoffPolicies(uow, admin).create_handoff({
                "title": f"Account {n + 1}: {frm} to {to}", "from_unit_id": units[frm], "to_unit_id": units[to],
                "priority": ("low", "normal", "high", "urgent")[n % 4],
                "checklist": [{"item": "Contract signed", "required": True, "done": True}],
            })  # fmt: skip
            return str(h.id)

        handoff = await do(create)
        for step, action in enumerate(paths[n % len(paths)]):
            set_clock_offset((-80 + 3 * n) * 86_400 + (step + 1) * rnd.randint(1800, 30_000))
            body: dict[str, Any] = {"decline": {"reason_code": "not_ours", "reason": "Finance handles it"},
                                    "wait": {"reason": "Waiting for the signed order form"},
                                    "forward": {"to_unit_id": units["Engineering"], "note": "Needs an integration"}}.get(action, {})  # fmt: skip

            async def act(uow: Any, handoff: str = handoff, action: str = action, body: dict[str, Any] = body) -> None:
                await HandoffPolicies(uow, admin).act(handoff, action, body)

            await do(act)


async def _survey(
    do: Any, admin: Principal, org: str, people: list[str], units: dict[str, str], rnd: random.Random
) -> str:
    from app.domain.clock import SYSTEM_CLOCK
    from app.domain.feedback.facade import Feedbacks

    now = SYSTEM_CLOCK.now()

    async def create(uow: Any) -> str:
        s = await Feedbacks(uow, admin).create_survey({
            "title": "How we work with Delivery", "about_unit_id": units["Delivery"],
            "audience_unit_ids": [units["Sales"], units["Support"], units["Engineering"]],
            "questions": [{"id": "heard", "text": "Delivery hears what we need", "type": "scale"},
                          {"id": "best", "text": "What works best?", "type": "text"},
                          {"id": "channel", "text": "Where do you reach them?", "type": "choice",
                           "choices": ["Slack", "Email", "Meetings"]}],
            "opens_at": now - timedelta(minutes=1), "closes_at": now + timedelta(days=7),
        })  # fmt: skip
        return str(s.id)

    survey: str = await do(create)
    for i in range(7, 120):
        person = Principal(
            subject=f"demo-{i}", organization_id=org, scopes=frozenset({"feedback:write"}), person_id=people[i]
        )

        async def respond(uow: Any, person: Principal = person) -> None:
            from app.domain.errors import DomainError

            try:
                await Feedbacks(uow, person).respond(survey, {"heard": rnd.randint(2, 5), "channel": rnd.choice(["Slack", "Email", "Meetings"]),
                                                               "best": rnd.choice(["The weekly sync", "Clear checklists", "Quick answers"])})  # fmt: skip
            except DomainError:  # not in the audience
                return

        await do(respond)
    return survey


async def _close(do: Any, admin: Principal, survey: str) -> None:
    from app.domain.feedback.facade import Feedbacks

    async def close(uow: Any) -> None:
        found = await uow.surveys.get(survey, for_update=True)
        await Feedbacks(uow, admin).close_survey(found)

    await do(close)


async def _feedback(do: Any, org: str, people: list[str], units: dict[str, str], rnd: random.Random) -> None:
    from app.domain.feedback.facade import Feedbacks

    notes = [("praise", "public", "The onboarding checklist saved us days."),
             ("suggestion", "manager", "Could handoffs carry the deal's notes?"),
             ("concern", "private", "Tickets bounce between teams."),
             ("praise", "public", "Thanks for the quick fix on the invoice export.")]  # fmt: skip
    for n, (kind, visibility, body) in enumerate(notes * 3):
        author = Principal(subject=f"demo-{n}", organization_id=org, scopes=frozenset({"feedback:write"}),
                           person_id=people[10 + n])  # fmt: skip

        async def give(uow: Any, kind: str = kind, visibility: str = visibility, body: str = body, n: int = n,
                       author: Principal = author) -> None:  # fmt: skip
            to = {"recipient_unit_id": units["Delivery"]} if n % 2 else {"recipient_person_id": people[2]}
            await Feedbacks(uow, author).create_feedback({**to, "kind": kind, "body": body, "visibility": visibility})

        await do(give)
