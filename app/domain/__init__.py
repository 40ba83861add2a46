"""The headless core: entities, rules and use cases. No web framework, GraphQL, ORM or HTTP client here."""
