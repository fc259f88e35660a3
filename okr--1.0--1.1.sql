-- okr 1.0 -> 1.1 (README "Upgrades"): every change to the SQL surface made
-- since 1.0, as ALTER/CREATE statements; test/upgrade.sh proves that the
-- result equals a fresh install of 1.1.
\echo Use "ALTER EXTENSION okr UPDATE TO '1.1'" to load this file. \quit
