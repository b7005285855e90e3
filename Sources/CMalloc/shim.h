// glibc's malloc statistics and trim (malloc.h), which the Glibc module
// leaves out: HeapTrim hands freed pages back to the system.
#ifndef KCP_CMALLOC_SHIM_H
#define KCP_CMALLOC_SHIM_H
#include <malloc.h>
#endif
