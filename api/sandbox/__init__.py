"""GraphQL for the sandbox's own controls: its clock."""
