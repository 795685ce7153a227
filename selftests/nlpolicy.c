// SPDX-License-Identifier: GPL-2.0
/*
 * Every attribute check of the l2tpss family: out-of-range values, wrong
 * types and lengths, unknown and missing attributes, nests without
 * NLA_F_NESTED, reserved header bits. Each bad request is refused with the
 * expected errno and an extack message, and changes nothing.
 */
#include <errno.h>
#include <string.h>

#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include <linux/l2tpss.h>

#include "kselftest_harness.h"

struct answer {
	int error;		/* errno, 0 for an ack, -1 before an answer */
	char msg[128];		/* the extack message */
};

static int on_ack(struct nl_msg *msg, void *arg)
{
	((struct answer *)arg)->error = 0;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	struct answer *a = arg;
	int len = sizeof(*err);

	a->error = -err->error;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		len += err->msg.nlmsg_len - NLMSG_HDRLEN;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    !nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)err + len),
		       nlh->nlmsg_len - NLMSG_HDRLEN - len, NULL) &&
	    tb[NLMSGERR_ATTR_MSG])
		snprintf(a->msg, sizeof(a->msg), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	return NL_STOP;
}

FIXTURE(nl) {
	struct nl_sock *sk;
	int family;
	struct nl_msg *msg;
	struct answer answer;
};

FIXTURE_SETUP(nl)
{
	int one = 1;

	self->sk = nl_socket_alloc();
	ASSERT_NE(NULL, self->sk);
	ASSERT_EQ(0, genl_connect(self->sk));
	setsockopt(nl_socket_get_fd(self->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(self->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	self->family = genl_ctrl_resolve(self->sk, L2TPSS_GENL_NAME);
	ASSERT_LT(0, self->family) TH_LOG("is l2tpss loaded?");
}

FIXTURE_TEARDOWN(nl)
{
	nl_socket_free(self->sk);
}

static struct nl_msg *new_msg(FIXTURE_DATA(nl) *self, int cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, self->family, 0, 0, cmd,
		    L2TPSS_GENL_VERSION);
	return msg;
}

/*
 * Sends @msg (and frees it), passes replies to @valid; reads up to the ack.
 * The answer is in self->answer.
 */
static int run_valid(FIXTURE_DATA(nl) *self, struct nl_msg *msg,
		     nl_recvmsg_msg_cb_t valid, void *arg)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	self->answer = (struct answer){ .error = -1 };
	if (valid)
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid, arg);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &self->answer);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &self->answer);
	err = nl_send_auto(self->sk, msg);
	while (err >= 0 && self->answer.error < 0)
		err = nl_recvmsgs(self->sk, cb);
	nl_cb_put(cb);
	nlmsg_free(msg);
	return self->answer.error;
}

static int run(FIXTURE_DATA(nl) *self, struct nl_msg *msg)
{
	return run_valid(self, msg, NULL, NULL);
}

/* DEFAULTS_SET with one setting of @type, @len bytes of @value. */
static int set_default(FIXTURE_DATA(nl) *self, int type, const void *value,
		       int len)
{
	struct nl_msg *msg = new_msg(self, L2TPSS_CMD_DEFAULTS_SET);
	struct nlattr *nest = nla_nest_start(msg, L2TPSS_A_SETTINGS);

	nla_put(msg, type, len, value);
	nla_nest_end(msg, nest);
	return run(self, msg);
}

static int set_u32(FIXTURE_DATA(nl) *self, int type, uint32_t value)
{
	return set_default(self, type, &value, sizeof(value));
}

static int set_u8(FIXTURE_DATA(nl) *self, int type, uint8_t value)
{
	return set_default(self, type, &value, sizeof(value));
}

/* The netns defaults as "single-shot idle destruct require-ipsec". */
static int on_defaults(struct nl_msg *msg, void *arg)
{
	struct nlattr *attrs[L2TPSS_A_MAX + 1], *tb[L2TPSS_SET_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, L2TPSS_A_MAX, NULL) ||
	    !attrs[L2TPSS_A_SETTINGS] ||
	    nla_parse_nested(tb, L2TPSS_SET_MAX, attrs[L2TPSS_A_SETTINGS], NULL))
		return NL_SKIP;
	snprintf(arg, 64, "%u %u %u %u", nla_get_u8(tb[L2TPSS_SET_SINGLE_SHOT]),
		 nla_get_u32(tb[L2TPSS_SET_IDLE_TIMEOUT]),
		 nla_get_u32(tb[L2TPSS_SET_DESTRUCT_TIMEOUT]),
		 nla_get_u8(tb[L2TPSS_SET_REQUIRE_IPSEC]));
	return NL_OK;
}

