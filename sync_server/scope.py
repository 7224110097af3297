"""The ONE place roles and scope are enforced (DESIGN "Roles and scope").

- Officers read only their own reports and the changes of their *area*: the kecamatan of each
  desa they serve (with everything under it) and that kecamatan's ancestors.
- Supervisors and admins read what lies in their scope: a region is in scope when its code
  equals a scope code or starts with a scope code followed by a dot.

Policy for refusals: a route closed to the caller's ROLE answers 403 (roles are no secret). An
OBJECT outside the caller's scope (report, photo, officer, device) answers 404, exactly like a
missing one, so that its existence does not leak. List filters outside scope simply match
nothing.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kerawanan.errors import Forbidden, NotFound
from kerawanan.regions import in_scope, parent_code
from sync_server.storage.base import Area, StoredReport, TokenGrant, User

KECAMATAN_DEPTH = 3


@dataclass(frozen=True, slots=True)
class Principal:
    username: str
    role: str
    scope: tuple[str, ...]
    token_id: int | None = None
    device_id: str | None = None
    name: str = ""

    @classmethod
    def from_grant(cls, grant: TokenGrant) -> Principal:
        user = grant.user
        return cls(username=user.username, role=user.role, scope=user.scope, token_id=grant.token_id,
                   device_id=grant.device_id, name=user.name)

    def user(self) -> User:
        return User(username=self.username, name=self.name, role=self.role, scope=self.scope)

    # ---- roles
    def require_role(self, *roles: str) -> None:
        if self.role not in roles:
            raise Forbidden("Peran Anda tidak diizinkan memakai fungsi ini.",
                            message_en="Your role may not use this function.",
                            details={"allowed_roles": list(roles)})

    # ---- predicates
    def can_read_region(self, code: str) -> bool:
        if self.role == "officer":
            area = self.area()
            return in_scope(code, area.subtrees) or code in area.exact
        return in_scope(code, self.scope)

    def can_read_report(self, report: StoredReport) -> bool:
        if self.role == "officer":
            return report.officer == self.username
        return in_scope(report.desa_code, self.scope)

    def reads_internal_notes(self) -> bool:
        """Notes and responses on alerts are internal to the supervisors' chain unless marked for the
        field (``for_field``): officers read only those."""
        return self.role != "officer"

    def can_manage(self, user: User) -> bool:
        """Admins manage users inside their scope; supervisors only the officers inside theirs."""
        if self.role == "admin" or (self.role == "supervisor" and user.role == "officer"):
            return bool(user.scope) and all(in_scope(code, self.scope) for code in user.scope)
        return False

    def covers(self, codes: Iterable[str]) -> bool:
        return all(in_scope(code, self.scope) for code in codes)

    def report_scopes(self) -> tuple[str, ...]:
        """The scope of report lists (supervisors and admins only reach them)."""
        return self.scope

    def area(self) -> Area:
        """What of the change feed the caller sees, besides changes addressed to them."""
        if self.role != "officer":
            return Area(subtrees=self.scope, supervisor=True)
        kecamatan = tuple(dict.fromkeys(_kecamatan_of(code) for code in self.scope))
        ancestors = tuple(dict.fromkeys(a for code in kecamatan for a in _ancestors(code)))
        return Area(subtrees=kecamatan, exact=ancestors)


def _kecamatan_of(code: str) -> str:
    """A desa's kecamatan (a kecamatan or anything above stays itself)."""
    while code.count(".") + 1 > KECAMATAN_DEPTH:
        parent = parent_code(code)
        if parent is None:
            break
        code = parent
    return code


def _ancestors(code: str) -> list[str]:
    found = []
    parent = parent_code(code)
    while parent:
        found.append(parent)
        parent = parent_code(parent)
    return found


HIDDEN = {"report": ("Laporan", "Report"), "user": ("Pengguna", "User"),
          "device": ("Perangkat", "Device"), "media": ("Foto", "Photo"),
          "alert": ("Peringatan", "Alert"), "region": ("Wilayah", "Region")}


def hidden(kind: str) -> NotFound:
    """The one 404 for an object that is missing OR outside the caller's scope (same words)."""
    name_id, name_en = HIDDEN[kind]
    return NotFound(f"{name_id} tidak ditemukan.", message_en=f"{name_en} not found.")


def readable_report(principal: Principal, report: StoredReport | None) -> StoredReport:
    """The report, or 404 when it does not exist or the caller may not read it."""
    if report is None or not principal.can_read_report(report):
        raise hidden("report")
    return report


def managed_user(principal: Principal, user: User | None, *, kind: str = "user") -> User:
    """The user, or 404 when missing or outside what the caller manages."""
    if user is None or not principal.can_manage(user):
        raise hidden(kind)
    return user


def readable_media(principal: Principal, *, uploaded_by_caller: bool,
                   citing: Iterable[StoredReport]) -> None:
    """Photos are for their uploader and for whoever may read a report that cites them."""
    if uploaded_by_caller or any(principal.can_read_report(report) for report in citing):
        return
    raise hidden("media")
