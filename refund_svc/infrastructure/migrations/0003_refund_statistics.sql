-- The leads' dashboard: refunds by status and by when they last changed (a REFUNDED refund never
-- changes again, so for it that is when it was paid back). The currency and amount are in the
-- index too, so that counting and summing never read the table.

CREATE INDEX refunds_statistics ON refunds (status, update_time_us, currency_code, total_minor);
