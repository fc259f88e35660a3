/* progress.c -- placeholder; being written on branch funcs */
#include "okr.h"
#include "utils/datetime.h"

TimestampTz
okr_date_start(DateADT d)
{
	return date2timestamptz_opt_overflow(d, NULL);
}
