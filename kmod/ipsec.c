// SPDX-License-Identifier: GPL-2.0
/*
 * IPsec connections (SPEC.md items 9-11 and 14): which transport-mode ESP
 * SAs carry a tunnel, when a connection is spent, and its teardown.
 *
 * The module registers as an XFRM key manager, so it hears of every SA that
 * is added, updated, expired, deleted or flushed, in every netns, without
 * polling. SAs of one identity (peer, the peer's NAT-T port, reqid) form a
 * connection while at least one of them exists; a rekey adds the new SAs
 * before the old ones go, so it keeps the connection.
 *
 * A tunnel binds, as it registers, to the connection between its addresses
 * that last carried L2TP in (the filter stamps it). Teardown hard-expires
 * and deletes every SA of the connection (key managers such as strongSwan
 * then delete the CHILD_SA and tell the peer) and removes the XFRM policies
 * that are for that one peer and that connection only.
 *
 * The key manager callbacks may run in softirq context with the SA's lock
 * held, so they only update tables under l2tpss_net.lock; teardown, which
 * takes XFRM's own locks, runs from a work item.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jhash.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/route.h>
#include <net/xfrm.h>

#include "l2tpss.h"

/* SAs and policies handled per pass of an XFRM walk. */
#define WALK_BATCH 16

static atomic_long_t nr_conns = ATOMIC_LONG_INIT(0);

long l2tpss_conns_count(void)
{
	return atomic_long_read(&nr_conns);
}

/* What an SA tells of its connection. */
struct sa_identity {
	struct l2tpss_addr peer, local;
	__be16 natt_port;
	u32 reqid;
	u8 dir;
};

static void addr_from_xfrm(struct l2tpss_addr *a, const xfrm_address_t *xa,
			   unsigned short family)
{
	memset(a, 0, sizeof(*a));
	a->ipv6 = family == AF_INET6;
	if (a->ipv6)
		memcpy(&a->ip6, xa->a6, sizeof(a->ip6));
	else
		a->ip = xa->a4;
}

static void addr_to_xfrm(xfrm_address_t *xa, const struct l2tpss_addr *a)
{
	memset(xa, 0, sizeof(*xa));
	if (a->ipv6)
		memcpy(xa->a6, &a->ip6, sizeof(xa->a6));
	else
		xa->a4 = a->ip;
}

static bool addr_is_local(struct net *net, const struct l2tpss_addr *a)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (a->ipv6)
		return ipv6_chk_addr(net, &a->ip6, NULL, 0);
#endif
	return !a->ipv6 && inet_addr_type(net, a->ip) == RTN_LOCAL;
}

/*
 * Transport-mode ESP between this host and a peer is what L2TP/IPsec uses;
 * anything else is not ours to follow. The direction is told by which end
 * is a local address, unless the caller knows it.
 */
static bool sa_identify(struct xfrm_state *x, int dir, struct sa_identity *id)
{
	unsigned short family = x->props.family;
	const struct xfrm_encap_tmpl *encap = x->encap;
	struct l2tpss_addr src, dst;

	if (x->id.proto != IPPROTO_ESP || x->props.mode != XFRM_MODE_TRANSPORT ||
	    (family != AF_INET && family != AF_INET6))
		return false;
	addr_from_xfrm(&src, &x->props.saddr, family);
	addr_from_xfrm(&dst, &x->id.daddr, family);
	if (dir < 0) {
		if (addr_is_local(xs_net(x), &dst))
			dir = L2TPSS_DIR_IN;
		else if (addr_is_local(xs_net(x), &src))
			dir = L2TPSS_DIR_OUT;
		else
			return false;
	}
	id->dir = dir;
	id->reqid = x->props.reqid;
	if (dir == L2TPSS_DIR_IN) {
		id->peer = src;
		id->local = dst;
		id->natt_port = encap ? encap->encap_sport : 0;
	} else {
		id->peer = dst;
		id->local = src;
		id->natt_port = encap ? encap->encap_dport : 0;
	}
	return true;
}

/* Connections are hashed by peer address, which a tunnel knows too. */
static u32 peer_hash(const struct l2tpss_addr *peer)
{
	if (peer->ipv6)
		return jhash(&peer->ip6, sizeof(peer->ip6), 0);
	return jhash_1word((__force u32)peer->ip, 0);
}

static bool conn_is(const struct l2tpss_conn *c, const struct sa_identity *id)
{
	return c->reqid == id->reqid && c->natt_port == id->natt_port &&
	       l2tpss_addr_equal(&c->peer, &id->peer);
}

