// SPDX-License-Identifier: GPL-2.0
/*
 * Every l2tpss command, reads included, needs CAP_NET_ADMIN over the netns,
 * as ip l2tp and ip xfrm do (l2tpss shows peers, SPIs and reqids): without
 * it the kernel answers EPERM, before looking at any attribute. So does
 * joining the "events" group. Commands added later are checked too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include <linux/l2tpss.h>

#include "kselftest_harness.h"

static void drop_net_admin(struct __test_metadata *_metadata)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	ASSERT_EQ(0, syscall(SYS_capget, &hdr, data));
	data[0].effective &= ~(1U << CAP_NET_ADMIN);
	data[0].permitted &= ~(1U << CAP_NET_ADMIN);
	data[0].inheritable &= ~(1U << CAP_NET_ADMIN);
	ASSERT_EQ(0, syscall(SYS_capset, &hdr, data));
	ASSERT_EQ(0, prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN, 0, 0, 0));
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	*(int *)arg = 0;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	*(int *)arg = -err->error;
	return NL_STOP;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	*(int *)arg = 0;
	return NL_STOP;
}

/*
 * Sends @cmd with no attribute, as a request or (@dump) a dump, and returns
 * the kernel's errno (0 if none). Reads up to the ack or the dump's end: a
 * reply comes before it, in a read of its own.
 */
static int send_cmd_as(struct nl_sock *sk, int family, int cmd, bool dump)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	struct nl_msg *msg = nlmsg_alloc();
	int err, result = -1;

	if (!msg || !cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &result);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &result);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &result);
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
		    dump ? NLM_F_DUMP : 0, cmd, L2TPSS_GENL_VERSION);
	err = nl_send_auto(sk, msg);
	while (err >= 0 && result < 0)
		err = nl_recvmsgs(sk, cb);
	nlmsg_free(msg);
	nl_cb_put(cb);
	return result;
}

static int send_cmd(struct nl_sock *sk, int family, int cmd)
{
	return send_cmd_as(sk, family, cmd, false);
}

FIXTURE(genl) {
	struct nl_sock *sk;
	int family;
};

FIXTURE_SETUP(genl)
{
	self->sk = nl_socket_alloc();
	ASSERT_NE(NULL, self->sk);
	ASSERT_EQ(0, genl_connect(self->sk));
	self->family = genl_ctrl_resolve(self->sk, L2TPSS_GENL_NAME);
	ASSERT_LT(0, self->family) TH_LOG("is l2tpss loaded?");
}

FIXTURE_TEARDOWN(genl)
{
	nl_socket_free(self->sk);
}

TEST_F(genl, every_command_needs_cap_net_admin)
{
	int cmd;

	drop_net_admin(_metadata);
	for (cmd = 1; cmd <= L2TPSS_CMD_MAX; cmd++) {
		/* A command is a request, a dump, or both. */
		int as_do = send_cmd_as(self->sk, self->family, cmd, false);
		int as_dump = send_cmd_as(self->sk, self->family, cmd, true);

		if (cmd == L2TPSS_CMD_EVENT)
			continue;	/* a notification, not a request */
		EXPECT_TRUE(as_do == EPERM || as_dump == EPERM)
			TH_LOG("command %d: %d as a request, %d as a dump",
			       cmd, as_do, as_dump);
		EXPECT_TRUE(as_do == EPERM || as_do == EOPNOTSUPP)
			TH_LOG("command %d as a request: %d", cmd, as_do);
		EXPECT_TRUE(as_dump == EPERM || as_dump == EOPNOTSUPP)
			TH_LOG("command %d as a dump: %d", cmd, as_dump);
	}
}

TEST_F(genl, events_need_cap_net_admin)
{
	int group = genl_ctrl_resolve_grp(self->sk, L2TPSS_GENL_NAME,
					  L2TPSS_MCGRP_EVENTS);

	ASSERT_LT(0, group);
	drop_net_admin(_metadata);
	EXPECT_EQ(-NLE_PERM, nl_socket_add_membership(self->sk, group));
}

TEST_F(genl, root_may_listen)
{
	int group = genl_ctrl_resolve_grp(self->sk, L2TPSS_GENL_NAME,
					  L2TPSS_MCGRP_EVENTS);

	ASSERT_LT(0, group);
	EXPECT_EQ(0, nl_socket_add_membership(self->sk, group));
}

/* The capability counts over the netns's user namespace, not the caller's. */
TEST_F(genl, own_user_ns_is_not_enough)
{
	ASSERT_EQ(0, unshare(CLONE_NEWUSER));
	/* Full capabilities in the new user ns; the netns is not its own. */
	EXPECT_EQ(EPERM, send_cmd(self->sk, self->family,
				  L2TPSS_CMD_DEFAULTS_SET));
	EXPECT_EQ(EPERM, send_cmd_as(self->sk, self->family,
				     L2TPSS_CMD_CONN_GET, true));
}

/* ... and a user ns that owns the netns grants it there. */
TEST(own_netns_is_enough)
{
	struct nl_sock *sk;
	int family;

	ASSERT_EQ(0, unshare(CLONE_NEWUSER | CLONE_NEWNET));
	sk = nl_socket_alloc();
	ASSERT_NE(NULL, sk);
	ASSERT_EQ(0, genl_connect(sk));
	family = genl_ctrl_resolve(sk, L2TPSS_GENL_NAME);
	ASSERT_LT(0, family);
	/* Past the check: rejected for the missing attribute instead. */
	EXPECT_EQ(EINVAL, send_cmd(sk, family, L2TPSS_CMD_DEFAULTS_SET));
	EXPECT_EQ(0, send_cmd(sk, family, L2TPSS_CMD_STATS_GET));
	nl_socket_free(sk);
}

TEST_F(genl, root_passes_the_check)
{
	/* Not EPERM: the request is rejected for its missing attribute. */
	EXPECT_EQ(EINVAL, send_cmd(self->sk, self->family,
				   L2TPSS_CMD_DEFAULTS_SET));
}

TEST_HARNESS_MAIN
