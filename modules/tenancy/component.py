"""The Tenancy component: the tenants' namespaces, quotas, network policies and RBAC."""

from __future__ import annotations

from allmende.wiring import PlannedComponent


class Tenancy(PlannedComponent):
    TYPE = "allmende:index:Tenancy"