/* Caller holds pn->lock or rcu_read_lock(). */
static struct l2tpss_conn *conn_find(struct l2tpss_net *pn,
				     const struct sa_identity *id)
{
	struct l2tpss_conn *c;

	hash_for_each_possible_rcu(pn->conn_hash, c, node, peer_hash(&id->peer),
				   lockdep_is_held(&pn->lock))
		if (conn_is(c, id))
			return c;
	return NULL;
}

/* The connection a packet came in (@in) or goes out by, in the packet path. */
struct l2tpss_conn *l2tpss_conn_lookup(struct l2tpss_net *pn,
				       struct xfrm_state *x, bool in)
{
	struct sa_identity id;

	if (!sa_identify(x, in ? L2TPSS_DIR_IN : L2TPSS_DIR_OUT, &id))
		return NULL;
	return conn_find(pn, &id);
}

static void conn_release(struct kref *ref)
{
	struct l2tpss_conn *c = container_of(ref, struct l2tpss_conn, ref);

	atomic_long_dec(&nr_conns);
	kfree_rcu(c, rcu);
}

void l2tpss_conn_put(struct l2tpss_conn *c)
{
	kref_put(&c->ref, conn_release);
}

static void teardown_work_fn(struct work_struct *work);

static struct l2tpss_conn *conn_alloc(struct l2tpss_net *pn)
{
	struct l2tpss_conn *c = kzalloc(sizeof(*c), GFP_ATOMIC | __GFP_ACCOUNT);

	if (!c)
		return NULL;
	atomic_long_inc(&nr_conns);
	kref_init(&c->ref);
	c->pn = pn;
	INIT_WORK(&c->teardown_work, teardown_work_fn);
	return c;
}

/* Its last SA is gone: the connection ends; bound tunnels keep their copy. */
static void conn_end(struct l2tpss_net *pn, struct l2tpss_conn *c)
{
	lockdep_assert_held(&pn->lock);
	c->live = false;
	hash_del_rcu(&c->node);
	xa_erase(&pn->conns, c->gen);
	l2tpss_conn_put(c);
}

static int sa_index(const struct l2tpss_conn *c, __be32 spi, u8 dir)
{
	int i;

	for (i = 0; i < c->nr_sas; i++)
		if (c->sas[i].spi == spi && c->sas[i].dir == dir)
			return i;
	return -1;
}

static void sa_added(struct xfrm_state *x)
{
	struct l2tpss_net *pn = l2tpss_pernet(xs_net(x));
	struct l2tpss_conn *c, *new;
	struct sa_identity id;

	if (!x->id.spi || !sa_identify(x, -1, &id))
		return;
	new = conn_alloc(pn);

	spin_lock_bh(&pn->lock);
	if (pn->dead)
		goto out;
	c = conn_find(pn, &id);
	if (!c) {
		if (!new || xa_alloc_cyclic(&pn->conns, &new->gen, new,
					    xa_limit_32b, &pn->next_conn_gen,
					    GFP_ATOMIC) < 0) {
			pr_warn_ratelimited("out of memory: an IPsec connection is not tracked\n");
			goto out;
		}
		c = new;
		new = NULL;
		c->peer = id.peer;
		c->local = id.local;
		c->natt_port = id.natt_port;
		c->reqid = id.reqid;
		c->live = true;
		hash_add_rcu(pn->conn_hash, &c->node, peer_hash(&c->peer));
	}
	/* An update of a known SA, or one past what we keep, adds nothing. */
	if (sa_index(c, x->id.spi, id.dir) < 0 && c->nr_sas < L2TPSS_CONN_SAS) {
		c->sas[c->nr_sas].spi = x->id.spi;
		c->sas[c->nr_sas].mark = x->mark.v & x->mark.m;
		c->sas[c->nr_sas].dir = id.dir;
		c->nr_sas++;
	}
out:
	spin_unlock_bh(&pn->lock);
	if (new)
		l2tpss_conn_put(new);
}

/* The connection holding that SA, even if the local address went away. */
static struct l2tpss_conn *conn_find_sa(struct l2tpss_net *pn,
					struct xfrm_state *x, int *index)
{
	struct sa_identity id;
	struct l2tpss_conn *c;
	unsigned long gen;
	int dir;

	if (sa_identify(x, -1, &id)) {
		c = conn_find(pn, &id);
		*index = c ? sa_index(c, x->id.spi, id.dir) : -1;
		if (*index >= 0)
			return c;
	}
	xa_for_each(&pn->conns, gen, c)
		for (dir = L2TPSS_DIR_IN; dir <= L2TPSS_DIR_OUT; dir++)
			if (sa_identify(x, dir, &id) && conn_is(c, &id)) {
				*index = sa_index(c, x->id.spi, dir);
				if (*index >= 0)
					return c;
			}
	return NULL;
}

