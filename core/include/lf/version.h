#ifndef LF_VERSION_H
#define LF_VERSION_H

#define LF_VERSION_MAJOR  0
#define LF_VERSION_MINOR  1
#define LF_VERSION_STRING "0.1.0"

extern const char lf_version_string[];

#endif
