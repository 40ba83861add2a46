"""JSON merge patch (RFC 7396), and the diff that becomes an event's `previous_attributes`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def patched(entity: Any, patch: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The fields `names` of `entity` with a merge patch applied field by field: an object is merged into the
    field's (external refs: one system changed, the others kept), any other value (a list, a date, a null)
    takes the field's place."""
    fields = {k: getattr(entity, k) for k in names}
    for k, v in patch.items():
        fields[k] = merge_patch(fields.get(k), v)
    return fields


def cleared(fields: dict[str, Any], **empty: Any) -> dict[str, Any]:
    """The fields with those a null cleared given their empty value (`external_refs={}`, `links=[]`); any
    other value is left for the checks, a wrong one included."""
    return {**fields, **{k: v for k, v in empty.items() if fields.get(k) is None}}


def previous_attributes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The old values of the fields that changed (bookkeeping fields excluded)."""
    skip = {"updated_at", "version"}
    return {k: before.get(k) for k in after if k not in skip and before.get(k) != after.get(k)}
