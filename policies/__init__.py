"""The accountability policies: one declared catalogue, enforced and reported.

`catalogue/*.yaml` holds the controls as data (`schema.py` types them, `load.py` reads and
cross-checks them). Everything else reads that one catalogue: the deploy-time and runtime
checks (`checks/`), the admission policies (`admission/`), the CrossGuard pack (`pack/`) and
the report for policy makers (`report/`).
"""
