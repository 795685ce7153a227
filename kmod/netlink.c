// SPDX-License-Identifier: GPL-2.0
/*
 * The "l2tpss" generic netlink family: policies, commands and dumps. Every
 * command works on the caller's netns; writes need CAP_NET_ADMIN over it.
 */
#include <linux/l2tp.h>
#include <linux/module.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "l2tpss.h"

static struct genl_family l2tpss_family;

static const struct nla_policy tunnel_get_policy[L2TPSS_A_TUNNEL_ID + 1] = {
	[L2TPSS_A_TUNNEL_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy defaults_set_policy[L2TPSS_A_SETTINGS + 1] = {
	[L2TPSS_A_SETTINGS] = NLA_POLICY_NESTED(l2tpss_settings_policy),
};

static int put_addresses(struct sk_buff *skb, const struct l2tpss_tunnel *t)
{
	if (t->ipv6)
		return nla_put_in6_addr(skb, L2TPSS_TUNNEL_A_LOCAL_IP6,
					&t->local.ip6) ||
		       nla_put_in6_addr(skb, L2TPSS_TUNNEL_A_PEER_IP6,
					&t->peer.ip6);
	return nla_put_in_addr(skb, L2TPSS_TUNNEL_A_LOCAL_IP, t->local.ip) ||
	       nla_put_in_addr(skb, L2TPSS_TUNNEL_A_PEER_IP, t->peer.ip);
}

static int put_ports(struct sk_buff *skb, const struct l2tpss_tunnel *t)
{
	if (t->encap != L2TP_ENCAPTYPE_UDP)
		return 0;
	return nla_put_u16(skb, L2TPSS_TUNNEL_A_LOCAL_PORT,
			   ntohs(t->local_port)) ||
	       nla_put_u16(skb, L2TPSS_TUNNEL_A_PEER_PORT,
			   ntohs(t->peer_port));
}

/* Caller holds the netns lock, so the record is one consistent snapshot. */
static int tunnel_fill(struct sk_buff *skb, const struct l2tpss_tunnel *t,
		       u32 portid, u32 seq, int flags)
{
	u64 age = ktime_get_boottime_seconds() - t->registered;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &l2tpss_family, flags,
			  L2TPSS_CMD_TUNNEL_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, L2TPSS_A_TUNNEL);
	if (!nest ||
	    nla_put_u32(skb, L2TPSS_TUNNEL_A_ID, t->id) ||
	    nla_put_u32(skb, L2TPSS_TUNNEL_A_PEER_ID, t->peer_id) ||
	    nla_put_u8(skb, L2TPSS_TUNNEL_A_PROTO_VERSION, t->version) ||
	    nla_put_u8(skb, L2TPSS_TUNNEL_A_ENCAP, t->encap) ||
	    nla_put_u8(skb, L2TPSS_TUNNEL_A_STATE, t->state) ||
	    put_addresses(skb, t) || put_ports(skb, t) ||
	    nla_put_u32(skb, L2TPSS_TUNNEL_A_SESSIONS, t->sessions) ||
	    nla_put_u32(skb, L2TPSS_TUNNEL_A_SESSIONS_TOTAL,
			t->sessions_total) ||
	    nla_put_u32(skb, L2TPSS_TUNNEL_A_AGE, min_t(u64, age, U32_MAX)) ||
	    l2tpss_settings_put(skb, L2TPSS_TUNNEL_A_SETTINGS, &t->settings) ||
	    l2tpss_sources_put(skb, L2TPSS_TUNNEL_A_SOURCES, &t->settings)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

static int l2tpss_version_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &l2tpss_family, 0,
				L2TPSS_CMD_VERSION_GET);
	if (!hdr || nla_put_string(msg, L2TPSS_A_VERSION, L2TPSS_VERSION)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int l2tpss_tunnel_get(struct sk_buff *skb, struct genl_info *info)
{
	struct l2tpss_net *pn = l2tpss_pernet(genl_info_net(info));
	struct l2tpss_tunnel *t;
	struct sk_buff *msg;
	int err = -ENOENT;

	if (GENL_REQ_ATTR_CHECK(info, L2TPSS_A_TUNNEL_ID))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	spin_lock_bh(&pn->lock);
	t = xa_load(&pn->tunnels,
		    nla_get_u32(info->attrs[L2TPSS_A_TUNNEL_ID]));
	if (t)
		err = tunnel_fill(msg, t, info->snd_portid, info->snd_seq, 0);
	spin_unlock_bh(&pn->lock);

	if (err) {
		if (err == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[L2TPSS_A_TUNNEL_ID],
					    "no such tunnel");
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* Resumes at the tunnel id kept in cb->args[0]; ids are at most U32_MAX. */
static int l2tpss_tunnel_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct l2tpss_net *pn = l2tpss_pernet(sock_net(skb->sk));
	unsigned long id = cb->args[0];
	struct l2tpss_tunnel *t;
	int err = 0;

	spin_lock_bh(&pn->lock);
	xa_for_each_start(&pn->tunnels, id, t, id) {
		err = tunnel_fill(skb, t, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			break;
	}
	spin_unlock_bh(&pn->lock);

	if (err && !skb->len)
		return err;	/* one record larger than a whole message */
	cb->args[0] = err ? id : (unsigned long)U32_MAX + 1;
	return skb->len;
}

static int l2tpss_defaults_get(struct sk_buff *skb, struct genl_info *info)
{
	struct l2tpss_net *pn = l2tpss_pernet(genl_info_net(info));
	struct l2tpss_settings defaults;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	spin_lock_bh(&pn->lock);
	defaults = pn->defaults;
	spin_unlock_bh(&pn->lock);

	hdr = genlmsg_put_reply(msg, info, &l2tpss_family, 0,
				L2TPSS_CMD_DEFAULTS_GET);
	if (!hdr ||
	    l2tpss_settings_put(msg, L2TPSS_A_SETTINGS, &defaults)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int l2tpss_defaults_set(struct sk_buff *skb, struct genl_info *info)
{
	struct l2tpss_net *pn = l2tpss_pernet(genl_info_net(info));
	struct nlattr *attrs[L2TPSS_SET_MAX + 1];
	int err;

	if (GENL_REQ_ATTR_CHECK(info, L2TPSS_A_SETTINGS))
		return -EINVAL;
	err = nla_parse_nested(attrs, L2TPSS_SET_MAX,
			       info->attrs[L2TPSS_A_SETTINGS],
			       l2tpss_settings_policy, info->extack);
	if (err)
		return err;
	return l2tpss_policy_set_defaults(pn, attrs, info->extack);
}

static const struct genl_ops l2tpss_ops[] = {
	{
		.cmd = L2TPSS_CMD_VERSION_GET,
		.doit = l2tpss_version_get,
	},
	{
		.cmd = L2TPSS_CMD_TUNNEL_GET,
		.doit = l2tpss_tunnel_get,
		.dumpit = l2tpss_tunnel_dump,
		.policy = tunnel_get_policy,
		.maxattr = ARRAY_SIZE(tunnel_get_policy) - 1,
	},
	{
		.cmd = L2TPSS_CMD_DEFAULTS_GET,
		.doit = l2tpss_defaults_get,
	},
	{
		.cmd = L2TPSS_CMD_DEFAULTS_SET,
		.doit = l2tpss_defaults_set,
		.policy = defaults_set_policy,
		.maxattr = ARRAY_SIZE(defaults_set_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family l2tpss_family __ro_after_init = {
	.name = L2TPSS_GENL_NAME,
	.version = L2TPSS_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = l2tpss_ops,
	.n_ops = ARRAY_SIZE(l2tpss_ops),
	.resv_start_op = L2TPSS_CMD_UNSPEC,
};

int __init l2tpss_netlink_init(void)
{
	return genl_register_family(&l2tpss_family);
}

void l2tpss_netlink_exit(void)
{
	genl_unregister_family(&l2tpss_family);
}
