"""The CEL of every control enforced at admission, one AdmissionRule per control.

The expressions use only what both the kube-apiserver's CEL and cel-python understand (no
`split`, no optional syntax), so the offline evaluation and the cluster agree. Lists from
the sector rules reach CEL as keys of the params ConfigMap (`licence.<spdx>`, `region.<r>`,
`trusted-registry.<n>` …; see params.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from allmende.modules import labels as L

Scope = Literal["tenant", "cluster"]


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    kind: str


@dataclass(frozen=True)
class Validation:
    expression: str
    message: str


@dataclass(frozen=True)
class AdmissionRule:
    control: str
    resources: tuple[Resource, ...]
    validations: tuple[Validation, ...]
    scope: Scope = "tenant"
    variables: tuple[tuple[str, str], ...] = ()
    match_conditions: tuple[tuple[str, str], ...] = ()

    def matches(self, api_version: str, kind: str) -> bool:
        group = api_version.rpartition("/")[0]
        return any(r.group == group and r.kind == kind for r in self.resources)


POD = Resource("", "v1", "pods", "Pod")
WORKLOADS = (
    POD,
    Resource("apps", "v1", "deployments", "Deployment"),
    Resource("apps", "v1", "statefulsets", "StatefulSet"),
    Resource("apps", "v1", "daemonsets", "DaemonSet"),
    Resource("apps", "v1", "replicasets", "ReplicaSet"),
    Resource("batch", "v1", "jobs", "Job"),
    Resource("batch", "v1", "cronjobs", "CronJob"),
)
ISVC = Resource("serving.kserve.io", "v1beta1", "inferenceservices", "InferenceService")

GPU = "nvidia.com/gpu"
REGION = "topology.kubernetes.io/region"


def _label(key: str) -> str:
    return f"(has(object.metadata.labels) && '{key}' in object.metadata.labels ? object.metadata.labels['{key}'] : '')"


def _annotation(key: str) -> str:
    return (
        f"(has(object.metadata.annotations) && '{key}' in object.metadata.annotations"
        f" ? object.metadata.annotations['{key}'] : '')"
    )


# The pod spec of any workload kind.
POD_SPEC = (
    "object.kind == 'Pod' ? object.spec : "
    "(object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)"
)
IMAGES = (
    "variables.spec.containers.map(c, c.image)"
    " + (has(variables.spec.initContainers) ? variables.spec.initContainers.map(c, c.image) : [])"
    " + (has(variables.spec.ephemeralContainers) ? variables.spec.ephemeralContainers.map(c, c.image) : [])"
)
CONTAINERS = "variables.spec.containers + (has(variables.spec.initContainers) ? variables.spec.initContainers : [])"
WORKLOAD_VARIABLES = (("spec", POD_SPEC), ("images", IMAGES))


def _excepted(control: str) -> str:
    """True when a declared exception lifts `control` for this object's service in this namespace."""
    service = _label(L.SERVICE)
    return f"({service} != '' && ('exception.{control}.' + request.namespace + '.' + {service}) in params.data)"


PINNED = "i.contains('@sha256:') || (i.matches('^.*:[^/:@]+$') && !i.endsWith(':latest'))"
TRUSTED = (
    "params.data.exists(k, k.startsWith('trusted-registry.') && (i.startsWith(params.data[k] + '/')"
    " || (params.data[k] == 'docker.io' && !i.matches('^[^/]*[.:][^/]*/.*$') && !i.startsWith('localhost/'))))"
)
GPU_POD = (
    f"(has(variables.spec.tolerations) && variables.spec.tolerations.exists(t, has(t.key) && t.key == '{GPU}'))"
    f" || (has(variables.spec.nodeSelector) && '{GPU}.present' in variables.spec.nodeSelector)"
    f" || variables.containers.exists(c, has(c.resources) && has(c.resources.requests)"
    f" && '{GPU}' in c.resources.requests)"
)
GPU_LIMITED = (
    f"variables.containers.exists(c, has(c.resources) && has(c.resources.limits) && '{GPU}' in c.resources.limits)"
)
REQUEST_HAS_LIMIT = (
    f"variables.containers.all(c, !(has(c.resources) && has(c.resources.requests) && '{GPU}' in c.resources.requests)"
    f" || (has(c.resources.limits) && '{GPU}' in c.resources.limits))"
)
IN_REGION = (
    f"(has(variables.ps.nodeSelector) && '{REGION}' in variables.ps.nodeSelector"
    f" && ('region.' + variables.ps.nodeSelector['{REGION}']) in params.data)"
    " || (has(variables.ps.affinity) && has(variables.ps.affinity.nodeAffinity)"
    " && has(variables.ps.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution)"
    " && size(variables.ps.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms) > 0"
    " && variables.ps.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.all(t,"
    f" has(t.matchExpressions) && t.matchExpressions.exists(e, e.key == '{REGION}' && e.operator == 'In'"
    " && size(e.values) > 0 && e.values.all(v, ('region.' + v) in params.data))))"
)
LOGGER = (
    "has(object.spec.predictor.logger)"
    " || (has(object.spec.transformer) && has(object.spec.transformer.logger))"
    " || (has(object.spec.explainer) && has(object.spec.explainer.logger))"
)
STORAGE_URIS = (
    "(has(object.spec.predictor.model) && has(object.spec.predictor.model.storageUri)"
    " ? [object.spec.predictor.model.storageUri] : [])"
    " + (has(object.spec.canary) ? object.spec.canary.filter(c, has(c.predictor) && has(c.predictor.model)"
    " && has(c.predictor.model.storageUri)).map(c, c.predictor.model.storageUri) : [])"
)
ISVC_LABELS = (L.REGISTER_ID, L.TENANT, L.SERVICE, L.LICENCE, L.MODEL_NAME, L.MODEL_VERSION, L.RISK_CLASS)
ISVC_ANNOTATIONS = (L.MODEL_CARD, L.OWNER, L.CHECKSUM)