static void defaults(FIXTURE_DATA(nl) *self, char *buf)
{
	run_valid(self, new_msg(self, L2TPSS_CMD_DEFAULTS_GET), on_defaults,
		  buf);
}

#define EXPECT_REFUSED(err, expr, text)					\
	do {								\
		EXPECT_EQ(err, expr);					\
		EXPECT_NE(NULL, strstr(self->answer.msg, text))		\
			TH_LOG("extack: \"%s\"", self->answer.msg);	\
	} while (0)

TEST_F(nl, timeouts_in_range)
{
	EXPECT_EQ(0, set_u32(self, L2TPSS_SET_IDLE_TIMEOUT, 0));
	EXPECT_EQ(0, set_u32(self, L2TPSS_SET_IDLE_TIMEOUT, 86400));
	EXPECT_EQ(0, set_u32(self, L2TPSS_SET_DESTRUCT_TIMEOUT, 10));
	EXPECT_EQ(0, set_u32(self, L2TPSS_SET_DESTRUCT_TIMEOUT, 3600));
	EXPECT_EQ(0, set_u8(self, L2TPSS_SET_SINGLE_SHOT, 1));
	EXPECT_EQ(0, set_u8(self, L2TPSS_SET_REQUIRE_IPSEC, 0));
}

TEST_F(nl, values_out_of_range)
{
	char before[64] = "", after[64] = "";

	defaults(self, before);
	EXPECT_REFUSED(ERANGE, set_u32(self, L2TPSS_SET_IDLE_TIMEOUT, 86401),
		       "out of range");
	EXPECT_REFUSED(ERANGE, set_u32(self, L2TPSS_SET_DESTRUCT_TIMEOUT, 9),
		       "out of range");
	EXPECT_REFUSED(ERANGE, set_u32(self, L2TPSS_SET_DESTRUCT_TIMEOUT, 3601),
		       "out of range");
	EXPECT_REFUSED(ERANGE, set_u32(self, L2TPSS_SET_DESTRUCT_TIMEOUT, ~0U),
		       "out of range");
	EXPECT_REFUSED(ERANGE, set_u8(self, L2TPSS_SET_SINGLE_SHOT, 2),
		       "out of range");
	EXPECT_REFUSED(ERANGE, set_u8(self, L2TPSS_SET_REQUIRE_IPSEC, 255),
		       "out of range");
	defaults(self, after);
	EXPECT_STREQ(before, after);
}

TEST_F(nl, wrong_lengths)
{
	uint64_t wide = 5;

	EXPECT_EQ(EINVAL, set_u8(self, L2TPSS_SET_IDLE_TIMEOUT, 5));
	EXPECT_EQ(EINVAL, set_default(self, L2TPSS_SET_IDLE_TIMEOUT, &wide,
				      sizeof(wide)));
	EXPECT_EQ(EINVAL, set_u32(self, L2TPSS_SET_SINGLE_SHOT, 1));
	EXPECT_NE(0, self->answer.msg[0]);
}

TEST_F(nl, unknown_attributes)
{
	struct nlattr *nest;
	struct nl_msg *msg;

	/* Past the last setting, and type 0. */
	EXPECT_EQ(EINVAL, set_u8(self, L2TPSS_SET_MAX + 1, 1));
	EXPECT_EQ(EINVAL, set_u8(self, 0, 1));
	/* A known attribute this command does not take, beside a good one. */
	msg = new_msg(self, L2TPSS_CMD_DEFAULTS_SET);
	nest = nla_nest_start(msg, L2TPSS_A_SETTINGS);
	nla_put_u32(msg, L2TPSS_SET_IDLE_TIMEOUT, 5);
	nla_nest_end(msg, nest);
	nla_put_u32(msg, L2TPSS_A_TUNNEL_ID, 1);
	EXPECT_EQ(EINVAL, run(self, msg));
	msg = new_msg(self, L2TPSS_CMD_TUNNEL_GET);
	nla_put_u32(msg, L2TPSS_A_TUNNEL_ID, 1);
	nla_put_u8(msg, L2TPSS_A_MAX + 1, 1);
	EXPECT_EQ(EINVAL, run(self, msg));
}

