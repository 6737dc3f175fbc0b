/* web.h - the interview in a browser: `collector serve` on the loopback, the enumerator's
 * home and the interview's pages on the same interview sessions as the terminal
 * (isess.h), guarded by a secret of the run (docs/collector.md, "The page") */
#ifndef COLLECTOR_WEB_H
#define COLLECTOR_WEB_H

#include "cstore.h"
#include "httpd.h"

#define WEB_COOKIE     "dieutra_collector"
#define WEB_SECRET_LEN 64 /* hex characters */
#define WEB_SESSIONS   8  /* interviews open at once in one run */

typedef struct web_app web_app;

/* A server of the pages for cs on listen (a loopback address; port 0 picks one), its
 * texts in lang (UI_VI, UI_EN). *port_out is the port; secret (WEB_SECRET_LEN + 1 bytes)
 * receives the run's secret, which the first address carries. Returns 0, DT_EINVAL (not
 * a loopback address) or DT_EIO. */
int web_start(web_app **out, http_server **srv, int *port_out, char *secret, cstore *cs,
              const char *listen, int lang, dt_err *err);
/* Stops the server, saves and closes the interviews still open. Accepts NULL. */
void web_stop(web_app *a, http_server *srv);

#endif
