-- Payouts (when each is due, and the gateway's reference) and the outbox of refund events for
-- support_svc. Times are integer microseconds since the Unix epoch (UTC).

ALTER TABLE refunds ADD COLUMN payout_reference TEXT NOT NULL DEFAULT '';
-- When the payout of an approved or processing refund is due: 0 is at once; a claim moves it to
-- the end of the claim's lease, an unknown outcome to the next try.
ALTER TABLE refunds ADD COLUMN payout_due_us INTEGER NOT NULL DEFAULT 0;
-- Payout attempts whose outcome was unknown (gateway down, timeout), for the backoff.
ALTER TABLE refunds ADD COLUMN payout_attempts INTEGER NOT NULL DEFAULT 0;

CREATE INDEX refunds_payout_due ON refunds (payout_due_us, number)
    WHERE status IN ('APPROVED', 'PROCESSING');

-- One row per status change, written in the transaction of the change; delivered by the relay.
CREATE TABLE outbox (
    position        INTEGER PRIMARY KEY AUTOINCREMENT,  -- commit order: one writer at a time
    event_id        TEXT NOT NULL UNIQUE,
    refund_id       TEXT NOT NULL REFERENCES refunds (refund_id),
    refund_number   TEXT NOT NULL,
    case_name       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    amount_minor    INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency_code   TEXT NOT NULL CHECK (length(currency_code) = 3),
    actor_id        TEXT NOT NULL,
    actor_role      TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    occur_time_us   INTEGER NOT NULL,
    refund_open     INTEGER NOT NULL CHECK (refund_open IN (0, 1)),
    sequence        INTEGER NOT NULL CHECK (sequence > 0),  -- position in the refund's history
    deliver_time_us INTEGER,  -- set once support_svc has recorded it
    dead_time_us    INTEGER,  -- set when support_svc refused it for good (a dead letter)
    dead_reason     TEXT
);

CREATE INDEX outbox_waiting ON outbox (position) WHERE deliver_time_us IS NULL AND dead_time_us IS NULL;
CREATE INDEX outbox_dead ON outbox (position) WHERE dead_time_us IS NOT NULL;
