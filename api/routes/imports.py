"""Imports over HTTP (uploads only, bearer token), the list of kept imports, and changes since a date."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import GraphDep, SettingsDep, checked_query, require_update_token
from api.errors import problem
from kg.errors import ForbiddenError, InvalidParameterError, LoadError, MalformedRowsError
from kg.ingest import history, run
from kg.ingest.importers import IMPORTERS, importer
from kg.ingest.journal import rating_changes, ratings_entry

router = APIRouter(prefix="/api", tags=["imports"])

MAX_UPLOAD_BYTES = 256 * 1024 * 1024
"""Total size of the files of one import request, in bytes."""

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_PATH_FIELDS = {"path", "paths", "file_path", "server_path", "dir", "directory", "url"}


def _safe_name(filename: str) -> Path:
    """A relative path made only of safe segments: no '..', no absolute path, no odd characters.

    ``owner/name/README.md`` (a model card upload) keeps its two folders, which name the
    repository; any other name keeps its last segment.
    """
    parts = [_SAFE.sub("_", p) for p in re.split(r"[\\/]+", filename) if p not in {"", ".", ".."}]
    parts = [p for p in parts if p.strip("._")]
    if not parts:
        raise InvalidParameterError("files", f"upload name {filename!r} has no usable file name")
    if parts[-1].lower() == "readme.md" and len(parts) >= 3:
        return Path(parts[-3], parts[-2], parts[-1])
    return Path(parts[-1])


def _as_uploaded(exc: LoadError, root: Path, names: list[str]) -> LoadError:
    """The same error, naming the uploaded files instead of the server's temporary folder."""
    uploaded = "uploaded " + ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")

    def clean(text: str) -> str:
        return text.replace(f"{root}/", "").replace(str(root), uploaded).replace(root.name, uploaded)

    if isinstance(exc, MalformedRowsError):
        return MalformedRowsError(clean(exc.path), [clean(i) for i in exc.issues], exc.line)
    return LoadError(clean(exc.path), clean(exc.reason), exc.line)


@router.post(
    "/imports/{source}",
    summary="Import uploaded files of a source (token required)",
    description=(
        "Multipart upload, field `files` (one or more): Epoch AI CSVs (`epoch`), MOT model YAMLs with "
        "`mof_components.yml` and `mof_open_licenses.json` (`mot`), openness-index YAMLs (`osai`), model cards "
        "uploaded as `owner/name/README.md` or `owner__name.md` (`modelcard`). Server-side paths are refused. "
        "`dry_run=true` resolves and reports without writing; `strict=true` fails on a malformed row. "
        "An import is the source's whole current content: one that would remove most entities of the source's "
        "current import is refused with 409 (naming files and counts) unless `replace=true`. "
        "Answers the import report: counts, skipped rows with file, line and column, entity matches."
    ),
)
async def post_import(
    request: Request,
    graph: GraphDep,
    settings: SettingsDep,
    source: Annotated[str, PathParam(description="epoch, mot, osai or modelcard", examples=["epoch"])],
    dry_run: Annotated[bool, Query(description="Resolve and count, write nothing")] = False,
    strict: Annotated[bool, Query(description="Fail the whole import on a malformed row")] = False,
    replace: Annotated[
        bool,
        Query(description="Write even if the import drops most entities of the source's current import (else 409)"),
    ] = False,
    authorization: Annotated[str | None, Header()] = None,
) -> Any:
    require_update_token(settings, authorization)
    importer(source)
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        body = (await request.body())[:4096].decode("utf-8", "replace").casefold()
        if any(f'"{field}"' in body or f"{field}=" in body for field in _PATH_FIELDS):
            raise ForbiddenError("server-side paths are refused: upload the files as multipart/form-data field 'files'")
        return problem(415, "Unsupported Media Type", "send the files as multipart/form-data, field 'files'")
    form = await request.form(max_files=10_000, max_fields=100)
    try:
        if any(key.casefold() in _PATH_FIELDS for key in form):
            raise ForbiddenError("server-side paths are refused: upload the files as multipart/form-data field 'files'")
        uploads = form.getlist("files")
        if not uploads or not all(isinstance(u, UploadFile) for u in uploads):
            raise InvalidParameterError("files", "upload one or more files as multipart/form-data field 'files'")
        with tempfile.TemporaryDirectory(prefix="kg-import-") as folder:
            root = Path(folder)
            total = 0
            for upload in uploads:
                assert isinstance(upload, UploadFile)
                target = root / _safe_name(upload.filename or "upload")
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.exists():
                    raise InvalidParameterError("files", f"two uploads are named {target.as_posix()!r}")
                data = await upload.read()
                total += len(data)
                if total > MAX_UPLOAD_BYTES:
                    raise InvalidParameterError(
                        "files", f"uploads larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB in total"
                    )
                target.write_bytes(data)
            before = graph.ratings()
            try:
                outcome = await run_in_threadpool(
                    run.run_import, graph.store, source, [root], strict=strict, dry_run=dry_run, replace=replace
                )
            except LoadError as exc:
                names = [_safe_name(u.filename or "upload").as_posix() for u in uploads if isinstance(u, UploadFile)]
                raise _as_uploaded(exc, root, names) from None
        changed = rating_changes(before, graph.ratings())
        if changed and not outcome.dry_run:  # the facts are in the snapshot; the ratings only here
            graph.journal.record(ratings_entry(source, outcome.snapshot, changed))
        return outcome.report(limit=500)
    finally:
        await form.close()


@router.get(
    "/imports",
    dependencies=[Depends(checked_query())],
    summary="Kept imports (snapshots) of every source, oldest first",
)
def list_imports(
    graph: GraphDep,
    source: Annotated[str | None, Query(description="Keep one source: " + ", ".join(IMPORTERS))] = None,
) -> dict[str, Any]:
    if source is not None:
        importer(source)
    snaps = graph.read(history.snapshots_report, source)
    return {"count": len(snaps), "results": snaps}


@router.get(
    "/changes",
    dependencies=[Depends(checked_query())],
    summary="Facts added, removed and changed since a date, per source",
    description="Compares each source's import current at `since` with its latest import. Example: `/api/changes?since=2025-01-01`.",
)
def changes(
    graph: GraphDep,
    since: Annotated[
        str, Query(description="YYYY-MM-DD (end of that day, UTC) or an ISO 8601 date-time", examples=["2025-01-01"])
    ],
    source: Annotated[str | None, Query(description="Keep one source: " + ", ".join(IMPORTERS))] = None,
    limit: Annotated[
        int, Query(ge=0, le=100_000, description="Facts listed per kind (counts are always complete)")
    ] = 1000,
) -> dict[str, Any]:
    if source is not None:
        importer(source)
    diffs = graph.read(history.changes_report, since, source, limit)
    return {"since": since, "count": len(diffs), "results": diffs}
