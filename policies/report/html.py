"""The report as one self-contained, accessible HTML file: no JavaScript, no external files,
a language attribute, one h1 and ordered headings, tables with header cells, status always
written in words (colour only repeats it), dark text on light backgrounds."""

from __future__ import annotations

from html import escape
from typing import Any

from allmende.policies.report.words import INTRO, POINT_WORDS, PRINCIPLE_WORDS, STATUS_WORDS, counted

CSS = """
body{font-family:system-ui,sans-serif;line-height:1.5;color:#1b1b1b;background:#fff}
body{max-width:60rem;margin:0 auto;padding:1rem}
h1,h2,h3,h4{line-height:1.25}
a{color:#0b4ea2}
table{border-collapse:collapse;margin:0.5rem 0 1rem;width:100%}
th,td{border:1px solid #767676;padding:0.3rem 0.5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}
.status{display:inline-block;padding:0 0.4rem;border-radius:0.2rem;font-weight:600}
.met{background:#d7f0dc}.not-met{background:#fbd3d3}.exception{background:#fde7bd}.pending{background:#e4e7eb}
.card{border-top:2px solid #767676;margin-top:1.5rem}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem}
"""


def e(text: Any) -> str:
    return escape(str(text), quote=True)


def status(value: str) -> str:
    return f'<span class="status {e(value)}">{e(STATUS_WORDS[value])}</span>'  # type: ignore[index]


def table(caption: str, head: list[str], rows: list[list[str]]) -> str:
    heads = "".join(f'<th scope="col">{e(h)}</th>' for h in head)
    body = "".join(
        "<tr>" + f'<th scope="row">{row[0]}</th>' + "".join(f"<td>{c}</td>" for c in row[1:]) + "</tr>" for row in rows
    )
    return f"<table><caption>{e(caption)}</caption><thead><tr>{heads}</tr></thead><tbody>{body}</tbody></table>"


def link(url: str) -> str:
    return f'<a href="{e(url)}">{e(url)}</a>'


def summary(data: dict[str, Any]) -> str:
    parts = [
        '<section aria-labelledby="summary"><h2 id="summary">Summary</h2>',
        f"<p>{e(counted(data['summary']['counts']))}</p>",
        table(
            "The six principles",
            ["Principle", "What it means", "Status", "Rules met"],
            [
                [
                    e(p["title"]),
                    e(p["meaning"]),
                    status(p["status"]),
                    e(f"{p['counts']['met']} of {sum(p['counts'].values())}"),
                ]
                for p in data["summary"]["principles"]
            ],
        ),
    ]
    if data["services"]:
        head = ["Service", *(PRINCIPLE_WORDS[p][0] for p in PRINCIPLE_WORDS)]
        rows = [
            [
                e(s["name"]),
                *(f"{status(v['status'])} <small>{e(v['date'])}</small>" for v in s["by_principle"].values()),
            ]
            for s in data["services"]
        ]
        parts.append(table("Each service by principle, with the date of the evidence", head, rows))
    parts.append("</section>")
    return "".join(parts)


def attention(data: dict[str, Any]) -> str:
    found = sorted(
        {
            (card["title"], f["service"] or "all", card["rule"])
            for card in data["controls"]
            for f in card["findings"]
            if f["status"] == "not-met"
        }
    )
    rows = [[e(t), e(s), e(r)] for t, s, r in found]
    body = (
        table("Rules not met", ["Rule", "Service", "What the rule asks"], rows)
        + "<p>The details are under each rule below.</p>"
        if rows
        else "<p>Nothing. Every rule that has been checked is met.</p>"
    )
    return f'<section aria-labelledby="attention"><h2 id="attention">What needs attention</h2>{body}</section>'


def exceptions(data: dict[str, Any]) -> str:
    if not data["exceptions"]:
        body = "<p>There are no exceptions: every rule applies to every service.</p>"
    else:
        body = table(
            "Exceptions",
            ["Rule", "Services", "Reason", "Approved by", "Ends on"],
            [
                [
                    e(x["control"]),
                    e(", ".join(x["services"])),
                    e(x["reason"]),
                    e(x["approver"]),
                    e(x["expires"] + (" (expired)" if x["expired"] else "")),
                ]
                for x in data["exceptions"]
            ],
        )
    return f'<section aria-labelledby="exceptions"><h2 id="exceptions">Exceptions</h2>{body}</section>'


def contact(data: dict[str, Any]) -> str:
    c = data["contact"]
    mail = (
        f'<p>E-mail: <a href="mailto:{e(c["complaints_email"])}">{e(c["complaints_email"])}</a></p>'
        if c["complaints_email"]
        else ""
    )
    return (
        '<section aria-labelledby="contact"><h2 id="contact">How to ask or complain</h2>'
        f"<p>{e(c['complaints_description'])}: {link(c['complaints_url'])}</p>{mail}"
        f"<p>Responsible for these services: {e(c['owner_role'])} "
        f'(<a href="mailto:{e(c["owner_contact"])}">{e(c["owner_contact"])}</a>).</p></section>'
    )


def energy(data: dict[str, Any]) -> str:
    en = data["energy"]
    rows = [
        [
            e(s["service"]),
            e(s["gpus_per_copy"]),
            e(s["board_power_watts"]),
            e("yes" if s["scales_to_zero"] else "no"),
            e(s["kwh_per_month"]),
        ]
        for s in en["services"]
    ]
    items = "".join(f"<li>{e(a)}</li>" for a in en["assumptions"])
    return (
        '<section aria-labelledby="energy"><h2 id="energy">Energy</h2>'
        f"<p>Estimated use of the services: about {e(en['total_kwh_per_month'])} kWh per month "
        f"({e(en['installed_gpus'])} GPUs installed).</p>"
        + table(
            "Energy estimate per service",
            ["Service", "GPUs per copy", "Watts per GPU", "Scales to zero", "kWh per month"],
            rows,
        )
        + f"<p>How we estimate:</p><ul>{items}</ul></section>"
    )


