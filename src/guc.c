/*
 * guc.c
 *	  Settings of the okr extension.
 *
 *	  okr.on_track_ratio  progress / expected at or above which an item is on track
 *	  okr.at_risk_ratio   ... at or above which it is at risk (below: off track)
 *	  okr.stale_after     a key result with no check-in for this long is stale
 *	  okr.max_depth       levels of the objective, team and cycle trees
 *	  okr.history_max_rows rows one okr.progress_history call may return
 *	  okr.source_timeout  how long one key-result source's query may run
 *
 * The last two protect the server (SPEC 5, "Bounded"): only a superuser
 * may raise them.
 *
 * at_risk_ratio may not exceed on_track_ratio.  The check hooks enforce it
 * against the other setting's current value; okr_status_name() checks again
 * at use, because a configuration file may set the two in either order.
 */
#include "okr.h"

#include "utils/guc.h"

double		okr_on_track_ratio = 0.9;
double		okr_at_risk_ratio = 0.7;
int			okr_stale_after_minutes = 14 * 24 * 60;
int			okr_max_depth = 1000;
int			okr_history_max_rows = 10000000;
int			okr_source_timeout_ms = 10000;

static bool
check_on_track_ratio(double *newval, void **extra, GucSource source)
{
	if (*newval < okr_at_risk_ratio)
	{
		GUC_check_errdetail("okr.on_track_ratio (%g) cannot be below okr.at_risk_ratio (%g).",
							*newval, okr_at_risk_ratio);
		return false;
	}
	return true;
}

static bool
check_at_risk_ratio(double *newval, void **extra, GucSource source)
{
	if (*newval > okr_on_track_ratio)
	{
		GUC_check_errdetail("okr.at_risk_ratio (%g) cannot exceed okr.on_track_ratio (%g).",
							*newval, okr_on_track_ratio);
		return false;
	}
	return true;
}

void
okr_define_gucs(void)
{
	DefineCustomRealVariable("okr.on_track_ratio",
							 "Ratio of progress to expected progress at or above which an item is on track.",
							 NULL,
							 &okr_on_track_ratio,
							 0.9, 0.0, 1.0,
							 PGC_USERSET, 0,
							 check_on_track_ratio, NULL, NULL);

	DefineCustomRealVariable("okr.at_risk_ratio",
							 "Ratio of progress to expected progress at or above which an item is at risk; below it, off track.",
							 NULL,
							 &okr_at_risk_ratio,
							 0.7, 0.0, 1.0,
							 PGC_USERSET, 0,
							 check_at_risk_ratio, NULL, NULL);

	DefineCustomIntVariable("okr.stale_after",
							"A key result with no check-in for this long is stale.",
							NULL,
							&okr_stale_after_minutes,
							14 * 24 * 60, 1, INT_MAX,
							PGC_USERSET, GUC_UNIT_MIN,
							NULL, NULL, NULL);

	DefineCustomIntVariable("okr.max_depth",
							"Deepest level an objective, team or cycle may sit at (a root is level 1).",
							"Every write that links a row walks up its tree, so the depth bounds what a write costs.",
							&okr_max_depth,
							1000, 1, 1000000,
							PGC_SUSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("okr.history_max_rows",
							"Most rows one okr.progress_history call may return (moments times items).",
							NULL,
							&okr_history_max_rows,
							10000000, 1, INT_MAX,
							PGC_SUSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("okr.source_timeout",
							"How long the query of one key-result source may run before it is cancelled (and recorded as its error).",
							NULL,
							&okr_source_timeout_ms,
							10000, 1, INT_MAX,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("okr");
}
