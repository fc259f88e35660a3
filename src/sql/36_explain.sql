-- okr 1.1: the derivation of an objective's figure (SPEC 8, doc/analysts.md).
--
-- Computed in C (src/explain.c) by the rollup's own engine: one rollup of
-- the objective's subtree at (as_of, known_at), as okr.objective_progress
-- computes it, then every item below it with its share of its parent's
-- counted weight and its contribution.  Not STRICT, so that known_at may be
-- NULL (as known now); a NULL objective_id or as_of gives no rows.
-- PARALLEL RESTRICTED as okr.progress (30_rollup.sql).
CREATE FUNCTION okr.explain(objective_id bigint, as_of timestamptz DEFAULT okr.as_of(),
                            known_at timestamptz DEFAULT okr.known_at())
RETURNS TABLE (
    depth         integer,
    item          text,
    id            bigint,
    parent_item   text,
    parent_id     bigint,
    title         text,
    status        text,
    weight        double precision,
    share         double precision,
    progress      double precision,
    contribution  double precision,
    counted       boolean,
    reason        text,
    value         numeric,
    checkin_id    bigint,
    checkin_at    timestamptz,
    checkin_by    text,
    effort_done   double precision,
    effort_total  double precision)
AS 'MODULE_PATHNAME', 'okr_explain'
LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 100;
COMMENT ON FUNCTION okr.explain(bigint, timestamptz, timestamptz) IS
'How an objective''s progress is made up at as_of (as known at known_at, or now): every item of its subtree depth first (key results with their projects and aligned objectives, then child objectives), with its weight, its share of its parent''s counted weight, its progress and contribution (share * progress; a parent''s counted contributions add up to its progress), or, when left out, why (its state, zero_weight, not_scored, parent_rollup, parent_kind); for a key result the value at as_of and the check-in it comes from, for a project its task effort; items the caller may not read are summed into one row (item hidden) per parent (doc/analysts.md)';
