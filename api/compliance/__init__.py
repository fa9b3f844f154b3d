"""GraphQL for the compliance registry: registrations, certifications, and the check per market."""
