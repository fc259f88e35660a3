/*
 * bar.c
 *	  okr.bar(progress, width): progress drawn as text (SPEC 8).
 *
 * width cells, the first round(progress * width) of them done: partial
 * cells round to the nearest whole cell, halves up, so with width 20 a
 * progress of 0.025 shows one cell and 0.975 shows 20 (progress is clamped
 * to 0..1 first; NaN or NULL gives NULL).  A UTF8 database draws U+2588
 * FULL BLOCK for done and U+2591 LIGHT SHADE for to do; any other encoding
 * '#' and '-', which every server encoding can store.
 *
 * IMMUTABLE: a database's encoding is fixed when it is created, so within
 * one database the same arguments always draw the same bar (like chr()).
 */
#include "okr.h"

#include <math.h>

#include "mb/pg_wchar.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(okr_bar);

#define OKR_BAR_MAX_WIDTH 1000

Datum
okr_bar(PG_FUNCTION_ARGS)
{
	double		progress = PG_GETARG_FLOAT8(0);
	int32		width = PG_GETARG_INT32(1);
	bool		utf8 = GetDatabaseEncoding() == PG_UTF8;
	const char *done = utf8 ? "\xe2\x96\x88" : "#";
	const char *todo = utf8 ? "\xe2\x96\x91" : "-";
	size_t		cell = strlen(done);
	int			ndone;
	text	   *result;
	char	   *p;

	if (width < 1 || width > OKR_BAR_MAX_WIDTH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("okr.bar: width %d is out of range", width),
				 errhint("Give a width from 1 to %d characters.", OKR_BAR_MAX_WIDTH)));
	if (isnan(progress))
		PG_RETURN_NULL();
	progress = Min(Max(progress, 0.0), 1.0);
	ndone = (int) floor(progress * width + 0.5);

	result = (text *) palloc(VARHDRSZ + cell * width);
	SET_VARSIZE(result, VARHDRSZ + cell * width);
	p = VARDATA(result);
	for (int i = 0; i < width; i++, p += cell)
		memcpy(p, i < ndone ? done : todo, cell);
	PG_RETURN_TEXT_P(result);
}
