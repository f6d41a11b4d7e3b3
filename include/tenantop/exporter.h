/* --listen ADDR:PORT: serve the latest refresh at /metrics in the
 * Prometheus text format (libmicrohttpd, its own thread).  A scrape never
 * triggers a collection: it gets the text of the last refresh. */
#ifndef TENANTOP_EXPORTER_H
#define TENANTOP_EXPORTER_H

#include <stddef.h>
#include <sys/socket.h>

typedef struct tt_exporter tt_exporter;
struct tt_web_config;

/* "127.0.0.1:9817", "[::1]:9817", ":9817" (every address); WC (NULL: plain
 * HTTP, no users) adds TLS and basic auth and must outlive the exporter.
 * NULL with a message. */
tt_exporter *tt_exporter_start(const char *listen, const struct tt_web_config *wc, char *err, size_t errlen);
/* Parse ADDR:PORT (strict: port 1..65535 in digits).  0, or -1. */
int tt_listen_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len);
/* Replace the text served (copied). */
void tt_exporter_publish(tt_exporter *x, const char *text, size_t len);
/* Scrapes answered so far. */
unsigned long tt_exporter_scrapes(tt_exporter *x);
void tt_exporter_stop(tt_exporter *x);

#endif
