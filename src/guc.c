/*
 * guc.c
 *	  Settings of the okr extension.
 *
 *	  okr.on_track_ratio  progress / expected at or above which an item is on track
 *	  okr.at_risk_ratio   ... at or above which it is at risk (below: off track)
 *	  okr.stale_after     a key result with no check-in for this long is stale
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

	MarkGUCPrefixReserved("okr");
}
