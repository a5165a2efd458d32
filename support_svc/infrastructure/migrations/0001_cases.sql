-- Cases, their conversation and timeline, and the full-text indexes of the queue's search.
-- Times are integer epoch milliseconds (UTC), so that SLA queries are plain integer comparisons.

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,                  -- also the human number: C-{id}
    customer_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    order_line_ids TEXT NOT NULL DEFAULT '[]',  -- JSON array of line ids
    category TEXT NOT NULL,
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_id TEXT,                        -- NULL when unassigned
    previous_case_id INTEGER REFERENCES cases (id),
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    resolved_ms INTEGER,
    first_response_due_ms INTEGER NOT NULL,
    resolution_due_ms INTEGER NOT NULL,
    first_response_ms INTEGER,
    sla_paused_since_ms INTEGER,
    sla_paused_total_ms INTEGER NOT NULL DEFAULT 0,
    next_due_ms INTEGER NOT NULL,            -- first-response due until answered, then resolution due
    breach_at_ms INTEGER,                    -- breached when < now; NULL: cannot breach as things stand
    open_refund_count INTEGER NOT NULL DEFAULT 0,
    request_scope TEXT,                      -- idempotency key of the create: who sent it, and
    request_id TEXT,                         -- the key itself (retries return this case)
    request_fingerprint TEXT,
    version INTEGER NOT NULL
) STRICT;

-- Every index below carries the rowid (= id) as its last key, so "newest first" within any
-- equality filter is read in index order without sorting.
CREATE UNIQUE INDEX cases_by_request ON cases (request_scope, request_id) WHERE request_id IS NOT NULL;
CREATE INDEX cases_by_customer ON cases (customer_id);
CREATE INDEX cases_by_order ON cases (order_id);
CREATE INDEX cases_by_status ON cases (status);
CREATE INDEX cases_by_status_due ON cases (status, next_due_ms);        -- active cases by due time
CREATE INDEX cases_by_status_breach ON cases (status, breach_at_ms);   -- active and breached
CREATE INDEX cases_by_assignee ON cases (assignee_id);
CREATE INDEX cases_by_priority ON cases (priority);
CREATE INDEX cases_by_category ON cases (category);
CREATE INDEX cases_by_due ON cases (next_due_ms);

CREATE TABLE case_messages (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    author_id TEXT NOT NULL,
    author_role TEXT NOT NULL,
    body TEXT NOT NULL,
    internal INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    request_id TEXT
) STRICT;

CREATE INDEX case_messages_by_case ON case_messages (case_id);
CREATE UNIQUE INDEX case_messages_by_request ON case_messages (author_id, request_id)
    WHERE request_id IS NOT NULL;

CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    summary TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}',      -- JSON object of strings
    internal INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;

CREATE INDEX case_events_by_case ON case_events (case_id);

-- Search text, one document per case (rowid = case id): the subject, description and public
-- messages in public_text, internal notes in internal_text. A customer's search is confined to
-- public_text by a column filter, so it can never match an internal note, not even on their own case.
-- One document per case lets the queue walk matches in case-id order and stop after one page.
CREATE VIRTUAL TABLE case_text USING fts5 (
    public_text, internal_text, tokenize = 'porter unicode61 remove_diacritics 2'
);
