"""The Kubernetes Pod Security Standards "restricted" profile (baseline included), offline.

A model of what the kube-apiserver's PodSecurity admission enforces in a namespace labelled
`pod-security.kubernetes.io/enforce: restricted` (version "latest"): used at deploy time on
planned workloads and by the tests against the Kyverno peer suite. The cluster is the truth.
"""

from __future__ import annotations

from typing import Any

WORKLOAD_KINDS = frozenset({"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"})

BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)
SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})
RESTRICTED_VOLUMES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
)
SECCOMP_OK = frozenset({"RuntimeDefault", "Localhost"})
APPARMOR_OK_TYPES = frozenset({"RuntimeDefault", "Localhost"})


def pod_spec_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec")
        return spec if isinstance(spec, dict) else None
    if kind in WORKLOAD_KINDS:
        template = spec.get("template") or {}
        inner = template.get("spec")
        return inner if isinstance(inner, dict) else None
    return None


def pod_annotations(obj: dict[str, Any]) -> dict[str, str]:
    if obj.get("kind") == "Pod":
        return dict((obj.get("metadata") or {}).get("annotations") or {})
    spec = obj.get("spec") or {}
    if obj.get("kind") == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    return dict(((spec.get("template") or {}).get("metadata") or {}).get("annotations") or {})


def _containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for key in ("initContainers", "containers", "ephemeralContainers") for c in (spec.get(key) or []) if c]


def _sc(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("securityContext") or {}


def baseline_violations(spec: dict[str, Any], annotations: dict[str, str] | None = None) -> list[str]:
    out: list[str] = []
    pod_sc = _sc(spec)
    containers = _containers(spec)
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            out.append(f"{field} is not allowed")
    if any(_sc(c).get("privileged") for c in containers):
        out.append("privileged containers are not allowed")
    for c in containers:
        added = set(((_sc(c).get("capabilities") or {}).get("add")) or [])
        if added - BASELINE_CAPABILITIES:
            out.append(f"{c.get('name')}: capabilities {sorted(added - BASELINE_CAPABILITIES)} are not allowed")
    if any("hostPath" in (v or {}) for v in spec.get("volumes") or []):
        out.append("hostPath volumes are not allowed")
    for c in containers:
        if any((p or {}).get("hostPort") for p in c.get("ports") or []):
            out.append(f"{c.get('name')}: host ports are not allowed")
    if (pod_sc.get("windowsOptions") or {}).get("hostProcess") or any(
        (_sc(c).get("windowsOptions") or {}).get("hostProcess") for c in containers
    ):
        out.append("host process containers are not allowed")
    for key, value in (annotations or {}).items():
        if key.startswith("container.apparmor.security.beta.kubernetes.io/") and not (
            value == "runtime/default" or value.startswith("localhost/")
        ):
            out.append(f"AppArmor profile {value!r} is not allowed")
    for holder in (pod_sc, *(_sc(c) for c in containers)):
        profile = holder.get("appArmorProfile") or {}
        if profile and profile.get("type") not in APPARMOR_OK_TYPES:
            out.append(f"AppArmor profile type {profile.get('type')!r} is not allowed")
        selinux = holder.get("seLinuxOptions") or {}
        if selinux.get("type", "") not in SELINUX_TYPES or selinux.get("user") or selinux.get("role"):
            out.append("custom SELinux options are not allowed")
        seccomp = holder.get("seccompProfile") or {}
        if seccomp.get("type") == "Unconfined":
            out.append("seccomp profile Unconfined is not allowed")
    if any(_sc(c).get("procMount", "Default") != "Default" for c in containers):
        out.append("procMount other than Default is not allowed")
    unsafe = sorted({s.get("name") for s in pod_sc.get("sysctls") or []} - SAFE_SYSCTLS)
    if unsafe:
        out.append(f"sysctls {unsafe} are not allowed")
    return out


def restricted_violations(spec: dict[str, Any], annotations: dict[str, str] | None = None) -> list[str]:
    out = baseline_violations(spec, annotations)
    pod_sc = _sc(spec)
    containers = _containers(spec)
    is_windows = (spec.get("os") or {}).get("name") == "windows"
    for volume in spec.get("volumes") or []:
        kinds = set(volume) - {"name"}
        if kinds - RESTRICTED_VOLUMES:
            out.append(f"volume {volume.get('name')}: type {sorted(kinds - RESTRICTED_VOLUMES)} is not allowed")
    if not is_windows and any(_sc(c).get("allowPrivilegeEscalation") is not False for c in containers):
        out.append("allowPrivilegeEscalation must be false")
    pod_nonroot = pod_sc.get("runAsNonRoot")
    for c in containers:
        own = _sc(c).get("runAsNonRoot")
        if own is False or (own is None and pod_nonroot is not True):
            out.append(f"{c.get('name')}: runAsNonRoot must be true")
    if pod_nonroot is False:
        out.append("runAsNonRoot must not be false on the pod")
    if pod_sc.get("runAsUser") == 0 or any(_sc(c).get("runAsUser") == 0 for c in containers):
        out.append("runAsUser must not be 0")
    if not is_windows:
        pod_seccomp = (pod_sc.get("seccompProfile") or {}).get("type")
        for c in containers:
            own = (_sc(c).get("seccompProfile") or {}).get("type")
            effective = own if own is not None else pod_seccomp
            if effective not in SECCOMP_OK:
                out.append(f"{c.get('name')}: seccompProfile must be RuntimeDefault or Localhost")
        if pod_seccomp is not None and pod_seccomp not in SECCOMP_OK:
            out.append("the pod's seccompProfile must be RuntimeDefault or Localhost")
        for c in containers:
            caps = _sc(c).get("capabilities") or {}
            if "ALL" not in (caps.get("drop") or []):
                out.append(f"{c.get('name')}: capabilities must drop ALL")
            if set(caps.get("add") or []) - {"NET_BIND_SERVICE"}:
                out.append(f"{c.get('name')}: only NET_BIND_SERVICE may be added")
    return sorted(set(out))


def pod_violations(obj: dict[str, Any]) -> list[str]:
    """Restricted-profile violations of a workload object (Pod or controller); [] if none."""
    spec = pod_spec_of(obj)
    return restricted_violations(spec, pod_annotations(obj)) if spec is not None else []
