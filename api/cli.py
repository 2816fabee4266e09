"""The `jejaring` command: a thin layer over api.workspace and the kg/search libraries."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from api.settings import Settings
from api.workspace import Outcome, Workspace, expand_paths
from kg.documents import DocumentNotFound, document_json
from kg.lookup import Filters
from kg.queries import run_select
from kg.store import QueryError, StoreError
from search.hybrid import validate

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data", help="Data directory (default ./data or $JEJARING_DATA).", show_default=False
    ),
]


def _settings(data: Path | None) -> Settings:
    settings = Settings()
    if data is not None:
        settings = settings.replace(data=data)
    return settings


@contextmanager
def _workspace(data: Path | None) -> Iterator[Workspace]:
    try:
        workspace = Workspace(_settings(data))
    except StoreError as exc:  # the store can be locked by a running server
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    with workspace:
        yield workspace


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="PDFs, .txt/.md abstract records, or folders.")
    ],
    data: DataOption = None,
    replace_changed: Annotated[
        bool,
        typer.Option(
            "--replace-changed",
            help="A file whose content changed replaces the documents ingested before under "
            "its file name (without it, a changed file is added as a new study).",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=0,
            help="Files read at once, in as many worker processes, while the model embeds "
            "the documents read in batches (default $JEJARING_INGEST_WORKERS, 0: the cores; "
            "1: one file at a time).",
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="A Dask scheduler (tcp://HOST:8786): its workers read and embed, this "
            "command writes (default $JEJARING_SCHEDULER).",
            show_default=False,
        ),
    ] = None,
    timings: Annotated[
        bool, typer.Option("--timings", help="Say the seconds spent per stage.")
    ] = False,
) -> None:
    """Ingest studies into the graph; a bad file is reported and the batch goes on."""
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        typer.echo(f"error: {path}: no such file or folder", err=True)
    files = list(expand_paths(p for p in paths if p.exists()))
    bar = tqdm(total=len(files), unit="file", file=sys.stderr, disable=None)

    def report(outcome: Outcome) -> None:
        bar.update(1)
        if outcome.status == "failed":
            tqdm.write(f"FAILED {outcome.source}: {outcome.reason}", file=sys.stderr)

    settings = _settings(data)
    address = scheduler or settings.scheduler
    count = settings.ingest_workers if workers is None else workers
    count = count or os.cpu_count() or 1
    start = time.perf_counter()
    with _workspace(data) as workspace:
        if address:
            from api.cluster import ingest_on_cluster

            try:
                summary = ingest_on_cluster(
                    workspace, files, address, report, replace_changed=replace_changed
                )
            except OSError as exc:  # no scheduler there (distributed raises OSError/TimeoutError)
                bar.close()
                typer.echo(f"error: cannot reach the Dask scheduler {address}: {exc}", err=True)
                raise typer.Exit(2) from exc
        else:
            summary = workspace.ingest_paths(
                files, progress=report, replace_changed=replace_changed, workers=count
            )
    bar.close()
    typer.echo(
        f"ingested {summary.count('ingested')}, replaced {summary.count('replaced')}, "
        f"unchanged {summary.count('unchanged')}, failed {summary.count('failed') + len(missing)}"
    )
    if timings:
        seconds = time.perf_counter() - start
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in summary.stages.seconds.items())
        typer.echo(f"{len(files) / max(seconds, 1e-9):.1f} files/s in {seconds:.1f} s; {stages}")
    if summary.failed or missing:
        raise typer.Exit(1)


@app.command()
def show(
    doc_id: Annotated[str | None, typer.Argument(help="Document id.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every document.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON, one object per line.")] = False,
    raw: Annotated[
        bool, typer.Option("--raw", help="The extraction alone, without the curations.")
    ] = False,
    data: DataOption = None,
) -> None:
    """Show documents as the fixed JSON of the architecture, or a short summary."""
    with _workspace(data) as workspace:
        if not all_ and not doc_id:
            typer.echo("error: give a document id or --all", err=True)
            raise typer.Exit(2)
        # --all of an empty store is no documents, not a usage error: nothing is printed.
        ids = workspace.store.document_ids() if all_ else [doc_id] if doc_id else []
        for one in ids:
            try:
                doc = document_json(workspace.store, one, raw=raw)
            except DocumentNotFound:
                typer.echo(f"error: no document {one}", err=True)
                raise typer.Exit(1) from None
            typer.echo(json.dumps(doc, ensure_ascii=False) if as_json else _summary(doc))


def _summary(doc: dict) -> str:
    def labels(items: list[dict], key: str) -> str:
        return ", ".join(sorted({str(i[key]) for i in items})) or "-"

    places = ", ".join(f"{p['name']} ({p['code']}, {p['role']})" for p in doc["places"]) or "-"
    return (
        f"{doc['id']}  {doc['title']} ({doc['year'] or 'n.d.'}, {doc['kind']}, {doc['language']})\n"
        f"  places:       {places}\n"
        f"  stakeholders: {labels(doc['stakeholders'], 'label')}\n"
        f"  theories:     {', '.join(t['label'] + ' [' + str(t['role']) + ']' for t in doc['theories']) or '-'}\n"
        f"  obstacles:    {labels(doc['obstacles'], 'category')}\n"
        f"  references:   {len(doc['references'])}"
    )


@app.command()
def query(
    source: Annotated[str, typer.Argument(help="A .rq file, a named query, or SPARQL text.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    data: DataOption = None,
) -> None:
    """Run a SPARQL SELECT over the graph."""
    with _workspace(data) as workspace:
        try:
            columns, rows = run_select(workspace.store, source)
        except QueryError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
    if fmt == "json":
        typer.echo(
            json.dumps(
                [dict(zip(columns, r, strict=True)) for r in rows], ensure_ascii=False, indent=1
            )
        )
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
        typer.echo(out.getvalue().rstrip("\n"))
    else:
        typer.echo(_table(columns, rows))


def _table(columns: list[str], rows: list[list[str]]) -> str:
    cells = [columns] + [[c if len(c) <= 60 else c[:57] + "..." for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@app.command()
def export(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="turtle (TriG), jsonld or nquads.")
    ] = "turtle",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default stdout).")
    ] = None,
    data: DataOption = None,
) -> None:
    """Export the whole graph, named graphs included."""
    if fmt not in {"turtle", "trig", "jsonld", "nquads"}:
        typer.echo("error: --format must be turtle, jsonld or nquads", err=True)
        raise typer.Exit(2)
    buffer = io.BytesIO()
    with _workspace(data) as workspace:
        workspace.store.export(fmt, buffer)
    if output:
        output.write_bytes(buffer.getvalue())
    else:
        sys.stdout.buffer.write(buffer.getvalue())


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words in Indonesian or English.")],
    k: Annotated[int, typer.Option("-k", help="Number of passages.", min=1, max=200)] = 10,
    place: Annotated[
        str | None, typer.Option(help="Kemendagri code; a province includes its regencies.")
    ] = None,
    year_from: Annotated[int | None, typer.Option("--from", help="Earliest year.")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="Latest year.")] = None,
    kind: Annotated[str | None, typer.Option(help="article, thesis, report or other.")] = None,
    language: Annotated[str | None, typer.Option(help="id or en.")] = None,
    obstacle: Annotated[str | None, typer.Option(help="Obstacle category, e.g. funding.")] = None,
    theory: Annotated[
        str | None, typer.Option(help="Theory id, e.g. collaborative_governance.")
    ] = None,
    stakeholder: Annotated[str | None, typer.Option(help="Stakeholder id, e.g. p2tp2a.")] = None,
    unit: Annotated[
        str, typer.Option(help="passage (where any study says it) or study (with its passages).")
    ] = "passage",
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    data: DataOption = None,
) -> None:
    """Search passages (or, with --unit study, studies) by meaning, with graph filters."""
    filters = Filters(place, year_from, year_to, kind, language, obstacle, theory, stakeholder)
    if unit not in ("passage", "study"):
        typer.echo(f"error: --unit is passage or study, not {unit!r}", err=True)
        raise typer.Exit(2)
    try:
        validate(query)  # before the model loads: a bad query answers at once
        with _workspace(data) as workspace:
            if unit == "study":
                _print_studies(workspace.search_studies(query, k, filters), as_json)
                return
            hits = workspace.search(query, k, filters)
    except QueryError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(hits, ensure_ascii=False, indent=1))
        return
    if not hits:
        typer.echo("no passages found")
    for rank, hit in enumerate(hits, start=1):
        concepts = ", ".join(c["label"] for group in hit["concepts"].values() for c in group)
        typer.echo(
            f"{rank}. {hit['title']} ({hit['year'] or 'n.d.'}) p.{hit['page']} [{hit['section']}] "
            f"score {hit['score']['total']:.4f}\n   {_terminal_marks(hit)}\n"
            + (f"   concepts: {concepts}\n" if concepts else "")
        )


def _print_studies(found: list[dict], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=1))
        return
    if not found:
        typer.echo("no studies found")
    for rank, study in enumerate(found, start=1):
        why = [c["label"] for c in study["why"]["concepts"]] + study["why"]["words"]
        typer.echo(
            f"{rank}. {study['title']} ({study['year'] or 'n.d.'}) {study['document']} "
            f"score {study['score']['total']:.4f}"
            + (f"\n   matched: {', '.join(why)}" if why else "")
        )
        for hit in study["passages"]:
            typer.echo(f"   p.{hit['page']} [{hit['section']}] {_terminal_marks(hit)}")
        typer.echo("")


def _terminal_marks(hit: dict) -> str:
    text, out, last = hit["text"], [], 0
    for start, end in hit["highlights"]:
        out += [text[last:start], typer.style(text[start:end], bold=True, underline=True)]
        last = end
    return "".join([*out, text[last:]])


@app.command()
def similar(
    doc_id: Annotated[str, typer.Argument(help="Document id.")],
    k: Annotated[int, typer.Option("-k", help="Number of studies.")] = 5,
    data: DataOption = None,
) -> None:
    """The studies nearest to one study."""
    with _workspace(data) as workspace:
        if not workspace.store.has_document(doc_id):
            typer.echo(f"error: no document {doc_id}", err=True)
            raise typer.Exit(1)
        for item in workspace.similar(doc_id, k):
            typer.echo(
                f"{item['score']:.3f}  {item['id']}  {item.get('title', '')} ({item.get('year') or 'n.d.'})"
            )


@app.command()
def reindex(data: DataOption = None) -> None:
    """Rebuild the derived search indexes from the graph store."""
    with _workspace(data) as workspace:
        stats = workspace.reindex()
    typer.echo(
        f"indexed {stats['passages']} passages of {stats['documents']} documents ({stats['dense']})"
    )


@app.command()
def reextract(
    doc_ids: Annotated[list[str] | None, typer.Argument(help="Document ids.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every document.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON, one object per study.")] = False,
    data: DataOption = None,
) -> None:
    """Run the current extractor over the passages in the store (no PDFs needed) and replace
    each study's mentions, one transaction per study; say what changed."""
    from kg import curation
    from kg.reextract import reextract as run

    if not all_ and not doc_ids:
        typer.echo("error: give document ids or --all", err=True)
        raise typer.Exit(2)
    with _workspace(data) as workspace:
        ids = workspace.store.document_ids() if all_ else list(doc_ids or [])
        missing = 0
        for doc_id in ids:
            with workspace.write_lock:
                change = run(workspace.store, workspace.lexicon, doc_id)
            if change is None:
                typer.echo(f"error: no document {doc_id}", err=True)
                missing += 1
                continue
            if as_json:
                typer.echo(json.dumps(change.as_json(), ensure_ascii=False))
                continue
            parts = [f"+{kind}: {', '.join(keys)}" for kind, keys in change.added.items()]
            parts += [f"-{kind}: {', '.join(keys)}" for kind, keys in change.removed.items()]
            typer.echo(
                f"{doc_id}  {change.mentions} mentions, {change.seconds * 1000:.0f} ms"
                + ("\n  " + "\n  ".join(parts) if parts else ", unchanged")
            )
        # A curation whose mention the new extraction lacks is kept, and said here.
        orphans = curation.list_curations(workspace.store, orphaned=True)
    if orphans and not as_json:
        typer.echo(f"{len(orphans)} curation(s) orphaned: jejaring curate --list --orphaned")
    if missing:
        raise typer.Exit(1)


