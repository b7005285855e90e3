// libnghttp2 as Debian's libnghttp2-dev installs it. Nothing needs wrapping:
// the API is functions and enums, no macros.
#ifndef KCP_CNGHTTP2_SHIM_H
#define KCP_CNGHTTP2_SHIM_H
#include <nghttp2/nghttp2.h>
#endif