def _all_keys(where: str, keys: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{k}'" for k in keys)
    return f"has(object.metadata.{where}) && [{listed}].all(k, k in object.metadata.{where})"


RULES: tuple[AdmissionRule, ...] = (
    AdmissionRule(
        control="images-pinned",
        resources=WORKLOADS,
        variables=WORKLOAD_VARIABLES,
        validations=(
            Validation(
                f"variables.images.all(i, {PINNED})",
                "every container image needs a fixed version: a tag other than 'latest' or a @sha256 digest",
            ),
        ),
    ),
    AdmissionRule(
        control="trusted-registries",
        resources=WORKLOADS,
        variables=WORKLOAD_VARIABLES,
        validations=(
            Validation(
                f"variables.images.all(i, {TRUSTED})",
                "container images may only come from the sector's trusted registries",
            ),
        ),
    ),
    AdmissionRule(
        control="gpu-limits-set",
        resources=WORKLOADS,
        variables=(("spec", POD_SPEC), ("containers", CONTAINERS)),
        validations=(
            Validation(
                f"!({GPU_POD}) || ({GPU_LIMITED})",
                "a workload on GPU machines must set resources.limits['nvidia.com/gpu']",
            ),
            Validation(REQUEST_HAS_LIMIT, "a container that requests GPUs must also limit them"),
        ),
    ),
    AdmissionRule(
        control="data-residency",
        resources=(POD, ISVC),
        variables=(("ps", "object.kind == 'Pod' ? object.spec : object.spec.predictor"),),
        match_conditions=(("data-bearing", f"{_label(L.DATA_BEARING)} == 'true'"),),
        validations=(
            Validation(
                IN_REGION,
                "a data-bearing workload needs a required node affinity (or node selector) on "
                "topology.kubernetes.io/region limited to the institution's data regions",
            ),
        ),
    ),
    AdmissionRule(
        control="payload-logging-denied",
        resources=(ISVC,),
        validations=(
            Validation(
                f"!({LOGGER}) || (params.data['payload-logging'] != 'never' && {_excepted('payload-logging-denied')})",
                "payload logging (spec.*.logger) is not allowed: it would store what people ask and get back",
            ),
        ),
    ),
    AdmissionRule(
        control="models-from-own-storage",
        resources=(ISVC,),
        variables=(("uris", STORAGE_URIS),),
        validations=(
            Validation(
                f"variables.uris.all(u, !u.startsWith('hf://')) || {_excepted('models-from-own-storage')}",
                "models must come from the institution's own storage (s3:// or pvc://), not hf://",
            ),
        ),
    ),
    AdmissionRule(
        control="register-labels",
        resources=(ISVC,),
        validations=(
            Validation(
                _all_keys("labels", ISVC_LABELS),
                "an InferenceService needs the labels " + ", ".join(ISVC_LABELS),
            ),
            Validation(
                _all_keys("annotations", ISVC_ANNOTATIONS),
                "an InferenceService needs the annotations " + ", ".join(ISVC_ANNOTATIONS),
            ),
            Validation(
                f"('register.' + {_label(L.REGISTER_ID)}) in params.data",
                "the register-id label must name a declared register entry",
            ),
        ),
    ),
    AdmissionRule(
        control="licence-open",
        resources=(ISVC,),
        validations=(
            Validation(
                f"('licence.' + {_label(L.LICENCE)}) in params.data",
                "the model's licence (label allmende.org/licence) must be one of the sector's open licences",
            ),
        ),
    ),
    AdmissionRule(
        control="provenance-pinned",
        resources=(ISVC,),
        validations=(
            Validation(
                f"{_annotation(L.CHECKSUM)}.matches('^sha256:[0-9a-f]{{64}}$')",
                "the model-checksum annotation must be sha256:<64 hex digits>",
            ),
            Validation(
                f"{_label(L.MODEL_VERSION)}.matches('^[0-9]+$')",
                "the model-version label must be the registry's version number",
            ),
        ),
    ),
    AdmissionRule(
        control="pod-security-restricted",
        resources=(Resource("", "v1", "namespaces", "Namespace"),),
        scope="cluster",
        match_conditions=(("tenant-namespace", "('tenant-namespace.' + object.metadata.name) in params.data"),),
        validations=(
            Validation(
                "has(object.metadata.labels) && 'pod-security.kubernetes.io/enforce' in object.metadata.labels"
                " && object.metadata.labels['pod-security.kubernetes.io/enforce'] == 'restricted'",
                "a tenant namespace must keep pod-security.kubernetes.io/enforce: restricted",
            ),
        ),
    ),
    AdmissionRule(
        control="tls-ingress",
        resources=(
            Resource("networking.k8s.io", "v1", "ingresses", "Ingress"),
            Resource("gateway.networking.k8s.io", "v1", "gateways", "Gateway"),
        ),
        scope="cluster",
        validations=(
            Validation(
                "object.kind != 'Ingress' || (has(object.spec.tls) && size(object.spec.tls) > 0)",
                "an Ingress needs spec.tls",
            ),
            Validation(
                "object.kind != 'Gateway'"
                " || object.spec.listeners.all(l, l.protocol == 'HTTPS' || l.protocol == 'TLS')",
                "every Gateway listener must use HTTPS or TLS",
            ),
        ),
    ),
)

BY_CONTROL: dict[str, AdmissionRule] = {rule.control: rule for rule in RULES}

# Controls enforced in the cluster by planned network objects rather than by CEL.
NETWORK_CONTROLS = frozenset({"egress-allowlist"})
