"""The app's one HTTP seam: the only module that imports ``requests``.

Requests go through a transport: ``RequestsTransport`` on a CPython host, the browser's ``fetch``
in the offline web app (``field_app/web/fetch.py``); ``platform.current()`` picks it. Everything
else here (errors, timeouts, resumable photos) is the same code on every platform.

Every call has a connect and a read timeout. Push bodies go gzip-compressed. Every transport
failure becomes ``Offline`` ("tidak ada sinyal, akan dicoba lagi"), a 5xx ``ServerUnavailable``,
a 401 ``AuthRevoked``, a 429 ``RateLimited`` and any other error response ``ServerRejected`` with
the server's own code, message and details — nothing else ever escapes.
"""
from __future__ import annotations

import gzip
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

from field_app import platform
from field_app.errors import AuthRevoked, Offline, RateLimited, ServerRejected, ServerUnavailable

API = "/api/v1"
USER_AGENT = "PetaRawan-field-app/0.1"
# The read timeout starts once a body sits in the phone's send buffer, which can hold a whole photo:
# on 2G (64 kbit/s) a 150 kB photo still needs ~20 s on the air. Each body byte adds 1/MIN_UPLOAD_RATE
# seconds (16 kbit/s) to the read timeout, so a slow upload is waited for, not restarted forever.
MIN_UPLOAD_RATE = 2_000
# Photos larger than this go up through ``/media/{sha256}/parts``: the server keeps whatever part of
# the body arrived before a connection was lost, and the next attempt sends only the rest. Smaller
# ones (a cut costs < 4 s at 64 kbit/s) go in one whole-body PUT, which every server version takes.
RESUMABLE_MIN_BYTES = 32 * 1024
# The most one request sends: the rest of a photo (~100–200 KB when shrunk) goes in one request, so
# a photo costs one round trip on a good link; this only bounds the size-aware read timeout.
PART_MAX_BYTES = 1024 * 1024
# Waits before asking again when the server says another request of ours still holds the upload
# (``409 media.upload_in_progress``: e.g. the cut one, until the server notices); then Offline.
BUSY_WAITS = (1.0, 2.0, 4.0)


class TransportError(Exception):
    """A request got no answer at all (no route, refused, timed out, cut): the client says ``Offline``."""


class RequestsTransport:
    """HTTP through ``requests`` (imported only here, and only on a CPython host)."""

    def __init__(self, session: Any = None):
        import requests

        self._errors = requests.RequestException
        self.session = session or requests.Session()

    def request(self, method: str, url: str, *, headers: dict[str, str], params: dict | None = None,
                json_body: Any = None, data: bytes | None = None, timeout: tuple[float, float]) -> Any:
        try:
            return self.session.request(method, url, json=json_body, data=data, headers=headers, params=params,
                                        timeout=timeout, allow_redirects=False)
        except self._errors as exc:
            raise TransportError(type(exc).__name__) from exc

    def close(self) -> None:
        self.session.close()


@dataclass(frozen=True, slots=True)
class PushResult:
    """The server's verdict on one pushed report, with the server's clock when it answered."""

    id: str | None                  # None only for an invalid report whose id was unreadable
    status: str                     # created | duplicate | conflict | invalid
    error: dict[str, Any] | None
    received_at: datetime | None    # the result's own received_at, else the response's Date header
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class PullPage:
    changes: list[dict[str, Any]]
    cursor: int
    more: bool