static void sa_deleted(struct xfrm_state *x)
{
	struct l2tpss_net *pn = l2tpss_pernet(xs_net(x));
	struct l2tpss_conn *c;
	int i;

	spin_lock_bh(&pn->lock);
	c = pn->dead ? NULL : conn_find_sa(pn, x, &i);
	if (c) {
		c->sas[i] = c->sas[--c->nr_sas];
		if (!c->nr_sas)
			conn_end(pn, c);
	}
	spin_unlock_bh(&pn->lock);
}

static void sas_flushed(struct net *net, u8 proto)
{
	struct l2tpss_net *pn = l2tpss_pernet(net);
	struct l2tpss_conn *c;
	unsigned long gen;

	if (!xfrm_id_proto_match(IPPROTO_ESP, proto))
		return;
	spin_lock_bh(&pn->lock);
	if (!pn->dead)
		xa_for_each(&pn->conns, gen, c)
			conn_end(pn, c);
	spin_unlock_bh(&pn->lock);
}

static int km_notify(struct xfrm_state *x, const struct km_event *c)
{
	switch (c->event) {
	case XFRM_MSG_NEWSA:
	case XFRM_MSG_UPDSA:
		sa_added(x);
		break;
	case XFRM_MSG_DELSA:
		sa_deleted(x);
		break;
	case XFRM_MSG_EXPIRE:
		if (c->data.hard)
			sa_deleted(x);
		break;
	case XFRM_MSG_FLUSHSA:
		sas_flushed(c->net, c->data.proto);
		break;
	}
	return 0;
}

/* XFRM calls these two of every key manager without checking. */
static int km_acquire(struct xfrm_state *x, struct xfrm_tmpl *t,
		      struct xfrm_policy *xp)
{
	return -EINVAL;		/* we negotiate nothing */
}

static struct xfrm_policy *km_compile_policy(struct sock *sk, int opt, u8 *data,
					     int len, int *dir)
{
	*dir = -EOPNOTSUPP;	/* no socket policy format of ours */
	return NULL;
}

static struct xfrm_mgr l2tpss_km = {
	.notify = km_notify,
	.acquire = km_acquire,
	.compile_policy = km_compile_policy,
};

/*
 * Binds @t, as it registers, to the connection it came over: between its
 * addresses, the one that last carried L2TP in. Returns false if that
 * connection may carry no new tunnel (SPEC.md items 9 and 11).
 */
bool l2tpss_conn_bind(struct l2tpss_net *pn, struct l2tpss_tunnel *t)
{
	struct l2tpss_conn *c, *best = NULL;
	bool refuse;

	lockdep_assert_held(&pn->lock);
	hash_for_each_possible_rcu(pn->conn_hash, c, node, peer_hash(&t->peer),
				   lockdep_is_held(&pn->lock)) {
		if (!l2tpss_addr_equal(&c->peer, &t->peer) ||
		    !l2tpss_addr_equal(&c->local, &t->local))
			continue;
		if (!best || time_after(READ_ONCE(c->last_rx),
					READ_ONCE(best->last_rx)))
			best = c;
	}
	if (!best)
		return true;	/* plain L2TP */

	kref_get(&best->ref);
	t->conn = best;
	best->tunnels++;
	refuse = best->spent || best->single_shot;
	if (!refuse) {
		best->tunnel_id = t->id;
		if (t->settings.single_shot)
			WRITE_ONCE(best->single_shot, true);
	}
	return !refuse;
}

/* No L2TP over @c from now on, until a new connection (item 11). */
void l2tpss_conn_spend(struct l2tpss_net *pn, struct l2tpss_conn *c)
{
	lockdep_assert_held(&pn->lock);
	if (c->spent)
		return;
	WRITE_ONCE(c->spent, true);
	pn->stats[L2TPSS_STAT_CONNS_SPENT]++;
	l2tpss_notify_conn(pn, c, L2TPSS_EVENT_CONN_SPENT);
}

static void teardown(struct l2tpss_net *pn, struct l2tpss_conn *c)
{
	lockdep_assert_held(&pn->lock);
	if (!c->live)
		return;		/* its SAs are gone already */
	kref_get(&c->ref);
	if (!l2tpss_defer(&c->teardown_work))
		l2tpss_conn_put(c);	/* already queued */
}

