/*
 * rules_parents.c
 *	  Rule 6 of SPEC 2: nothing new under a closed or cancelled parent.  The
 *	  parents of a new link are locked and read here for the rule files that
 *	  add children (rules_key_result.c, rules_task.c).
 */
#include "okr.h"
#include "trigger_util.h"

#include "catalog/pg_type.h"

/* ---------------------------------------------------------------------
 * Rule 6: the parents above a new link are locked FOR KEY SHARE before
 * their states are read.  Closing or cancelling a parent (and moving or
 * re-kinding a key result) changes a column of its *_link_key, so it is a
 * key update: it waits for the transactions holding FOR KEY SHARE and they
 * wait for it, as PostgreSQL makes an update of a referenced key wait for
 * the rows being inserted under it.  The lock conflicts with nothing else
 * (not a rename, not current_value), and is the one the foreign key takes
 * anyway.  Under READ COMMITTED the read after a wait sees the committed
 * state; under REPEATABLE READ a key update committed after the snapshot
 * makes the lock fail to serialize instead of being missed.
 * --------------------------------------------------------------------- */

/*
 * Lock an objective FOR KEY SHARE and read its state: the state when it is
 * closed or cancelled, NULL when it is open or gone.  Inside SPI.
 */
char *
okr_closed_objective_state(int64 objective_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(objective_id)};
	char	   *state;

	okr_run_plan(okr_spi_plan(&plan,
							  "SELECT state FROM okr.objective WHERE id = $1 FOR KEY SHARE",
							  1, argtypes),
				 values, NULL, 1);
	if (SPI_processed == 0)
		return NULL;
	state = okr_result_text(0, 1);
	return okr_state_is_closed(state) ? state : NULL;
}

/* Rule 6 for a new key result under an objective. */
void
okr_check_objective_open(OkrRow *row, const char *child, int64 objective_id)
{
	char	   *state = okr_closed_objective_state(objective_id);

	if (state && !okr_row_is_restored(row))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add %s under objective " INT64_FORMAT ": it is %s",
						child, objective_id, state)));
}

/*
 * Lock the parents of a new link (a project's key result and objective, or
 * a key result and its objective) and read them.  plan_sql selects, from
 * the row with id $1, at least the columns the caller reads, and locks the
 * parents FOR KEY SHARE.  A parent moved meanwhile drops the row from the
 * join when the lock is re-checked: read again.  Returns false when row id
 * of okr.<table> does not exist (its foreign key reports that).
 */
bool
okr_lock_parents(SPIPlanPtr *plan, const char *plan_sql, SPIPlanPtr *exists_plan,
			 const char *table, int64 id)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(id)};
	int			attempt;

	for (attempt = 0;; attempt++)
	{
		okr_run_plan(okr_spi_plan(plan, plan_sql, 1, argtypes), values, NULL, 1);
		if (SPI_processed > 0)
			return true;
		if (*exists_plan == NULL)
			(void) okr_spi_plan(exists_plan,
								psprintf("SELECT 1 FROM okr.%s WHERE id = $1", table),
								1, argtypes);
		okr_run_plan(*exists_plan, values, NULL, 1);
		if (SPI_processed == 0)
			return false;
		if (attempt >= 3)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("the parents of %s " INT64_FORMAT " keep moving", table, id),
					 errhint("Retry the transaction.")));
	}
}

/*
 * Rule 6 for a new project (or aligned objective) under a key result; false
 * if it does not exist.  *objective_id, when given, is the key result's
 * objective, read under the lock.
 */
bool
okr_check_key_result_open(OkrRow *row, const char *child, int64 key_result_id,
						  int64 *objective_id)
{
	static SPIPlanPtr plan = NULL;
	static SPIPlanPtr exists_plan = NULL;

	if (!okr_lock_parents(&plan,
					  "SELECT k.state, o.id, o.state FROM okr.key_result k"
					  " JOIN okr.objective o ON o.id = k.objective_id WHERE k.id = $1"
					  " FOR KEY SHARE OF k, o",
					  &exists_plan, "key_result", key_result_id))
		return false;
	if (objective_id)
	{
		bool		isnull;

		*objective_id = okr_result_int64(0, 2, &isnull);
	}
	if (okr_row_is_restored(row))
		return true;
	if (okr_streq(okr_result_text(0, 1), "cancelled"))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add %s under key result " INT64_FORMAT ": it is cancelled",
						child, key_result_id)));
	if (okr_state_is_closed(okr_result_text(0, 3)))
		ereport(ERROR,
				(errcode(ERRCODE_OKR_PARENT_INACTIVE),
				 errmsg("cannot add %s under objective %s: it is %s",
						child, okr_result_text(0, 2), okr_result_text(0, 3))));
	return true;
}
