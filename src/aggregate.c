/* aggregate.c -- placeholder; being written on branch funcs */
#include "okr.h"
