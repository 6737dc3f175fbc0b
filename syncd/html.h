/* html.h - writing the dashboard's HTML: escaped text into a buffer */
#ifndef SYNCD_HTML_H
#define SYNCD_HTML_H

#include "buf.h"

/* Appends text with & < > " ' escaped, safe in element content and quoted attributes.
 * Same returns as buf_append. */
int html_put(buf *b, const char *text);

#endif
