-- "My queue" and "unassigned" by due time: one walk of (assignee, status, due) per status, each a
-- page long (see case_reader.case_list_statement). It also answers everything cases_by_assignee did.
CREATE INDEX cases_by_assignee_status_due ON cases (assignee_id, status, next_due_ms);
DROP INDEX cases_by_assignee;