/*
 * @t's destruct period starts. A single-shot tunnel spends its connection
 * and tears it down now (items 10 and 11). A tunnel refused at registration
 * leaves the connection to the tunnel that used it.
 */
void l2tpss_conn_tunnel_gone(struct l2tpss_net *pn, struct l2tpss_tunnel *t)
{
	struct l2tpss_conn *c = t->conn;

	lockdep_assert_held(&pn->lock);
	if (!c)
		return;
	c->tunnels--;
	if (t->reason == L2TPSS_REASON_REFUSED || !t->settings.single_shot)
		return;
	l2tpss_conn_spend(pn, c);
	teardown(pn, c);
}

/*
 * @t's destruct period is over. A standard tunnel's connection is torn down
 * now (item 5), unless another connected tunnel still uses it.
 */
void l2tpss_conn_tunnel_expired(struct l2tpss_net *pn, struct l2tpss_tunnel *t)
{
	struct l2tpss_conn *c = t->conn;

	lockdep_assert_held(&pn->lock);
	if (c && !t->settings.single_shot &&
	    t->reason != L2TPSS_REASON_REFUSED && !c->tunnels)
		teardown(pn, c);
}

/*
 * Hard-expire the SAs recorded for @c (@n of them, copied from @sas), as
 * their lifetime would: delete each, then tell the key managers with
 * XFRM_MSG_EXPIRE, hard=1. Each is found by its SPI, never by identity, so
 * that another connection's SAs are never touched. Returns how many.
 */
static unsigned int expire_sas(struct net *net, const struct l2tpss_conn *c,
			       const struct l2tpss_sa *sas, unsigned int n)
{
	unsigned short family = c->peer.ipv6 ? AF_INET6 : AF_INET;
	unsigned int expired = 0, i;
	struct xfrm_state *x;
	xfrm_address_t daddr;

	for (i = 0; i < n; i++) {
		addr_to_xfrm(&daddr, sas[i].dir == L2TPSS_DIR_IN ? &c->local :
								    &c->peer);
		x = xfrm_state_lookup(net, sas[i].mark, &daddr, sas[i].spi,
				      IPPROTO_ESP, family);
		if (!x)
			continue;
		if (x->props.reqid == c->reqid && !xfrm_state_delete(x)) {
			km_state_expired(x, 1, 0);
			expired++;
		}
		xfrm_state_put(x);
	}
	return expired;
}

struct policy_batch {
	const struct l2tpss_conn *conn;
	bool exact;		/* another connection shares the peer */
	unsigned int n;
	struct xfrm_policy *pol[WALK_BATCH];
	int dir[WALK_BATCH];
};

/*
 * A policy for this one peer (a host selector on its side) whose templates
 * are all transport-mode ESP of this connection's reqid (or of any reqid,
 * when no other connection has that peer). Socket policies are the
 * owner's.
 */
static bool policy_matches(const struct policy_batch *b,
			   const struct xfrm_policy *pol, int dir)
{
	const struct l2tpss_conn *c = b->conn;
	const struct xfrm_selector *sel = &pol->selector;
	unsigned short family = c->peer.ipv6 ? AF_INET6 : AF_INET;
	u8 host = c->peer.ipv6 ? 128 : 32;
	const xfrm_address_t *addr;
	xfrm_address_t peer;
	int i;

	if (dir >= XFRM_POLICY_MAX || pol->type != XFRM_POLICY_TYPE_MAIN ||
	    sel->family != family || !pol->xfrm_nr)
		return false;
	addr = dir == XFRM_POLICY_OUT ? &sel->daddr : &sel->saddr;
	if ((dir == XFRM_POLICY_OUT ? sel->prefixlen_d : sel->prefixlen_s) != host)
		return false;
	addr_to_xfrm(&peer, &c->peer);
	if (!xfrm_addr_equal(addr, &peer, family))
		return false;
	for (i = 0; i < pol->xfrm_nr; i++) {
		const struct xfrm_tmpl *tmpl = &pol->xfrm_vec[i];

		if (tmpl->id.proto != IPPROTO_ESP ||
		    tmpl->mode != XFRM_MODE_TRANSPORT ||
		    (tmpl->reqid != c->reqid && (tmpl->reqid || b->exact)))
			return false;
	}
	return true;
}

static int policy_collect(struct xfrm_policy *pol, int dir, int count,
			  void *arg)
{
	struct policy_batch *b = arg;

	if (!policy_matches(b, pol, dir))
		return 0;
	xfrm_pol_hold(pol);
	b->pol[b->n] = pol;
	b->dir[b->n++] = dir;
	return b->n == WALK_BATCH;
}

