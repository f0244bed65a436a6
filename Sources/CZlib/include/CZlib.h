#ifndef SURGTOP_CZLIB_H
#define SURGTOP_CZLIB_H
#include <zlib.h>
#endif
