-- Refunds, their lines, their status history (the audit trail) and idempotency keys.
-- Times are integer microseconds since the Unix epoch (UTC); money is integer minor units.

CREATE TABLE refunds (
    refund_id         TEXT PRIMARY KEY,
    number            INTEGER NOT NULL UNIQUE,
    case_name         TEXT NOT NULL,
    order_id          TEXT NOT NULL,
    customer_id       TEXT NOT NULL,
    currency_code     TEXT NOT NULL CHECK (length(currency_code) = 3),
    total_minor       INTEGER NOT NULL CHECK (total_minor >= 0),
    reason            TEXT NOT NULL,
    method            TEXT NOT NULL,
    status            TEXT NOT NULL,
    requested_by      TEXT NOT NULL,
    requested_by_role TEXT NOT NULL,
    note              TEXT NOT NULL DEFAULT '',
    outside_window    INTEGER NOT NULL CHECK (outside_window IN (0, 1)),
    required_approval TEXT NOT NULL,
    create_time_us    INTEGER NOT NULL,
    update_time_us    INTEGER NOT NULL,
    version           INTEGER NOT NULL
);

-- Lists are newest first by number, filtered by customer, case, order or status.
CREATE INDEX refunds_by_customer ON refunds (customer_id, number);
CREATE INDEX refunds_by_case ON refunds (case_name, number);
CREATE INDEX refunds_by_order ON refunds (order_id, number);
CREATE INDEX refunds_by_status ON refunds (status, number);

CREATE TABLE refund_lines (
    refund_id     TEXT NOT NULL REFERENCES refunds (refund_id),
    position      INTEGER NOT NULL,
    order_id      TEXT NOT NULL,  -- copied from the refund so that usage per order is one index range
    order_line_id TEXT NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    amount_minor  INTEGER NOT NULL CHECK (amount_minor >= 0),
    PRIMARY KEY (refund_id, position)
);

CREATE INDEX refund_lines_by_order_line ON refund_lines (order_id, order_line_id);

CREATE TABLE refund_status_changes (
    refund_id   TEXT NOT NULL REFERENCES refunds (refund_id),
    seq         INTEGER NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    at_us       INTEGER NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    policy      TEXT,
    PRIMARY KEY (refund_id, seq)
);

-- Kept at least 24 hours (create_time_us tells how old a key is; a cleanup comes later).
CREATE TABLE idempotency_keys (
    scope          TEXT NOT NULL,
    request_id     TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    refund_id      TEXT NOT NULL REFERENCES refunds (refund_id),
    create_time_us INTEGER NOT NULL,
    PRIMARY KEY (scope, request_id)
);

CREATE INDEX idempotency_keys_by_age ON idempotency_keys (create_time_us);
