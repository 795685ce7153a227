// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's traffic: sends COUNT UDP datagrams to ADDR:PORT (IPv4 or
 * IPv6) as fast as it can, from source port SPORT (0: any), each carrying
 * PAYLOAD (hex; default 64 zero bytes), and prints how many it sent and in
 * how many seconds of the guest's clock. What arrived is counted at the
 * receiver, not here. Over veth (and a pseudowire over it) the receiving
 * side's input path runs in the sender's context, so the sender's clock
 * covers both ends.
 *
 * Usage: udp_flood ADDR PORT COUNT [SPORT [PAYLOAD]]
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage dst = { 0 }, src = { 0 };
	struct sockaddr_in *d4 = (void *)&dst, *s4 = (void *)&src;
	struct sockaddr_in6 *d6 = (void *)&dst, *s6 = (void *)&src;
	unsigned char payload[1024] = { 0 };
	size_t plen = 64, i;
	struct timespec a, b;
	socklen_t alen;
	long n, count;
	int fd, port;
	double s;

	if (argc < 4 || argc > 6) {
		fprintf(stderr, "usage: udp_flood ADDR PORT COUNT [SPORT [PAYLOAD]]\n");
		return 2;
	}
	port = atoi(argv[2]);
	if (inet_pton(AF_INET, argv[1], &d4->sin_addr) == 1) {
		d4->sin_family = AF_INET;
		d4->sin_port = htons(port);
		s4->sin_family = AF_INET;
		s4->sin_port = htons(argc > 4 ? atoi(argv[4]) : 0);
		alen = sizeof(*d4);
	} else if (inet_pton(AF_INET6, argv[1], &d6->sin6_addr) == 1) {
		d6->sin6_family = AF_INET6;
		d6->sin6_port = htons(port);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(argc > 4 ? atoi(argv[4]) : 0);
		alen = sizeof(*d6);
	} else {
		fprintf(stderr, "udp_flood: bad address %s\n", argv[1]);
		return 2;
	}
	count = atol(argv[3]);
	if (argc > 5) {
		plen = strlen(argv[5]) / 2;
		if (strlen(argv[5]) % 2 || plen > sizeof(payload)) {
			fprintf(stderr, "udp_flood: bad payload\n");
			return 2;
		}
		for (i = 0; i < plen; i++) {
			int hi = hex(argv[5][2 * i]), lo = hex(argv[5][2 * i + 1]);

			if (hi < 0 || lo < 0) {
				fprintf(stderr, "udp_flood: bad payload\n");
				return 2;
			}
			payload[i] = hi << 4 | lo;
		}
	}
	/* Unconnected: the port unreachable errors do not come back. */
	fd = socket(dst.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&src, alen)) {
		perror("udp_flood");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (n = 0; n < count; n++)
		sendto(fd, payload, plen, 0, (struct sockaddr *)&dst, alen);
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%ld %.6f\n", count, s);
	return 0;
}
