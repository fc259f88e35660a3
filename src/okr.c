/*
 * okr.c
 *	  Module entry point.  See okr.h for how the source files fit together.
 */
#include "okr.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	okr_define_gucs();
}
