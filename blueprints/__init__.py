"""Blueprints: the schema, the sector profiles, loading and merging, the capacity planner."""
