"""Exports: pure renderers of data the caller has already gathered *inside the caller's scope*.

No storage, no HTTP, no clock: dates and times come in as arguments. The only files read are the
shipped assets (boundaries, gazetteer names, vocabulary, tahapan), through ``kerawanan.assets``,
once per process. Scope filtering is the caller's job — a renderer prints what it is given.

The interface (stable; extend, do not change):

``render_reports_csv(rows: Iterable[Mapping]) -> Iterator[str]``
    Streaming CSV: the header chunk, then ~32 KiB chunks of whole lines, reading ``rows`` lazily
    (feed it to a ``StreamingResponse`` with ``media_type="text/csv; charset=utf-8"``). UTF-8 with a BOM (for Excel on Windows), CRLF,
    header row ``csv_export.COLUMNS``::

        id, observed_at_wib, received_at_wib, officer, category, category_label, threat_stage,
        stage, desa_code, desa, kecamatan, kabupaten, lat, lon, people_count, grade,
        review_status, facts, opinion, tps, media_count, supersedes

    A row is a report as the API sends it (``render.report_json``). Text starting with
    ``= + - @``, tab or CR gets a leading apostrophe (formula injection). ``grade`` is the
    supervisor's regrade when there is one. See ``csv_export`` for the Excel notes.

``render_alerts_geojson(regions: Iterable[Mapping], gazetteer=None) -> dict``
    RFC 7946 FeatureCollection, one feature per region given (``id`` = code), geometry from the
    shipped kabupaten/kecamatan/desa polygons, properties ``code, name, tier, level,
    level_label, score, alert_id, status, owner, deadline_at, coverage_gap``. A region without
    a polygon (the province; 17 Tebo villages) gets a ``Point`` (its own, else its nearest
    ancestor's); an unknown code gets ``geometry: null``. ``gazetteer``: anything with
    ``find(code)`` (e.g. ``services.gazetteer``); the shipped gazetteer when omitted.
    Serve with ``media_type="application/geo+json"``.

``render_sitrep_pdf(data: SitrepData) -> bytes``
    The daily situation report, A4, Bahasa Indonesia; ``SitrepData`` documents its fields
    (``date``, ``scope_codes``, ``scope_title``, ``generated_at``, ``stage``, ``regions``,
    ``alerts``, ``reports_by_category``, ``reports_by_stage``, ``personnel``, ``gaps``).
    Serve with ``media_type="application/pdf"``. About 0.05 s for a Polres, 0.2-0.3 s for the
    whole province (144 kecamatan).
"""
from sync_server.exports.csv_export import COLUMNS as CSV_COLUMNS
from sync_server.exports.csv_export import render_reports_csv
from sync_server.exports.geojson_export import render_alerts_geojson
from sync_server.exports.sitrep import SitrepData, render_sitrep_pdf

__all__ = ["CSV_COLUMNS", "SitrepData", "render_alerts_geojson", "render_reports_csv", "render_sitrep_pdf"]
