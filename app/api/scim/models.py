"""The SCIM resources Liaison serves, as scim2-models classes: only the attributes it keeps, so that what
the Schemas endpoint publishes is what a round trip returns. A User is a person, a Group a unit."""

from typing import Annotated, Any

from pydantic import Field
from scim2_models import (
    URN,
    CaseExact,
    ComplexAttribute,
    Extension,
    Mutability,
    Reference,
    Required,
    Resource,
    ResourceType,
    SchemaExtension,
    ScimPolicy,
    Uniqueness,
)

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MAX_COUNT = 200  # resources one page carries (ServiceProviderConfig's filter.maxResults)
# How Liaison reads what identity providers send: attributes it does not keep (displayName, phoneNumbers,
# an email's type…) are left out rather than refused, as RFC 7643 lets a service provider do; a PATCH
# `remove` whose value lists the members to remove, and a path filter that matches nothing yet, are read
# as Microsoft Entra ID means them.
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


class Name(ComplexAttribute):
    """Liaison keeps a person's given and family names, and needs both."""

    given_name: Annotated[str | None, Required.true] = None
    family_name: Annotated[str | None, Required.true] = None


class Email(ComplexAttribute):
    """The person's email. Liaison keeps one: what it answers is that one, without `type` or `primary`
    (a request's are read, and its primary one, else its first, is kept)."""

    value: Annotated[str | None, Required.true] = None


class Manager(ComplexAttribute):
    value: Annotated[str | None, Required.true, CaseExact.true] = None
    """The id of the manager's User."""

    ref: Reference["User"] | None = Field(None, serialization_alias="$ref", validation_alias="$ref")


class EnterpriseUser(Extension):
    __schema__ = URN(ENTERPRISE_SCHEMA)

    department: str | None = None
    """The department as the identity provider names it (Liaison's units are Groups)."""

    manager: Manager | None = None


class User(Resource[EnterpriseUser]):
    """A person."""

    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    name: Annotated[Name | None, Required.true] = None
    title: str | None = None
    active: Annotated[bool | None, Required.true] = None
    emails: list[Email] | None = None


class Member(ComplexAttribute):
    value: Annotated[str | None, Required.true, Mutability.immutable, CaseExact.true] = None
    """The id of a User (a person)."""

    ref: Annotated[Reference["User"] | None, Mutability.immutable] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    type: Annotated[str | None, Mutability.immutable] = Field(None, examples=["User"])


class Group(Resource[Any]):
    """A unit; its members are the people with a running membership."""

    __schema__ = URN(GROUP_SCHEMA)

    display_name: Annotated[str | None, Required.true] = None
    members: list[Member] | None = None


def resource_types(base: str) -> list[ResourceType]:
    kinds: tuple[tuple[str, str, str, str, list[str]], ...] = (
        ("User", "/Users", "A person of the organization.", USER_SCHEMA, [ENTERPRISE_SCHEMA]),
        ("Group", "/Groups", "A unit of the organization (a department, a team…).", GROUP_SCHEMA, []),
    )
    return [
        ResourceType(
            id=name,
            name=name,
            endpoint=endpoint,
            description=description,
            schema_=URN(schema),
            schema_extensions=[SchemaExtension(schema_=URN(x), required=False) for x in extensions] or None,
            meta={"resource_type": "ResourceType", "location": f"{base}/ResourceTypes/{name}"},
        )
        for name, endpoint, description, schema, extensions in kinds
    ]
