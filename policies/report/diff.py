"""What changed between two reports: controls added, changed or relaxed; services added or
retired; exceptions granted, changed or ended."""

from __future__ import annotations

from typing import Any

ACTION_STRENGTH = {"audit": 0, "warn": 1, "deny": 2}


def _by(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {str(i[key]): i for i in items}


def _values(card: dict[str, Any]) -> dict[str, str]:
    return {r["parameter"]: r["this stack"] for r in card.get("sector_values", [])}


def _control_change(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    reasons: list[str] = []
    relaxed = False
    if old["version"] != new["version"]:
        newer = [c for c in new["changelog"] if c["version"] not in {o["version"] for o in old["changelog"]}]
        reasons += [f"{c['version']}: {c['change']}" for c in newer]
        relaxed |= any(c.get("relaxes") for c in newer)
    if old["action"] != new["action"]:
        reasons.append(f"if broken: {old['action']} → {new['action']}")
        relaxed |= ACTION_STRENGTH[new["action"]] < ACTION_STRENGTH[old["action"]]
    dropped = sorted(set(old["enforced_at"]) - set(new["enforced_at"]))
    added = sorted(set(new["enforced_at"]) - set(old["enforced_at"]))
    if dropped:
        reasons.append(f"no longer checked {', '.join(dropped)}")
        relaxed = True
    if added:
        reasons.append(f"now also checked {', '.join(added)}")
    ov, nv = _values(old), _values(new)
    reasons += [
        f"{p}: {ov.get(p, '—')} → {nv.get(p, '—')}" for p in sorted(set(ov) | set(nv)) if ov.get(p) != nv.get(p)
    ]
    if old["rule"] != new["rule"]:
        reasons.append(f"rule reworded: {new['rule']}")
    if not reasons:
        return None
    return {
        "id": new["id"],
        "title": new["title"],
        "from": old["version"],
        "to": new["version"],
        "relaxed": relaxed,
        "changes": reasons,
    }


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    oc, nc = _by(old["controls"], "id"), _by(new["controls"], "id")
    changed = [c for i in sorted(set(oc) & set(nc)) if (c := _control_change(oc[i], nc[i])) is not None]
    os_, ns = _by(old["services"], "service"), _by(new["services"], "service")
    retired = sorted(set(os_) - set(ns)) + sorted(
        s
        for s in set(os_) & set(ns)
        if ns[s]["register_entry"]["status"] == "Buiten gebruik" != os_[s]["register_entry"]["status"]
    )
    status_changes = [
        {"service": s, "from": os_[s]["register_entry"]["status"], "to": ns[s]["register_entry"]["status"]}
        for s in sorted(set(os_) & set(ns))
        if os_[s]["register_entry"]["status"] != ns[s]["register_entry"]["status"]
    ]

    def key(e: dict[str, Any]) -> str:
        return f"{e['control']}:{','.join(e['services'])}"

    oe, ne = {key(e): e for e in old["exceptions"]}, {key(e): e for e in new["exceptions"]}
    return {
        "old": {"stack": old["stack"], "date": old["date"], "policy_version": old["policy_version"]},
        "new": {"stack": new["stack"], "date": new["date"], "policy_version": new["policy_version"]},
        "controls_added": [
            {"id": i, "title": nc[i]["title"], "version": nc[i]["version"]} for i in sorted(set(nc) - set(oc))
        ],
        "controls_removed": [{"id": i, "title": oc[i]["title"]} for i in sorted(set(oc) - set(nc))],
        "controls_changed": [c for c in changed if not c["relaxed"]],
        "controls_relaxed": [c for c in changed if c["relaxed"]],
        "services_added": sorted(set(ns) - set(os_)),
        "services_retired": retired,
        "service_status_changes": status_changes,
        "exceptions_added": [ne[k] for k in sorted(set(ne) - set(oe))],
        "exceptions_removed": [oe[k] for k in sorted(set(oe) - set(ne))],
        "exceptions_changed": [
            {
                "control": ne[k]["control"],
                "services": ne[k]["services"],
                "from": oe[k]["expires"],
                "to": ne[k]["expires"],
            }
            for k in sorted(set(oe) & set(ne))
            if oe[k]["expires"] != ne[k]["expires"] or oe[k]["reason"] != ne[k]["reason"]
        ],
    }


def render_text(d: dict[str, Any]) -> str:
    lines = [f"From {d['old']['stack']} ({d['old']['date']}) to {d['new']['stack']} ({d['new']['date']})", ""]

    def section(title: str, rows: list[str]) -> None:
        lines.append(f"{title}: {'none' if not rows else ''}".rstrip())
        lines.extend(f"  - {r}" for r in rows)

    section("Rules added", [f"{c['title']} ({c['id']} {c['version']})" for c in d["controls_added"]])
    section("Rules removed", [f"{c['title']} ({c['id']})" for c in d["controls_removed"]])
    section("Rules made less strict", [f"{c['title']}: {'; '.join(c['changes'])}" for c in d["controls_relaxed"]])
    section("Rules changed", [f"{c['title']}: {'; '.join(c['changes'])}" for c in d["controls_changed"]])
    section("Services added", d["services_added"])
    section("Services retired", d["services_retired"])
    section(
        "Register status changed", [f"{s['service']}: {s['from']} → {s['to']}" for s in d["service_status_changes"]]
    )
    section(
        "Exceptions granted",
        [f"{e['control']} for {', '.join(e['services'])} until {e['expires']}" for e in d["exceptions_added"]],
    )
    section("Exceptions ended", [f"{e['control']} for {', '.join(e['services'])}" for e in d["exceptions_removed"]])
    section(
        "Exceptions changed",
        [
            f"{e['control']} for {', '.join(e['services'])}: until {e['from']} → {e['to']}"
            for e in d["exceptions_changed"]
        ],
    )
    return "\n".join(lines) + "\n"
