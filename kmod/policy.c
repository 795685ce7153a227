// SPDX-License-Identifier: GPL-2.0
/*
 * Settings: the per-netns defaults, the profiles (JUNOSe destination
 * profiles) and the values a tunnel gets when it registers, with where each
 * value came from. The one place that decides a tunnel's settings:
 * per-tunnel override > longest matching profile > defaults.
 */
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/inetdevice.h>
#include <net/ipv6.h>
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

const struct nla_policy l2tpss_profile_policy[L2TPSS_PROFILE_A_MAX + 1] = {
	[L2TPSS_PROFILE_A_NAME] = { .type = NLA_NUL_STRING,
				    .len = L2TPSS_PROFILE_NAME_LEN - 1 },
	[L2TPSS_PROFILE_A_PEER_IP] = { .type = NLA_BE32 },
	[L2TPSS_PROFILE_A_PEER_IP6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[L2TPSS_PROFILE_A_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[L2TPSS_PROFILE_A_LOCAL_IP] = { .type = NLA_BE32 },
	[L2TPSS_PROFILE_A_LOCAL_IP6] =
		NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[L2TPSS_PROFILE_A_SETTINGS] = NLA_POLICY_NESTED(l2tpss_settings_policy),
};

/* Profiles alive in all namespaces, for leak checks (debugfs.c). */
static atomic_long_t nr_profiles = ATOMIC_LONG_INIT(0);

long l2tpss_profiles_count(void)
{
	return atomic_long_read(&nr_profiles);
}

void l2tpss_policy_init(struct l2tpss_net *pn)
{
	pn->defaults = (struct l2tpss_settings) {
		.idle_timeout = L2TPSS_IDLE_TIMEOUT_DEFAULT,
		.destruct_timeout = L2TPSS_DESTRUCT_TIMEOUT_DEFAULT,
	};
	INIT_LIST_HEAD(&pn->profiles);
	hash_init(pn->profile_index);
}

void l2tpss_policy_exit(struct l2tpss_net *pn)
{
	struct l2tpss_profile *p, *tmp;

	list_for_each_entry_safe(p, tmp, &pn->profiles, node) {
		atomic_long_dec(&nr_profiles);
		kfree(p);
	}
	INIT_LIST_HEAD(&pn->profiles);
	pn->nr_profiles = 0;
	hash_init(pn->profile_index);
	bitmap_zero(pn->profile_lens, L2TPSS_PROFILE_LENS);
	memset(pn->profile_len_count, 0, sizeof(pn->profile_len_count));
}

/*
 * The index: a profile is found by its prefix, hashed with its length, and
 * a lookup tries the lengths in use, longest first: its cost grows with the
 * number of distinct lengths, not of profiles.
 */
static unsigned int len_bit(bool ipv6, u8 len)
{
	return ipv6 ? 33 + len : len;
}

static void prefix_of(struct l2tpss_addr *prefix,
		      const struct l2tpss_addr *addr, u8 len)
{
	*prefix = (struct l2tpss_addr){ .ipv6 = addr->ipv6 };
	if (addr->ipv6)
		ipv6_addr_prefix(&prefix->ip6, &addr->ip6, len);
	else
		prefix->ip = len ? addr->ip & inet_make_mask(len) : 0;
}

static u32 prefix_hash(const struct l2tpss_net *pn,
		       const struct l2tpss_addr *prefix, u8 len)
{
	if (prefix->ipv6)
		return jhash(&prefix->ip6, sizeof(prefix->ip6),
			     pn->hash_seed ^ len_bit(true, len));
	return jhash_2words((__force u32)prefix->ip, len, pn->hash_seed);
}

/* Caller holds pn->lock; readers may see it at once. */
static void index_add(struct l2tpss_net *pn, struct l2tpss_profile *p)
{
	unsigned int bit = len_bit(p->peer.ipv6, p->prefixlen);

	hash_add_rcu(pn->profile_index, &p->index_node,
		     prefix_hash(pn, &p->peer, p->prefixlen));
	if (!pn->profile_len_count[bit]++)
		set_bit(bit, pn->profile_lens);
}

static void index_del(struct l2tpss_net *pn, struct l2tpss_profile *p)
{
	unsigned int bit = len_bit(p->peer.ipv6, p->prefixlen);

	hash_del_rcu(&p->index_node);
	if (!--pn->profile_len_count[bit])
		clear_bit(bit, pn->profile_lens);
}

/*
 * Of two profiles of one prefix length: one that names the local address,
 * then the first name in byte order.
 */
static bool profile_better(const struct l2tpss_profile *p,
			   const struct l2tpss_profile *best)
{
	if (!best || p->has_local != best->has_local)
		return !best || p->has_local;
	return strcmp(p->name, best->name) < 0;
}

/*
 * The profile for a tunnel from @local to @peer: the longest matching peer
 * prefix; at equal length one that names the local address; then the first
 * name in byte order, so the choice never depends on the order of adding.
 * Under RCU or pn->lock.
 */
static struct l2tpss_profile *profile_match(struct l2tpss_net *pn,
					    const struct l2tpss_addr *local,
					    const struct l2tpss_addr *peer)
{
	unsigned int first = len_bit(peer->ipv6, 0);
	unsigned int end = len_bit(peer->ipv6, peer->ipv6 ? 128 : 32) + 1;
	struct l2tpss_profile *p, *best;
	struct l2tpss_addr prefix;
	unsigned int bit;
	u8 len;

	/* find_last_bit() says @end when no bit below @end is set */
	for (bit = find_last_bit(pn->profile_lens, end);
	     bit < end && bit >= first;
	     end = bit, bit = find_last_bit(pn->profile_lens, end)) {
		len = bit - first;
		prefix_of(&prefix, peer, len);
		best = NULL;
		hash_for_each_possible_rcu(pn->profile_index, p, index_node,
					   prefix_hash(pn, &prefix, len),
					   lockdep_is_held(&pn->lock)) {
			if (p->prefixlen != len ||
			    !l2tpss_addr_equal(&p->peer, &prefix) ||
			    (p->has_local &&
			     !l2tpss_addr_equal(&p->local, local)))
				continue;
			if (profile_better(p, best))
				best = p;
		}
		if (best)
			return best;
	}
	return NULL;
}

/*
 * The settings for a tunnel from @local to @peer, and the name of the
 * profile that gave them, if any. Caller holds pn->lock.
 */
static const char *policy_lookup(struct l2tpss_net *pn,
				 const struct l2tpss_addr *local,
				 const struct l2tpss_addr *peer,
				 struct l2tpss_settings *s)
{
	struct l2tpss_profile *p;

	lockdep_assert_held(&pn->lock);
	*s = pn->defaults;
	p = profile_match(pn, local, peer);
	if (!p)
		return NULL;

	if (p->given[L2TPSS_SET_SINGLE_SHOT])
		s->single_shot = p->settings.single_shot;
	if (p->given[L2TPSS_SET_IDLE_TIMEOUT])
		s->idle_timeout = p->settings.idle_timeout;
	if (p->given[L2TPSS_SET_DESTRUCT_TIMEOUT])
		s->destruct_timeout = p->settings.destruct_timeout;
	if (p->given[L2TPSS_SET_REQUIRE_IPSEC])
		s->require_ipsec = p->settings.require_ipsec;
	for (int i = 1; i <= L2TPSS_SET_MAX; i++)
		if (p->given[i])
			s->source[i] = L2TPSS_SOURCE_PROFILE;
	return p->name;
}

/*
 * The flag @type (single-shot or require-ipsec) a tunnel from @local to
 * @peer would get, for the packet filter when there is no tunnel record
 * yet. Under RCU: no lock per packet.
 */
bool l2tpss_policy_flag(struct l2tpss_net *pn, const struct l2tpss_addr *local,
			const struct l2tpss_addr *peer, int type)
{
	const struct l2tpss_profile *p = profile_match(pn, local, peer);
	const struct l2tpss_settings *s = p && p->given[type] ? &p->settings :
					  &pn->defaults;

	return type == L2TPSS_SET_SINGLE_SHOT ? READ_ONCE(s->single_shot) :
						READ_ONCE(s->require_ipsec);
}

/* The settings @t gets as it registers. Caller holds pn->lock. */
void l2tpss_policy_resolve(struct l2tpss_net *pn, struct l2tpss_tunnel *t)
{
	const char *profile = policy_lookup(pn, &t->local, &t->peer,
					    &t->settings);

	if (profile)
		strscpy(t->profile, profile, sizeof(t->profile));
}

/* Parses a settings nest; at least one setting must be in it. */
int l2tpss_settings_parse(const struct nlattr *nest, struct nlattr **attrs,
			  struct netlink_ext_ack *extack)
{
	int i, err;

	err = nla_parse_nested(attrs, L2TPSS_SET_MAX, nest,
			       l2tpss_settings_policy, extack);
	if (err)
		return err;
	for (i = 1; i <= L2TPSS_SET_MAX; i++)
		if (attrs[i])
			return 0;
	NL_SET_ERR_MSG_ATTR(extack, nest, "no setting given");
	return -EINVAL;
}

/* Sets in @s what @attrs has, marking it as coming from @source. */
void l2tpss_settings_apply(struct l2tpss_settings *s, struct nlattr **attrs,
			   u8 source)
{
	int i;

	/* The two flags are read by the packet filter without the lock. */
	if (attrs[L2TPSS_SET_SINGLE_SHOT])
		WRITE_ONCE(s->single_shot,
			   nla_get_u8(attrs[L2TPSS_SET_SINGLE_SHOT]));
	if (attrs[L2TPSS_SET_IDLE_TIMEOUT])
		s->idle_timeout = nla_get_u32(attrs[L2TPSS_SET_IDLE_TIMEOUT]);
	if (attrs[L2TPSS_SET_DESTRUCT_TIMEOUT])
		s->destruct_timeout =
			nla_get_u32(attrs[L2TPSS_SET_DESTRUCT_TIMEOUT]);
	if (attrs[L2TPSS_SET_REQUIRE_IPSEC])
		WRITE_ONCE(s->require_ipsec,
			   nla_get_u8(attrs[L2TPSS_SET_REQUIRE_IPSEC]));
	for (i = 1; i <= L2TPSS_SET_MAX; i++)
		if (attrs[i])
			s->source[i] = source;
}

/* Tunnels already registered keep the values they got. */
void l2tpss_policy_set_defaults(struct l2tpss_net *pn, struct nlattr **attrs)
{
	spin_lock_bh(&pn->lock);
	l2tpss_settings_apply(&pn->defaults, attrs, L2TPSS_SOURCE_DEFAULT);
	spin_unlock_bh(&pn->lock);
}

/* One of the IPv4 or IPv6 attributes @v4, @v6 into @a; false if neither. */
static bool get_addr(struct l2tpss_addr *a, const struct nlattr *v4,
		     const struct nlattr *v6)
{
	if (v4) {
		a->ip = nla_get_in_addr(v4);
	} else if (v6) {
		a->ipv6 = true;
		a->ip6 = nla_get_in6_addr(v6);
	}
	return v4 || v6;
}

static int profile_parse(struct l2tpss_profile *p, struct nlattr **attrs,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *settings[L2TPSS_SET_MAX + 1];
	u8 maxlen;
	int i, err;

	if (!attrs[L2TPSS_PROFILE_A_NAME] ||
	    nla_strscpy(p->name, attrs[L2TPSS_PROFILE_A_NAME],
			sizeof(p->name)) <= 0) {
		NL_SET_ERR_MSG(extack, "profile needs a name");
		return -EINVAL;
	}
	/*
	 * A name is a word of a saved configuration: no ASCII control byte
	 * (the CLI's rule; not iscntrl(), which refuses bytes of UTF-8 too).
	 */
	for (i = 0; p->name[i]; i++) {
		if ((u8)p->name[i] < 0x20 || p->name[i] == 0x7f) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[L2TPSS_PROFILE_A_NAME],
					    "profile name has a control character");
			return -EINVAL;
		}
	}
	if (attrs[L2TPSS_PROFILE_A_PEER_IP] && attrs[L2TPSS_PROFILE_A_PEER_IP6]) {
		NL_SET_ERR_MSG(extack, "profile peer is IPv4 or IPv6, not both");
		return -EINVAL;
	}
	if (!get_addr(&p->peer, attrs[L2TPSS_PROFILE_A_PEER_IP],
		      attrs[L2TPSS_PROFILE_A_PEER_IP6])) {
		NL_SET_ERR_MSG(extack, "profile needs a peer prefix");
		return -EINVAL;
	}
	maxlen = p->peer.ipv6 ? 128 : 32;
	p->prefixlen = attrs[L2TPSS_PROFILE_A_PREFIXLEN] ?
		       nla_get_u8(attrs[L2TPSS_PROFILE_A_PREFIXLEN]) : maxlen;
	if (p->prefixlen > maxlen) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[L2TPSS_PROFILE_A_PREFIXLEN],
				    "prefix length longer than the address");
		return -EINVAL;
	}
	/* Keep the prefix only, so that equal prefixes compare equal. */
	if (p->peer.ipv6)
		ipv6_addr_prefix(&p->peer.ip6,
				 nla_data(attrs[L2TPSS_PROFILE_A_PEER_IP6]),
				 p->prefixlen);
	else if (p->prefixlen)
		p->peer.ip &= inet_make_mask(p->prefixlen);
	else
		p->peer.ip = 0;

	p->has_local = get_addr(&p->local, attrs[L2TPSS_PROFILE_A_LOCAL_IP],
				attrs[L2TPSS_PROFILE_A_LOCAL_IP6]);
	if (p->has_local && p->local.ipv6 != p->peer.ipv6) {
		NL_SET_ERR_MSG(extack, "profile local and peer are of different families");
		return -EINVAL;
	}

	if (!attrs[L2TPSS_PROFILE_A_SETTINGS])
		return 0;
	err = l2tpss_settings_parse(attrs[L2TPSS_PROFILE_A_SETTINGS], settings,
				    extack);
	if (err)
		return err;
	l2tpss_settings_apply(&p->settings, settings, L2TPSS_SOURCE_PROFILE);
	for (i = 1; i <= L2TPSS_SET_MAX; i++)
		p->given[i] = settings[i];
	return 0;
}

