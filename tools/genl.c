// SPDX-License-Identifier: GPL-2.0
/*
 * The libnl-genl layer: one socket, requests to the l2tpss family, and error
 * reports that carry the kernel's extended ack (message, attribute, range).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "l2tpss-ctl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static struct nl_sock *sock;
static int family;

static void connect_family(void)
{
	int one = 1;

	if (sock)
		return;
	sock = nl_socket_alloc();
	if (!sock)
		fail(EXIT_FAIL, "out of memory");
	if (genl_connect(sock))
		fail(EXIT_FAIL, "cannot open a generic netlink socket");
	/* Error messages and the offending attribute, not the echoed request. */
	setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	family = genl_ctrl_resolve(sock, L2TPSS_GENL_NAME);
	if (family < 0)
		fail(EXIT_FAIL, "the l2tpss module is not loaded (modprobe l2tpss)");
}

void genl_close(void)
{
	if (sock)
		nl_socket_free(sock);
	sock = NULL;
}

/* The family id is filled in by request_run(), so that arguments are
 * checked before anything needs the module.
 */
struct nl_msg *request_new(uint8_t cmd, bool dump)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg ||
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0,
			 dump ? NLM_F_DUMP : 0, cmd, L2TPSS_GENL_VERSION))
		fail(EXIT_FAIL, "out of memory");
	return msg;
}

struct request {
	struct nl_msg *msg;
	reply_fn fn;
	void *arg;
	bool done;		/* the ack, the error or the end of the dump */
	int error;		/* positive errno from the kernel */
	char extack[256];	/* what the kernel said, completed with context */
};

/*
 * The attribute of our request at byte @offset, searched through nests, and
 * the type of the nest it is in (0 at the top).
 */
static struct nlattr *attr_in(struct nlattr *head, int len, char *base,
			      uint32_t offset, int parent, int *outer)
{
	struct nlattr *attr, *found;
	int rem;

	nla_for_each_attr(attr, head, len, rem) {
		if ((char *)attr - base == offset) {
			*outer = parent;
			return attr;
		}
		if (!(attr->nla_type & NLA_F_NESTED))
			continue;
		found = attr_in(nla_data(attr), nla_len(attr), base, offset,
				nla_type(attr), outer);
		if (found)
			return found;
	}
	return NULL;
}

/* "idle-timeout 99999: ", "tunnel 7: " for the attribute at @offset. */
static void describe_attr(struct request *req, uint32_t offset,
			  char *buf, size_t size)
{
	struct nlmsghdr *nlh = nlmsg_hdr(req->msg);
	struct nlattr *attr;
	int outer, type;

	attr = attr_in(genlmsg_attrdata(nlmsg_data(nlh), 0),
		       genlmsg_attrlen(nlmsg_data(nlh), 0), (char *)nlh,
		       offset, 0, &outer);
	if (!attr)
		return;
	type = nla_type(attr);
	/* Settings are the nest L2TPSS_A_SETTINGS, or the profile's. */
	if ((outer == L2TPSS_A_SETTINGS ||
	     outer == L2TPSS_PROFILE_A_SETTINGS) && nla_len(attr) == 1)
		snprintf(buf, size, "%s %s: ", setting_name(type),
			 on_off(nla_get_u8(attr)));
	else if (outer == L2TPSS_A_SETTINGS ||
		 outer == L2TPSS_PROFILE_A_SETTINGS)
		snprintf(buf, size, "%s %u: ", setting_name(type),
			 nla_get_u32(attr));
	else if (!outer && type == L2TPSS_A_TUNNEL_ID)
		snprintf(buf, size, "tunnel %u: ", nla_get_u32(attr));
	else if (!outer && type == L2TPSS_A_MAX_RECORDS)
		snprintf(buf, size, "max-records %u: ", nla_get_u32(attr));
	else if (outer == L2TPSS_A_PROFILE && type == L2TPSS_PROFILE_A_NAME)
		snprintf(buf, size, "profile %s: ", nla_get_string(attr));
}

