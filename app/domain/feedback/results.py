"""A survey's results: aggregates by group (the audience units resolved when it opened) or by question,
under the survey's thresholds.

- A group with fewer responses than `min_group_size` is suppressed. When that leaves exactly one group
  suppressed, or suppressed groups whose responses together are still fewer than the minimum, the smallest
  shown group is suppressed too, until neither holds (secondary suppression): the total minus the groups
  shown never gives one small group's answers.
- A question answered by fewer people than `min_group_size` (in a group, or in all) shows no figure, and
  within the groups of a question the same secondary suppression holds. Text answers appear only where at
  least `min_text_group_size` people answered, sorted (their order tells nothing of who answered first).
- The total is shown only when it reaches `min_group_size` itself."""

from __future__ import annotations

from collections import Counter
from typing import Any

from app.domain.feedback.model import Survey, SurveyResponse


def suppressed_groups(sizes: dict[str, int], minimum: int) -> set[str]:
    hidden = {g for g, n in sizes.items() if n < minimum}
    while hidden and len(hidden) < len(sizes):
        hidden_total = sum(sizes[g] for g in hidden)
        if len(hidden) > 1 and hidden_total >= minimum:
            break
        smallest = min((g for g in sizes if g not in hidden), key=lambda g: (sizes[g], g))
        hidden.add(smallest)
    return hidden


def _question(q: dict[str, Any], answers: list[Any], text_allowed: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"id": q["id"], "type": q["type"], "answers": len(answers)}
    if q["type"] == "scale":
        counts = Counter(answers)
        out["mean"] = round(sum(answers) / len(answers), 4) if answers else None
        out["distribution"] = {str(v): counts.get(v, 0) for v in range(1, 6)}
    elif q["type"] == "choice":
        counts = Counter(answers)
        out["counts"] = {c: counts.get(c, 0) for c in q.get("choices", [])}
    else:
        out["texts"] = sorted(answers) if text_allowed else None
        out["texts_suppressed"] = not text_allowed
    return out


def _answers(q: dict[str, Any], responses: list[SurveyResponse]) -> list[Any]:
    return [r.answers[q["id"]] for r in responses if q["id"] in r.answers]


def _aggregate(survey: Survey, responses: list[SurveyResponse], hidden: frozenset[str] = frozenset()) -> list[Any]:
    """Each question's figures; none for a question answered by fewer than the minimum, or in `hidden`."""
    out: list[dict[str, Any]] = []
    for q in survey.questions:
        answers = _answers(q, responses)
        if q["id"] in hidden or len(answers) < survey.min_group_size:
            out.append({"id": q["id"], "type": q["type"], "answers": None, "suppressed": True})
        else:
            out.append({**_question(q, answers, len(answers) >= survey.min_text_group_size), "suppressed": False})
    return out


def results(survey: Survey, responses: list[SurveyResponse], group_by: str) -> dict[str, Any]:
    total = len(responses)
    shown_total = total >= survey.min_group_size
    out: dict[str, Any] = {
        "survey_id": survey.id,
        "group_by": group_by,
        "status": survey.status,
        "min_group_size": survey.min_group_size,
        "min_text_group_size": survey.min_text_group_size,
        "responses": total if shown_total else None,
        "suppressed": not shown_total,
    }
    if group_by == "question":
        out["questions"] = _aggregate(survey, responses) if shown_total else []
        return out
    by_group: dict[str, list[SurveyResponse]] = {}
    for r in responses:
        by_group.setdefault(r.group_unit_id, []).append(r)
    hidden = suppressed_groups({g: len(rs) for g, rs in by_group.items()}, survey.min_group_size)
    shown = {g: rs for g, rs in by_group.items() if g not in hidden}
    # per question, among the groups shown: the same rule on how many answered it
    hidden_questions: dict[str, set[str]] = {g: set() for g in shown}
    for q in survey.questions:
        for g in suppressed_groups({g: len(_answers(q, rs)) for g, rs in shown.items()}, survey.min_group_size):
            hidden_questions[g].add(q["id"])
    out["groups"] = [
        {"unit_id": g, "suppressed": True, "responses": None, "questions": []}
        if g in hidden
        else {
            "unit_id": g,
            "suppressed": False,
            "responses": len(rs),
            "questions": _aggregate(survey, rs, frozenset(hidden_questions[g])),
        }
        for g, rs in sorted(by_group.items())
    ]
    return out
