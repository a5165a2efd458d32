-- "Unassigned" (or "mine") newest first, with or without "breached": one walk of (assignee, status)
-- per status, which is in case-id order (SQLite ends every index with the rowid), each a page long
-- (see case_reader.case_list_statement). Through (status, breach_at_ms) instead, the page read every
-- breached active case and sorted them: 650 ms at 1,000,000 cases.
CREATE INDEX cases_by_assignee_status ON cases (assignee_id, status);
