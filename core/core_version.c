#include "lf/version.h"

const char lf_version_string[] = LF_VERSION_STRING;
