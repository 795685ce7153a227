// SPDX-License-Identifier: GPL-2.0
/*
 * IPsec connections (SPEC.md items 9-11 and 14): which transport-mode ESP
 * SAs carry a tunnel, when a connection is spent, and its teardown.
 *
 * The module registers as an XFRM key manager, so it hears of every SA that
 * is added, updated, expired, deleted, flushed, remapped by a NAT or
 * migrated, in every netns, without polling.
 *
 * An SA is known by (netns, destination, SPI, ESP). SAs of one identity
 * (peer, the peer's NAT-T port, reqid) form a connection, from the first
 * until the last one is gone: a rekey adds the new SAs before the old ones
 * go, so it keeps the connection, while SAs that appear when none of that
 * identity is left start a new one. Once in a connection, an SA stays there
 * whatever happens to its encapsulation port (a NAT rebinding, applied by
 * the IKE daemon as an update or as a delete and an add of the same SPI) or
 * its addresses (a migration): a deleted SA is kept SA_GRACE in case it
 * comes back.
 *
 * Binding is evidence: a tunnel belongs to the connection whose SA carried
 * its own packets in. As it registers, that is the connection whose SA
 * carried the last L2TP control message of the tunnel's flow (an SCCRQ or
 * SCCCN, before l2tp_core had the tunnel), if exactly one did; otherwise
 * the first packet naming the tunnel that comes over an SA binds it (see
 * filter.c), unless its first packet in came in the clear: a tunnel that
 * began in plaintext stays plain. Until then it is bound to none, and
 * nothing is torn down on its account.
 *
 * Teardown hard-expires and deletes exactly the SAs of the connection, by
 * SPI (key managers such as strongSwan then delete the CHILD_SA and tell
 * the peer), and removes the XFRM policies that are for that one peer and
 * that no other live connection relies on.
 *
 * The key manager callbacks may run in softirq context with the SA's lock
 * held, so they only update tables under l2tpss_net.lock; teardown, which
 * takes XFRM's own locks, runs from a work item.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jhash.h>
#include <linux/l2tp.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/addrconf.h>
#include <net/route.h>
#include <net/xfrm.h>

#include "compat.h"
#include "l2tpss.h"

/* Policies handled per pass of an XFRM walk. */
#define WALK_BATCH 16

/* How long a deleted SA waits for its return (DELSA + NEWSA, same SPI). */
#define SA_GRACE (2 * HZ)

static atomic_long_t nr_conns = ATOMIC_LONG_INIT(0);

long l2tpss_conns_count(void)
{
	return atomic_long_read(&nr_conns);
}

