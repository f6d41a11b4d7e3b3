/* The benchmark's traced workload: N TCP connections on loopback, each
 * connected and closed at once (a child accepts and closes; the client
 * closes when it sees the end).  The accepting side closes first, so the
 * TIME_WAIT stays on its fixed port and the client's ephemeral ports never
 * run out, however often the loop runs.  Prints the wall seconds the N
 * connect/close took, then the CPU seconds (user + system) both sides
 * spent (what a program traced in the kernel adds shows there too).  Bounded: N at most 100000, 120 s.  connloop N [PORT]:
 * the accepting side on PORT (default: any free one). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	if (n <= 0 || n > 100000)
		return 2;
	alarm(120);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				.sin_port = htons((unsigned short)(argc > 2 ? atoi(argv[2]) : 0))};
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	socklen_t al = sizeof(a);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 4096) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &al) < 0)
		return 1;
	pid_t kid = fork();
	if (kid == 0) {
		for (long i = 0; i < n; i++) {
			int c = accept(l, NULL, NULL);
			if (c < 0)
				_exit(1);
			close(c);
		}
		_exit(0);
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		char b;
		if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 || read(s, &b, 1) != 0)
			return 1;
		close(s);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int st;
	waitpid(kid, &st, 0);
	struct rusage me, kids;
	getrusage(RUSAGE_SELF, &me);
	getrusage(RUSAGE_CHILDREN, &kids);
	double cpu = (double)(me.ru_utime.tv_sec + me.ru_stime.tv_sec + kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
		     (me.ru_utime.tv_usec + me.ru_stime.tv_usec + kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e6;
	printf("%.4f %.4f\n", (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, cpu);
	return 0;
}
