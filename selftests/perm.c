// SPDX-License-Identifier: GPL-2.0
/*
 * Every l2tpss command that is not a read needs CAP_NET_ADMIN over the netns:
 * without it the kernel answers EPERM, before looking at any attribute. The
 * list of reads is here; any other command, including ones added later, is a
 * write and is checked.
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

/* Commands that change nothing; every other one is a write. */
static const int read_cmds[] = {
	L2TPSS_CMD_VERSION_GET,
	L2TPSS_CMD_TUNNEL_GET,
	L2TPSS_CMD_DEFAULTS_GET,
	L2TPSS_CMD_PROFILE_GET,
	L2TPSS_CMD_STATS_GET,
	L2TPSS_CMD_CONN_GET,
	L2TPSS_CMD_EVENT,	/* a notification, not a request */
};

static bool is_read(int cmd)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(read_cmds); i++)
		if (read_cmds[i] == cmd)
			return true;
	return false;
}

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

/*
 * Sends @cmd with no attribute and returns the kernel's errno (0 if none).
 * Reads up to the ack: a reply comes before it, in a read of its own.
 */
static int send_cmd(struct nl_sock *sk, int family, int cmd)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	struct nl_msg *msg = nlmsg_alloc();
	int err, result = -1;

	if (!msg || !cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &result);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &result);
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, cmd,
		    L2TPSS_GENL_VERSION);
	err = nl_send_auto(sk, msg);
	while (err >= 0 && result < 0)
		err = nl_recvmsgs(sk, cb);
	nlmsg_free(msg);
	nl_cb_put(cb);
	return result;
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

TEST_F(genl, writes_need_cap_net_admin)
{
	int cmd, writes = 0;

	drop_net_admin(_metadata);
	for (cmd = 1; cmd <= L2TPSS_CMD_MAX; cmd++) {
		int err = send_cmd(self->sk, self->family, cmd);

		if (is_read(cmd)) {
			EXPECT_NE(EPERM, err) TH_LOG("read command %d", cmd);
		} else {
			EXPECT_EQ(EPERM, err) TH_LOG("write command %d", cmd);
			writes++;
		}
	}
	EXPECT_LT(0, writes);
}

/* The capability counts over the netns's user namespace, not the caller's. */
TEST_F(genl, own_user_ns_is_not_enough)
{
	ASSERT_EQ(0, unshare(CLONE_NEWUSER));
	/* Full capabilities in the new user ns; the netns is not its own. */
	EXPECT_EQ(EPERM, send_cmd(self->sk, self->family,
				  L2TPSS_CMD_DEFAULTS_SET));
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
	nl_socket_free(sk);
}

TEST_F(genl, root_passes_the_check)
{
	/* Not EPERM: the request is rejected for its missing attribute. */
	EXPECT_EQ(EINVAL, send_cmd(self->sk, self->family,
				   L2TPSS_CMD_DEFAULTS_SET));
}

TEST_HARNESS_MAIN
