/* triggers.c -- placeholder */
#include "okr.h"
