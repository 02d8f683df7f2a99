"""The report as Markdown (for repositories and wikis)."""

from __future__ import annotations

from typing import Any

from allmende.policies.report.words import INTRO, POINT_WORDS, PRINCIPLE_WORDS, STATUS_WORDS, counted


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(head: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _status(status: str) -> str:
    return STATUS_WORDS[status]  # type: ignore[index]


def summary(data: dict[str, Any]) -> list[str]:
    s = data["summary"]
    out = ["## Summary", "", counted(s["counts"]), ""]
    out += _table(
        ["Principle", "What it means", "Status", "Rules met"],
        [
            [p["title"], p["meaning"], _status(p["status"]), f"{p['counts']['met']} of {sum(p['counts'].values())}"]
            for p in s["principles"]
        ],
    )
    if data["services"]:
        head = ["Service", *(PRINCIPLE_WORDS[p][0] for p in PRINCIPLE_WORDS)]
        rows = [
            [svc["name"], *(f"{_status(v['status'])} ({v['date']})" for v in svc["by_principle"].values())]
            for svc in data["services"]
        ]
        out += ["Each service, by principle (with the date of the evidence):", "", *_table(head, rows)]
    return out


def attention(data: dict[str, Any]) -> list[str]:
    rows = sorted(
        {
            (card["title"], f["service"] or "all", card["rule"])
            for card in data["controls"]
            for f in card["findings"]
            if f["status"] == "not-met"
        }
    )
    out = ["## What needs attention", ""]
    if not rows:
        return [*out, "Nothing. Every rule that has been checked is met.", ""]
    table = _table(["Rule", "Service", "What the rule asks"], [list(r) for r in rows])
    return [*out, *table, "The details are under each rule below.", ""]


def exceptions(data: dict[str, Any]) -> list[str]:
    out = ["## Exceptions", ""]
    if not data["exceptions"]:
        return [*out, "There are no exceptions: every rule applies to every service.", ""]
    rows = [
        [
            e["control"],
            ", ".join(e["services"]),
            e["reason"],
            e["approver"],
            e["expires"] + (" (expired)" if e["expired"] else ""),
        ]
        for e in data["exceptions"]
    ]
    return [*out, *_table(["Rule", "Services", "Reason", "Approved by", "Ends on"], rows)]


def contact(data: dict[str, Any]) -> list[str]:
    c = data["contact"]
    lines = [
        "## How to ask or complain",
        "",
        f"{c['complaints_description']}: {c['complaints_url']}",
    ]
    if c["complaints_email"]:
        lines.append(f"E-mail: {c['complaints_email']}")
    lines += ["", f"Responsible for these services: {c['owner_role']} ({c['owner_contact']}).", ""]
    return lines


def energy(data: dict[str, Any]) -> list[str]:
    e = data["energy"]
    out = [
        "## Energy",
        "",
        f"Estimated use of the services: about {e['total_kwh_per_month']} kWh per month "
        f"({e['installed_gpus']} GPUs installed).",
        "",
    ]
    out += _table(
        ["Service", "GPUs per copy", "Watts per GPU", "Scales to zero", "kWh per month"],
        [
            [
                s["service"],
                s["gpus_per_copy"],
                s["board_power_watts"],
                "yes" if s["scales_to_zero"] else "no",
                s["kwh_per_month"],
            ]
            for s in e["services"]
        ],
    )
    return [*out, "How we estimate:", "", *(f"- {a}" for a in e["assumptions"]), ""]


def services(data: dict[str, Any]) -> list[str]:
    out = ["## Services", ""]
    for svc in data["services"]:
        t1 = svc["atrs"]["tier1"]
        t2 = svc["atrs"]["tier2"]
        out += [
            f"### {svc['name']}",
            "",
            t1["what_it_does"],
            "",
            f"- Why: {t1['why']}",
            f"- Who answers for it: {t1['who_answers']}",
            f"- Status: {t1['status']}",
            f"- Complaints: {t1['how_to_complain']}",
            "",
            "#### Details (tier 2)",
            "",
            f"- Organisation: {t2['owner_and_responsibility']['organisation']}; "
            f"legal role: {t2['owner_and_responsibility']['legal_role']}",
            f"- Suppliers: {', '.join(t2['suppliers'])}",
            f"- Human oversight: {t2['decision_and_human_review']['oversight_role']}; can stop it: "
            f"{'yes' if t2['decision_and_human_review']['can_stop_the_service'] else 'no'}",
            f"- Personal data: {'yes' if t2['data']['personal_data'] else 'no'}; lawful basis: "
            f"{t2['data']['lawful_basis']}",
            f"- Model: {t2['model']['name']} ({t2['model']['runtime']})",
            f"- Risk class: {t2['risks_and_assessments']['risk_class']}",
        ]
        out += [f"- {a['kind']} of {a['date']}: {a['url']}" for a in t2["risks_and_assessments"]["assessments"]]
        out += ["", "#### Register entry (Algoritmeregister)", ""]
        out += _table(["Field", "Value"], [[k, v] for k, v in svc["register_entry"].items()])
    return out


def cards(data: dict[str, Any]) -> list[str]:
    out = ["## The rules", ""]
    for card in data["controls"]:
        why = "; ".join(f"{w['source']} {w['article']}".strip() for w in card["why"])
        where = ", ".join(POINT_WORDS[p] for p in card["enforced_at"])
        out += [
            f"### {card['title']}",
            "",
            f"**{card['rule']}**",
            "",
            f"- Status: {_status(card['status'])} (checked {card['status_date']})",
            f"- Why: {why}",
            f"- Protects: {card['protects']}",
            f"- Checked: {where}. {card['when']}",
            f"- If broken: {card['action']}",
            f"- Rule id and version: `{card['id']}` {card['version']}",
            f"- What changed: {card['changelog'][0]['change']} ({card['changelog'][0]['date']})",
            "",
        ]
        if card["sector_values"]:
            sectors = [k for k in card["sector_values"][0] if k != "parameter"]
            out += _table(
                ["Setting", *sectors], [[r["parameter"], *(r[s] for s in sectors)] for r in card["sector_values"]]
            )
        for e in card["exceptions"]:
            out.append(
                f"- Exception for {', '.join(e['services'])}: {e['reason']} — {e['approver']}, until {e['expires']}"
            )
        if card["detail"]:
            out += [f"Technical detail: {card['detail']}", ""]
        problems = [f for f in card["findings"] if f["status"] in ("not-met", "exception")]
        for f in problems:
            fix = f" Fix: {f['fix']}" if f.get("fix") else ""
            out.append(f"- {_status(f['status'])} for {f['service'] or 'all'}: {f['message']}.{fix}")
        if problems:
            out.append("")
    return out


def render(data: dict[str, Any]) -> str:
    c = data["contact"]
    lines = [
        f"# AI services of {c['institution']}: accountability report",
        "",
        f"Stack {data['stack']} · sector {data['sector']} · {data['date']} · policies {data['policy_version']}",
        "",
        INTRO,
        "",
        *summary(data),
        *attention(data),
        *exceptions(data),
        *contact(data),
        *energy(data),
        *services(data),
        *cards(data),
    ]
    return "\n".join(lines).rstrip() + "\n"
