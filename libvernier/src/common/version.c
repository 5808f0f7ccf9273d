/* version.c — run-time version identity. */
#include "vernier.h"

unsigned vernier_version_number(void)
{
    return VERNIER_VERSION_NUMBER;
}

const char *vernier_version_string(void)
{
    return VERNIER_VERSION_STRING;
}
