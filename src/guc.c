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
 *	  okr.as_of, okr.known_at  the moment a session is pinned to (SPEC 8),
 *	                      read by okr.as_of() and okr.known_at()
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
 *
 * okr.as_of and okr.known_at are kept as text and parsed where they are used
 * (okr.as_of(), okr.known_at()), in the session's time zone and date style
 * of that moment, because PostgreSQL keeps a SET or ALTER ROLE ... SET made
 * before okr.so is loaded as a placeholder and, when the library loads,
 * drops with a mere WARNING a value its check hook refuses: refusing there
 * would silently turn a BI role's pinned moment into now.  So the check hook
 * refuses a bad value only for a SET or ALTER ... SET typed while okr is
 * loaded (sources session and test), where the error reaches the user; any
 * other path is caught at use, with SQLSTATE 22007.  A moment is a finite
 * timestamp: relative words (now, today, tomorrow, yesterday) would move
 * with the clock, and infinity is no moment, so they are refused ('epoch' is
 * a fixed moment and accepted).
 */
#include "okr.h"

#include <ctype.h>

#include "access/xact.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/memutils.h"

double		okr_on_track_ratio = 0.9;
double		okr_at_risk_ratio = 0.7;
Interval	okr_stale_after_interval = {0, 14, 0};	/* time, day, month */
static char *okr_stale_after_text = NULL;
int			okr_max_depth = 1000;
int			okr_history_max_rows = 10000000;
int			okr_source_timeout_ms = 10000;
static char *okr_as_of_text = NULL;
static char *okr_known_at_text = NULL;
static bool okr_moments_defined = false;	/* past DefineCustom...: see above */

PG_FUNCTION_INFO_V1(okr_as_of);
PG_FUNCTION_INFO_V1(okr_known_at);

/* Does s hold one of the words that name a moment relative to the clock? */
static const char *
relative_word(const char *s)
{
	static const char *const words[] = {"now", "today", "tomorrow", "yesterday"};

	while (*s)
	{
		char		word[16];
		int			len = 0;

		if (!isalpha((unsigned char) *s))
		{
			s++;
			continue;
		}
		for (; isalpha((unsigned char) *s); s++)
			if (len < (int) sizeof(word) - 1)
				word[len++] = pg_tolower((unsigned char) *s);
		word[len] = '\0';
		for (size_t i = 0; i < lengthof(words); i++)
			if (strcmp(word, words[i]) == 0)
				return words[i];
	}
	return NULL;
}

/*
 * Parse a pinned moment as timestamptz input does, in the session's time
 * zone, without raising: false with *why set when it is no fixed, finite
 * moment.
 */
static bool
parse_moment(const char *s, TimestampTz *result, const char **why)
{
	char		workbuf[MAXDATELEN + MAXDATEFIELDS];
	char	   *field[MAXDATEFIELDS];
	int			ftype[MAXDATEFIELDS];
	int			nf,
				dtype,
				tz,
				dterr;
	struct pg_tm tt;
	fsec_t		fsec;

	if (relative_word(s) != NULL)
	{
		*why = "It names a moment relative to the clock; a pinned moment must stay put.";
		return false;
	}
	dterr = strlen(s) >= MAXDATELEN ? DTERR_BAD_FORMAT :
		ParseDateTime(s, workbuf, sizeof(workbuf), field, ftype, MAXDATEFIELDS, &nf);
	if (dterr == 0)
	{
#if PG_VERSION_NUM >= 160000
		DateTimeErrorExtra dtextra;

		dterr = DecodeDateTime(field, ftype, nf, &dtype, &tt, &fsec, &tz, &dtextra);
#else
		dterr = DecodeDateTime(field, ftype, nf, &dtype, &tt, &fsec, &tz);
#endif
	}
	if (dterr != 0)
	{
		*why = "It is not a timestamp with time zone.";
		return false;
	}
	switch (dtype)
	{
		case DTK_DATE:
			if (tm2timestamp(&tt, fsec, &tz, result) != 0 || !IS_VALID_TIMESTAMP(*result))
			{
				*why = "It is out of the range of timestamp with time zone.";
				return false;
			}
			return true;
		case DTK_EPOCH:
			*result = SetEpochTimestamp();
			return true;
		case DTK_LATE:
		case DTK_EARLY:
			*why = "Infinity is not a moment.";
			return false;
		default:
			*why = "It is not a timestamp with time zone.";
			return false;
	}
}

