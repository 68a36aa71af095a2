"""`bytebridge`: the client API from a shell. Credentials as for Client (options, BYTEBRIDGE_* variables, or
~/.config/bytebridge/config.yaml). `--json` prints machine-readable output for scripts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import yaml
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from bytebridge_client.client import Client
from bytebridge_client.errors import ByteBridgeError
from bytebridge_client.uploads import find_files

console = Console(stderr=True)
RECORD = Path("~/.config/bytebridge/projects.json")  # the signed API has no list call: what this CLI created


def _client(ctx: click.Context) -> Client:
    return Client(**ctx.obj["credentials"])


def _emit(ctx: click.Context, value: Any, human: str | None = None) -> None:
    if ctx.obj["json"] or human is None:
        data = value.model_dump(mode="json", by_alias=True) if isinstance(value, BaseModel) else value
        click.echo(json.dumps(data, ensure_ascii=False, indent=None if ctx.obj["json"] else 2))
    else:
        click.echo(human)


def _record(project_id: str, name: str) -> None:
    path = RECORD.expanduser()
    known = json.loads(path.read_text()) if path.is_file() else {}
    known[project_id] = name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(known, ensure_ascii=False, indent=1))


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml") else json.loads(text)


def _bytes_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


@click.group()
@click.option("--user-id", envvar="BYTEBRIDGE_USER_ID", help="Your userId (or BYTEBRIDGE_USER_ID).")
@click.option("--secret-key", envvar="BYTEBRIDGE_SECRET_KEY", help="Your API secret key (or BYTEBRIDGE_SECRET_KEY).")
@click.option("--base-url", envvar="BYTEBRIDGE_BASE_URL", help="The API's base URL (default: the local platform).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one document per command) for scripts.")
@click.version_option(package_name="bytebridge-client")
@click.pass_context
def cli(ctx: click.Context, user_id: str | None, secret_key: str | None, base_url: str | None, as_json: bool) -> None:
    """ByteBridge from the command line: projects, uploads, flows, progress, results, exports and money."""
    ctx.obj = {
        "credentials": {"user_id": user_id, "secret_key": secret_key, "base_url": base_url},
        "json": as_json,
    }


# ---- projects ---------------------------------------------------------------------------------------------


@cli.group()
def projects() -> None:
    """Create, list and show projects."""


@projects.command("create")
@click.option("--file", "file", type=click.Path(exists=True, path_type=Path), required=True, help="YAML or JSON params")
@click.pass_context
def projects_create(ctx: click.Context, file: Path) -> None:
    """Create a project from a file holding createProject's params (projectName, type, taskType, ...)."""
    params = _load(file)
    with _client(ctx) as client:
        created = client.create_project(**params)
    _record(created.projectId, params.get("projectName", ""))
    _emit(ctx, created, created.projectId)


@projects.command("list")
@click.pass_context
def projects_list(ctx: click.Context) -> None:
    """The projects this CLI created (the signed API has no list call), with their live status."""
    path = RECORD.expanduser()
    known = json.loads(path.read_text()) if path.is_file() else {}
    rows = []
    with _client(ctx) as client:
        for project_id, name in known.items():
            try:
                data = client.retrieve_project(projectId=project_id).projectData
            except ByteBridgeError as exc:
                rows.append({"projectId": project_id, "projectName": name, "status": f"error {exc.code}"})
                continue
            done = f"{data.completedQuantity}/{data.projectItemQuantity}"
            rows.append({"projectId": project_id, "projectName": name, "status": data.projectStatus, "done": done})
    if ctx.obj["json"]:
        _emit(ctx, rows)
        return
    table = Table("projectId", "name", "status", "done")
    for row in rows:
        table.add_row(row["projectId"], row["projectName"], row["status"], row.get("done", ""))
    Console().print(table)


@projects.command("show")
@click.argument("project_id")
@click.pass_context
def projects_show(ctx: click.Context, project_id: str) -> None:
    """retrieveProject: the project, its progress and history."""
    with _client(ctx) as client:
        _emit(ctx, client.retrieve_project(projectId=project_id))


