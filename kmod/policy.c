// SPDX-License-Identifier: GPL-2.0
/*
 * Settings: the per-netns defaults and the values a tunnel gets when it
 * registers, with where each value came from. The one place that decides a
 * tunnel's settings.
 */
#include <net/netlink.h>

#include "l2tpss.h"

/* Not const: 6.1's nla_policy points to a mutable range. */
static struct netlink_range_validation idle_timeout_range = {
	.max = L2TPSS_IDLE_TIMEOUT_MAX,
};

static struct netlink_range_validation destruct_timeout_range = {
	.min = L2TPSS_DESTRUCT_TIMEOUT_MIN,
	.max = L2TPSS_DESTRUCT_TIMEOUT_MAX,
};

const struct nla_policy l2tpss_settings_policy[L2TPSS_SET_MAX + 1] = {
	[L2TPSS_SET_SINGLE_SHOT] = NLA_POLICY_MAX(NLA_U8, 1),
	[L2TPSS_SET_IDLE_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &idle_timeout_range),
	[L2TPSS_SET_DESTRUCT_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &destruct_timeout_range),
	[L2TPSS_SET_REQUIRE_IPSEC] = NLA_POLICY_MAX(NLA_U8, 1),
};

void l2tpss_policy_init(struct l2tpss_net *pn)
{
	pn->defaults = (struct l2tpss_settings) {
		.idle_timeout = L2TPSS_IDLE_TIMEOUT_DEFAULT,
		.destruct_timeout = L2TPSS_DESTRUCT_TIMEOUT_DEFAULT,
	};
}

/* The settings a tunnel registering now gets. Caller holds pn->lock. */
void l2tpss_policy_resolve(struct l2tpss_net *pn, struct l2tpss_settings *s)
{
	lockdep_assert_held(&pn->lock);
	*s = pn->defaults;
}

/*
 * Applies the settings present in @attrs (validated against
 * l2tpss_settings_policy) all at once. Tunnels already registered keep the
 * values they got.
 */
int l2tpss_policy_set_defaults(struct l2tpss_net *pn, struct nlattr **attrs,
			       struct netlink_ext_ack *extack)
{
	struct l2tpss_settings *d = &pn->defaults;
	int i, given = 0;

	for (i = 1; i <= L2TPSS_SET_MAX; i++)
		given += !!attrs[i];
	if (!given) {
		NL_SET_ERR_MSG(extack, "no setting given");
		return -EINVAL;
	}

	spin_lock_bh(&pn->lock);
	if (attrs[L2TPSS_SET_SINGLE_SHOT])
		d->single_shot = nla_get_u8(attrs[L2TPSS_SET_SINGLE_SHOT]);
	if (attrs[L2TPSS_SET_IDLE_TIMEOUT])
		d->idle_timeout = nla_get_u32(attrs[L2TPSS_SET_IDLE_TIMEOUT]);
	if (attrs[L2TPSS_SET_DESTRUCT_TIMEOUT])
		d->destruct_timeout =
			nla_get_u32(attrs[L2TPSS_SET_DESTRUCT_TIMEOUT]);
	if (attrs[L2TPSS_SET_REQUIRE_IPSEC])
		d->require_ipsec = nla_get_u8(attrs[L2TPSS_SET_REQUIRE_IPSEC]);
	spin_unlock_bh(&pn->lock);
	return 0;
}

int l2tpss_settings_put(struct sk_buff *skb, int attrtype,
			const struct l2tpss_settings *s)
{
	struct nlattr *nest = nla_nest_start(skb, attrtype);

	if (!nest ||
	    nla_put_u8(skb, L2TPSS_SET_SINGLE_SHOT, s->single_shot) ||
	    nla_put_u32(skb, L2TPSS_SET_IDLE_TIMEOUT, s->idle_timeout) ||
	    nla_put_u32(skb, L2TPSS_SET_DESTRUCT_TIMEOUT,
			s->destruct_timeout) ||
	    nla_put_u8(skb, L2TPSS_SET_REQUIRE_IPSEC, s->require_ipsec))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

int l2tpss_sources_put(struct sk_buff *skb, int attrtype,
		       const struct l2tpss_settings *s)
{
	struct nlattr *nest = nla_nest_start(skb, attrtype);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 1; i <= L2TPSS_SET_MAX; i++) {
		if (nla_put_u8(skb, i, s->source[i])) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}