static bool
check_moment(char **newval, void **extra, GucSource source)
{
	TimestampTz t;
	const char *why;

	if (!okr_moments_defined || **newval == '\0' ||
		(source != PGC_S_SESSION && source != PGC_S_TEST))
		return true;
	if (parse_moment(*newval, &t, &why))
		return true;
	GUC_check_errdetail("%s", why);
	GUC_check_errhint("Give a timestamp such as '2026-09-30 23:59:59', or an empty string for none.");
	return false;
}

/*
 * The moment a setting pins, parsed (false when it is empty).  The last
 * parse is kept: a view asks for it once per row.  It is valid while the
 * text, the time zone and the date order are the same.
 */
static bool
pinned_moment(const char *name, const char *text, TimestampTz *result)
{
	static char *cached_text[2];
	static pg_tz *cached_tz[2];
	static int	cached_order[2];
	static TimestampTz cached[2];
	int			slot = strcmp(name, "okr.as_of") == 0 ? 0 : 1;
	const char *why;

	if (text == NULL || text[0] == '\0')
		return false;
	if (cached_text[slot] != NULL && strcmp(cached_text[slot], text) == 0 &&
		cached_tz[slot] == session_timezone && cached_order[slot] == DateOrder)
	{
		*result = cached[slot];
		return true;
	}
	if (!parse_moment(text, result, &why))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_DATETIME_FORMAT),
				 errmsg("%s is set to \"%s\", which is not a moment", name, text),
				 errdetail("%s", why),
				 errhint("SET %s to a timestamp such as '2026-09-30 23:59:59' (session time zone), or RESET it.",
						 name)));
	if (cached_text[slot] != NULL)
		pfree(cached_text[slot]);
	cached_text[slot] = MemoryContextStrdup(TopMemoryContext, text);
	cached_tz[slot] = session_timezone;
	cached_order[slot] = DateOrder;
	cached[slot] = *result;
	return true;
}

/* okr.as_of(): the moment okr.as_of pins, or now() (transaction start). */
Datum
okr_as_of(PG_FUNCTION_ARGS)
{
	TimestampTz t;

	if (!pinned_moment("okr.as_of", okr_as_of_text, &t))
		t = GetCurrentTransactionStartTimestamp();
	PG_RETURN_TIMESTAMPTZ(t);
}

/* okr.known_at(): the moment okr.known_at pins, or NULL (all that is known). */
Datum
okr_known_at(PG_FUNCTION_ARGS)
{
	TimestampTz t;

	if (!pinned_moment("okr.known_at", okr_known_at_text, &t))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(t);
}

/* For C callers whose moment defaults to okr.known_at() (forecast.c). */
bool
okr_known_at_pinned(TimestampTz *t)
{
	return pinned_moment("okr.known_at", okr_known_at_text, t);
}

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

	DefineCustomStringVariable("okr.as_of",
							   "The moment okr's views, and its functions called without one, compute at (empty: now).",
							   "A timestamp with time zone, parsed where it is used, in the session time zone; now, today and the like are refused.",
							   &okr_as_of_text,
							   "",
							   PGC_USERSET, 0,
							   check_moment, NULL, NULL);

	DefineCustomStringVariable("okr.known_at",
							   "Count only what had been recorded by this moment (empty: everything recorded).",
							   "A timestamp with time zone, parsed where it is used, in the session time zone; now, today and the like are refused.",
							   &okr_known_at_text,
							   "",
							   PGC_USERSET, 0,
							   check_moment, NULL, NULL);
	okr_moments_defined = true;

	MarkGUCPrefixReserved("okr");
}
