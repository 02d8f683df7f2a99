"""The report for policy makers: one summary page, then per service a register entry and an
ATRS-style two-tier view, per control a policy card, energy, and how to ask or complain.

`build.py` assembles the report as plain data (the JSON format); `markdown.py` and `html.py`
render it; `diff.py` compares two reports.
"""
