-- okr 1.0 -> 1.1, last part (after src/sql/75_history.sql): history starts
-- at the upgrade (SPEC 7).  Every row that exists gets a first version
-- recorded now, which reaches back like any first version, so a moment
-- before the upgrade is computed as 1.0 computed it; a known_at before it
-- is an error naming this moment (okr.history_horizon).
DO $do$
DECLARE
    t text;
    cols text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cycle', 'team', 'objective', 'key_result', 'checkin', 'project', 'task'] LOOP
        SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname::text), ', ' ORDER BY a.attnum)
          INTO cols
          FROM pg_catalog.pg_attribute a
         WHERE a.attrelid OPERATOR(pg_catalog.=) pg_catalog.format('okr.%I', t || '_history')::pg_catalog.regclass
           AND a.attnum OPERATOR(pg_catalog.>) 4 AND NOT a.attisdropped;
        EXECUTE pg_catalog.format(
            'INSERT INTO okr.%I (hid, recorded_at, actor, action, %s)'
            ' SELECT pg_catalog.nextval(''okr.history_hid_seq''), pg_catalog.now(), CURRENT_USER, ''insert'', %s'
            ' FROM okr.%I ORDER BY id', t || '_history', cols, cols, t);
    END LOOP;
    INSERT INTO okr.history_horizon (horizon, reason) VALUES (pg_catalog.now(), 'upgrade from okr 1.0');
END;
$do$;
-- Objectives closed at the upgrade have their score frozen at the upgrade.
INSERT INTO okr.frozen_score (id, score)
SELECT o.id, okr.objective_progress(o.id, okr.cycle_end(o.cycle_id))
  FROM okr.objective o WHERE o.state OPERATOR(pg_catalog.=) 'closed' ORDER BY o.id;