TEST_F(nl, missing_attributes)
{
	struct nl_msg *msg;

	EXPECT_EQ(EINVAL, run(self, new_msg(self, L2TPSS_CMD_TUNNEL_GET)));
	EXPECT_EQ(EINVAL, run(self, new_msg(self, L2TPSS_CMD_TUNNEL_DISCONNECT)));
	EXPECT_EQ(EINVAL, run(self, new_msg(self, L2TPSS_CMD_DEFAULTS_SET)));
	msg = new_msg(self, L2TPSS_CMD_TUNNEL_SET);
	nla_put_u32(msg, L2TPSS_A_TUNNEL_ID, 1);
	EXPECT_EQ(EINVAL, run(self, msg));
	/* An empty nest, by hand: libnl drops empty nests. */
	msg = new_msg(self, L2TPSS_CMD_DEFAULTS_SET);
	nla_put(msg, NLA_F_NESTED | L2TPSS_A_SETTINGS, 0, NULL);
	EXPECT_REFUSED(EINVAL, run(self, msg), "no setting given");
}

TEST_F(nl, tunnel_id_zero)
{
	struct nl_msg *msg = new_msg(self, L2TPSS_CMD_TUNNEL_GET);

	nla_put_u32(msg, L2TPSS_A_TUNNEL_ID, 0);
	EXPECT_REFUSED(ERANGE, run(self, msg), "out of range");
	msg = new_msg(self, L2TPSS_CMD_TUNNEL_DISCONNECT);
	nla_put_u32(msg, L2TPSS_A_TUNNEL_ID, 4000000000U);
	EXPECT_REFUSED(ENOENT, run(self, msg), "no such connected tunnel");
}

TEST_F(nl, nest_without_flag)
{
	struct nl_msg *msg = new_msg(self, L2TPSS_CMD_DEFAULTS_SET);
	struct {
		struct nlattr hdr;
		uint32_t value;
	} inner = { { sizeof(inner), L2TPSS_SET_IDLE_TIMEOUT }, 5 };

	nla_put(msg, L2TPSS_A_SETTINGS, sizeof(inner), &inner);
	EXPECT_EQ(EINVAL, run(self, msg));
}

TEST_F(nl, reserved_header_field)
{
	struct nl_msg *msg = new_msg(self, L2TPSS_CMD_VERSION_GET);
	struct genlmsghdr *ghdr = nlmsg_data(nlmsg_hdr(msg));

	ghdr->reserved = 1;
	EXPECT_EQ(EINVAL, run(self, msg));
}

/* PROFILE_ADD with: name, then IPv4 peer + prefix length, as given. */
static struct nl_msg *profile_msg(FIXTURE_DATA(nl) *self, const char *name,
				  int plen)
{
	struct nl_msg *msg = new_msg(self, L2TPSS_CMD_PROFILE_ADD);
	struct nlattr *nest = nla_nest_start(msg, L2TPSS_A_PROFILE);

	if (name)
		nla_put_string(msg, L2TPSS_PROFILE_A_NAME, name);
	nla_put_u32(msg, L2TPSS_PROFILE_A_PEER_IP, htonl(0xc0000200));
	if (plen >= 0)
		nla_put_u8(msg, L2TPSS_PROFILE_A_PREFIXLEN, plen);
	nla_nest_end(msg, nest);
	return msg;
}

/* PROFILE_ADD "q" with @len bytes of IPv6 peer, and optionally more. */
static struct nl_msg *profile_q(FIXTURE_DATA(nl) *self, int len,
				int extra_type, uint32_t extra)
{
	unsigned char v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct nl_msg *msg = new_msg(self, L2TPSS_CMD_PROFILE_ADD);
	struct nlattr *nest = nla_nest_start(msg, L2TPSS_A_PROFILE);

	nla_put_string(msg, L2TPSS_PROFILE_A_NAME, "q");
	if (len)
		nla_put(msg, L2TPSS_PROFILE_A_PEER_IP6, len, v6);
	if (extra_type)
		nla_put_u32(msg, extra_type, extra);
	nla_nest_end(msg, nest);
	return msg;
}

