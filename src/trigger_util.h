/*
 * trigger_util.h
 *	  What the trigger functions of okr share: the helpers of trigger_util.c,
 *	  and the few functions one rule file offers another (each rule file
 *	  calls only files below it: the other three call rules_parents.c,
 *	  rules_key_result.c calls rules_hierarchy.c, and no rule file is called
 *	  by trigger_util.c or maintain.c).
 */
#ifndef OKR_TRIGGER_UTIL_H
#define OKR_TRIGGER_UTIL_H

#include "okr.h"

#include "commands/trigger.h"

/* ---- trigger_util.c: where a trigger fires, and its rows' columns */

/*
 * The trigger data, after checking the function fires where okr put it (on
 * okr.<table>, or any okr table when table is NULL; per row or statement).
 */
extern TriggerData *okr_trigger_data(FunctionCallInfo fcinfo, const char *fname,
									 const char *table, bool for_row);
/* A column's number, checked to exist with the type okr reads it as. */
extern int	okr_attnum_of(TriggerData *td, const char *col);
extern Datum okr_get_col(TriggerData *td, HeapTuple tup, const char *col, bool *isnull);
/* bigint column; 0 when NULL (*has, when not NULL, says whether it was). */
extern int64 okr_get_id_opt(TriggerData *td, HeapTuple tup, const char *col, bool *has);
extern int64 okr_get_id(TriggerData *td, HeapTuple tup, const char *col);
/* text column as a C string; NULL when NULL */
extern char *okr_get_text(TriggerData *td, HeapTuple tup, const char *col);
/* How messages name a row: "objective 12", or 'new objective "title"' on INSERT */
extern char *okr_row_name(TriggerData *td, HeapTuple tup);
/* Did an UPDATE change this column?  (binary comparison: conservative) */
extern bool okr_col_changed(TriggerData *td, const char *col);
extern bool okr_streq(const char *a, const char *b);
/* state 'closed' or 'cancelled' */
extern bool okr_state_is_closed(const char *state);
/* numeric n = v? */
extern bool okr_numeric_is(Datum n, int64 v);

/* ---- trigger_util.c: SPI plans and their results */

/* Run a cached plan; returns the number of rows. */
extern uint64 okr_run_plan(SPIPlanPtr plan, Datum *values, const char *nulls, long limit);
/* A result column, checked to be of the type the caller takes it as. */
extern Datum okr_result_datum(int row, int col, Oid type, bool *isnull);
extern int64 okr_result_int64(int row, int col, bool *isnull);
extern char *okr_result_text(int row, int col);
/* (value, checked_at) of key result $1's latest check-in */
extern SPIPlanPtr okr_latest_checkin_plan(void);

/* ---- trigger_util.c: rows a pg_dump restore brings back */
typedef struct OkrRow
{
	TriggerData *td;			/* NULL unless the row is INSERTed */
	HeapTuple	tuple;
	Oid			user;			/* the writer, before okr_spi_enter */
	int			restored;		/* -1: not yet known, else 0 or 1 */
} OkrRow;

/* Start a trigger call on td's row; before okr_spi_enter. */
extern void okr_begin_row(OkrRow *row, TriggerData *td);
/* Is the row restored history?  Inside SPI; asks once per row. */
extern bool okr_row_is_restored(OkrRow *row);

/* ---- rules_parents.c: rule 6 for a new child */
/* An objective's state if closed or cancelled (locked FOR KEY SHARE), else NULL */
extern char *okr_closed_objective_state(int64 objective_id);
extern void okr_check_objective_open(OkrRow *row, const char *child, int64 objective_id);
extern bool okr_lock_parents(SPIPlanPtr *plan, const char *plan_sql,
							 SPIPlanPtr *exists_plan, const char *table, int64 id);
extern bool okr_check_key_result_open(OkrRow *row, const char *child, int64 key_result_id,
									  int64 *objective_id);

/* ---- rules_hierarchy.c: rule 5's report of a check-in outside its cycle */
extern void okr_report_checkin_outside(const char *what);
/* rules_values.c: the values CHECK constraints allow, reported with what is allowed */
extern void okr_check_values(TriggerData *td, HeapTuple tup);
/* rules_hierarchy.c: rules 1 and 2 for the objectives aligned to a moving key result */
extern void okr_check_key_result_move(int64 key_result_id, int64 new_objective);

#endif							/* OKR_TRIGGER_UTIL_H */