# ---- data in ----------------------------------------------------------------------------------------------


@cli.command()
@click.argument("project_id")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--type", "resource_type", default="image", show_default=True, help="image, audio, video or text")
@click.option("--workers", default=8, show_default=True, help="Files sent at once")
@click.pass_context
def upload(ctx: click.Context, project_id: str, paths: tuple[Path, ...], resource_type: str, workers: int) -> None:
    """Upload files and folders (recursively) as the project's items, with a progress bar."""
    files = find_files(paths, resource_type)
    total = sum(path.stat().st_size for path in files)
    with _client(ctx) as client, _bytes_bar() as bar:
        task = bar.add_task(f"{len(files)} files", total=total)
        report = client.upload_paths(project_id, files, resource_type, workers, lambda sent: bar.advance(task, sent))
    summary = {
        "added": len(report.added),
        "existing": len(report.existing),
        "refused": [r.model_dump(mode="json", by_alias=True) for r in report.refused],
        "missing": report.missing,
    }
    _emit(ctx, summary, f"added {len(report.added)}, already there {len(report.existing)}, "
          f"refused {len(report.refused)}, missing {len(report.missing)}")  # fmt: skip


@cli.command()
@click.argument("project_id")
@click.argument("urls_file", type=click.File("r"))
@click.option("--type", "resource_type", default="image", show_default=True)
@click.pass_context
def links(ctx: click.Context, project_id: str, urls_file: Any, resource_type: str) -> None:
    """submitResource: add the links of a file (one per line) as items."""
    urls = [line.strip() for line in urls_file if line.strip()]
    added = 0
    with _client(ctx) as client:
        for start in range(0, len(urls), 1000):
            batch = urls[start : start + 1000]
            client.submit_resource(projectId=project_id, resourceType=resource_type, resourceURLs=batch)
            added += len(batch)
    _emit(ctx, {"submitted": added}, f"submitted {added} links")


# ---- flow and lifecycle -----------------------------------------------------------------------------------


@cli.group()
def flow() -> None:
    """The project's task flow."""


@flow.command("set")
@click.argument("project_id")
@click.argument("file", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--template", help="A template name instead of a file (see `flow templates`)")
@click.pass_context
def flow_set(ctx: click.Context, project_id: str, file: Path | None, template: str | None) -> None:
    """setFlow from a flow file (JSON or YAML) or a template."""
    if (file is None) == (template is None):
        raise click.UsageError("give a flow file or --template, one of the two")
    params = {"flow": _load(file)} if file else {"template": template}
    with _client(ctx) as client:
        _emit(ctx, client.set_flow(projectId=project_id, **params), f"flow set on {project_id}")


@flow.command("show")
@click.argument("project_id")
@click.pass_context
def flow_show(ctx: click.Context, project_id: str) -> None:
    with _client(ctx) as client:
        _emit(ctx, client.retrieve_flow(projectId=project_id))


@flow.command("templates")
@click.pass_context
def flow_templates(ctx: click.Context) -> None:
    with _client(ctx) as client:
        _emit(ctx, client.list_flow_templates())


def _lifecycle(name: str, call: str, doc: str) -> None:
    @click.argument("project_id")
    @click.pass_context
    def command(ctx: click.Context, project_id: str) -> None:
        with _client(ctx) as client:
            answer = getattr(client, call)(projectId=project_id)
        _emit(ctx, answer, f"{name}: {project_id}")

    command.__doc__ = doc
    cli.command(name)(command)


_lifecycle("accept-trial", "accept_trial", "Accept the trial's results (the project then waits for payment).")
_lifecycle("reconfigure", "reconfigure", "Make the project editable again after its trial.")
_lifecycle("estimate", "estimate", "The estimated charge of labeling the rest (not a quote).")
_lifecycle("confirm", "confirm", "Confirm the estimate: reserve it from the balance; the project starts by itself.")


@cli.command()
@click.argument("project_id")
@click.argument("action", type=click.Choice(["start", "pause", "end", "delete"]), default="start")
@click.pass_context
def start(ctx: click.Context, project_id: str, action: str) -> None:
    """alterState: start (submit for review), pause, end or delete a project."""
    with _client(ctx) as client:
        _emit(ctx, client.alter_state(projectId=project_id, type=action), f"{action}: {project_id}")


@cli.command()
@click.argument("project_id")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls")
@click.option("--accept-trial", is_flag=True, help="Accept the trial when it is done, and confirm the estimate")
@click.pass_context
def watch(ctx: click.Context, project_id: str, interval: float, accept_trial: bool) -> None:
    """Live progress until the project completes (or ends)."""
    with (
        _client(ctx) as client,
        Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"), console=console
        ) as bar,
    ):
        task = bar.add_task(project_id, total=None)
        for state in client.watch(project_id, interval):
            data = state.projectData
            status = data.projectStatus
            bar.update(
                task,
                total=data.projectItemQuantity,
                completed=data.completedQuantity,
                description=f"{project_id} {status} (${data.amountSpent:.2f})",
            )
            if accept_trial and status == "trialDone":
                client.accept_trial(projectId=project_id)
            elif accept_trial and status == "waitingPayment":
                client.confirm(projectId=project_id)
    _emit(ctx, state, f"{project_id}: {status}, {data.completedQuantity}/{data.projectItemQuantity} done")


