"""Value objects, errors and ports that every stage of the lifecycle shares."""