TEST_F(nl, profiles)
{
	char long_name[L2TPSS_PROFILE_NAME_LEN + 1];
	struct nl_msg *msg;
	struct nlattr *nest;

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = 0;
	EXPECT_REFUSED(EINVAL, run(self, profile_msg(self, NULL, 24)),
		       "profile needs a name");
	EXPECT_REFUSED(EINVAL, run(self, profile_msg(self, "", 24)),
		       "profile needs a name");
	EXPECT_EQ(EINVAL, run(self, profile_msg(self, long_name, 24)));
	EXPECT_REFUSED(EINVAL, run(self, profile_msg(self, "p", 33)),
		       "prefix length longer than the address");
	EXPECT_REFUSED(ERANGE, run(self, profile_msg(self, "p", 129)),
		       "out of range");

	/* A name is a word of a saved configuration: no line break in it. */
	EXPECT_REFUSED(EINVAL, run(self, profile_msg(self, "a\nb", 24)),
		       "profile name has a control character");
	EXPECT_REFUSED(EINVAL, run(self, profile_msg(self, "tab\t", 24)),
		       "profile name has a control character");
	/* UTF-8 is a name like any other ("\xe2\x82\xac" is the euro sign). */
	EXPECT_EQ(0, run(self, profile_msg(self, "\xe2\x82\xac", 24)));
	msg = new_msg(self, L2TPSS_CMD_PROFILE_DEL);
	nest = nla_nest_start(msg, L2TPSS_A_PROFILE);
	nla_put_string(msg, L2TPSS_PROFILE_A_NAME, "\xe2\x82\xac");
	nla_nest_end(msg, nest);
	EXPECT_EQ(0, run(self, msg));

	EXPECT_EQ(0, run(self, profile_msg(self, "p", 24)));
	EXPECT_REFUSED(EEXIST, run(self, profile_msg(self, "p", 16)),
		       "a profile of that name exists");
	/* PROFILE_REPLACE takes the name that exists, or a new one. */
	msg = profile_msg(self, "p", 16);
	((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(msg)))->cmd =
		L2TPSS_CMD_PROFILE_REPLACE;
	EXPECT_EQ(0, run(self, msg));
	msg = profile_msg(self, "p2", 16);
	((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(msg)))->cmd =
		L2TPSS_CMD_PROFILE_REPLACE;
	EXPECT_EQ(0, run(self, msg));
	msg = profile_msg(self, "p\n", 16);
	((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(msg)))->cmd =
		L2TPSS_CMD_PROFILE_REPLACE;
	EXPECT_REFUSED(EINVAL, run(self, msg),
		       "profile name has a control character");

	EXPECT_REFUSED(EINVAL, run(self, profile_q(self, 0, 0, 0)),
		       "profile needs a peer prefix");
	EXPECT_NE(0, run(self, profile_q(self, 15, 0, 0)));
	EXPECT_REFUSED(EINVAL, run(self, profile_q(self, 16, L2TPSS_PROFILE_A_PEER_IP,
						   htonl(0xc0000200))),
		       "not both");
	EXPECT_REFUSED(EINVAL, run(self, profile_q(self, 16, L2TPSS_PROFILE_A_LOCAL_IP,
						   htonl(0xc0000201))),
		       "different families");

	msg = new_msg(self, L2TPSS_CMD_PROFILE_DEL);
	nest = nla_nest_start(msg, L2TPSS_A_PROFILE);
	nla_put_string(msg, L2TPSS_PROFILE_A_NAME, "nope");
	nla_nest_end(msg, nest);
	EXPECT_REFUSED(ENOENT, run(self, msg), "no such profile");

	msg = new_msg(self, L2TPSS_CMD_PROFILE_DEL);
	nest = nla_nest_start(msg, L2TPSS_A_PROFILE);
	nla_put_string(msg, L2TPSS_PROFILE_A_NAME, "p");
	nla_nest_end(msg, nest);
	EXPECT_EQ(0, run(self, msg));
	msg = new_msg(self, L2TPSS_CMD_PROFILE_DEL);
	nest = nla_nest_start(msg, L2TPSS_A_PROFILE);
	nla_put_string(msg, L2TPSS_PROFILE_A_NAME, "p2");
	nla_nest_end(msg, nest);
	EXPECT_EQ(0, run(self, msg));
}

TEST_F(nl, still_answers)
{
	EXPECT_EQ(0, run(self, new_msg(self, L2TPSS_CMD_VERSION_GET)));
}

TEST_HARNESS_MAIN
