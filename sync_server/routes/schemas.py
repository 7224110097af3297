"""JSON Schemas of the request bodies the routes read raw (declared in OpenAPI via
``openapi_extra``, so clients and schemathesis know them). Validation itself is done by the
core and ``validation.py``; these mirror it."""
from __future__ import annotations

from typing import Any

REGION_CODE = {"type": "string", "pattern": r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$"}


def json_body(schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"requestBody": {"required": True, "description": description,
                            "content": {"application/json": {"schema": schema}}}}


def obj(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties,
            "additionalProperties": False}


LOGIN = obj(["username", "password"],
            username={"type": "string", "minLength": 1, "maxLength": 64},
            password={"type": "string", "minLength": 1, "maxLength": 256})

ENROLL = obj(["nrp", "code", "device_name"],
             nrp={"type": "string", "minLength": 1, "maxLength": 64},
             code={"type": "string", "minLength": 1, "maxLength": 32, "example": "ABCD-EFGH"},
             device_name={"type": "string", "minLength": 1, "maxLength": 100})

NEW_USER = obj(["username", "name", "role", "scope"],
               username={"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$"},
               name={"type": "string", "minLength": 1, "maxLength": 200},
               role={"type": "string", "enum": ["officer", "supervisor", "admin"]},
               scope={"type": "array", "items": REGION_CODE, "minItems": 1, "maxItems": 50},
               password={"type": "string", "minLength": 8, "maxLength": 256})

GEO_POINT = {"type": ["object", "null"], "required": ["lat", "lon"], "additionalProperties": False,
             "properties": {"lat": {"type": "number"}, "lon": {"type": "number"},
                            "accuracy_m": {"type": ["number", "null"]}}}

REPORT = obj(
    ["id", "observed_at", "category", "desa_code"],   # threat_stage and facts: required unless category nihil
    id={"type": "string", "format": "uuid"},
    observed_at={"type": "string", "format": "date-time"},
    recorded_at={"type": ["string", "null"], "format": "date-time"},
    category={"type": "string"},
    threat_stage={"type": ["string", "null"], "enum": ["PG", "AG", "GN", None]},
    desa_code=REGION_CODE,
    location=GEO_POINT,
    stage={"type": ["string", "null"]},
    people_count={"type": ["integer", "null"], "minimum": 0, "maximum": 100000},
    source_reliability={"type": ["string", "null"], "enum": ["A", "B", "C", "D", "E", "F", None]},
    info_credibility={"type": ["integer", "null"], "minimum": 1, "maximum": 6},
    facts={"type": "string", "maxLength": 4000},
    opinion={"type": ["string", "null"], "maxLength": 2000},
    tps={"type": ["string", "null"]},
    media={"type": "array", "maxItems": 5, "items": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
    supersedes={"type": ["string", "null"], "format": "uuid"},
)

PUSH = obj(["reports"], reports={"type": "array", "maxItems": 500, "items": REPORT})

REVIEW = obj(["verdict"],
             verdict={"type": "string", "enum": ["confirm", "reject", "duplicate"]},
             grade={"type": ["string", "null"], "pattern": "^[A-F][1-6]$"},
             duplicate_of={"type": ["string", "null"], "format": "uuid"},
             note={"type": ["string", "null"], "maxLength": 1000})

BULK_REVIEW = obj(["verdict", "since"],
                  verdict={"type": "string", "enum": ["reject", "rejected"]},
                  since={"type": "string", "format": "date-time", "description": "received at or after"},
                  officer={"type": ["string", "null"], "maxLength": 64},
                  device_id={"type": ["string", "null"], "maxLength": 64},
                  note={"type": ["string", "null"], "maxLength": 1000})

ALERT_ACTION = obj(["action"],
                   action={"type": "string", "enum": ["acknowledge", "assign", "respond", "resolve", "reopen"]},
                   note={"type": ["string", "null"], "maxLength": 1000},
                   assignee={"type": ["string", "null"], "maxLength": 64},
                   response={"type": ["string", "null"], "minLength": 1, "maxLength": 2000},
                   for_field={"type": "boolean", "description": "officers of the area may read the note/response"})

MEDIA = {"requestBody": {"required": True, "description": "The photo's bytes (JPEG, PNG, WebP or AVIF)",
                         "content": {mime: {"schema": {"type": "string", "format": "binary"}}
                                     for mime in ("image/jpeg", "image/png", "image/webp", "image/avif")}}}

MEDIA_PART = {
    "parameters": [{"name": "Content-Range", "in": "header", "required": True,
                    "description": "`bytes start-end/total`: where the body sits in the photo (start = the "
                                   "upload's current offset)",
                    "schema": {"type": "string", "pattern": r"^bytes [0-9]+-[0-9]+/[0-9]+$",
                               "example": "bytes 0-32767/140000"}}],
    "requestBody": {"required": True, "description": "The photo's bytes from `start`: the rest of it, or a part",
                    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
}
