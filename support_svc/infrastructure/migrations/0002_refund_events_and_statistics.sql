-- Refund events from refund_svc (applied once each) and which refunds of a case are open; indexes
-- for the leads' dashboard.

-- The inbox: one row per applied event id, written in the transaction that applies the event, so
-- a repeat (even a concurrent one) finds it and changes nothing.
CREATE TABLE refund_event_inbox (
    event_id TEXT PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    refund_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    received_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Each refund of a case: open or not, and the event that last set it (the ordering rule is in
-- support_svc/domain/refunds.py). cases.open_refund_count and cases.open_refunds derive from it.
CREATE TABLE case_refunds (
    case_id INTEGER NOT NULL REFERENCES cases (id),
    refund_id TEXT NOT NULL,
    refund_number TEXT NOT NULL,
    open INTEGER NOT NULL CHECK (open IN (0, 1)),
    finished INTEGER NOT NULL CHECK (finished IN (0, 1)),
    last_kind TEXT NOT NULL,
    last_occur_us INTEGER NOT NULL,      -- microseconds: events of one refund can be close together
    last_sequence INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (case_id, refund_id)
) STRICT, WITHOUT ROWID;

-- The open refunds themselves (JSON array of [refund_id, refund_number]), so that a refused
-- resolve can name them without another read.
ALTER TABLE cases ADD COLUMN open_refunds TEXT NOT NULL DEFAULT '[]';

-- Dashboard: cases opened in a period with their first response (covering: the median reads
-- only this index), resolved in a period, first breached in a period.
CREATE INDEX cases_by_created ON cases (created_ms, first_response_ms);
CREATE INDEX cases_by_resolved ON cases (resolved_ms) WHERE resolved_ms IS NOT NULL;
CREATE INDEX cases_by_breach ON cases (breach_at_ms) WHERE breach_at_ms IS NOT NULL;