# ---- results and exports ----------------------------------------------------------------------------------


@cli.command()
@click.argument("project_id")
@click.option("--acceptance", help="pending, accepted, autoAccepted or rejected")
@click.pass_context
def results(ctx: click.Context, project_id: str, acceptance: str | None) -> None:
    """Every result, one JSON document per line."""
    filters: dict[str, Any] = {"acceptance": acceptance} if acceptance else {}
    with _client(ctx) as client:
        for record in client.iter_results(project_id, **filters):
            click.echo(json.dumps(record.model_dump(mode="json", by_alias=True), ensure_ascii=False))


@cli.command()
@click.argument("project_id")
@click.option("--all", "accept_all", is_flag=True, required=True, help="Every result still pending")
@click.option("--reject", is_flag=True, help="Send them to rework instead")
@click.option("--comment", help="Why (required by the API for a rejection)")
@click.pass_context
def accept(ctx: click.Context, project_id: str, accept_all: bool, reject: bool, comment: str | None) -> None:
    """Accept (or reject) every pending result."""
    with _client(ctx) as client:
        changed = client.accept_all(project_id, "reject" if reject else "accept", comment)
    _emit(ctx, {"changed": changed}, f"{'rejected' if reject else 'accepted'} {changed} results")


@cli.command()
@click.argument("project_id")
@click.option("--format", "fmt", default="coco", show_default=True, help="coco, voc, labelme, json, ...")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.pass_context
def export(ctx: click.Context, project_id: str, fmt: str, output: Path) -> None:
    """Export the results and download the file, with a progress bar."""
    with _client(ctx) as client, _bytes_bar() as bar:
        task = bar.add_task(f"export {fmt}", total=None)
        info = client.export_to_file(project_id, fmt, output, lambda n: bar.advance(task, n))
    _emit(ctx, info, f"{output}: {output.stat().st_size} bytes, {info.itemCount} items")


# ---- money ------------------------------------------------------------------------------------------------


@cli.command()
@click.pass_context
def balance(ctx: click.Context) -> None:
    """The account's balance."""
    with _client(ctx) as client:
        data = client.retrieve_balance()
    _emit(ctx, data, f"available ${data.availableCents / 100:.2f} (bonus ${data.bonusCents / 100:.2f})")


@cli.command()
@click.pass_context
def invoices(ctx: click.Context) -> None:
    """The account's invoices, newest first."""
    with _client(ctx) as client:
        _emit(ctx, client.list_invoices())


@cli.command()
@click.pass_context
def prices(ctx: click.Context) -> None:
    """The published unit prices per task type."""
    with _client(ctx) as client:
        _emit(ctx, client.get_prices())


def main() -> None:
    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (ByteBridgeError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        sys.exit(2)
