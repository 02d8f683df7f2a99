"""The Accountability component: the admission policies, their parameters and bindings.

A binding with `parameterNotFoundAction: Deny` refuses everything it matches until its params
exist, so the bindings are created only after the params ConfigMap and the policies.
"""

from __future__ import annotations

from allmende.wiring import PlannedComponent


class Accountability(PlannedComponent):
    TYPE = "allmende:index:Accountability"
    LAST_KINDS = frozenset({"ValidatingAdmissionPolicyBinding"})
