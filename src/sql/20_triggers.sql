-- okr 1.0: link rules (SPEC 2), enforced by C triggers for every client.
-- Trigger names start with okr_ and a number: PostgreSQL fires triggers of
-- one kind in name order.

CREATE FUNCTION okr.structure_lock() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_structure_lock' LANGUAGE C;
CREATE FUNCTION okr.cycle_check() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_cycle_check' LANGUAGE C;
CREATE FUNCTION okr.team_check() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_team_check' LANGUAGE C;
CREATE FUNCTION okr.objective_check() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_objective_check' LANGUAGE C;
CREATE FUNCTION okr.key_result_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_key_result_guard' LANGUAGE C;
CREATE FUNCTION okr.checkin_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_checkin_guard' LANGUAGE C;
CREATE FUNCTION okr.checkin_sync() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_checkin_sync' LANGUAGE C;
CREATE FUNCTION okr.truncate_sync() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_truncate_sync' LANGUAGE C;
CREATE FUNCTION okr.task_sync() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_task_sync' LANGUAGE C;
CREATE FUNCTION okr.project_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_project_guard' LANGUAGE C;
CREATE FUNCTION okr.task_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_task_guard' LANGUAGE C;
CREATE FUNCTION okr.project_sync() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_project_sync' LANGUAGE C;
CREATE FUNCTION okr.maintain() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_maintain' LANGUAGE C;
CREATE FUNCTION okr.effort_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_effort_guard' LANGUAGE C;
CREATE FUNCTION okr.ledger_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_ledger_guard' LANGUAGE C;
CREATE FUNCTION okr.objective_values() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_objective_values' LANGUAGE C;
CREATE FUNCTION okr.delete_check() RETURNS trigger
AS 'MODULE_PATHNAME', 'okr_delete_check' LANGUAGE C;

-- Rules 1 and 2: hierarchy changes are serialised by one advisory lock taken
-- before any row is locked, then checked after the statement's rows are in.
CREATE TRIGGER okr_10_lock BEFORE INSERT OR UPDATE OF parent_id, starts_on, ends_on
    ON okr.cycle FOR EACH STATEMENT EXECUTE FUNCTION okr.structure_lock();
CREATE TRIGGER okr_20_check AFTER INSERT OR UPDATE OF parent_id, starts_on, ends_on
    ON okr.cycle FOR EACH ROW EXECUTE FUNCTION okr.cycle_check();

CREATE TRIGGER okr_10_lock BEFORE INSERT OR UPDATE OF parent_id
    ON okr.team FOR EACH STATEMENT EXECUTE FUNCTION okr.structure_lock();
CREATE TRIGGER okr_20_check AFTER INSERT OR UPDATE OF parent_id
    ON okr.team FOR EACH ROW EXECUTE FUNCTION okr.team_check();

CREATE TRIGGER okr_10_lock BEFORE INSERT OR UPDATE OF parent_id, cycle_id, parent_key_result_id
    ON okr.objective FOR EACH STATEMENT EXECUTE FUNCTION okr.structure_lock();
-- (state: closing an objective locks the key results and projects below it)
CREATE TRIGGER okr_20_check AFTER INSERT OR UPDATE OF parent_id, cycle_id, state, parent_key_result_id
    ON okr.objective FOR EACH ROW EXECUTE FUNCTION okr.objective_check();
-- Moving a key result moves the objectives aligned to it (SPEC 1b).
CREATE TRIGGER okr_05_lock BEFORE UPDATE OF objective_id
    ON okr.key_result FOR EACH STATEMENT EXECUTE FUNCTION okr.structure_lock();

