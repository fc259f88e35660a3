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
 * at_risk_ratio may not exceed on_track_ratio.  They can be set in either
 * order (changed in 1.1: a check against the other's current value made
 * lowering on_track_ratio below the default at_risk_ratio fail until
 * at_risk_ratio was lowered first); okr_status_name() reports a pair in the
 * wrong order where it is used.
 *
 * okr.stale_after takes interval syntax ('3 days', '2 weeks', '14d',
 * '90min'; changed in 1.1: it was a number of minutes, so '3 days' was
 * refused and a bare '3' meant three minutes): a value needs a unit and
 * must be positive.
 */
#include "okr.h"

#include "utils/datetime.h"
#include "utils/guc.h"

double		okr_on_track_ratio = 0.9;
double		okr_at_risk_ratio = 0.7;
Interval	okr_stale_after_interval = {0, 14, 0};	/* time, day, month */
static char *okr_stale_after_text = NULL;
int			okr_max_depth = 1000;
int			okr_history_max_rows = 10000000;
int			okr_source_timeout_ms = 10000;

/* An interval with a unit, > 0, parsed without raising (a check hook). */
static bool
check_stale_after(char **newval, void **extra, GucSource source)
{
	char		workbuf[MAXDATELEN + MAXDATEFIELDS];
	char	   *field[MAXDATEFIELDS];
	int			ftype[MAXDATEFIELDS];
	int			nf,
				dtype,
				dterr;
	struct pg_itm_in itm_in;
	Interval	iv;
	Interval   *result;
	const char *p;
	bool		has_unit = false;

	for (p = *newval; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			has_unit = true;
	if (!has_unit)
	{
		GUC_check_errdetail("okr.stale_after needs a unit, for example '14 days', '2 weeks' or '36h'.");
		return false;
	}
	dterr = strlen(*newval) >= MAXDATELEN ? DTERR_BAD_FORMAT :
		ParseDateTime(*newval, workbuf, sizeof(workbuf), field, ftype, MAXDATEFIELDS, &nf);
	if (dterr == 0)
		dterr = DecodeInterval(field, ftype, nf, INTERVAL_FULL_RANGE, &dtype, &itm_in);
	if (dterr != 0 || dtype != DTK_DELTA || itmin2interval(&itm_in, &iv) != 0)
	{
		GUC_check_errdetail("okr.stale_after is an interval, for example '14 days', '2 weeks' or '36h'.");
		return false;
	}
	if (iv.month < 0 || iv.day < 0 || iv.time < 0 ||
		(iv.month == 0 && iv.day == 0 && iv.time == 0))
	{
		GUC_check_errdetail("okr.stale_after must be a positive interval.");
		return false;
	}
	result = (Interval *) malloc(sizeof(Interval));
	if (result == NULL)
		return false;
	*result = iv;
	*extra = result;
	return true;
}

static void
assign_stale_after(const char *newval, void *extra)
{
	okr_stale_after_interval = *(Interval *) extra;
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
							 NULL, NULL, NULL);

	DefineCustomRealVariable("okr.at_risk_ratio",
							 "Ratio of progress to expected progress at or above which an item is at risk; below it, off track.",
							 NULL,
							 &okr_at_risk_ratio,
							 0.7, 0.0, 1.0,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("okr.stale_after",
							   "A key result with no check-in for this long is stale (an interval: '14 days', '2 weeks', '36h').",
							   NULL,
							   &okr_stale_after_text,
							   "14 days",
							   PGC_USERSET, 0,
							   check_stale_after, assign_stale_after, NULL);

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
