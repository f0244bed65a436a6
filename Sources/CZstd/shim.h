#ifndef SURGTOP_CZSTD_H
#define SURGTOP_CZSTD_H
// Debian's libzstd-dev: MCAP chunks are compressed with zstd.
#include <zstd.h>
#endif
