#ifndef SURGTOP_CZLIB_H
#define SURGTOP_CZLIB_H
#include <zlib.h>

/// inflateInit2 is a macro: this starts a z_stream that reads gzip (or zlib) data, detected
/// from its header. Returns Z_OK on success.
int surg_inflate_init_gzip(z_stream *stream);
#endif
