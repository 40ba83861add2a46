"""JSON merge patch (RFC 7396), and the diff that becomes an event's `previous_attributes`."""

from __future__ import annotations

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


def previous_attributes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The old values of the fields that changed (bookkeeping fields excluded)."""
    skip = {"updated_at", "version"}
    return {k: before.get(k) for k in after if k not in skip and before.get(k) != after.get(k)}
