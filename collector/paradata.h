/* paradata.h - how an interview was taken: times, time per question, device, versions */
#ifndef COLLECTOR_PARADATA_H
#define COLLECTOR_PARADATA_H

#include <cjson/cJSON.h>

/* Paradata is a JSON object stored with every case and revision:
 *   {"started_at": "2026-11-29T09:10:00Z", "ended_at": "...", "device_id": "...",
 *    "enumerator": "...", "program_version": "0.1.0", "form_id": "...", "form_version": 1,
 *    "sessions": 2, "source": "interview" | "import",
 *    "seconds": {"district": 3.2, "members[2]/m_age": 1.5}}
 * "seconds" adds up the time the screen of each question was shown. */

/* A new paradata object for an interview starting now. NULL when out of memory. */
cJSON *paradata_new(const char *enumerator, const char *device_id, const char *form_id,
                    int form_version, const char *source);

/* Parses stored paradata; on bad or missing text returns a fresh object (paradata
 * never blocks an interview). */
cJSON *paradata_parse(const char *text);

/* Counts one more session (a resume, an edit) and stamps the program version. */
void paradata_session(cJSON *p);

/* Adds seconds to the time spent on place ("members[2]/m_age"). */
void paradata_add_time(cJSON *p, const char *place, double seconds);

/* Sets ended_at to now. */
void paradata_end(cJSON *p);

/* The paradata as compact JSON text, owned by the caller (free()). NULL on no memory. */
char *paradata_text(const cJSON *p);

#endif
