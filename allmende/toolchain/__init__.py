"""The Go-built toolchain: the Pulumi engine, its Python language host and Kubernetes provider, and a
local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok).

Nothing here downloads binaries: every tool is built from Go modules through the Go module proxy,
into a cache outside the checkout (`paths.tools_dir()`), by `allmende tools build`.
"""

from __future__ import annotations

from allmende.toolchain.build import build_all
from allmende.toolchain.paths import bin_dir, tools_dir
from allmende.toolchain.status import ToolStatus, require_tools, tool_path, tools_status

__all__ = ["ToolStatus", "bin_dir", "build_all", "require_tools", "tool_path", "tools_dir", "tools_status"]
