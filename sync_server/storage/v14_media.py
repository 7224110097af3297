"""Schema step 14, on both backends: photos in the database, and the photos task answers cite.

``media_blobs`` holds a photo's bytes when ``PETA_MEDIA_STORE=database`` (``storage.blobs``);
``media_partials`` / ``media_partial_chunks`` an unfinished upload of one account (``partials_db``):
its size, when bytes were last kept, the request holding it and until when, and its pieces.

``task_media`` lists the photos a task answer cites (``alert_history`` event ``task_report``,
``data.media``), so ``storage.media.forget_uncited_media`` counts them as cited like a report's
(``report_media``). The schema keeps it: a trigger on every new history line, and the lines written
before this step are read once here. ``SQLITE`` and ``POSTGRES`` are the same step in each dialect.
"""
from __future__ import annotations

SQLITE = """
CREATE TABLE media_blobs (
    sha256 TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
CREATE TABLE media_partials (
    username TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,                   -- bytes held: the sum of its chunks
    updated_at TEXT NOT NULL,                -- bytes last kept (server clock): stale after the grace period
    holder TEXT,                             -- the request streaming into it, while one does
    held_until TEXT,                         -- real time: that hold lapses then unless renewed (a dead node)
    PRIMARY KEY (username, sha256)
);
CREATE INDEX media_partials_updated ON media_partials (updated_at);
CREATE TABLE media_partial_chunks (
    username TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    first_byte INTEGER NOT NULL,             -- its place in the photo
    data BLOB NOT NULL,
    PRIMARY KEY (username, sha256, first_byte)
);
CREATE TABLE task_media (
    sha256 TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    PRIMARY KEY (sha256, alert_id)
);
CREATE TRIGGER alert_history_task_media AFTER INSERT ON alert_history
WHEN NEW.event = 'task_report' AND json_valid(NEW.data)
BEGIN
    INSERT OR IGNORE INTO task_media (sha256, alert_id)
        SELECT value, NEW.alert_id FROM json_each(NEW.data, '$.media') WHERE type = 'text';
END;
INSERT OR IGNORE INTO task_media (sha256, alert_id)
    SELECT cited.value, history.alert_id FROM alert_history AS history, json_each(history.data, '$.media') AS cited
    WHERE history.event = 'task_report' AND json_valid(history.data) AND cited.type = 'text';
"""

POSTGRES = """
CREATE TABLE media_blobs (
    sha256 TEXT COLLATE "C" PRIMARY KEY,
    data BYTEA NOT NULL
);
CREATE TABLE media_partials (
    username TEXT COLLATE "C" NOT NULL,
    sha256 TEXT COLLATE "C" NOT NULL,
    size BIGINT NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    holder TEXT COLLATE "C",
    held_until TEXT COLLATE "C",
    PRIMARY KEY (username, sha256)
);
CREATE INDEX media_partials_updated ON media_partials (updated_at);
CREATE TABLE media_partial_chunks (
    username TEXT COLLATE "C" NOT NULL,
    sha256 TEXT COLLATE "C" NOT NULL,
    first_byte BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (username, sha256, first_byte)
);
CREATE TABLE task_media (
    sha256 TEXT COLLATE "C" NOT NULL,
    alert_id TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (sha256, alert_id)
);
CREATE FUNCTION note_task_media() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF jsonb_typeof(NEW.data::jsonb -> 'media') = 'array' THEN
        INSERT INTO task_media (sha256, alert_id)
            SELECT cited, NEW.alert_id FROM jsonb_array_elements_text(NEW.data::jsonb -> 'media') AS cited
            ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER alert_history_task_media AFTER INSERT ON alert_history
    FOR EACH ROW WHEN (NEW.event = 'task_report' AND NEW.data IS NOT NULL) EXECUTE FUNCTION note_task_media();
INSERT INTO task_media (sha256, alert_id)
    SELECT DISTINCT cited, alert_id FROM alert_history,
        jsonb_array_elements_text(CASE WHEN jsonb_typeof(data::jsonb -> 'media') = 'array'
                                       THEN data::jsonb -> 'media' ELSE '[]'::jsonb END) AS cited
    WHERE event = 'task_report' AND data IS NOT NULL
    ON CONFLICT DO NOTHING;
"""

