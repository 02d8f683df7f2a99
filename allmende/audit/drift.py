"""Drift: the Plan against the live objects — missing, changed, and unexpected in allmende's place.

Each difference is reported under the control the object serves (a deleted default-deny policy
is `default-deny-network`, a removed binding is its policy's control), or under
`declared-state` when no catalogue control covers the object.
"""

from __future__ import annotations

from allmende.audit.diff import changes
from allmende.audit.results import DECLARED_STATE, Result, met, not_met, unknown
from allmende.audit.snapshot import Manifest, Snapshot, identity, key_of, ref
from allmende.modules.labels import DOMAIN, PART_OF, SERVICE

PART_OF_LABEL = "app.kubernetes.io/part-of"
CONTROL_LABEL = f"{DOMAIN}/control"
ROLE_LABEL = f"{DOMAIN}/role"
FIX = "run `pulumi up --refresh` for this stack (docs/auditors.md: repairing drift)"
UNEXPECTED_FIX = "remove it, or declare it in the blueprint so the Plan contains it"
# Objects Kubernetes itself puts into every namespace.
BUILTIN = frozenset({("ServiceAccount", "default"), ("ConfigMap", "kube-root-ca.crt")})
GPU_SHARE_KINDS = frozenset({"ResourceQuota", "ClusterQueue", "LocalQueue", "ResourceFlavor"})


def control_of(obj: Manifest, path: str = "") -> str:
    """The catalogue control an object (or one changed field of it) serves."""
    kind = str(obj.get("kind"))
    meta = obj.get("metadata") or {}
    labels = meta.get("labels") or {}
    name = str(meta.get("name"))
    if kind in ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding") and CONTROL_LABEL in labels:
        return str(labels[CONTROL_LABEL])
    if kind == "Namespace" and labels.get(ROLE_LABEL) == "tenant":
        return "pod-security-restricted"
    if kind == "NetworkPolicy":
        return "default-deny-network" if name == "default-deny" else "egress-allowlist"
    if kind in GPU_SHARE_KINDS:
        return "gpu-quota-per-tenant"
    if kind in ("Role", "RoleBinding") and name == "tenant-oversight":
        return "human-oversight"
    if kind == "InferenceService":
        if path.startswith((f"metadata.labels.{DOMAIN}/", f"metadata.annotations.{DOMAIN}/")):
            return "register-labels"
        if "storageUri" in path:
            return "approved-by-person"
        if ".logger" in path:
            return "payload-logging-denied"
    return DECLARED_STATE


def service_of(obj: Manifest) -> str | None:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    value = labels.get(SERVICE)
    return str(value) if value else None


def _changed(planned: Manifest, live: Manifest) -> list[Result]:
    found = changes(planned, live)
    by_control: dict[str, list[str]] = {}
    for difference in found:
        by_control.setdefault(control_of(planned, difference), []).append(difference)
    return [
        not_met(control, ref(planned), "changed: " + "; ".join(diffs), FIX, service_of(planned), "drift")
        for control, diffs in sorted(by_control.items())
    ]


def planned_drift(planned: list[Manifest], snapshot: Snapshot) -> list[Result]:
    out: list[Result] = []
    for obj in planned:
        control, subject, service = control_of(obj), ref(obj), service_of(obj)
        why = snapshot.unreadable.get(key_of(obj))
        if why is not None:
            out.append(unknown(control, subject, why, "grant the allmende-auditor role", service))
            continue
        live = snapshot.find(obj)
        if live is None:
            out.append(not_met(control, subject, "missing: declared but not in the cluster", FIX, service, "drift"))
            continue
        found = _changed(obj, live)
        out += found or [met(control, subject, "present and as declared", service, "drift")]
    return out


def _ours(obj: Manifest, namespaces: set[str]) -> bool:
    meta = obj.get("metadata") or {}
    labels = meta.get("labels") or {}
    if meta.get("ownerReferences") or labels.get("app.kubernetes.io/managed-by") == "Helm":
        return False  # made by a controller or a chart from something that is compared itself
    if (str(obj.get("kind")), str(meta.get("name"))) in BUILTIN:
        return False
    return meta.get("namespace") in namespaces or labels.get(PART_OF_LABEL) == PART_OF


def unexpected(planned: list[Manifest], snapshot: Snapshot) -> list[Result]:
    """Objects of the kinds allmende manages, in its namespaces or carrying its label, that it did not plan."""
    namespaces = {str(o["metadata"]["name"]) for o in planned if o["kind"] == "Namespace"}
    known = {identity(o) for o in planned}
    types = sorted({key_of(o) for o in planned if o["kind"] != "Secret"})
    out: list[Result] = []
    for key in types:
        for obj in snapshot.objects.get(key, []):
            if identity(obj) in known or not _ours(obj, namespaces):
                continue
            out.append(
                not_met(
                    control_of(obj),
                    ref(obj),
                    "unexpected: in allmende's namespaces or labelled part of allmende, but not declared",
                    UNEXPECTED_FIX,
                    service_of(obj),
                    "drift",
                )
            )
    return out


def drift(planned: list[Manifest], snapshot: Snapshot) -> list[Result]:
    """Secrets are named in the Plan but never read: the auditor role has no access to values."""
    objects = [o for o in planned if o["kind"] != "Secret"]
    return planned_drift(objects, snapshot) + unexpected(objects, snapshot)
