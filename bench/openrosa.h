/* openrosa.h - the OpenRosa side of the wire benchmark: an interview's answers as the XML
 * instance ODK Collect submits */
#ifndef BENCH_OPENROSA_H
#define BENCH_OPENROSA_H

#include "engine.h"

/* The interview's answers as the XML instance ODK Collect would submit for them:
 * `<?xml version='1.0' ?><FORM_ID id="FORM_ID" version="V">...<meta><instanceID>uuid:ID
 * </instanceID></meta></FORM_ID>`, in document order; groups are nested elements, each
 * repeat instance is one repeated element, non-relevant questions and groups are left
 * out (as JavaRosa leaves them out of a submission), relevant but unanswered ones and
 * notes are empty elements, calculations carry their values, select_multiple answers
 * are space-separated codes, text is XML-escaped. instance_id is a UUID. Returns the
 * text (NUL-terminated, owned by the caller: free()), or NULL when out of memory. */
char *openrosa_instance(interview *iv, const char *instance_id);

#endif
