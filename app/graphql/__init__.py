"""GraphQL: the same services as REST, through Strawberry."""
