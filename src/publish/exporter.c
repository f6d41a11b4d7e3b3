/* src/publish/ owns what leaves the process while it runs: the metrics endpoint and
 * its web configuration, the textfile, the alert log, syslog and hooks.
 *
 * The Prometheus endpoint on libmicrohttpd: GET /metrics returns the text
 * published by the last refresh; / says where the metrics are; anything else
 * is 404, any method but GET/HEAD 405. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "publish/api_mhd.h"
#include "tenantop/exporter.h"
#include "tenantop/webconfig.h"

struct tt_exporter {
	struct MHD_Daemon *d;
	const tt_web_config *wc; /* TLS and users, or NULL */
	pthread_mutex_t mu;
	char *text;
	size_t len;
	unsigned long scrapes;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, const char *body,
			     size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *upload, size_t *upload_len, void **con_cls)
{
	(void)version, (void)upload, (void)upload_len, (void)con_cls;
	struct tt_exporter *x = cls;
	if (x->wc && x->wc->nusers) {
		char *pass = NULL;
		char *user = MHD_basic_auth_get_username_password(c, &pass);
		bool ok = user && tt_web_auth_ok(x->wc, user, pass);
		free(user);
		free(pass);
		if (!ok) {
			static const char body[] = "401 Unauthorized\n";
			struct MHD_Response *r =
				MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
			if (!r)
				return MHD_NO;
			enum MHD_Result ret = MHD_queue_basic_auth_fail_response(c, "tenantop", r);
			MHD_destroy_response(r);
			return ret;
		}
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(c, 405, "text/plain", "method not allowed\n", 19);
	if (!strcmp(url, "/metrics")) {
		pthread_mutex_lock(&x->mu);
		x->scrapes++;
		enum MHD_Result r;
		if (!x->text)
			r = reply(c, 503, "text/plain", "no refresh yet\n", 15);
		else
			r = reply(c, 200, "text/plain; version=0.0.4; charset=utf-8", x->text, x->len);
		pthread_mutex_unlock(&x->mu);
		return r;
	}
	if (!strcmp(url, "/")) {
		static const char page[] = "tenantop exporter: the metrics are at /metrics\n";
		return reply(c, 200, "text/plain", page, sizeof(page) - 1);
	}
	return reply(c, 404, "text/plain", "not found\n", 10);
}

int tt_listen_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	const char *colon = strrchr(s, ':');
	if (!colon || !colon[1] || strlen(colon + 1) > 5)
		return -1;
	long port = 0;
	for (const char *p = colon + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		port = port * 10 + (*p - '0');
	}
	if (port < 1 || port > 65535)
		return -1;
	char host[80];
	size_t hl = (size_t)(colon - s);
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (!host[0]) {
		a6->sin6_family = AF_INET6;
		a6->sin6_addr = in6addr_any;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
	} else if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
	} else {
		return -1;
	}
	return 0;
}

tt_exporter *tt_exporter_start(const char *addr, const tt_web_config *wc, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	if (tt_listen_parse(addr, &ss, &sl) < 0) {
		snprintf(err, errlen, "--listen wants ADDRESS:PORT (127.0.0.1:9817, [::1]:9817, :9817), not '%s'", addr);
		return NULL;
	}
	char why[300];
	if (tt_mhd_load(why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--listen: %s", why);
		return NULL;
	}
	struct tt_exporter *x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* our own listening socket, so that a failure says its real cause */
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1, zero = 0;
	if (fd < 0) {
		snprintf(err, errlen, "--listen %s: socket: %s", addr, strerror(errno));
		free(x);
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 64) < 0) {
		int e = errno;
		snprintf(err, errlen, "--listen %s: cannot listen there: %s%s", addr, strerror(e),
			 e == EADDRINUSE       ? " (another program holds this port)"
			 : e == EADDRNOTAVAIL ? " (not an address of this host)"
			 : e == EACCES        ? " (a port below 1024 needs root or CAP_NET_BIND_SERVICE)"
					      : "");
		close(fd);
		free(x);
		return NULL;
	}
	pthread_mutex_init(&x->mu, NULL);
	x->wc = wc;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD; /* no error log: stderr may be the dashboard */
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (wc && wc->tls) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, errlen, "--web-config: this libmicrohttpd was built without TLS");
			close(fd);
			pthread_mutex_destroy(&x->mu);
			free(x);
			return NULL;
		}
		flags |= MHD_USE_TLS;
		x->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, x, MHD_OPTION_LISTEN_SOCKET, fd,
					MHD_OPTION_HTTPS_MEM_CERT, wc->cert_pem, MHD_OPTION_HTTPS_MEM_KEY, wc->key_pem,
					MHD_OPTION_CONNECTION_LIMIT, 32u, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	} else {
		x->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, x, MHD_OPTION_LISTEN_SOCKET, fd,
					MHD_OPTION_CONNECTION_LIMIT, 32u, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	}
	if (!x->d) {
		snprintf(err, errlen, "--listen %s: the HTTP server did not start%s", addr,
			 wc && wc->tls ? " (are cert_file and key_file a matching PEM certificate and key?)" : "");
		close(fd);
		pthread_mutex_destroy(&x->mu);
		free(x);
		return NULL;
	}
	return x;
}

void tt_exporter_publish(tt_exporter *x, const char *text, size_t len)
{
	char *copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, text, len);
	copy[len] = '\0';
	pthread_mutex_lock(&x->mu);
	free(x->text);
	x->text = copy;
	x->len = len;
	pthread_mutex_unlock(&x->mu);
}

unsigned long tt_exporter_scrapes(tt_exporter *x)
{
	pthread_mutex_lock(&x->mu);
	unsigned long n = x->scrapes;
	pthread_mutex_unlock(&x->mu);
	return n;
}

void tt_exporter_stop(tt_exporter *x)
{
	if (!x)
		return;
	MHD_stop_daemon(x->d);
	pthread_mutex_destroy(&x->mu);
	free(x->text);
	free(x);
}
