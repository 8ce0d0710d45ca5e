"""``/export/acled.csv`` and ``/export/ucdp-ged.csv``: the events in analysts' column layouts.

The same filters as ``conflictkg export --where`` as query parameters (``?country=Syria&from=2016-01-01``);
an unknown or malformed filter is a 400 that lists the known ones. The table is assembled from the
served store once (datasets.export.read_snapshot) and kept: the store is read-only.
"""

from __future__ import annotations

import io
from threading import Lock

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from conflictkg.datasets.export import FilterError, Filters, Snapshot, read_snapshot, write_csv
from conflictkg.web.site import site_of

router = APIRouter()
_LOCK = Lock()


def _snapshot(request: Request) -> Snapshot:
    state = request.app.state
    with _LOCK:
        snap = getattr(state, "export_snapshot", None)
        if snap is None:
            site = site_of(request)
            created = ""
            if site.release is not None:
                from conflictkg.datasets.export import release_timestamp

                created = release_timestamp(site.release.root)
            snap = state.export_snapshot = read_snapshot(site.store, created)
    return snap


@router.api_route("/export/{layout}.csv", methods=["GET", "HEAD"], include_in_schema=False)
def export_csv(request: Request, layout: str) -> Response:
    """The events in ``layout`` (acled or ucdp-ged) as CSV, filtered by the query parameters."""
    if layout not in ("acled", "ucdp-ged"):
        raise HTTPException(404, f"no export layout {layout!r}; use /export/acled.csv or /export/ucdp-ged.csv")
    keys = [key for key, _ in request.query_params.multi_items()]
    if len(keys) != len(set(keys)):
        raise HTTPException(400, "each filter may be given once")
    try:
        filters = Filters.parse(request.query_params.multi_items())
    except FilterError as exc:
        raise HTTPException(400, str(exc)) from None
    out = io.StringIO()
    write_csv(out, layout, _snapshot(request), filters)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{layout}.csv"'})
