"""The ModelRegistry component: the planned registry objects and Secrets, wired generically.

The plan names three Secrets and where their values come from (`SecretSpec`): the basic-auth
admin password (Pulumi config `allmende:registry_admin_password`, else generated — never
MLflow's former default), the Flask secret key shared by all replicas, and the in-cluster
database's password. `allmende.wiring` creates them (generated values live in the Pulumi state
as secrets and keep their value on later `up`s); the database volume and StatefulSet are
protected and retained. An external database's DSN Secret is the institution's own.
"""

from __future__ import annotations

from allmende.wiring import PlannedComponent


class ModelRegistry(PlannedComponent):
    TYPE = "allmende:index:ModelRegistry"
