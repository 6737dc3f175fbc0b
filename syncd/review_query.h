/* review_query.h - a case list's filters, order and page as a request's query string gives
 * them (?status=&commune=&enumerator=&village=&from=&to=&flag=&q=&sort=&order=&offset=&limit=):
 * one reading for the JSON API and the supervisors' pages (docs/protocol.md, "Review"). */
#ifndef SYNCD_REVIEW_QUERY_H
#define SYNCD_REVIEW_QUERY_H

#include "httpd.h"
#include "store.h"

#define RQ_TEXT_MAX 64 /* bytes in one filter's text */

/* Fills q from r's query; strings point into the request. An empty parameter is no filter.
 * limit: absent means max_limit, more than max_limit is refused. DT_EINVAL with err saying
 * which parameter is wrong. */
int rq_parse(const http_req *r, store_case_query *q, int max_limit, dt_err *err);

/* The name of a sort order in the query ("updated", "interviewed", "household", "enumerator",
 * "commune"). */
const char *rq_sort_name(store_sort s);

#endif
