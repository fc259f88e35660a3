# okr: PGXS build.  The install script okr--$(EXTVERSION).sql is assembled
# from src/sql/*.sql (one file per concern) so that each part stays readable.
EXTENSION  = okr
EXTVERSION = 1.1

MODULE_big = okr
OBJS = src/okr.o src/guc.o src/progress.o src/aggregate.o src/rollup.o \
       src/spi_util.o src/trigger_util.o src/maintain.o \
       src/rules_hierarchy.o src/rules_parents.o src/rules_key_result.o \
       src/rules_task.o src/rules_values.o src/rules_delete.o src/schema.o \
       src/run_as.o src/sources.o src/feeds.o src/access.o src/rules_access.o \
       src/forecast.o src/changes.o src/bar.o src/history.o src/explain.o src/insert.o \
       src/goal_lookup.o src/view_figures.o src/view_path.o src/view_counts.o
PGFILEDESC = "okr - OKR engine for PostgreSQL"

SQL_PARTS  = $(sort $(wildcard src/sql/*.sql))
# Update scripts are built too: the statements written for the update
# (src/update/A--B.sql), then the files of src/sql/ that version B added
# whole, so that a new function is written once.  1.0--1.1-moment.sql follows
# 05_moment.sql because it gives 1.0's functions defaults that call it;
# 1.0--1.1-history.sql comes last: it records history as it starts.
UPDATE_1_1_PARTS = src/update/1.0--1.1.sql src/sql/05_moment.sql src/update/1.0--1.1-moment.sql \
                   src/sql/25_history.sql src/sql/30_rollup.sql src/sql/35_analysis.sql src/sql/36_explain.sql \
                   src/sql/37_changes.sql \
                   src/sql/40_views.sql src/sql/50_integrity.sql \
                   src/sql/60_feeds.sql src/sql/70_access.sql src/sql/75_history_access.sql \
                   src/sql/76_forget.sql src/sql/80_grants_api.sql src/sql/90_grants.sql \
                   src/update/1.0--1.1-history.sql
DATA_built = $(EXTENSION)--$(EXTVERSION).sql $(EXTENSION)--1.0--1.1.sql
DATA       = $(filter-out $(DATA_built),$(wildcard $(EXTENSION)--*--*.sql))
# Install scripts of released versions, frozen when the next version was
# started (README "Data safety"), so test/upgrade.sh can install them.
DATA      += $(wildcard versions/$(EXTENSION)--*.sql)

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=okr

# Isolation tests (test/isolation/specs, expected output in
# test/isolation/expected), run by "make installcheck" after REGRESS.
ISOLATION = $(patsubst test/isolation/specs/%.spec,%,$(sort $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=okr

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS   = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers

EXTRA_CLEAN = $(DATA_built)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS)
	cat $^ > $@

$(EXTENSION)--1.0--1.1.sql: $(UPDATE_1_1_PARTS)
	cat $^ > $@

src/%.o: src/okr.h
src/rollup.o src/explain.o src/forecast.o src/changes.o src/view_figures.o: src/rollup.h
src/trigger_util.o src/maintain.o src/rules_hierarchy.o src/rules_parents.o \
	src/rules_key_result.o src/rules_task.o src/rules_values.o src/rules_delete.o \
	src/sources.o src/feeds.o src/history.o: src/trigger_util.h

# PGXN: "make dist" writes the zip PGXN takes (META.json at its top), a git
# archive of HEAD with every path under okr-$(EXTVERSION)/.
DIST = $(EXTENSION)-$(EXTVERSION).zip
.PHONY: dist
dist:
	git archive --format zip --prefix=$(EXTENSION)-$(EXTVERSION)/ --output $(DIST) HEAD