-- Values people type (states, kinds, ...): refused with what is allowed,
-- before the CHECK constraint would refuse them with its name only (the
-- other tables' guards do the same).  new in 1.1
CREATE TRIGGER okr_05_values BEFORE INSERT OR UPDATE
    ON okr.objective FOR EACH ROW EXECUTE FUNCTION okr.objective_values();
-- Deleting a row with rows below it: what is below, and what to do instead.
-- In capitals, to fire before PostgreSQL's foreign-key triggers (RI_...).
CREATE TRIGGER "OKR_05_below" AFTER DELETE
    ON okr.objective FOR EACH ROW EXECUTE FUNCTION okr.delete_check();
CREATE TRIGGER "OKR_05_below" AFTER DELETE
    ON okr.key_result FOR EACH ROW EXECUTE FUNCTION okr.delete_check();
CREATE TRIGGER "OKR_05_below" AFTER DELETE
    ON okr.project FOR EACH ROW EXECUTE FUNCTION okr.delete_check();

-- Rules 3 to 6 for key results.
CREATE TRIGGER okr_10_guard BEFORE INSERT OR UPDATE
    ON okr.key_result FOR EACH ROW EXECUTE FUNCTION okr.key_result_guard();

-- Rules 3, 5, 6 for check-ins, then rule 4 once the row is in.  The sync
-- triggers have no column list: they must see every change, even one made
-- by another BEFORE trigger, and return at once when nothing moved.  They
-- only note what moved; okr_90_maintain, deferred to the commit, applies it
-- in id order (src/maintain.c, README "Concurrency").
CREATE TRIGGER okr_10_guard BEFORE INSERT OR UPDATE
    ON okr.checkin FOR EACH ROW EXECUTE FUNCTION okr.checkin_guard();
CREATE TRIGGER okr_20_sync AFTER INSERT OR UPDATE OR DELETE
    ON okr.checkin FOR EACH ROW EXECUTE FUNCTION okr.checkin_sync();
CREATE TRIGGER okr_30_truncate AFTER TRUNCATE
    ON okr.checkin FOR EACH STATEMENT EXECUTE FUNCTION okr.truncate_sync();
CREATE CONSTRAINT TRIGGER okr_90_maintain AFTER INSERT OR UPDATE OR DELETE
    ON okr.checkin DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION okr.maintain();

-- Rule 6 for projects; rule 7 for tasks, then rule 6 and the project's
-- effort counters once the row is in.
CREATE TRIGGER okr_10_guard BEFORE INSERT OR UPDATE
    ON okr.project FOR EACH ROW EXECUTE FUNCTION okr.project_guard();
CREATE TRIGGER okr_20_sync AFTER INSERT OR DELETE
    ON okr.project FOR EACH ROW EXECUTE FUNCTION okr.project_sync();
CREATE TRIGGER okr_30_truncate AFTER TRUNCATE
    ON okr.project FOR EACH STATEMENT EXECUTE FUNCTION okr.truncate_sync();
CREATE TRIGGER okr_10_guard BEFORE INSERT OR UPDATE OR DELETE
    ON okr.project_effort FOR EACH ROW EXECUTE FUNCTION okr.effort_guard();
-- (per row, not per statement: a restore's COPY of its no rows must pass)
CREATE TRIGGER okr_10_guard BEFORE INSERT OR UPDATE OR DELETE
    ON okr.effort_ledger FOR EACH ROW EXECUTE FUNCTION okr.ledger_guard();
CREATE TRIGGER okr_11_guard BEFORE TRUNCATE
    ON okr.effort_ledger FOR EACH STATEMENT EXECUTE FUNCTION okr.ledger_guard();
CREATE TRIGGER okr_10_guard BEFORE INSERT OR UPDATE
    ON okr.task FOR EACH ROW EXECUTE FUNCTION okr.task_guard();
CREATE TRIGGER okr_20_sync AFTER INSERT OR UPDATE OR DELETE
    ON okr.task FOR EACH ROW EXECUTE FUNCTION okr.task_sync();
CREATE TRIGGER okr_30_truncate AFTER TRUNCATE
    ON okr.task FOR EACH STATEMENT EXECUTE FUNCTION okr.truncate_sync();
CREATE CONSTRAINT TRIGGER okr_90_maintain AFTER INSERT OR UPDATE OR DELETE
    ON okr.task DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION okr.maintain();

-- Recompute every maintained column (key_result.current_value,
-- last_checkin_at and current_progress, okr.project_effort) from the rows.
CREATE FUNCTION okr.refresh_maintained() RETURNS bigint
AS 'MODULE_PATHNAME', 'okr_refresh_maintained'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION okr.refresh_maintained() IS
'Recompute current_value, last_checkin_at, current_progress and okr.project_effort from check-ins and tasks; returns the number of rows corrected. For bulk loads made with triggers disabled.';