/* Removes @c's policies and tells the key managers. Returns how many. */
static unsigned int delete_policies(struct net *net, const struct l2tpss_conn *c,
				    bool exact)
{
	struct policy_batch b = { .conn = c, .exact = exact };
	struct km_event ev = { .event = XFRM_MSG_DELPOLICY, .net = net };
	struct xfrm_policy_walk walk;
	unsigned int deleted = 0, i;
	int err;

	xfrm_policy_walk_init(&walk, XFRM_POLICY_TYPE_MAIN);
	do {
		b.n = 0;
		err = xfrm_policy_walk(net, &walk, policy_collect, &b);
		for (i = 0; i < b.n; i++) {
			if (!xfrm_policy_delete(b.pol[i], b.dir[i])) {
				km_policy_notify(b.pol[i], b.dir[i], &ev);
				deleted++;
			}
			xfrm_pol_put(b.pol[i]);
		}
	} while (err > 0);
	xfrm_policy_walk_done(&walk, net);
	return deleted;
}

/* Whether a live connection other than @c has the same peer. */
static bool peer_shared(struct l2tpss_net *pn, const struct l2tpss_conn *c)
{
	struct l2tpss_conn *o;

	hash_for_each_possible_rcu(pn->conn_hash, o, node, peer_hash(&c->peer),
				   lockdep_is_held(&pn->lock))
		if (o != c && l2tpss_addr_equal(&o->peer, &c->peer))
			return true;
	return false;
}

static void teardown_work_fn(struct work_struct *work)
{
	struct l2tpss_conn *c = container_of(work, struct l2tpss_conn,
					     teardown_work);
	struct l2tpss_sa sas_copy[L2TPSS_CONN_SAS];
	struct l2tpss_net *pn = c->pn;
	unsigned int sas, policies, n;
	bool dead, exact;

	/*
	 * A connection whose SAs went meanwhile has nothing left to tear
	 * down, and a newer one of the same identity is not this one.
	 */
	spin_lock_bh(&pn->lock);
	dead = pn->dead || !c->live;
	exact = peer_shared(pn, c);
	n = c->nr_sas;
	memcpy(sas_copy, c->sas, n * sizeof(c->sas[0]));
	spin_unlock_bh(&pn->lock);

	if (!dead) {
		sas = expire_sas(pn->net, c, sas_copy, n);
		policies = delete_policies(pn->net, c, exact);

		spin_lock_bh(&pn->lock);
		pn->stats[L2TPSS_STAT_IPSEC_TEARDOWNS]++;
		pn->stats[L2TPSS_STAT_SAS_EXPIRED] += sas;
		pn->stats[L2TPSS_STAT_POLICIES_DELETED] += policies;
		l2tpss_notify_conn(pn, c, L2TPSS_EVENT_IPSEC_TEARDOWN);
		spin_unlock_bh(&pn->lock);
	}
	l2tpss_conn_put(c);
}

void l2tpss_conns_init(struct l2tpss_net *pn)
{
	hash_init(pn->conn_hash);
	xa_init_flags(&pn->conns, XA_FLAGS_ALLOC1);
}

/* After l2tpss_tunnels_exit(): pn->dead is set, no tunnel holds a conn. */
void l2tpss_conns_exit(struct l2tpss_net *pn)
{
	struct l2tpss_conn *c;
	unsigned long gen;

	l2tpss_timers_flush();	/* teardowns queued meanwhile see pn->dead */
	spin_lock_bh(&pn->lock);
	xa_for_each(&pn->conns, gen, c)
		conn_end(pn, c);
	spin_unlock_bh(&pn->lock);
	xa_destroy(&pn->conns);
}

static int sa_scan(struct xfrm_state *x, int count, void *arg)
{
	sa_added(x);
	return 0;
}

/* SAs that existed before the module loaded; the key manager sees the rest. */
void l2tpss_conns_scan(void)
{
	struct xfrm_state_walk walk;
	struct net *net;

	down_read(&net_rwsem);
	for_each_net(net) {
		xfrm_state_walk_init(&walk, IPPROTO_ESP, NULL);
		xfrm_state_walk(net, &walk, sa_scan, NULL);
		xfrm_state_walk_done(&walk, net);
	}
	up_read(&net_rwsem);
}

void l2tpss_ipsec_init(void)
{
	xfrm_register_km(&l2tpss_km);
}

void l2tpss_ipsec_exit(void)
{
	xfrm_unregister_km(&l2tpss_km);	/* waits for running callbacks */
}
