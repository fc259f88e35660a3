-- A week's churn, recorded now (history_bench.sh, changes_bench.sh): 1 % of
-- the tasks reopened or finished, 1 % of the metric key results
-- re-targeted, 1 % of the projects' weights moved.
UPDATE okr.task SET status = CASE WHEN status = 'done' THEN 'todo' ELSE 'done' END,
                    done_at = CASE WHEN status = 'done' THEN NULL ELSE now() - interval '30 days' END
 WHERE id % 100 = 7 AND status <> 'cancelled';
UPDATE okr.key_result SET target_value = target_value * 1.1 WHERE kind = 'metric' AND id % 100 = 3;
UPDATE okr.project SET weight = weight + 1 WHERE id % 100 = 5;
VACUUM ANALYZE okr.task_history, okr.key_result_history, okr.project_history;