static struct l2tpss_profile *profile_find(struct l2tpss_net *pn,
					   const char *name)
{
	struct l2tpss_profile *p;

	list_for_each_entry(p, &pn->profiles, node)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

/*
 * Applies to tunnels that register from now on. With @replace
 * (L2TPSS_CMD_PROFILE_REPLACE) a profile of the same name is replaced where
 * it stands in the list, in one step for the readers: a tunnel that registers
 * meanwhile gets the old profile or the new one, never none.
 */
int l2tpss_profile_add(struct l2tpss_net *pn, struct nlattr **attrs,
		       bool replace, struct netlink_ext_ack *extack)
{
	struct l2tpss_profile *p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	struct l2tpss_profile *old;
	int err;

	if (!p)
		return -ENOMEM;
	err = profile_parse(p, attrs, extack);
	if (err)
		goto free;

	spin_lock_bh(&pn->lock);
	old = profile_find(pn, p->name);
	if (old && !replace) {
		NL_SET_ERR_MSG(extack, "a profile of that name exists");
		err = -EEXIST;
	} else if (old) {
		/* (a reader sees the old, the new or both: never none) */
		index_add(pn, p);
		index_del(pn, old);
		list_replace_rcu(&old->node, &p->node);
	} else if (pn->nr_profiles >= L2TPSS_PROFILES_MAX) {
		NL_SET_ERR_MSG(extack, "too many profiles in this netns");
		err = -ENOSPC;
	} else {
		list_add_tail_rcu(&p->node, &pn->profiles);
		index_add(pn, p);
		pn->nr_profiles++;
		atomic_long_inc(&nr_profiles);
	}
	spin_unlock_bh(&pn->lock);
	if (err)
		goto free;
	if (old)
		kfree_rcu(old, rcu);
	return 0;
free:
	kfree(p);
	return err;
}

/* Tunnels that got their settings from it keep them. */
int l2tpss_profile_del(struct l2tpss_net *pn, struct nlattr **attrs,
		       struct netlink_ext_ack *extack)
{
	char name[L2TPSS_PROFILE_NAME_LEN];
	struct l2tpss_profile *p;

	if (!attrs[L2TPSS_PROFILE_A_NAME]) {
		NL_SET_ERR_MSG(extack, "profile needs a name");
		return -EINVAL;
	}
	nla_strscpy(name, attrs[L2TPSS_PROFILE_A_NAME], sizeof(name));

	spin_lock_bh(&pn->lock);
	p = profile_find(pn, name);
	if (p) {
		list_del_rcu(&p->node);
		index_del(pn, p);
		pn->nr_profiles--;
	}
	spin_unlock_bh(&pn->lock);

	if (!p) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[L2TPSS_PROFILE_A_NAME],
				    "no such profile");
		return -ENOENT;
	}
	atomic_long_dec(&nr_profiles);
	kfree_rcu(p, rcu);
	return 0;
}