def service(svc: dict[str, Any]) -> str:
    t1 = svc["atrs"]["tier1"]
    t2 = svc["atrs"]["tier2"]
    review = t2["decision_and_human_review"]
    risks = t2["risks_and_assessments"]
    assessments = "".join(f"<li>{e(a['kind'])} of {e(a['date'])}: {link(a['url'])}</li>" for a in risks["assessments"])
    register_rows = [
        [e(k), e(", ".join(v) if isinstance(v, list) and all(isinstance(i, str) for i in v) else v)]
        for k, v in svc["register_entry"].items()
    ]
    return (
        f'<section aria-labelledby="svc-{e(svc["service"])}"><h3 id="svc-{e(svc["service"])}">{e(svc["name"])}</h3>'
        f"<p>{e(t1['what_it_does'])}</p><ul>"
        f"<li>Why: {e(t1['why'])}</li><li>Who answers for it: {e(t1['who_answers'])}</li>"
        f"<li>Status: {e(t1['status'])}</li><li>Complaints: {link(t1['how_to_complain'])}</li></ul>"
        "<h4>Details (tier 2)</h4><ul>"
        f"<li>Organisation: {e(t2['owner_and_responsibility']['organisation'])}; legal role: "
        f"{e(t2['owner_and_responsibility']['legal_role'])}</li>"
        f"<li>Suppliers: {e(', '.join(t2['suppliers']))}</li>"
        f"<li>Human oversight: {e(review['oversight_role'])}; can stop it: "
        f"{'yes' if review['can_stop_the_service'] else 'no'}</li>"
        f"<li>Personal data: {'yes' if t2['data']['personal_data'] else 'no'}; lawful basis: "
        f"{e(t2['data']['lawful_basis'])}</li>"
        f"<li>Model: {e(t2['model']['name'])} ({e(t2['model']['runtime'])})</li>"
        f"<li>Risk class: {e(risks['risk_class'])}</li>{assessments}</ul>"
        "<h4>Register entry (Algoritmeregister)</h4>"
        + table(f"Register entry of {svc['name']}", ["Field", "Value"], register_rows)
        + "</section>"
    )


def card(c: dict[str, Any]) -> str:
    why = "; ".join(f"{w['source']} {w['article']}".strip() for w in c["why"])
    where = ", ".join(POINT_WORDS[p] for p in c["enforced_at"])
    parts = [
        f'<section class="card" aria-labelledby="rule-{e(c["id"])}"><h3 id="rule-{e(c["id"])}">{e(c["title"])}</h3>',
        f"<p><strong>{e(c['rule'])}</strong></p><ul>",
        f"<li>Status: {status(c['status'])} (checked {e(c['status_date'])})</li>",
        f"<li>Why: {e(why)}</li><li>Protects: {e(c['protects'])}</li>",
        f"<li>Checked: {e(where)}. {e(c['when'])}</li><li>If broken: {e(c['action'])}</li>",
        f"<li>Rule id and version: <code>{e(c['id'])}</code> {e(c['version'])}</li>",
        f"<li>What changed: {e(c['changelog'][0]['change'])} ({e(c['changelog'][0]['date'])})</li></ul>",
    ]
    if c["sector_values"]:
        sectors = [k for k in c["sector_values"][0] if k != "parameter"]
        parts.append(
            table(
                "Values per sector",
                ["Setting", *sectors],
                [[e(r["parameter"]), *(e(r[s]) for s in sectors)] for r in c["sector_values"]],
            )
        )
    for x in c["exceptions"]:
        parts.append(
            f"<p>Exception for {e(', '.join(x['services']))}: {e(x['reason'])} — {e(x['approver'])}, "
            f"until {e(x['expires'])}</p>"
        )
    if c["detail"]:
        parts.append(f"<p>Technical detail: {e(c['detail'])}</p>")
    problems = [f for f in c["findings"] if f["status"] in ("not-met", "exception")]
    if problems:
        items = "".join(
            f"<li>{status(f['status'])} for {e(f['service'] or 'all')}: {e(f['message'])}."
            + (f" Fix: {e(f['fix'])}" if f.get("fix") else "")
            + "</li>"
            for f in problems
        )
        parts.append(f"<ul>{items}</ul>")
    parts.append("</section>")
    return "".join(parts)


def render(data: dict[str, Any]) -> str:
    c = data["contact"]
    title = f"AI services of {c['institution']}: accountability report"
    body = [
        '<a class="skip" href="#summary">Skip to the summary</a>',
        f"<header><h1>{e(title)}</h1>",
        f"<p>Stack {e(data['stack'])} · sector {e(data['sector'])} · {e(data['date'])} · "
        f"policies {e(data['policy_version'])}</p></header><main>",
        f"<p>{e(INTRO)}</p>",
        summary(data),
        attention(data),
        exceptions(data),
        contact(data),
        energy(data),
        '<section aria-labelledby="services"><h2 id="services">Services</h2>',
        *(service(s) for s in data["services"]),
        '</section><section aria-labelledby="rules"><h2 id="rules">The rules</h2>',
        *(card(x) for x in data["controls"]),
        "</section></main>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