class SyncClient:
    """Talks to one server with one token. Thread-safe enough for one sync thread at a time."""

    def __init__(self, server_url: str | None = None, token: str | None = None, *,
                 connect_timeout: float = 5.0, read_timeout: float = 20.0,
                 session: Any = None, transport: Any = None, lang: str = "id"):
        self.server_url = _clean_url(server_url) if server_url else None
        self.token = token
        self.timeout = (connect_timeout, read_timeout)
        self.transport = transport or (RequestsTransport(session) if session is not None
                                       else platform.current().new_transport())
        self.lang = lang
        self.resumable_media = True     # False once the server turned out not to have the parts route
        self._begun: set[str] = set()   # photos whose resumable upload this client has started
        self._resume_hints: dict[str, tuple[int, bool]] = {}   # sha256 -> (offset, in progress), from HEAD
        self.busy_waits = BUSY_WAITS

    def close(self) -> None:
        self.transport.close()

    # ------------------------------------------------------------ auth

    def enroll(self, server_url: str, nrp: str, code: str, device_name: str) -> dict[str, Any]:
        """Trade a one-time code for a long-lived device token; keeps and returns ``{token, device_id, user}``."""
        self.server_url = _clean_url(server_url)
        body = self._json("POST", "/auth/enroll", {"nrp": nrp, "code": code, "device_name": device_name},
                          auth=False)
        self.token = body["token"]
        return body

    def login(self, username: str, password: str) -> dict[str, Any]:
        body = self._json("POST", "/auth/login", {"username": username, "password": password}, auth=False)
        self.token = body["token"]
        return body

    def me(self) -> dict[str, Any]:
        return self._json("GET", "/me")

    def logout(self) -> None:
        self._request("POST", "/auth/logout")
        self.token = None

    # ------------------------------------------------------------ sync

    def push(self, reports: list[dict[str, Any]]) -> list[PushResult]:
        """Send reports (wire dicts); one result per report, in order."""
        raw = json.dumps({"reports": reports}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        response = self._request("POST", "/sync/push", data=gzip.compress(raw, compresslevel=6),
                                 headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
        body = _decode(response)
        answered_at = _server_time(response)
        results = body.get("results") if isinstance(body, dict) else None
        if not isinstance(results, list) or len(results) != len(reports):
            raise Offline(reason="push: unexpected answer")
        return [_push_result(item, answered_at) for item in results]

    def pull(self, cursor: int, limit: int = 100) -> PullPage:
        body = self._json("GET", "/sync/pull", params={"cursor": cursor, "limit": limit})
        try:
            return PullPage(list(body["changes"]), int(body["cursor"]), bool(body["more"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise Offline(reason="pull: unexpected answer") from exc

    def media_exists(self, sha256: str) -> bool:
        """Whether the server holds the photo. Its 404 may say where this account's cut upload of it
        ends (``Upload-Offset``): ``upload_media`` then starts there, with no extra round trip."""
        response = self._request("HEAD", f"/media/{sha256}", allow=(404,))
        if response.status_code == 404:
            offset = _offset(response.headers.get("Upload-Offset"))
            if offset:
                self._resume_hints[sha256] = (offset, bool(response.headers.get("Upload-In-Progress")))
        return response.status_code == 200

    def put_media(self, sha256: str, data: bytes) -> bool:
        """Upload a photo in one body; True when the server stored it now, False when it already had it."""
        response = self._request("PUT", f"/media/{sha256}", data=data, headers={"Content-Type": "image/jpeg"})
        return response.status_code == 201

    def media_offset(self, sha256: str, waits: list[float] | None = None) -> int:
        """How many bytes of the photo the server holds from this account's earlier, cut upload (0: none).

        While the server says a request is still writing to it (``Upload-In-Progress``: the cut one,
        until the server notices), waits the next of ``waits`` and asks again; ``Offline`` when none is left.
        """
        while True:
            response = self._request("HEAD", f"/media/{sha256}/parts", allow=(404,))
            if response.status_code == 404:
                return 0
            if waits is None or not response.headers.get("Upload-In-Progress"):
                return _offset(response.headers.get("Upload-Offset")) or 0
            if not waits:
                raise Offline(reason="media: upload in progress")
            time.sleep(waits.pop(0))

    def upload_media(self, sha256: str, data: bytes) -> bool:
        """Upload a photo, resuming where an earlier attempt was cut; True when stored now.

        The rest of the photo goes in one ``PUT /media/{sha256}/parts`` (at most ``PART_MAX_BYTES``;
        a size-aware read timeout). A first attempt starts at 0; a later one first asks the server
        where its copy ends (``HEAD .../parts``): the server keeps the bytes of a request cut midway.
        A request the server did not expect (409 ``media.offset_mismatch``: e.g. after the app
        restarted mid-upload) moves to the offset the server names; one it cannot take now (409
        ``media.upload_in_progress``) is asked again after ``busy_waits``, then ``Offline``. A photo
        of ``RESUMABLE_MIN_BYTES`` or less goes in one PUT; so does every photo once a server answers
        404 to the parts route (an older server).
        """
        total = len(data)
        if total <= RESUMABLE_MIN_BYTES or not self.resumable_media:
            return self.put_media(sha256, data)
        waits = list(self.busy_waits)
        hint = self._resume_hints.pop(sha256, None)      # from media_exists: the server's partial, if any
        if sha256 in self._begun or (hint is not None and hint[1]):
            offset = self.media_offset(sha256, waits)
        else:
            offset = hint[0] if hint is not None else 0   # a round trip saved
        self._begun.add(sha256)
        for _ in range(total // PART_MAX_BYTES + len(waits) + 8):     # every part once, and re-syncs
            start = min(offset, total - 1)       # all there but not stored (a crash): the last byte ends it
            end = min(start + PART_MAX_BYTES, total)
            response = self._request("PUT", f"/media/{sha256}/parts", data=data[start:end], allow=(404, 409),
                                     headers={"Content-Type": "application/octet-stream",
                                              "Content-Range": f"bytes {start}-{end - 1}/{total}"})
            if response.status_code == 404:
                self.resumable_media = False
                return self.put_media(sha256, data)
            if response.status_code in (200, 201):
                body = _decode(response)
                if not isinstance(body, dict) or body.get("sha256") != sha256:
                    raise Offline(reason="media: unexpected answer")       # not our server (a portal?)
                self._begun.discard(sha256)
                return response.status_code == 201
            offset = self._next_offset(sha256, response, end, waits)
        return self.put_media(sha256, data)                 # never converged: the whole photo at once

    def list_reports(self, **filters: Any) -> dict[str, Any]:
        """Supervisors: ``{"items": [...], "next_cursor"}`` (region, category, stage, review, since, limit, cursor)."""
        return self._json("GET", "/reports", params={k: v for k, v in filters.items() if v is not None})

    def get_report(self, report_id: str) -> dict[str, Any]:
        """One report as the server holds it (its wire form plus officer, received_at, seq, review)."""
        return self._json("GET", f"/reports/{report_id}")

    def review_report(self, report_id: str, verdict: str, *, grade: str | None = None,
                      duplicate_of: str | None = None, note: str | None = None) -> dict[str, Any]:
        """Supervisors: ``verdict`` is confirm, reject or duplicate (with ``duplicate_of``)."""
        body = {"verdict": verdict, "grade": grade, "duplicate_of": duplicate_of, "note": note}
        return self._json("POST", f"/reports/{report_id}/review", {k: v for k, v in body.items() if v is not None})

    # ------------------------------------------------------------ supervisors: alerts, regions, exports, admin

    def list_alerts(self, **filters: Any) -> dict[str, Any]:
        """``{"items": [...], "next_cursor"}``; filters: level, status (or ``active``), region, limit, cursor."""
        return self._json("GET", "/alerts", params={k: v for k, v in filters.items() if v is not None})

    def get_alert(self, alert_id: str) -> dict[str, Any]:
        """One alert with ``reports``, ``explanation`` and ``history``; ``version`` is also its ETag."""
        return self._json("GET", f"/alerts/{alert_id}")

    def act_on_alert(self, alert_id: str, action: str, version: int, *, note: str | None = None,
                     assignee: str | None = None, response: str | None = None) -> dict[str, Any]:
        """acknowledge / assign / respond / resolve / reopen with ``If-Match``.

        A stale version raises ``ServerRejected`` with status 412 and the current alert in
        ``details["current"]``; nothing was changed on the server.
        """
        body = {"action": action, "note": note, "assignee": assignee, "response": response}
        payload = {k: v for k, v in body.items() if v is not None}
        response_ = self._request("POST", f"/alerts/{alert_id}/actions", json_body=payload,
                                  headers={"If-Match": f'"{int(version)}"'})
        return _decode(response_)

    def answer_task(self, alert_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """The assignee's "Diterima" or what was done: ``{"status": "created"|"duplicate", "at", …}``."""
        return self._json("POST", f"/alerts/{alert_id}/task", body)

    def get_region(self, code: str) -> dict[str, Any]:
        """Level, score, open alerts, last heard, children and coverage of one region in scope."""
        return self._json("GET", f"/regions/{code}")

    def get_rekap(self, unit: str | None = None, date: str | None = None, days: int | None = None) -> dict[str, Any]:
        """Rekap berjenjang: one row per unit one level below ``unit`` (default: the caller's scope)."""
        params = {"unit": unit, "date": date, "days": days}
        return self._json("GET", "/rekap", params={k: v for k, v in params.items() if v is not None})

    def get_timeline(self) -> dict[str, Any]:
        """The tahapan timeline of the caller's scope: now, H-n, per tahapan its reports, alerts, levels."""
        return self._json("GET", "/timeline")

    def regions_as_of(self, as_of: str, tier: str | None = None) -> dict[str, Any]:
        """Region levels as of a tahapan code or a WIB day ``YYYY-MM-DD`` (the scorer at that instant)."""
        params = {"as_of": as_of, **({"tier": tier} if tier else {})}
        return self._json("GET", "/regions", params=params)

    def get_plan(self, unit: str | None = None) -> dict[str, Any]:
        """Rencana penebalan: ``{proposal, saved, versions}`` of the unit (default the caller's scope)."""
        return self._json("GET", "/plans", params={"unit": unit} if unit else None)

    def save_plan(self, rows: list[dict[str, Any]], note: str, base_version: int | None,
                  unit: str | None = None) -> dict[str, Any]:
        body = {"rows": rows, "note": note, "base_version": base_version}
        response = self._request("POST", "/plans", json_body=body, params={"unit": unit} if unit else None)
        return _decode(response)

    def download_plan_annex(self, unit: str | None = None) -> tuple[bytes, str]:
        """The saved plan as the sitrep's annex (PDF) and the server's file name."""
        response = self._request("GET", "/plans/annex.pdf", params={"unit": unit} if unit else None,
                                 headers={"Accept": "*/*"})
        return response.content, _file_name(response.headers.get("Content-Disposition"), "rencana-penebalan.pdf")

    def get_strength(self) -> dict[str, Any]:
        """Strength per Polres and Polda: ``{units: [{unit, kind, available, polda_bko, brimob, source,
        example, set_by, set_at}], history}`` (history for admins only)."""
        return self._json("GET", "/strength")

    def set_strength(self, unit: str, figures: dict[str, Any]) -> dict[str, Any]:
        """An admin sets a unit's figures ``{available, polda_bko, brimob, source}`` (audited)."""
        return self._json("PUT", f"/strength/{quote(unit, safe='')}", figures)

    def list_sitreps(self) -> dict[str, Any]:
        """Sitreps kept by the schedule, newest first: ``{items: [{unit, unit_name, slot, path…}], times_wib}``."""
        return self._json("GET", "/sitreps")

    def download_sitrep(self, slot: str, unit: str) -> tuple[bytes, str]:
        response = self._request("GET", f"/sitreps/{slot}.pdf", params={"unit": unit}, headers={"Accept": "*/*"})
        return response.content, _file_name(response.headers.get("Content-Disposition"), f"sitrep-{slot}.pdf")

    def region_officers(self, code: str) -> list[dict[str, Any]]:
        """The officers serving in a region, by rank and name, with their last sync (for assigning)."""
        return list(self._json("GET", f"/regions/{code}/officers").get("items") or [])

    def get_media(self, sha256: str) -> bytes:
        return self._request("GET", f"/media/{sha256}", headers={"Accept": "*/*"}).content

    def get_answer_photo(self, alert_id: str, sha256: str) -> bytes:
        """A photo of a task answer, read through its alert (``GET /alerts/{id}/media/{sha256}``)."""
        return self._request("GET", f"/alerts/{alert_id}/media/{sha256}", headers={"Accept": "*/*"}).content

    def download_export(self, name: str, params: dict[str, str] | None = None) -> tuple[bytes, str]:
        """``reports.csv``, ``alerts.geojson`` or ``sitrep.pdf``: its bytes and the server's file name."""
        response = self._request("GET", f"/export/{name}", params=params, headers={"Accept": "*/*"})
        return response.content, _file_name(response.headers.get("Content-Disposition"), name)

    def create_user(self, username: str, name: str, role: str, scope: list[str],
                    password: str | None = None) -> dict[str, Any]:
        body = {"username": username, "name": name, "role": role, "scope": scope, "password": password}
        return self._json("POST", "/users", {k: v for k, v in body.items() if v is not None})

    def change_password(self, old_password: str, new_password: str) -> None:
        """The caller's own password (also the forced change after an admin's reset)."""
        self._json("POST", "/me/password", {"old_password": old_password, "new_password": new_password})

    def get_user(self, username: str) -> dict[str, Any]:
        """``{username, name, role, scope, disabled_at, password_change_required}``."""
        return self._json("GET", f"/users/{username}")

    def reset_password(self, username: str) -> dict[str, Any]:
        """``{username, temporary_password, expires_at}``: changed by the user at the next login."""
        return self._json("POST", f"/users/{username}/password-reset")

    def set_user_disabled(self, username: str, disabled: bool) -> dict[str, Any]:
        """Disable (every token, phone and the password stop) or enable a user: the account."""
        return self._json("POST", f"/users/{username}/{'disable' if disabled else 'enable'}")

    def revoke_sessions(self, username: str) -> int:
        """End every login session of the user (phones keep working); how many ended."""
        return int(self._json("DELETE", f"/users/{username}/sessions").get("revoked", 0))

    def login_failures(self) -> list[dict[str, Any]]:
        """Who is being guessed: ``[{kind, account, address, failures, last_at, blocked_until}]``."""
        return self._json("GET", "/auth/failures").get("items", [])

    def issue_enrollment_code(self, username: str) -> dict[str, Any]:
        """``{code, expires_at}``: a one-time code for an officer (72 h)."""
        return self._json("POST", f"/users/{username}/enrollment-codes")

    def list_devices(self, username: str) -> list[dict[str, Any]]:
        """An officer's phones, newest first: ``[{id, name, enrolled_at, last_sync_at, revoked_at}]``."""
        return self._json("GET", f"/users/{username}/devices")["items"]

    def revoke_device(self, device_id: str) -> None:
        self._request("DELETE", f"/devices/{device_id}")

    def healthz(self) -> dict[str, Any]:
        return self._json("GET", "/healthz", auth=False, prefix="")

    # ------------------------------------------------------------ plumbing

    def _json(self, method: str, path: str, body: Any = None, *, auth: bool = True, prefix: str = API,
              params: dict | None = None) -> Any:
        response = self._request(method, path, json_body=body, auth=auth, prefix=prefix, params=params)
        return _decode(response)

    def _request(self, method: str, path: str, *, json_body: Any = None, data: bytes | None = None,
                 headers: dict[str, str] | None = None, auth: bool = True, prefix: str = API,
                 params: dict | None = None, allow: tuple[int, ...] = ()) -> Any:
        if not self.server_url:
            raise Offline(reason="no server address")
        sent_headers = {"Accept": "application/json", "Accept-Encoding": "gzip",
                        "Accept-Language": self.lang, "User-Agent": USER_AGENT, **(headers or {})}
        if auth and self.token:
            sent_headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self.transport.request(method, f"{self.server_url}{prefix}{path}", json_body=json_body,
                                              data=data, headers=sent_headers, params=params,
                                              timeout=self._timeout_for(data))
        except TransportError as exc:
            raise Offline(reason=str(exc)) from exc
        if response.status_code >= 400 and response.status_code not in allow:
            raise _error_for(response)
        if 300 <= response.status_code < 400:
            raise Offline(reason=f"redirect {response.status_code} (captive portal?)")
        return response


    def _next_offset(self, sha256: str, response: Any, end: int, waits: list[float]) -> int:
        """After 202 the server's ``Upload-Offset``; after 409 ``offset_mismatch`` its ``details.offset``;
        after 409 ``upload_in_progress`` a wait, then where the server's copy ends now."""
        if response.status_code == 409:
            code, _, details = _error_body(response)
            if code == "media.upload_in_progress":
                if not waits:
                    raise Offline(reason="media: upload in progress")
                time.sleep(waits.pop(0))
                return self.media_offset(sha256, waits)
            offset = _offset(details.get("offset"))
            if offset is None:
                raise _error_for(response)
            return offset
        offset = _offset(response.headers.get("Upload-Offset"))
        return end if offset is None else offset

    def _timeout_for(self, body: bytes | None) -> tuple[float, float]:
        connect, read = self.timeout
        return connect, read + (len(body) / MIN_UPLOAD_RATE if body else 0.0)


def _clean_url(url: str) -> str:
    """Trim, and add a scheme when the officer typed none: http on a LAN address, https elsewhere."""
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        host = url.split("/")[0].split(":")[0]
        local = host == "localhost" or host.replace(".", "").isdigit()
        url = ("http://" if local else "https://") + url
    return url


def _file_name(disposition: str | None, fallback: str) -> str:
    """``attachment; filename="laporan-20241127-2140.csv"`` -> the name; else ``fallback``."""
    if disposition and "filename=" in disposition:
        name = disposition.split("filename=", 1)[1].split(";")[0].strip().strip('"')
        if name and "/" not in name and "\\" not in name:
            return name
    return fallback


def _offset(value: Any) -> int | None:
    """A byte offset from a header or an error's details; None when absent or not a non-negative int."""
    try:
        offset = int(value)
    except (TypeError, ValueError):
        return None
    return offset if offset >= 0 else None


def _decode(response: Any) -> Any:
    """JSON body, or ``Offline``: a login page from a captive Wi-Fi is not our server."""
    if response.status_code == 204 or response.request.method == "HEAD":
        return None
    try:
        return response.json()
    except ValueError as exc:           # requests' JSONDecodeError is a ValueError too
        raise Offline(reason="not a JSON answer") from exc


def _error_for(response: Any) -> Exception:
    status = response.status_code
    code, message, details = _error_body(response)
    if status == 401:
        return AuthRevoked(status, code or "auth.unauthorized", message or "Token tidak berlaku.", details=details)
    if status == 429:
        return RateLimited(status, code or "rate_limited", message or "Terlalu banyak permintaan.",
                           retry_after=_retry_after(response, details), details=details)
    if status >= 500:
        return ServerUnavailable(reason=f"HTTP {status}")
    if not code:       # not our server's error shape: a proxy or portal in the way
        return Offline(reason=f"HTTP {status} without an error body")
    return ServerRejected(status, code, message or code, details=details)


def _error_body(response: Any) -> tuple[str | None, str | None, dict[str, Any]]:
    try:
        error = response.json()["error"]
        return str(error["code"]), str(error.get("message") or ""), dict(error.get("details") or {})
    except (ValueError, KeyError, TypeError):
        return None, None, {}


def _retry_after(response: Any, details: dict[str, Any]) -> int:
    for value in (response.headers.get("Retry-After"), details.get("retry_after")):
        try:
            return max(1, int(float(value)))
        except (TypeError, ValueError):
            continue
    return 60


def _server_time(response: Any) -> datetime | None:
    try:
        return parsedate_to_datetime(response.headers["Date"]).astimezone(UTC)
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _push_result(item: Any, answered_at: datetime | None) -> PushResult:
    if not isinstance(item, dict) or "id" not in item or "status" not in item:
        raise Offline(reason="push: unexpected result")
    received = item.get("received_at")
    try:
        received_at = datetime.fromisoformat(str(received).replace("Z", "+00:00")) if received else answered_at
    except ValueError:
        received_at = answered_at
    seq = item.get("seq")
    return PushResult(id=None if item["id"] is None else str(item["id"]), status=str(item["status"]), error=item.get("error"),
                      received_at=received_at, seq=int(seq) if isinstance(seq, int) else None)
