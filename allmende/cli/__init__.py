"""The `allmende` command line. Errors people can fix exit with 2 and no traceback."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape

from allmende.cli import audit as audit_cmd
from allmende.cli import blueprint_cmds, demo, dev, hosts, models, plan_cmds, policy, report, tools
from allmende.errors import AllmendeError

app = typer.Typer(
    name="allmende",
    help="Public AI infrastructure: declare it, deploy it, account for it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
blueprint_cmds.register(app)
app.command()(demo.demo)
app.command("audit")(audit_cmd.audit)
app.add_typer(plan_cmds.app, name="plan")
app.add_typer(policy.app, name="policy")
app.add_typer(report.app, name="report")
app.add_typer(hosts.app, name="hosts")
app.add_typer(models.app, name="models")
app.add_typer(tools.app, name="tools")
app.add_typer(dev.app, name="dev")

err = Console(stderr=True, highlight=False)


def main() -> None:
    try:
        code = app(standalone_mode=False)
    except AllmendeError as exc:
        err.print(f"[bold red]error:[/] {escape(exc.render())}", soft_wrap=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(2)
        raise
    sys.exit(code if isinstance(code, int) else 0)
