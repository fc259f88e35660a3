/* rollup.c -- placeholder for okr.progress() (issue 3) */
#include "okr.h"
