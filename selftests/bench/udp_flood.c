// SPDX-License-Identifier: GPL-2.0
/*
 * What the packet filter costs traffic that is not L2TP: sends COUNT small
 * UDP datagrams to ADDR:PORT as fast as it can and prints the rate. Over a
 * veth pair the receiving side's input path runs in the sender's context,
 * so both hooks, output and input, are in the measure.
 *
 * Usage: udp_flood ADDR PORT COUNT
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	char payload[64] = { 0 };
	struct timespec a, b;
	long i, count;
	double s;
	int fd;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
		fprintf(stderr, "usage: udp_flood ADDR PORT COUNT\n");
		return 2;
	}
	dst.sin_port = htons(atoi(argv[2]));
	count = atol(argv[3]);
	/* Unconnected: the port unreachable errors do not come back. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udp_flood");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < count; i++)
		sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&dst,
		       sizeof(dst));
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%.0f\n", count / s);
	return 0;
}
