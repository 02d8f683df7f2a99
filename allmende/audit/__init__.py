"""`allmende audit`: the running cluster compared with what was declared, as dated evidence.

One direction, like the rest of allmende: the Plan and the models lock say what should run;
`live.py` reads what runs (read-only, the `allmende-auditor` role is enough) into a Snapshot;
pure functions judge it (`drift.py`: missing, changed and unexpected objects; `checks.py`: the
catalogue's controls in the running cluster; `registry.py`: the served model versions in the
registry); `evidence.py` appends the dated, hash-chained record the report reads.
"""
