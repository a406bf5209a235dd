/*
 * banned.h - libc calls that are not to be used in Switchboard.
 *
 * Included last by every translation unit (through the Makefile's -include),
 * so that using one of these is a compile error. Use the bounded or
 * reentrant form instead: buf_* or snprintf, strtol/strtoll with checks,
 * gmtime_r/localtime_r, strtok_r.
 */
#ifndef BANNED_H
#define BANNED_H

/* system headers first: glibc defines some of these inline */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef gets
#define gets(x) BANNED(gets)

#endif