/* The settings in @s, all of them or those @given says. */
int l2tpss_settings_put(struct sk_buff *skb, int attrtype,
			const struct l2tpss_settings *s, const bool *given)
{
	struct nlattr *nest = nla_nest_start(skb, attrtype);

	if (!nest)
		return -EMSGSIZE;
	if ((!given || given[L2TPSS_SET_SINGLE_SHOT]) &&
	    nla_put_u8(skb, L2TPSS_SET_SINGLE_SHOT, s->single_shot))
		goto cancel;
	if ((!given || given[L2TPSS_SET_IDLE_TIMEOUT]) &&
	    nla_put_u32(skb, L2TPSS_SET_IDLE_TIMEOUT, s->idle_timeout))
		goto cancel;
	if ((!given || given[L2TPSS_SET_DESTRUCT_TIMEOUT]) &&
	    nla_put_u32(skb, L2TPSS_SET_DESTRUCT_TIMEOUT, s->destruct_timeout))
		goto cancel;
	if ((!given || given[L2TPSS_SET_REQUIRE_IPSEC]) &&
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

static int addr_put(struct sk_buff *skb, int v4type, int v6type,
		    const struct l2tpss_addr *a)
{
	return a->ipv6 ? nla_put_in6_addr(skb, v6type, &a->ip6) :
			 nla_put_in_addr(skb, v4type, a->ip);
}

int l2tpss_profile_put(struct sk_buff *skb, const struct l2tpss_profile *p)
{
	struct nlattr *nest = nla_nest_start(skb, L2TPSS_A_PROFILE);

	if (!nest ||
	    nla_put_string(skb, L2TPSS_PROFILE_A_NAME, p->name) ||
	    addr_put(skb, L2TPSS_PROFILE_A_PEER_IP, L2TPSS_PROFILE_A_PEER_IP6,
		     &p->peer) ||
	    nla_put_u8(skb, L2TPSS_PROFILE_A_PREFIXLEN, p->prefixlen) ||
	    (p->has_local &&
	     addr_put(skb, L2TPSS_PROFILE_A_LOCAL_IP,
		      L2TPSS_PROFILE_A_LOCAL_IP6, &p->local)) ||
	    l2tpss_settings_put(skb, L2TPSS_PROFILE_A_SETTINGS, &p->settings,
				p->given)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}
