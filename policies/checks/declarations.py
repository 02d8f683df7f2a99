"""Deploy-time checks over the institution's declarations (the Blueprint).

Each check returns a Finding per service (or one for the whole stack), passed or failed,
so the report can show every service's status and the pack can block a broken stack.
"""

from __future__ import annotations

import ipaddress
import re

from allmende.blueprints.schema import Blueprint, RegisterEntry, Service
from allmende.policies import register
from allmende.policies.context import Context, Finding, failed, passed

MAX_WORDS = 25
MIN_LOG_DAYS = 183


def _entries(bp: Blueprint) -> list[tuple[Service, RegisterEntry | None]]:
    register_entries = bp.accountability.register_entries
    return [(s, register_entries.get(s.name)) for s in bp.serving.services]


def _no_entry(control: str, svc: Service) -> Finding:
    return failed(
        control,
        f"{svc.name} has no register entry",
        f"add accountability.register.{svc.name}",
        svc.name,
        f"accountability.register.{svc.name}",
    )


def open_api_access(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for svc in ctx.blueprint.serving.services:
        is_llm = svc.runtime == "huggingface" or svc.size is not None
        if is_llm and svc.runtime != "huggingface":
            out.append(
                failed(
                    "open-api-access",
                    f"{svc.name} is a language model served without the OpenAI-compatible interface",
                    "use runtime: huggingface",
                    svc.name,
                    "serving.services.runtime",
                )
            )
        elif is_llm:
            out.append(passed("open-api-access", f"{svc.name} offers the OpenAI-compatible interface", svc.name))
        else:
            out.append(passed("open-api-access", f"{svc.name} is not a language model; its own API applies", svc.name))
    return out


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if s]


