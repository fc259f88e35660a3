-- SPEC 8: okr.bar(progress, width DEFAULT 20), in a UTF8 database (the
-- '#' and '-' of other encodings: test/moments.sh).  A bar has width cells,
-- the first round(progress * width) done, halves up; progress is clamped to
-- 0..1; NULL for NULL or NaN; a width outside 1..1000 is 22023.
BEGIN;
CREATE EXTENSION okr;
SELECT plan(27);

SELECT is(okr.bar(0.5), '██████████░░░░░░░░░░', 'default width 20: 0.5 is ten cells of twenty');
SELECT is(okr.bar(0, 5), '░░░░░', '0: nothing done');
SELECT is(okr.bar(1, 5), '█████', '1: all done');
SELECT is(okr.bar(0.125, 4), '█░░░', '0.125 * 4 = 0.5 cell: halves round up, one cell');
SELECT is(okr.bar(0.1249, 4), '░░░░', '0.1249 * 4 = 0.4996 cell: rounds down to none');
SELECT is(okr.bar(0.375, 4), '██░░', '0.375 * 4 = 1.5 cells: two');
SELECT is(okr.bar(0.625, 4), '███░', '0.625 * 4 = 2.5 cells: three');
SELECT is(okr.bar(0.5, 1), '█', 'width 1: 0.5 rounds up to the one cell');
SELECT is(okr.bar(0.49, 1), '░', 'width 1: 0.49 rounds down');
SELECT is(okr.bar(0.975, 20), '████████████████████', '0.975 * 20 = 19.5 cells: the bar is full');
SELECT is(okr.bar(0.02, 20), '░░░░░░░░░░░░░░░░░░░░', '0.02 * 20 = 0.4 cell: empty');
SELECT is(okr.bar(1.7, 3), '███', 'over 1 is clamped: full');
SELECT is(okr.bar(-0.2, 3), '░░░', 'below 0 is clamped: empty');
SELECT is(okr.bar('Infinity', 2), '██', 'infinity: full');
SELECT is(okr.bar('-Infinity', 2), '░░', '-infinity: empty');
SELECT is(okr.bar(NULL), NULL, 'NULL progress: NULL');
SELECT is(okr.bar('NaN'), NULL, 'NaN progress: NULL');
SELECT is(okr.bar(0.5, NULL), NULL, 'NULL width: NULL');
SELECT throws_ok($$SELECT okr.bar(0.5, 0)$$, '22023', 'okr.bar: width 0 is out of range', 'width 0: 22023');
SELECT throws_ok($$SELECT okr.bar(0.5, -3)$$, '22023', NULL, 'a negative width: 22023');
SELECT throws_ok($$SELECT okr.bar(0.5, 1001)$$, '22023', NULL, 'width 1001: 22023');
SELECT throws_ok($$SELECT okr.bar('NaN', 1001)$$, '22023', NULL, 'the width is checked even when progress is NaN');
SELECT is(pg_catalog.length(okr.bar(0.3, 1000)), 1000, 'width 1000, the largest, is accepted');
SELECT is(pg_catalog.octet_length(okr.bar(0.3, 7)), 21, 'a cell is one character of three bytes in UTF8');
SELECT is((SELECT pg_catalog.bool_and(pg_catalog.length(okr.bar(p, w)) = w
                AND pg_catalog.length(pg_catalog.replace(okr.bar(p, w), '░', '')) = pg_catalog.floor(p * w + 0.5)::int)
             FROM pg_catalog.generate_series(0, 100) i, pg_catalog.generate_series(1, 30) w,
                  LATERAL (SELECT i / 100.0::float8 AS p) x), true,
    'for progress 0, 0.01, ..., 1 and widths 1 to 30: width cells, floor(p * w + 0.5) of them done');
SELECT is((SELECT provolatile::text || proparallel::text || proisstrict::text FROM pg_proc
            WHERE oid = 'okr.bar(double precision, integer)'::regprocedure), 'istrue',
    'IMMUTABLE (a database''s encoding never changes), PARALLEL SAFE, STRICT');
SELECT is(okr.bar(okr.kr_progress('metric', 0, 1000, 700), 10), '███████░░░', 'a key result at 0.7 on a bar of 10');

SELECT * FROM finish();
ROLLBACK;
