"""The accountable model lifecycle against an MLflow registry: register, check, evaluate, approve, lock."""
