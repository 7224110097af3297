"""Creating users: the checks shared by ``POST /users`` and ``create-user`` on the CLI."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from kerawanan.errors import InvalidInput
from sync_server.auth import hash_secret
from sync_server.storage.base import ROLES, Storage, User
from sync_server.validation import REGION_CODE_RE, Fields

USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,63}")
MIN_PASSWORD = 8


def parse_new_user(body: object, gazetteer: Any) -> tuple[User, str | None]:
    """``{username, name, role, scope, password?}`` → (user, password), or 422 with every problem."""
    fields = Fields(body, required=("username", "name", "role", "scope"), optional=("password",))
    username = fields.text("username", max_length=64, pattern=USERNAME_RE)
    name = fields.text("name", max_length=200)
    role = fields.choice("role", ROLES)
    scope = fields.text_list("scope", max_items=50, pattern=REGION_CODE_RE)
    password = fields.text("password", min_length=MIN_PASSWORD, max_length=256)
    if scope:
        _check_scope(fields, role, scope, gazetteer)
    fields.raise_if_invalid()
    return User(username=username, name=name, role=role, scope=tuple(scope)), password


def _check_scope(fields: Fields, role: str | None, scope: list[str], gazetteer: Any) -> None:
    for index, code in enumerate(scope):
        path = f"scope[{index}]"
        if gazetteer.find(code) is None:
            fields.fail(path, "unknown", "Kode wilayah tidak dikenal.", "Unknown region code.")
        elif role == "officer" and not gazetteer.is_desa(code):
            fields.fail(path, "tier", "Wilayah petugas harus desa/kelurahan.",
                        "An officer's scope must be desa/kelurahan codes.")
        elif role == "supervisor" and gazetteer.is_desa(code):
            fields.fail(path, "tier", "Wilayah pengawas adalah kecamatan, kabupaten/kota atau provinsi.",
                        "A supervisor's scope is kecamatan, kabupaten/kota or province codes.")


def create_user(storage: Storage, user: User, password: str | None, at: datetime) -> User:
    """Store ``user`` (409 ``user.exists`` when taken); the password is kept only as argon2."""
    return storage.create_user(user, hash_secret(password) if password else None, at)


def require_officer(user: User) -> User:
    if user.role != "officer":
        raise InvalidInput("Kode pendaftaran hanya untuk petugas (officer).", code="user.not_officer",
                           message_en="Enrollment codes are for officers only.",
                           fields={"username": "Bukan petugas."}, fields_en={"username": "Not an officer."},
                           reasons={"username": "role"})
    return user
