#ifndef SURGTOP_CZLIB_H
#define SURGTOP_CZLIB_H
#include <zlib.h>

/// inflateInit2 is a macro: this starts a z_stream that reads gzip (or zlib) data, detected
/// from its header. Returns Z_OK on success.
int surg_inflate_init_gzip(z_stream *stream);

/// deflateInit2 is a macro too: this starts a z_stream that writes one gzip member at `level`.
int surg_deflate_init_gzip(z_stream *stream, int level);
#endif
