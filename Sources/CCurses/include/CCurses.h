#ifndef SURGTOP_CCURSES_H
#define SURGTOP_CCURSES_H
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <ncursesw/ncurses.h>
#endif
