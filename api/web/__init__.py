"""The web pages for people: search, a study, obstacles across districts, a place, adding a
study and a SPARQL box. Served by `jejaring serve` at `/` beside the JSON API.

Server-rendered Jinja2 (autoescaping on, so text from documents is always escaped) with one
small plain script (api/web/static/app.js) for sorting the heat map, opening a cell's
studies in place, and uploading with the token; nothing comes from a CDN. Each page gets its
data from the functions the JSON API uses (kg.policy, kg.documents, the workspace).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.dependencies import SettingsDep, WorkspaceDep, settings_of
from api.settings import Settings
from api.web import views
from api.workspace import Workspace
from ingest.places import region_by_code
from kg import policy
from kg.documents import DocumentNotFound, document_json
from kg.lookup import documents_matching, documents_meta
from kg.queries import named_queries
from kg.shape import concept_id
from kg.store import QueryError, QueryTimeout, graph_bytes

__all__ = ["STATIC_DIR", "web_router"]

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATE_DIR = HERE / "templates"
BROWSE_LIMIT = 50  # studies listed when filters are given without words
GRAPH_DOWNLOADS = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
}
LEVEL_NAMES = {"regency": "regencies and cities", "province": "provinces"}
SINGULAR = {"obstacles": "obstacle", "theories": "theory", "stakeholders": "stakeholder",
            "places": "place"}  # fmt: skip

# Defence in depth beside autoescaping: scripts only from this server and none inline (the
# bars' widths are the one inline style), and nothing fetched from anywhere else.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        # Every template is HTML: autoescape all of them, whatever their name.
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["asset"] = _asset_urls()
    env.globals["level_names"] = LEVEL_NAMES
    env.globals["singular"] = SINGULAR
    env.globals["plural"] = {v: k for k, v in SINGULAR.items()}
    env.filters["short"] = _short_label
    env.filters["concept_id"] = concept_id
    return env


def _asset_urls() -> dict[str, str]:
    """/static URLs with a content hash, so a changed file is never served from a cache."""
    urls = {}
    for path in sorted(STATIC_DIR.iterdir()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        urls[path.name] = f"/static/{path.name}?v={digest}"
    return urls


def _short_label(category: str) -> str:
    """A heat-map column heading from an obstacle id: `human_resources` -> Human resources."""
    return category.replace("_", " ").capitalize()


# The HTML pages. They only read: uploads go through the JSON API's POST /documents with the
# token, which the Add page's script sends.
web_router = APIRouter(include_in_schema=False)
ENV = _environment()


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    settings = settings_of(request)
    writable = bool(settings.writers())
    page = ENV.get_template(template).render(path=request.url.path, writable=writable, **context)
    return HTMLResponse(page, status_code=status, headers=PAGE_HEADERS)


def not_found(request: Request, message: str) -> HTMLResponse:
    return render(request, "error.html", 404, title="Not found", message=message)


@web_router.get("/", response_class=HTMLResponse)
def search_page(request: Request, workspace: WorkspaceDep) -> HTMLResponse:
    form = views.parse_search(request.query_params)
    options = views.filter_options(workspace)
    hits: list[dict[str, Any]] = []
    found: list[dict[str, Any]] = []
    browse: list[dict[str, Any]] = []
    errors = list(form.errors)
    matched: int | None = None
    if form.q:
        try:
            if form.unit == "study":
                found = workspace.search_studies(form.q, form.k, form.filters)
            else:
                hits = workspace.search(form.q, form.k, form.filters)
        except QueryError as exc:
            errors.append(str(exc))
    elif form.active:
        allowed = documents_matching(workspace.store, form.filters) or set()
        matched = len(allowed)
        metas = documents_meta(workspace.store, sorted(allowed))  # one query, not one a study
        browse = [metas[d] for d in sorted(allowed)]
        browse.sort(key=lambda d: (-int(d.get("year") or 0), str(d.get("title") or "")))
        browse = browse[:BROWSE_LIMIT]
    return render(
        request, "search.html", title="Search", form=form, options=options, hits=hits,
        studies=found, browse=browse, matched=matched, errors=errors,
        labels=views.concept_labels(options),
        total=len(workspace.store.document_ids()),
    )  # fmt: skip


@web_router.get("/study/{doc_id}", response_class=HTMLResponse)
def study_page(request: Request, workspace: WorkspaceDep, doc_id: str) -> HTMLResponse:
    if not views.DOC_ID.match(doc_id):
        return not_found(request, f"{doc_id!r} is not a study id.")
    try:
        doc = document_json(workspace.store, doc_id)
    except DocumentNotFound:
        return not_found(request, f"There is no study {doc_id} in the graph.")
    links = policy.links_of(workspace.store, doc_id)
    return render(
        request, "study.html", title=doc["title"] or doc_id, doc=doc, links=links,
        view=views.study_view(doc, links), similar=workspace.similar(doc_id, 5),
        added=request.query_params.get("added"),
    )  # fmt: skip


@web_router.get("/study/{doc_id}/graph.{extension}")
def study_graph(request: Request, workspace: WorkspaceDep, doc_id: str, extension: str) -> Response:
    if not views.DOC_ID.match(doc_id) or extension not in GRAPH_DOWNLOADS:
        return not_found(request, "No such download.")
    quads = workspace.store.document_quads(doc_id)
    if not quads:
        return not_found(request, f"There is no study {doc_id} in the graph.")
    media, rdf_format = GRAPH_DOWNLOADS[extension]
    disposition = f'attachment; filename="jejaring-{doc_id}.{extension}"'
    return Response(
        graph_bytes(quads, rdf_format), media_type=media,
        headers={"Content-Disposition": disposition},
    )  # fmt: skip


@web_router.get("/obstacles", response_class=HTMLResponse)
def obstacles_page(request: Request, workspace: WorkspaceDep) -> HTMLResponse:
    level = _level(request.query_params.get("level"))
    # The same cached answer as GET /obstacles/matrix (kg.summary_answers).
    matrix = workspace.obstacle_matrix(level)
    return render(
        request, "obstacles.html", title="Obstacles across districts", level=level,
        heat=views.heat_map(matrix),
    )  # fmt: skip


@web_router.get("/obstacles/cell", response_class=HTMLResponse)
def obstacle_cell(request: Request, workspace: WorkspaceDep) -> HTMLResponse:
    params = request.query_params
    level = _level(params.get("level"))
    category, code = params.get("category") or "", params.get("place") or ""
    if not views.CONCEPT_ID.match(category) or not views.PLACE_CODE.match(code):
        return not_found(request, "Give an obstacle category and a place code.")
    cell = views.cell_studies(workspace, level, category, code)
    # The heat map's script asks for the panel alone and shows it beside the table.
    name = "cell_panel.html" if request.headers.get("x-fragment") else "cell.html"
    title = f"{cell['label']} in {cell['name']}"
    return render(request, name, title=title, cell=cell)


@web_router.get("/place/{code}", response_class=HTMLResponse)
def place_page(request: Request, workspace: WorkspaceDep, code: str) -> HTMLResponse:
    if not views.PLACE_CODE.match(code):
        return not_found(request, f"{code!r} is not a Kemendagri region code.")
    # The answer of GET /places/{code}: the newest `limit` studies, and the obstacles of all
    # of them counted from the summary (listing every study of a province took seconds).
    limit = views.place_limit(request.query_params.get("limit"))
    overview = workspace.place_overview(code, limit)
    if overview is None:
        return not_found(request, f"No study names the place {code}.")
    province = region_by_code(code[:2]) if len(code) > 2 else None
    return render(
        request, "place.html", title=overview["name"] or code, place=overview,
        obstacles=overview["obstacles"], limit=limit, max_limit=views.MAX_LIMIT,
        province=province.name if province else None,
    )  # fmt: skip


@web_router.get("/add", response_class=HTMLResponse)
def add_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return render(request, "add.html", title="Add a study", max_mb=settings.max_upload_mb)


@web_router.get("/query", response_class=HTMLResponse)
def query_page(request: Request, workspace: WorkspaceDep, settings: SettingsDep) -> HTMLResponse:
    named = named_queries()
    params = request.query_params
    name = params.get("name") or ""
    text = params.get("q") or (named.get(name, "") if name else "")
    table: views.Table | None = None
    error = None
    if text.strip():
        table, error = _run_query(workspace, settings, text)
    return render(
        request, "query.html", title="SPARQL", named=named, name=name, text=text,
        table=table, error=error, cap=settings.sparql_result_cap,
    )  # fmt: skip


def _level(value: str | None) -> policy.Level:
    return "province" if value == "province" else "regency"


def _run_query(
    workspace: Workspace, settings: Settings, text: str
) -> tuple[views.Table | None, str | None]:
    """The query with the service's time limit and result cap; a failure is a message."""
    try:
        result = workspace.sparql.query(text)
    except QueryTimeout as exc:
        return None, str(exc)
    except QueryError as exc:
        return None, " ".join(str(exc).split())[:1000]
    except Exception as exc:  # never a stack trace on the page
        return None, f"the query failed: {type(exc).__name__}"
    return views.result_table(result), None
