"""Admission: ValidatingAdmissionPolicies (CEL) generated from the catalogue.

`rules.py` holds the CEL of every control enforced at admission, `params.py` the per-stack
parameters (one ConfigMap the bindings point to), `generate.py` the policy and binding
manifests, and `offline.py` evaluates the same CEL with cel-python (tests, the CrossGuard
pack and the report use it; the real kube-apiserver is the truth).
"""