def plain_language_summary(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for svc, entry in _entries(ctx.blueprint):
        if entry is None:
            out.append(_no_entry("plain-language-summary", svc))
            continue
        text = " ".join(entry.description_short.split())
        longest = max((len(s.split()) for s in sentences(text)), default=0)
        at = f"accountability.register.{svc.name}.description_short"
        if len(text) > 400:
            out.append(failed("plain-language-summary", f"{len(text)} characters", "at most 400", svc.name, at))
        elif longest > MAX_WORDS:
            out.append(
                failed(
                    "plain-language-summary",
                    f"a sentence has {longest} words",
                    f"split sentences longer than {MAX_WORDS} words",
                    svc.name,
                    at,
                )
            )
        else:
            out.append(
                passed("plain-language-summary", f"{len(text)} characters, longest sentence {longest} words", svc.name)
            )
    return out


def complaint_route(ctx: Context) -> list[Finding]:
    bp = ctx.blueprint
    route = bp.institution.complaints
    if not route.url.startswith("https://"):
        return [
            failed(
                "complaint-route",
                "no complaint page is declared",
                "set institution.complaints.url to an https page",
                path="institution.complaints.url",
            )
        ]
    out = [passed("complaint-route", f"complaints: {route.url}")]
    for svc, entry in _entries(bp):
        contact = (entry.contact_email if entry else None) or bp.institution.owner.contact
        if contact:
            out.append(passed("complaint-route", f"contact: {contact}", svc.name))
        else:
            out.append(failed("complaint-route", "no contact", "set contact_email", svc.name))
    return out


def register_entry(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for svc, entry in _entries(ctx.blueprint):
        if entry is None:
            out.append(_no_entry("register-entry", svc))
            continue
        problems = register.validate(register.export(ctx.blueprint, svc.name), register.BUILTIN_CONFIG, svc.name)
        if problems:
            out.append(
                failed(
                    "register-entry",
                    "; ".join(p.render() for p in problems),
                    "complete the register entry",
                    svc.name,
                    f"accountability.register.{svc.name}",
                )
            )
        else:
            out.append(passed("register-entry", "the register entry is complete", svc.name))
    return out


def risk_class_declared(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for svc, entry in _entries(ctx.blueprint):
        at = f"accountability.register.{svc.name}"
        if entry is None:
            out.append(_no_entry("risk-class-declared", svc))
        elif entry.risk_class == "prohibited":
            out.append(
                failed(
                    "risk-class-declared", "a prohibited practice", "retire the service", svc.name, f"{at}.risk_class"
                )
            )
        elif entry.risk_class == "high" and entry.publication_category != "Hoog-risico AI-systeem":
            out.append(
                failed(
                    "risk-class-declared",
                    "a high-risk service must be published as 'Hoog-risico AI-systeem'",
                    "set publication_category: Hoog-risico AI-systeem",
                    svc.name,
                    f"{at}.publication_category",
                )
            )
        else:
            out.append(
                passed("risk-class-declared", f"risk class {entry.risk_class}, role {entry.legal_role}", svc.name)
            )
    return out


def research_exemption_justified(ctx: Context) -> list[Finding]:
    bp = ctx.blueprint
    out: list[Finding] = []
    for svc, entry in _entries(bp):
        at = f"accountability.register.{svc.name}.research_exemption"
        if entry is None or entry.research_exemption is None:
            out.append(passed("research-exemption-justified", "no research exemption claimed", svc.name))
        elif not bp.rules.research_exemption:
            out.append(
                failed(
                    "research-exemption-justified",
                    f"the {bp.sector} sector allows no research exemption",
                    "remove it",
                    svc.name,
                    at,
                )
            )
        elif svc.exposure == "public":
            out.append(
                failed("research-exemption-justified", "exempt but public", "set exposure: internal", svc.name, at)
            )
        elif len(entry.research_exemption.split()) < 5:
            out.append(
                failed("research-exemption-justified", "the justification is too short", "explain why", svc.name, at)
            )
        else:
            out.append(passed("research-exemption-justified", "justified and not public", svc.name))
    return out


def owner_accountable(ctx: Context) -> list[Finding]:
    owner = ctx.blueprint.institution.owner
    if len(owner.role) < 3 or "@" not in owner.contact:
        return [
            failed(
                "owner-accountable",
                "the accountable owner is incomplete",
                "set institution.owner.role and .contact",
                path="institution.owner",
            )
        ]
    return [passed("owner-accountable", f"{owner.role}, {owner.contact}")]


def _assessment(ctx: Context, control: str, kind: str, required: bool, svc: Service, entry: RegisterEntry) -> Finding:
    assessment = entry.dpia if kind == "dpia" else entry.fria
    at = f"accountability.register.{svc.name}.{kind}"
    label = kind.upper()
    if assessment is None:
        if required:
            return failed(control, f"no {label} is linked", "link it: url, sha256, date", svc.name, at)
        return passed(control, f"no {label} is needed", svc.name)
    age = ctx.age_days(assessment.date)
    limit = ctx.blueprint.rules.assessment_max_age_days
    if age > limit:
        return failed(
            control,
            f"the {label} of {assessment.date} is {age} days old (at most {limit})",
            "renew the assessment and link the new one",
            svc.name,
            at,
            assessment.date,
        )
    return passed(control, f"{label} of {assessment.date}", svc.name, assessment.date)


def dpia_linked(ctx: Context) -> list[Finding]:
    always = ctx.blueprint.rules.dpia == "always"
    return [
        _assessment(ctx, "dpia-linked", "dpia", always or entry.personal_data, svc, entry)
        if entry
        else _no_entry("dpia-linked", svc)
        for svc, entry in _entries(ctx.blueprint)
    ]


def fria_linked(ctx: Context) -> list[Finding]:
    return [
        _assessment(ctx, "fria-linked", "fria", entry.risk_class == "high", svc, entry)
        if entry
        else _no_entry("fria-linked", svc)
        for svc, entry in _entries(ctx.blueprint)
    ]


def eu_database_registration(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for svc, entry in _entries(ctx.blueprint):
        if entry is None:
            out.append(_no_entry("eu-database-registration", svc))
        elif entry.risk_class == "high" and entry.status == "In gebruik" and not entry.eu_database_id:
            out.append(
                failed(
                    "eu-database-registration",
                    "a high-risk service in use without an EU database id",
                    "register it and set eu_database_id",
                    svc.name,
                    f"accountability.register.{svc.name}.eu_database_id",
                )
            )
        elif entry.eu_database_id:
            out.append(passed("eu-database-registration", f"registered as {entry.eu_database_id}", svc.name))
        else:
            out.append(passed("eu-database-registration", "not needed (not high-risk in use)", svc.name))
    return out


def log_retention(ctx: Context) -> list[Finding]:
    days = ctx.blueprint.rules.log_retention_days
    if days < MIN_LOG_DAYS:
        return [
            failed(
                "log-retention",
                f"use records are kept {days} days",
                f"set rules.log_retention_days to {MIN_LOG_DAYS} or more",
                path="rules.log_retention_days",
            )
        ]
    return [passed("log-retention", f"use records are kept {days} days")]


def external_providers_declared(ctx: Context) -> list[Finding]:
    bp = ctx.blueprint
    services = {s.name for s in bp.serving.services}
    out: list[Finding] = []
    for i, provider in enumerate(bp.accountability.providers):
        at = f"accountability.providers[{i}]"
        if bp.rules.external_providers == "denied":
            out.append(
                failed(
                    "external-providers-declared",
                    f"provider {provider.name} is declared, but the {bp.sector} sector denies outside providers",
                    "remove the provider",
                    path=at,
                )
            )
            continue
        unknown = sorted(set(provider.services) - services)
        if unknown or not provider.contract.startswith("https://"):
            out.append(
                failed(
                    "external-providers-declared",
                    f"provider {provider.name}: unknown services {unknown} or no contract link",
                    "name declared services and link the contract",
                    path=at,
                )
            )
            continue
        out += [
            passed("external-providers-declared", f"uses {provider.name} under {provider.contract}", s)
            for s in sorted(provider.services)
        ]
    if not bp.accountability.providers:
        out.append(passed("external-providers-declared", "no outside providers are used"))
    return out


def register_status_current(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for svc, entry in _entries(ctx.blueprint):
        if entry is not None and entry.status == "Buiten gebruik":
            out.append(
                failed(
                    "register-status-current",
                    "retired in the register but still deployed",
                    "remove the service from serving.services, or correct the status",
                    svc.name,
                    f"accountability.register.{svc.name}.status",
                )
            )
        else:
            status = entry.status if entry else "no entry"
            out.append(passed("register-status-current", f"register status: {status}", svc.name))
    return out


def critical_replicas(ctx: Context) -> list[Finding]:
    least = ctx.blueprint.rules.critical_min_replicas
    out: list[Finding] = []
    for svc in ctx.blueprint.serving.services:
        if svc.critical and svc.replicas.min < least:
            out.append(
                failed(
                    "critical-replicas",
                    f"critical, but only {svc.replicas.min} of {least} copies are kept",
                    f"set replicas.min to {least}",
                    svc.name,
                    "serving.services.replicas.min",
                )
            )
        elif svc.critical:
            out.append(passed("critical-replicas", f"critical, keeps {svc.replicas.min} copies", svc.name))
        else:
            out.append(passed("critical-replicas", "not critical", svc.name))
    return out


def is_address(host: str) -> bool:
    try:
        ipaddress.ip_network(host, strict=False)
    except ValueError:
        return False
    return True


def egress_allowlist(ctx: Context) -> list[Finding]:
    bp = ctx.blueprint
    out: list[Finding] = []
    for i, provider in enumerate(bp.accountability.providers):
        at = f"accountability.providers[{i}].hosts"
        names = [h for h in provider.hosts if not is_address(h)]
        if bp.rules.external_egress == "none":
            out.append(
                failed(
                    "egress-allowlist",
                    f"{provider.name}: the {bp.sector} sector allows no traffic out of the cluster",
                    "remove the provider",
                    path=at,
                )
            )
        elif names:
            out.append(
                failed(
                    "egress-allowlist",
                    f"{provider.name}: host names {names} cannot be enforced by network rules",
                    "declare the provider's address ranges (CIDR) as hosts",
                    path=at,
                )
            )
        else:
            out += [passed("egress-allowlist", f"egress only to {provider.name}", s) for s in sorted(provider.services)]
    if not bp.accountability.providers:
        out.append(passed("egress-allowlist", "no traffic out of the cluster is allowed"))
    return out


def data_residency(ctx: Context) -> list[Finding]:
    bp = ctx.blueprint
    regions = set(bp.institution.data_regions)
    pools = {p.name: p for p in bp.cluster.pools}
    out: list[Finding] = []
    if bp.rules.residency == "strict":
        outside = sorted(p.name for p in bp.cluster.pools if p.region not in regions)
        if outside:
            out.append(
                failed(
                    "data-residency",
                    f"pools {outside} lie outside the data regions",
                    f"set their region to one of {sorted(regions)}",
                    path="cluster.pools",
                )
            )
    for svc, entry in _entries(bp):
        if entry is None or not entry.personal_data:
            out.append(passed("data-residency", "handles no personal data", svc.name))
            continue
        candidates = [pools[svc.pool]] if svc.pool in pools else list(pools.values())
        inside = [p.name for p in candidates if p.region in regions]
        if not inside:
            out.append(
                failed(
                    "data-residency",
                    "handles personal data but no possible pool lies in the data regions",
                    f"run it on a pool in {sorted(regions)}",
                    svc.name,
                    "serving.services.pool",
                )
            )
        else:
            out.append(passed("data-residency", f"runs only in {sorted(regions)}", svc.name))
    return out


def idle_gpus_released(ctx: Context) -> list[Finding]:
    bp = ctx.blueprint
    out: list[Finding] = []
    for svc in bp.serving.services:
        uses_gpu = svc.runtime == "huggingface" or (svc.gpus != "auto" and svc.gpus > 0)
        if bp.rules.scale_to_zero and uses_gpu and not svc.critical and svc.scale_to_zero is False:
            out.append(
                failed(
                    "idle-gpus-released",
                    "keeps its GPUs when idle, though the sector asks to release them",
                    "remove scale_to_zero: false, or mark the service critical",
                    svc.name,
                    "serving.services.scale_to_zero",
                )
            )
        else:
            out.append(passed("idle-gpus-released", "releases idle GPUs or is exempt", svc.name))
    return out
