"""The command lines of the five control-plane processes, all on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

from allmende.devcluster.models import FAKE_NODE_ANNOTATION, FAKE_NODE_VALUE, ComponentName, Ports
from allmende.devcluster.pki import SERVICE_CIDR, Pki

SA_ISSUER = "https://kubernetes.default.svc.cluster.local"
POD_CIDR = "10.244.0.0/16"  # addresses kwok hands to fake pods: strings only, nothing routes to them
# Added to the plugins the API server enables by default (which include both already in 1.36).
ADMISSION_PLUGINS = "ResourceQuota,ValidatingAdmissionPolicy,PodSecurity"


def etcd(binary: Path, data: Path, ports: Ports) -> list[str]:
    client = f"http://127.0.0.1:{ports.etcd_client}"
    peer = f"http://127.0.0.1:{ports.etcd_peer}"
    return [
        str(binary),
        "--name=allmende-dev",
        f"--data-dir={data}",
        f"--listen-client-urls={client}",
        f"--advertise-client-urls={client}",
        f"--listen-peer-urls={peer}",
        f"--initial-advertise-peer-urls={peer}",
        f"--initial-cluster=allmende-dev={peer}",
        "--unsafe-no-fsync",  # a throw-away dev store: speed over durability
        "--log-level=warn",
    ]


def kube_apiserver(binary: Path, pki: Pki, ports: Ports) -> list[str]:
    return [
        str(binary),
        f"--etcd-servers=http://127.0.0.1:{ports.etcd_client}",
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        f"--secure-port={ports.apiserver}",
        "--endpoint-reconciler-type=none",  # a loopback address may not be a Service endpoint
        f"--tls-cert-file={pki.serving_cert}",
        f"--tls-private-key-file={pki.serving_key}",
        f"--client-ca-file={pki.ca_cert}",
        f"--service-account-issuer={SA_ISSUER}",
        f"--api-audiences={SA_ISSUER}",
        f"--service-account-key-file={pki.sa_pub}",
        f"--service-account-signing-key-file={pki.sa_key}",
        f"--service-cluster-ip-range={SERVICE_CIDR}",
        "--authorization-mode=RBAC",
        f"--enable-admission-plugins={ADMISSION_PLUGINS}",
        "--allow-privileged=true",
        "--profiling=false",
    ]


def kube_controller_manager(binary: Path, kubeconfig: Path, pki: Pki, ports: Ports) -> list[str]:
    return [
        str(binary),
        f"--kubeconfig={kubeconfig}",
        f"--authentication-kubeconfig={kubeconfig}",
        f"--authorization-kubeconfig={kubeconfig}",
        "--bind-address=127.0.0.1",
        f"--secure-port={ports.controller_manager}",
        "--leader-elect=false",
        "--use-service-account-credentials=false",
        f"--root-ca-file={pki.ca_cert}",
        f"--service-account-private-key-file={pki.sa_key}",
        f"--cluster-signing-cert-file={pki.ca_cert}",
        f"--cluster-signing-key-file={pki.ca_key}",
        "--controllers=*",
        "--profiling=false",
    ]


def kube_scheduler(binary: Path, kubeconfig: Path, ports: Ports) -> list[str]:
    return [
        str(binary),
        f"--kubeconfig={kubeconfig}",
        f"--authentication-kubeconfig={kubeconfig}",
        f"--authorization-kubeconfig={kubeconfig}",
        "--bind-address=127.0.0.1",
        f"--secure-port={ports.scheduler}",
        "--leader-elect=false",
        "--profiling=false",
    ]


def kwok(binary: Path, kubeconfig: Path, stages: list[Path], ports: Ports) -> list[str]:
    argv = [
        str(binary),
        f"--kubeconfig={kubeconfig}",
        f"--manage-nodes-with-annotation-selector={FAKE_NODE_ANNOTATION}={FAKE_NODE_VALUE}",
        f"--cidr={POD_CIDR}",
        "--node-ip=10.244.0.1",
        "--node-lease-duration-seconds=40",
        f"--server-address=127.0.0.1:{ports.kwok}",
    ]
    for stage in stages:
        argv.append(f"--config={stage}")
    return argv


def binary_name(component: ComponentName) -> str:
    return component