@app.command()
def curate(
    doc_id: Annotated[str | None, typer.Argument(help="Document id.")] = None,
    reject: Annotated[str | None, typer.Option(help="kind:concept, e.g. obstacle:funding")] = None,
    confirm: Annotated[str | None, typer.Option(help="kind:concept")] = None,
    add: Annotated[str | None, typer.Option(help="kind:concept, e.g. stakeholder:dp3a")] = None,
    note: Annotated[str, typer.Option(help="Why.")] = "",
    role: Annotated[str | None, typer.Option(help="studied|mentioned, framework|cited")] = None,
    quote: Annotated[str | None, typer.Option(help="Evidence of an added mention.")] = None,
    page: Annotated[int | None, typer.Option(help="The quote's page.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List curations (of DOC_ID).")] = False,
    orphaned: Annotated[
        bool, typer.Option("--orphaned", help="With --list: only orphaned ones.")
    ] = False,
    undo: Annotated[str | None, typer.Option(help="Undo the curation with this id.")] = None,
    by: Annotated[str, typer.Option("--by", help="Who curates (default: cli).")] = "cli",
    data: DataOption = None,
) -> None:
    """Confirm, reject or add a mention of a study; list or undo curations. Curations are
    kept in their own graph with who and when, and outlive re-ingest and reextract."""
    from kg import curation

    given = [(a, v) for a, v in (("reject", reject), ("confirm", confirm), ("add", add)) if v]
    if len(given) + bool(list_) + bool(undo) != 1 or (given and not doc_id):
        typer.echo("error: give DOC_ID with one of --reject, --confirm, --add; or --list, "
                   "or --undo CURATION_ID", err=True)  # fmt: skip
        raise typer.Exit(2)
    with _workspace(data) as workspace:
        try:
            if list_:
                found = curation.list_curations(
                    workspace.store, document=doc_id, orphaned=True if orphaned else None
                )
                for c in found:
                    typer.echo(_curation_line(c))
                return
            with workspace.write_lock:
                if undo:
                    done = curation.undo(workspace.store, undo, by)
                else:
                    action, target = given[0]
                    kind, _, concept = target.partition(":")
                    done = curation.record(
                        workspace.store, workspace.lexicon, doc_id or "", kind=kind,
                        concept=concept, action=action, by=by, note=note, role=role,
                        quote=quote, page=page,
                    )  # fmt: skip
        except curation.CurationError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
    typer.echo(_curation_line(done))


def _curation_line(c: dict) -> str:
    role = f" ({c['role']})" if c["role"] else ""
    state = " [undone]" if c["undone"] else " [orphaned]" if c.get("orphaned") else ""
    note = f"  {c['note']}" if c["note"] else ""
    return (
        f"{c['id']}  {c['at']}  {c['by']}  {c['action']} {c['kind']}:{c['concept_id']}{role}"
        f"  {c['document']}{state}{note}"
    )


@app.command()
def serve(
    data: DataOption = None,
    host: Annotated[str | None, typer.Option(help="Address (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs) over the data directory."""
    import uvicorn

    from api.app import create_app

    settings = _settings(data)
    settings = settings.replace(host=host or settings.host, port=port or settings.port)
    try:
        application = create_app(settings)
    except StoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    writable = "with writes" if settings.writers() else "read-only (no JEJARING_API_TOKEN)"
    typer.echo(f"serving {settings.data} on http://{settings.host}:{settings.port}/ , {writable}")
    uvicorn.run(application, host=settings.host, port=settings.port, log_level="warning")


if __name__ == "__main__":  # pragma: no cover
    app()