/* What an SA tells of its connection. */
struct sa_identity {
	struct l2tpss_addr peer, local, daddr;
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
 * is a local address.
 */
static bool sa_identify(struct xfrm_state *x, struct sa_identity *id)
{
	unsigned short family = x->props.family;
	const struct xfrm_encap_tmpl *encap = x->encap;
	struct l2tpss_addr src;

	if (x->id.proto != IPPROTO_ESP || x->props.mode != XFRM_MODE_TRANSPORT ||
	    (family != AF_INET && family != AF_INET6) || !x->id.spi)
		return false;
	addr_from_xfrm(&src, &x->props.saddr, family);
	addr_from_xfrm(&id->daddr, &x->id.daddr, family);
	if (addr_is_local(xs_net(x), &id->daddr))
		id->dir = L2TPSS_DIR_IN;
	else if (addr_is_local(xs_net(x), &src))
		id->dir = L2TPSS_DIR_OUT;
	else
		return false;
	id->reqid = x->props.reqid;
	if (id->dir == L2TPSS_DIR_IN) {
		id->peer = src;
		id->local = id->daddr;
		id->natt_port = encap ? encap->encap_sport : 0;
	} else {
		id->peer = id->daddr;
		id->local = src;
		id->natt_port = encap ? encap->encap_dport : 0;
	}
	return true;
}

static u32 peer_hash(const struct l2tpss_net *pn, const struct l2tpss_addr *peer)
{
	if (peer->ipv6)
		return jhash(&peer->ip6, sizeof(peer->ip6), pn->hash_seed);
	return jhash_1word((__force u32)peer->ip, pn->hash_seed);
}

static u32 spi_hash(const struct l2tpss_net *pn, __be32 spi)
{
	return jhash_1word((__force u32)spi, pn->hash_seed);
}

static bool conn_is(const struct l2tpss_conn *c, const struct sa_identity *id)
{
	return c->reqid == id->reqid && c->natt_port == id->natt_port &&
	       l2tpss_addr_equal(&c->peer, &id->peer);
}

/* The SA of that destination and SPI. Caller holds pn->lock or RCU. */
static struct l2tpss_sa *sa_find(struct l2tpss_net *pn,
				 const struct l2tpss_addr *daddr, __be32 spi)
{
	struct l2tpss_sa *s;

	hash_for_each_possible_rcu(pn->sa_hash, s, node, spi_hash(pn, spi),
				   lockdep_is_held(&pn->lock))
		if (s->spi == spi && l2tpss_addr_equal(&s->daddr, daddr))
			return s;
	return NULL;
}

/* Whether @x is an SA with @peer: its source in (@in), its destination out. */
bool l2tpss_sa_is_peers(const struct xfrm_state *x, bool in,
			const struct l2tpss_addr *peer)
{
	struct l2tpss_addr a;

	addr_from_xfrm(&a, in ? &x->props.saddr : &x->id.daddr,
		       x->props.family);
	return l2tpss_addr_equal(&a, peer);
}

/*
 * The connection a packet came in or goes out by: that of its SA, found by
 * SPI, in the packet path.
 */
struct l2tpss_conn *l2tpss_conn_lookup(struct l2tpss_net *pn,
				       const struct xfrm_state *x)
{
	struct l2tpss_addr daddr;
	struct l2tpss_sa *s;

	addr_from_xfrm(&daddr, &x->id.daddr, x->props.family);
	s = sa_find(pn, &daddr, x->id.spi);
	return s && !READ_ONCE(s->gone) ? s->conn : NULL;
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
static void grace_work_fn(struct work_struct *work);

static struct l2tpss_conn *conn_alloc(struct l2tpss_net *pn)
{
	struct l2tpss_conn *c = kzalloc(sizeof(*c), GFP_ATOMIC | __GFP_ACCOUNT);

	if (!c)
		return NULL;
	atomic_long_inc(&nr_conns);
	kref_init(&c->ref);
	c->pn = pn;
	INIT_LIST_HEAD(&c->sas);
	INIT_WORK(&c->teardown_work, teardown_work_fn);
	INIT_DELAYED_WORK(&c->grace_work, grace_work_fn);
	return c;
}

static void sa_free(struct l2tpss_conn *c, struct l2tpss_sa *s)
{
	hash_del_rcu(&s->node);
	list_del(&s->conn_node);
	if (s->gone)
		c->nr_gone--;
	else
		c->nr_sas--;
	kfree_rcu(s, rcu);
}

/* Its last SA is gone: the connection ends; bound tunnels keep their copy. */
static void conn_end(struct l2tpss_net *pn, struct l2tpss_conn *c)
{
	struct l2tpss_sa *s, *tmp;

	lockdep_assert_held(&pn->lock);
	list_for_each_entry_safe(s, tmp, &c->sas, conn_node)
		sa_free(c, s);
	c->live = false;
	hash_del(&c->node);
	xa_erase(&pn->conns, c->gen);
	/* A grace period still pending holds a reference: drop it here. */
	if (cancel_delayed_work(&c->grace_work))
		l2tpss_conn_put(c);
	l2tpss_conn_put(c);
}

static void untracked_sa(struct l2tpss_net *pn)
{
	pn->stats[L2TPSS_STAT_SAS_UNTRACKED]++;
	pr_warn_ratelimited("out of memory: an IPsec SA is not followed, its connection's rules may not hold\n");
}

/* @c's ends moved (a migration, an SA back at a new address). */
static void conn_move(struct l2tpss_net *pn, struct l2tpss_conn *c,
		      const struct l2tpss_addr *peer,
		      const struct l2tpss_addr *local, __be16 natt_port)
{
	lockdep_assert_held(&pn->lock);
	hash_del(&c->node);
	c->peer = *peer;
	c->local = *local;
	c->natt_port = natt_port;
	hash_add(pn->conn_hash, &c->node, peer_hash(pn, &c->peer));
}

/* A connection for @id, new. Caller holds pn->lock. */
static struct l2tpss_conn *conn_new(struct l2tpss_net *pn,
				    struct l2tpss_conn *c,
				    const struct sa_identity *id)
{
	struct l2tpss_conn *o;
	struct hlist_node *tmp;

	/* SAs of an identity with none live make a new connection: one
	 * waiting for a deleted SA's return is over.
	 */
	hash_for_each_possible_safe(pn->conn_hash, o, tmp, node,
				    peer_hash(pn, &id->peer))
		if (conn_is(o, id) && !o->nr_sas)
			conn_end(pn, o);
	if (xa_alloc_cyclic(&pn->conns, &c->gen, c, xa_limit_32b,
			    &pn->next_conn_gen, GFP_ATOMIC) < 0)
		return NULL;
	c->peer = id->peer;
	c->local = id->local;
	c->natt_port = id->natt_port;
	c->reqid = id->reqid;
	c->live = true;
	hash_add(pn->conn_hash, &c->node, peer_hash(pn, &c->peer));
	return c;
}

/* A live connection of @id, joined by a rekey's new SAs. */
static struct l2tpss_conn *conn_find(struct l2tpss_net *pn,
				     const struct sa_identity *id)
{
	struct l2tpss_conn *c;

	hash_for_each_possible(pn->conn_hash, c, node, peer_hash(pn, &id->peer))
		if (conn_is(c, id) && c->nr_sas)
			return c;
	return NULL;
}

/*
 * A deleted SA of the same SPI, direction and reqid that comes back (DELSA
 * + NEWSA, possibly at a new address): it rejoins its connection.
 */
static struct l2tpss_sa *sa_find_gone(struct l2tpss_net *pn, __be32 spi,
				      const struct sa_identity *id)
{
	struct l2tpss_sa *s;

	hash_for_each_possible(pn->sa_hash, s, node, spi_hash(pn, spi))
		if (s->spi == spi && s->gone && s->dir == id->dir &&
		    s->conn->reqid == id->reqid)
			return s;
	return NULL;
}

static void sa_added(struct xfrm_state *x)
{
	struct l2tpss_net *pn = l2tpss_pernet(xs_net(x));
	struct l2tpss_conn *c, *new;
	struct l2tpss_sa *s, *new_sa;
	struct sa_identity id;

	if (!sa_identify(x, &id))
		return;
	new = conn_alloc(pn);
	new_sa = kzalloc_obj(*new_sa, GFP_ATOMIC | __GFP_ACCOUNT);

	spin_lock_bh(&pn->lock);
	if (pn->dead)
		goto out;
	s = sa_find(pn, &id.daddr, x->id.spi) ?:
	    sa_find_gone(pn, x->id.spi, &id);
	if (s) {
		/* An update, or its return: it stays where it was. */
		c = s->conn;
		if (s->gone) {
			WRITE_ONCE(s->gone, false);
			c->nr_gone--;
			c->nr_sas++;
		}
		/* (Hashed by SPI alone: a new address keeps its bucket.) */
		s->daddr = id.daddr;
		s->mark = x->mark.v & x->mark.m;
		if (!l2tpss_addr_equal(&c->peer, &id.peer) ||
		    !l2tpss_addr_equal(&c->local, &id.local))
			conn_move(pn, c, &id.peer, &id.local, id.natt_port);
		else
			c->natt_port = id.natt_port;
		goto out;
	}
	if (!new_sa) {
		untracked_sa(pn);
		goto out;
	}
	c = conn_find(pn, &id);
	if (!c) {
		if (!new || !conn_new(pn, new, &id)) {
			untracked_sa(pn);
			goto out;
		}
		c = new;
		new = NULL;
	}
	new_sa->conn = c;
	new_sa->daddr = id.daddr;
	new_sa->spi = x->id.spi;
	new_sa->mark = x->mark.v & x->mark.m;
	new_sa->dir = id.dir;
	list_add_tail(&new_sa->conn_node, &c->sas);
	hash_add_rcu(pn->sa_hash, &new_sa->node, spi_hash(pn, new_sa->spi));
	c->nr_sas++;
	new_sa = NULL;
out:
	spin_unlock_bh(&pn->lock);
	kfree(new_sa);
	if (new)
		l2tpss_conn_put(new);
}

/*
 * An SA is deleted: for good (@final: a hard expiry, ours included), or
 * perhaps to come back at once (DELSA). The connection ends with its last
 * SA, or SA_GRACE after it when that one may come back.
 */
static void sa_deleted(struct xfrm_state *x, bool final)
{
	struct l2tpss_net *pn = l2tpss_pernet(xs_net(x));
	struct l2tpss_addr daddr;
	struct l2tpss_conn *c;
	struct l2tpss_sa *s;

	addr_from_xfrm(&daddr, &x->id.daddr, x->props.family);
	spin_lock_bh(&pn->lock);
	s = pn->dead ? NULL : sa_find(pn, &daddr, x->id.spi);
	if (!s || s->gone)
		goto out;
	c = s->conn;
	if (final) {
		sa_free(c, s);
	} else {
		WRITE_ONCE(s->gone, true);
		c->nr_sas--;
		c->nr_gone++;
		/* (It may be pending already: a reference per queued run.) */
		if (!l2tpss_defer_delayed(&c->grace_work, SA_GRACE))
			kref_get(&c->ref);
	}
	if (!c->nr_sas && !c->nr_gone)
		conn_end(pn, c);
out:
	spin_unlock_bh(&pn->lock);
}

/* The deleted SAs that did not come back are gone for good. */
static void grace_work_fn(struct work_struct *work)
{
	struct l2tpss_conn *c = container_of(to_delayed_work(work),
					     struct l2tpss_conn, grace_work);
	struct l2tpss_net *pn = c->pn;
	struct l2tpss_sa *s, *tmp;

	spin_lock_bh(&pn->lock);
	if (!pn->dead && c->live) {
		list_for_each_entry_safe(s, tmp, &c->sas, conn_node)
			if (s->gone)
				sa_free(c, s);
		if (!c->nr_sas)
			conn_end(pn, c);
	}
	spin_unlock_bh(&pn->lock);
	l2tpss_conn_put(c);
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
		sa_deleted(x, false);
		break;
	case XFRM_MSG_EXPIRE:
		if (c->data.hard)
			sa_deleted(x, true);
		break;
	case XFRM_MSG_FLUSHSA:
		sas_flushed(c->net, c->data.proto);
		break;
	}
	return 0;
}

/*
 * The kernel saw the peer's NAT mapping change (XFRM_MSG_MAPPING); the IKE
 * daemon will update the SA. The connection is the SA's, found by SPI, and
 * stays so: only its current NAT-T port changes.
 */
static int l2tpss_km_new_mapping(struct xfrm_state *x,
				 xfrm_address_t *ipaddr, __be16 sport)
{
	struct l2tpss_net *pn = l2tpss_pernet(xs_net(x));
	struct l2tpss_addr daddr;
	struct l2tpss_sa *s;

	addr_from_xfrm(&daddr, &x->id.daddr, x->props.family);
	spin_lock_bh(&pn->lock);
	s = pn->dead ? NULL : sa_find(pn, &daddr, x->id.spi);
	if (s)
		s->conn->natt_port = sport;
	spin_unlock_bh(&pn->lock);
	/*
	 * Not 0: XFRM stops at the first key manager that takes the mapping,
	 * and the IKE daemon (xfrm_user, af_key) must get it.
	 */
	return -ENOENT;
}

/*
 * SAs migrated to new addresses (XFRM_MSG_MIGRATE): XFRM replaces them
 * with copies of the same SPIs at the new addresses, without a NEWSA or
 * DELSA. Their records and connection move with them.
 */
static int l2tpss_km_migrate(const struct xfrm_selector *sel, u8 dir,
			     u8 type, const struct xfrm_migrate *m,
			     int num_bundles, const struct xfrm_kmaddress *k,
			     struct net *net,
			     const struct xfrm_encap_tmpl *encap)
{
	struct l2tpss_net *pn = l2tpss_pernet(net);
	struct l2tpss_addr old_d, old_s, new_d, new_s;
	struct l2tpss_conn *c;
	struct l2tpss_sa *s;
	unsigned long gen;
	int i;

	spin_lock_bh(&pn->lock);
	for (i = 0; !pn->dead && i < num_bundles; i++, m++) {
		if (m->proto != IPPROTO_ESP || m->mode != XFRM_MODE_TRANSPORT)
			continue;
		addr_from_xfrm(&old_d, &m->old_daddr, m->old_family);
		addr_from_xfrm(&old_s, &m->old_saddr, m->old_family);
		addr_from_xfrm(&new_d, &m->new_daddr, m->new_family);
		addr_from_xfrm(&new_s, &m->new_saddr, m->new_family);
		xa_for_each(&pn->conns, gen, c) {
			bool out = l2tpss_addr_equal(&c->peer, &old_d) &&
				   l2tpss_addr_equal(&c->local, &old_s);
			bool in = l2tpss_addr_equal(&c->peer, &old_s) &&
				  l2tpss_addr_equal(&c->local, &old_d);

			if (c->reqid != l2tpss_migrate_reqid(m) || (!out && !in))
				continue;
			list_for_each_entry(s, &c->sas, conn_node)
				s->daddr = s->dir == L2TPSS_DIR_IN ?
					   (out ? new_s : new_d) :
					   (out ? new_d : new_s);
			/* The peer's port: the destination's going out. */
			conn_move(pn, c, out ? &new_d : &new_s,
				  out ? &new_s : &new_d,
				  !encap ? c->natt_port :
				  out ? encap->encap_dport : encap->encap_sport);
		}
	}
	spin_unlock_bh(&pn->lock);
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
	.new_mapping = l2tpss_km_new_mapping,
	.migrate = l2tpss_km_migrate,
};

/*
 * The evidence of one L2TP control message in: its SA and ports, in one
 * word that the packet path writes and registration reads without a lock.
 */
static u64 evidence(__be32 spi, __be16 peer_port, __be16 local_port)
{
	return (u64)(__force u32)spi << 32 | (__force u32)peer_port << 16 |
	       (__force u16)local_port;
}

/* L2TP control messages over @c carry the evidence for binding. */
void l2tpss_conn_evidence(struct l2tpss_conn *c, __be16 peer_port,
			  __be16 local_port, __be32 spi)
{
	WRITE_ONCE(c->evidence, evidence(spi, peer_port, local_port));
}

static __be32 evidence_spi(u64 ev)
{
	return (__force __be32)(u32)(ev >> 32);
}

/*
 * @t is bound to @c by @spi. Returns false if @c may carry no new tunnel
 * (SPEC.md items 9 and 11): @t is then refused. Caller holds the lock.
 */
static bool bind_tunnel(struct l2tpss_tunnel *t, struct l2tpss_conn *c,
			__be32 spi, u8 how)
{
	bool refuse = c->spent || c->single_shot;

	kref_get(&c->ref);
	t->bound_spi = spi;
	t->bound_how = how;
	t->bound_at = ktime_get_boottime_seconds();
	WRITE_ONCE(t->conn, c);
	c->tunnels++;
	if (!refuse) {
		c->tunnel_id = t->id;
		c->bound_spi = spi;
		c->bound_how = how;
		c->bound_at = t->bound_at;
		if (t->settings.single_shot)
			WRITE_ONCE(c->single_shot, true);
	}
	return !refuse;
}

/*
 * As @t registers: the live connection between its addresses whose SA
 * carried the last control message of its flow, if exactly one did.
 * Returns false if that connection may carry no new tunnel.
 */
bool l2tpss_conn_bind(struct l2tpss_net *pn, struct l2tpss_tunnel *t)
{
	struct l2tpss_conn *c, *found = NULL;
	unsigned int n = 0;
	bool udp = t->encap == L2TP_ENCAPTYPE_UDP;
	u64 ev, found_ev = 0;

	lockdep_assert_held(&pn->lock);
	hash_for_each_possible(pn->conn_hash, c, node, peer_hash(pn, &t->peer)) {
		ev = READ_ONCE(c->evidence);
		if (!c->nr_sas || !evidence_spi(ev) ||
		    (u32)ev != (u32)evidence(0, udp ? t->peer_port : 0,
					     udp ? t->local_port : 0) ||
		    !l2tpss_addr_equal(&c->peer, &t->peer) ||
		    !l2tpss_addr_equal(&c->local, &t->local))
			continue;
		found = c;
		found_ev = ev;
		n++;
	}
	if (n != 1)
		return true;	/* plain L2TP, or a packet of its own will tell */
	return bind_tunnel(t, found, evidence_spi(found_ev), L2TPSS_BIND_FLOW);
}

/*
 * A packet of @t's own came in over @c's SA @spi, and @t is bound to none
 * yet: now it is (from the packet path). Returns false if @c may carry no
 * new tunnel: @t is then refused.
 */
bool l2tpss_conn_bind_packet(struct l2tpss_net *pn, struct l2tpss_tunnel *t,
			     struct l2tpss_conn *c, __be32 spi)
{
	bool ok = true;

