-- okr 1.0: nothing is granted to PUBLIC.  Functions are executable by
-- PUBLIC by default in PostgreSQL, so take that back explicitly.
REVOKE ALL ON ALL TABLES IN SCHEMA okr FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA okr FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA okr FROM PUBLIC;
