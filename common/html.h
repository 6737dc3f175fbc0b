/* html.h - writing HTML pages (the dashboard, the collector's page): escaped text into a buffer */
#ifndef DT_HTML_H
#define DT_HTML_H

#include "buf.h"

/* Appends text with & < > " ' escaped, safe in element content and quoted attributes.
 * Same returns as buf_append. */
int html_put(buf *b, const char *text);

#endif