	spin_lock_bh(&pn->lock);
	if (!pn->dead && c->live && !t->conn &&
	    t->state != L2TPSS_STATE_DESTRUCTING)
		ok = bind_tunnel(t, c, spi, L2TPSS_BIND_PACKET);
	spin_unlock_bh(&pn->lock);
	return ok;
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
 * and tears it down now (items 10 and 11). A tunnel refused when it was
 * bound leaves the connection to the tunnel that used it.
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

/* What a teardown works from, copied under the lock; a batch of policies. */
struct policy_batch {
	struct l2tpss_addr peer;	/* the connection's, as it was */
	u32 reqid;
	const u32 *others;	/* reqids of the peer's other live connections */
	unsigned int nr_others;
	unsigned int n;
	struct xfrm_policy *pol[WALK_BATCH];
	int dir[WALK_BATCH];
};

/* An SA to expire, as the teardown copies it under the lock. */
struct sa_ref {
	xfrm_address_t daddr;
	__be32 spi;
	u32 mark;
};

/*
 * Hard-expire the SAs recorded for @c, as their lifetime would: delete
 * each, then tell the key managers with XFRM_MSG_EXPIRE, hard=1. Each is
 * found by its SPI wherever its encapsulation port has moved, never by
 * identity, so another connection's SAs are never touched. Returns how many.
 */
static unsigned int expire_sas(struct net *net, const struct policy_batch *b,
			       const struct sa_ref *sas, unsigned int n)
{
	unsigned short family = b->peer.ipv6 ? AF_INET6 : AF_INET;
	unsigned int expired = 0, i;
	struct xfrm_state *x;

	for (i = 0; i < n; i++) {
		x = xfrm_state_lookup(net, sas[i].mark, &sas[i].daddr,
				      sas[i].spi, IPPROTO_ESP, family);
		if (!x)
			continue;
		if (x->props.reqid == b->reqid && !xfrm_state_delete(x)) {
			km_state_expired(x, 1, 0);
			expired++;
		}
		xfrm_state_put(x);
	}
	return expired;
}

/* Whether SAs of reqid @reqid satisfy template @tmpl. */
static bool tmpl_takes(const struct xfrm_tmpl *tmpl, u32 reqid)
{
	return !tmpl->reqid || tmpl->reqid == reqid;
}

/*
 * A policy for this one peer (a host selector on its side) whose templates
 * are all transport-mode ESP that this connection's SAs satisfy, and none
 * of them one that another live connection to the peer satisfies: no
 * other connection relies on it. Socket policies are their owner's.
 */
static bool policy_matches(const struct policy_batch *b,
			   const struct xfrm_policy *pol, int dir)
{
	const struct xfrm_selector *sel = &pol->selector;
	unsigned short family = b->peer.ipv6 ? AF_INET6 : AF_INET;
	u8 host = b->peer.ipv6 ? 128 : 32;
	const xfrm_address_t *addr;
	xfrm_address_t peer;
	unsigned int j;
	int i;

	if (dir >= XFRM_POLICY_MAX || pol->type != XFRM_POLICY_TYPE_MAIN ||
	    sel->family != family || !pol->xfrm_nr)
		return false;
	addr = dir == XFRM_POLICY_OUT ? &sel->daddr : &sel->saddr;
	if ((dir == XFRM_POLICY_OUT ? sel->prefixlen_d : sel->prefixlen_s) != host)
		return false;
	addr_to_xfrm(&peer, &b->peer);
	if (!xfrm_addr_equal(addr, &peer, family))
		return false;
	for (i = 0; i < pol->xfrm_nr; i++) {
		const struct xfrm_tmpl *tmpl = &pol->xfrm_vec[i];

		if (tmpl->id.proto != IPPROTO_ESP ||
		    tmpl->mode != XFRM_MODE_TRANSPORT ||
		    !tmpl_takes(tmpl, b->reqid))
			return false;
		for (j = 0; j < b->nr_others; j++)
			if (tmpl_takes(tmpl, b->others[j]))
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
static unsigned int delete_policies(struct net *net, struct policy_batch *b)
{
	struct km_event ev = { .event = XFRM_MSG_DELPOLICY, .net = net };
	struct xfrm_policy_walk walk;
	unsigned int deleted = 0, i;
	int err;

	xfrm_policy_walk_init(&walk, XFRM_POLICY_TYPE_MAIN);
	do {
		b->n = 0;
		err = xfrm_policy_walk(net, &walk, policy_collect, b);
		for (i = 0; i < b->n; i++) {
			if (!xfrm_policy_delete(b->pol[i], b->dir[i])) {
				km_policy_notify(b->pol[i], b->dir[i], &ev);
				deleted++;
			}
			xfrm_pol_put(b->pol[i]);
		}
	} while (err > 0);
	xfrm_policy_walk_done(&walk, net);
	return deleted;
}

/*
 * The larval SAs of the connection: an acquire makes one when a packet
 * meets one of its outbound policies while it has no SA that way (between
 * the teardown's SA deletes and its policy deletes, or after an SA was
 * deleted by hand). Left, it would stay until the acquire expires
 * (net.core.xfrm_acq_expires, 30 s). Only those of this connection's
 * reqid towards its peer: a daemon's own trap policy (reqid 0, say) makes
 * larval SAs that are the daemon's.
 */
struct larval_batch {
	xfrm_address_t peer;
	unsigned short family;
	u32 reqid;
	unsigned int n;
	struct xfrm_state *x[WALK_BATCH];
};

static int larval_collect(struct xfrm_state *x, int count, void *arg)
{
	struct larval_batch *l = arg;

	if (x->km.state != XFRM_STATE_ACQ || x->id.spi ||
	    x->props.reqid != l->reqid || x->props.mode != XFRM_MODE_TRANSPORT ||
	    x->props.family != l->family ||
	    !xfrm_addr_equal(&x->id.daddr, &l->peer, l->family))
		return 0;
	xfrm_state_hold(x);
	l->x[l->n++] = x;
	return l->n == WALK_BATCH;
}

/*
 * After the policies: no acquire for this connection can come any more.
 * Not when another live connection to the peer has the same reqid (as
 * strongSwan gives identical selectors): its policies stayed, and the
 * larval SAs may be its own.
 */
static void delete_larval(struct net *net, const struct policy_batch *b)
{
	struct larval_batch l = {
		.family = b->peer.ipv6 ? AF_INET6 : AF_INET,
		.reqid = b->reqid,
	};
	struct xfrm_state_walk walk;
	unsigned int i;
	int err;

	for (i = 0; i < b->nr_others; i++)
		if (b->others[i] == b->reqid)
			return;
	addr_to_xfrm(&l.peer, &b->peer);
	xfrm_state_walk_init(&walk, IPPROTO_ESP, NULL);
	do {
		l.n = 0;
		err = xfrm_state_walk(net, &walk, larval_collect, &l);
		for (i = 0; i < l.n; i++) {
			xfrm_state_delete(l.x[i]);
			xfrm_state_put(l.x[i]);
		}
	} while (err > 0);
	xfrm_state_walk_done(&walk, net);
}

/*
 * What the teardown of @c needs, copied under the lock: its live SAs and
 * the reqids of the peer's other live connections (their SAs may be gone
 * meanwhile: then their policies stay, on the safe side). Returns false if
 * there is nothing to tear down.
 */
static bool teardown_snapshot(struct l2tpss_net *pn, struct l2tpss_conn *c,
			      struct policy_batch *b, struct sa_ref **sas,
			      unsigned int *nr_sas, u32 **others)
{
	unsigned int n = 0, m = 0, max_sas, max_others;
	struct l2tpss_conn *o;
	struct l2tpss_sa *s;

	spin_lock_bh(&pn->lock);
	max_sas = c->nr_sas;
	max_others = 0;
	hash_for_each_possible(pn->conn_hash, o, node, peer_hash(pn, &c->peer))
		max_others++;
	spin_unlock_bh(&pn->lock);

	*sas = kcalloc(max_sas ?: 1, sizeof(**sas), GFP_KERNEL);
	*others = kcalloc(max_others ?: 1, sizeof(**others), GFP_KERNEL);
	if (!*sas || !*others)
		return false;

	spin_lock_bh(&pn->lock);
	if (!pn->dead && c->live) {
		b->peer = c->peer;
		b->reqid = c->reqid;
		list_for_each_entry(s, &c->sas, conn_node) {
			if (s->gone || n == max_sas)
				continue;
			addr_to_xfrm(&(*sas)[n].daddr, &s->daddr);
			(*sas)[n].spi = s->spi;
			(*sas)[n++].mark = s->mark;
		}
		hash_for_each_possible(pn->conn_hash, o, node,
				       peer_hash(pn, &c->peer))
			if (o != c && m < max_others &&
			    l2tpss_addr_equal(&o->peer, &c->peer))
				(*others)[m++] = o->reqid;
	}
	spin_unlock_bh(&pn->lock);
	*nr_sas = n;
	b->others = *others;
	b->nr_others = m;
	return n > 0;
}

static void teardown_work_fn(struct work_struct *work)
{
	struct l2tpss_conn *c = container_of(work, struct l2tpss_conn,
					     teardown_work);
	struct policy_batch b = { };
	struct l2tpss_net *pn = c->pn;
	unsigned int sas, policies, n;
	struct sa_ref *refs;
	u32 *others;

	/*
	 * A connection whose SAs went meanwhile has nothing left to tear
	 * down, and a newer one of the same identity is not this one.
	 */
	if (teardown_snapshot(pn, c, &b, &refs, &n, &others)) {
		sas = expire_sas(pn->net, &b, refs, n);
		policies = delete_policies(pn->net, &b);
		delete_larval(pn->net, &b);

		spin_lock_bh(&pn->lock);
		pn->stats[L2TPSS_STAT_IPSEC_TEARDOWNS]++;
		pn->stats[L2TPSS_STAT_SAS_EXPIRED] += sas;
		pn->stats[L2TPSS_STAT_POLICIES_DELETED] += policies;
		l2tpss_notify_conn(pn, c, L2TPSS_EVENT_IPSEC_TEARDOWN);
		spin_unlock_bh(&pn->lock);
	}
	kfree(refs);
	kfree(others);
	l2tpss_conn_put(c);
}

void l2tpss_conns_init(struct l2tpss_net *pn)
{
	hash_init(pn->conn_hash);
	hash_init(pn->sa_hash);
	xa_init_flags(&pn->conns, XA_FLAGS_ALLOC1);
}

/* After l2tpss_tunnels_exit(): pn->dead is set, no tunnel holds a conn. */
void l2tpss_conns_exit(struct l2tpss_net *pn)
{
	struct l2tpss_conn *c;
	unsigned long gen;

	l2tpss_timers_flush();	/* teardowns queued meanwhile see pn->dead */
	/* No grace period may run once pn is gone; none starts now. */
	xa_for_each(&pn->conns, gen, c)
		if (cancel_delayed_work_sync(&c->grace_work))
			l2tpss_conn_put(c);
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