static void describe_range(struct request *req, struct nlattr *policy)
{
	struct nlattr *tb[NL_POLICY_TYPE_ATTR_MAX + 1];
	size_t len = strlen(req->extack);

	if (nla_parse_nested(tb, NL_POLICY_TYPE_ATTR_MAX, policy, NULL) ||
	    !tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U] ||
	    !tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U])
		return;
	snprintf(req->extack + len, sizeof(req->extack) - len,
		 ", valid %llu..%llu",
		 (unsigned long long)nla_get_u64(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U]),
		 (unsigned long long)nla_get_u64(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U]));
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	struct request *req = arg;
	int ack_len = sizeof(*err);
	char what[64] = "";

	req->done = true;
	req->error = -err->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		ack_len += err->msg.nlmsg_len - NLMSG_HDRLEN;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)err + ack_len),
		      nlh->nlmsg_len - NLMSG_HDRLEN - ack_len, NULL))
		return NL_STOP;

	if (!tb[NLMSGERR_ATTR_MSG])
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_OFFS])
		describe_attr(req, nla_get_u32(tb[NLMSGERR_ATTR_OFFS]),
			      what, sizeof(what));
	snprintf(req->extack, sizeof(req->extack), "%s%s", what,
		 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_POLICY])
		describe_range(req, tb[NLMSGERR_ATTR_POLICY]);
	return NL_STOP;
}

static int on_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *attrs[L2TPSS_A_MAX + 1];
	struct request *req = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, L2TPSS_A_MAX, NULL))
		return NL_SKIP;
	return req->fn ? req->fn(attrs, req->arg) : NL_OK;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	req->done = true;
	return NL_STOP;
}

static const char *hint(int error)
{
	switch (error) {
	case EPERM:
		return " (needs CAP_NET_ADMIN in this network namespace)";
	case EOPNOTSUPP:
		return " (the loaded module is older than this l2tpss-ctl)";
	default:
		return "";
	}
}

void request_run(struct nl_msg *msg, reply_fn fn, void *arg,
		 const char *what)
{
	struct request req = { .msg = msg, .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int err;

	/* A batch's first pass: the words made a request; send nothing. */
	if (opts.dry_run) {
		nlmsg_free(msg);
		return;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		fail(EXIT_FAIL, "out of memory");
	connect_family();
	nlmsg_hdr(msg)->nlmsg_type = family;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &req);

	/* A reply and its ack come in separate reads: read up to the ack. */
	err = nl_send_auto(sock, msg);
	while (err >= 0 && !req.done)
		err = nl_recvmsgs(sock, cb);
	nl_cb_put(cb);

	if (req.error)
		fail(EXIT_FAIL, "%s: %s%s", what,
		     req.extack[0] ? req.extack : strerror(req.error),
		     hint(req.error));
	if (err < 0)
		fail(EXIT_FAIL, "%s: %s", what, nl_geterror(err));
	nlmsg_free(msg);
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

/* Calls @fn for every event of the "events" group; returns on error only. */
void events_listen(reply_fn fn, void *arg)
{
	struct request req = { .fn = fn, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int group, err, rcvbuf = 4 << 20;

	if (!cb)
		fail(EXIT_FAIL, "out of memory");
	connect_family();
	group = genl_ctrl_resolve_grp(sock, L2TPSS_GENL_NAME,
				      L2TPSS_MCGRP_EVENTS);
	if (group < 0)
		fail(EXIT_FAIL, "monitor: no events group: %s",
		     nl_geterror(group));
	err = nl_socket_add_membership(sock, group);
	if (err == -NLE_PERM)
		fail(EXIT_FAIL, "monitor: cannot join the events group: %s%s",
		     strerror(EPERM), hint(EPERM));
	if (err)
		fail(EXIT_FAIL, "monitor: cannot join the events group: %s",
		     nl_geterror(err));
	/*
	 * Bursts (a daemon's batch of tunnels, evictions) come faster than
	 * a terminal reads: a large buffer, and a word when it overran.
	 */
	if (setsockopt(nl_socket_get_fd(sock), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)))
		setsockopt(nl_socket_get_fd(sock), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	/* Events are not answers: no sequence number to match. */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, &req);
	for (;;) {
		err = nl_recvmsgs(sock, cb);
		if (err >= 0)
			continue;
		if (err != -NLE_NOMEM)
			break;
		fflush(stdout);
		fputs("l2tpss-ctl: monitor: events lost (receive buffer overrun); stats counts them all\n",
		      stderr);
	}
	fail(EXIT_FAIL, "monitor: %s", nl_geterror(err));
}
