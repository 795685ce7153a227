// SPDX-License-Identifier: GPL-2.0
/*
 * The per-netns tables of the tunnels and sessions l2tp_core has, fed by the
 * tracepoint hooks and by one scan at load time.
 *
 * Records never hold l2tp_core objects: they copy what they need while the
 * caller holds the object, and keep its address only as an identity to match
 * later events (a new tunnel may reuse the id of one still being torn down).
 * Every writer holds l2tpss_net.lock; the hooks may run in atomic context, so
 * allocations are GFP_ATOMIC and nothing here sleeps.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>

#include "compat.h"
#include "l2tpss.h"

/* Records alive in all namespaces, for leak checks (debugfs.c). */
static atomic_long_t nr_tunnels = ATOMIC_LONG_INIT(0);
static atomic_long_t nr_sessions = ATOMIC_LONG_INIT(0);

void l2tpss_objects_count(long *tunnels, long *sessions)
{
	*tunnels = atomic_long_read(&nr_tunnels);
	*sessions = atomic_long_read(&nr_sessions);
}

static void tunnel_release(struct kref *ref)
{
	struct l2tpss_tunnel *t = container_of(ref, struct l2tpss_tunnel, ref);

	atomic_long_dec(&nr_tunnels);
	kfree_rcu(t, rcu);
}

static void tunnel_put(struct l2tpss_tunnel *t)
{
	kref_put(&t->ref, tunnel_release);
}

static void session_free(struct l2tpss_session *s)
{
	atomic_long_dec(&nr_sessions);
	kfree(s);
}

/* The socket of a registered tunnel is connected to the peer. */
static void tunnel_read_addresses(struct l2tpss_tunnel *t, struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);

	t->local_port = inet->inet_sport;
	t->peer_port = inet->inet_dport;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(&sk->sk_v6_daddr)) {
		t->ipv6 = true;
		t->local.ip6 = sk->sk_v6_rcv_saddr;
		t->peer.ip6 = sk->sk_v6_daddr;
		return;
	}
#endif
	t->local.ip = inet->inet_saddr;
	t->peer.ip = inet->inet_daddr;
}

static struct l2tpss_tunnel *tunnel_alloc(struct l2tp_tunnel *tunnel)
{
	struct l2tpss_tunnel *t = kzalloc(sizeof(*t), GFP_ATOMIC);

	if (!t)
		return NULL;
	atomic_long_inc(&nr_tunnels);
	kref_init(&t->ref);
	t->key = tunnel;
	t->id = tunnel->tunnel_id;
	t->peer_id = tunnel->peer_tunnel_id;
	t->version = tunnel->version;
	t->encap = tunnel->encap;
	t->state = L2TPSS_STATE_IDLE;
	t->registered = ktime_get_boottime_seconds();
	tunnel_read_addresses(t, tunnel->sock);
	return t;
}

/* An operator must know that a tunnel escapes its configured policy. */
static void warn_untracked(u32 tunnel_id)
{
	pr_warn_ratelimited("out of memory: tunnel %u not tracked, its settings are not enforced\n",
			    tunnel_id);
}

static struct l2tpss_tunnel *tunnel_lookup(struct l2tpss_net *pn,
					   const struct l2tp_tunnel *tunnel)
{
	struct l2tpss_tunnel *t = xa_load(&pn->tunnels, tunnel->tunnel_id);

	return t && t->key == tunnel ? t : NULL;
}

static struct l2tpss_session *session_lookup(struct l2tpss_net *pn,
					     const struct l2tp_session *session)
{
	struct l2tpss_session *s;

	hash_for_each_possible(pn->sessions, s, node, (unsigned long)session)
		if (s->key == session)
			return s;
	return NULL;
}

/*
 * Called from the register_tunnel probe and from the load-time scan, which
 * may both see the same tunnel: the second one is ignored. A tunnel already
 * marked dead is not recorded, since its delete event may have passed.
 */
void l2tpss_tunnel_registered(struct l2tp_tunnel *tunnel)
{
	struct l2tpss_net *pn = l2tpss_pernet(tunnel->l2tp_net);
	struct l2tpss_tunnel *t, *old;

	t = tunnel_alloc(tunnel);
	if (!t) {
		warn_untracked(tunnel->tunnel_id);
		return;
	}

	spin_lock_bh(&pn->lock);
	if (pn->dead || test_bit(0, &tunnel->dead) || tunnel_lookup(pn, tunnel))
		goto drop;
	l2tpss_policy_resolve(pn, &t->settings);
	old = xa_store(&pn->tunnels, t->id, t, GFP_ATOMIC);
	if (xa_is_err(old)) {
		warn_untracked(t->id);
		goto drop;
	}
	/* l2tp_core ids are unique until the delete event, which we saw. */
	if (WARN_ON_ONCE(old))
		tunnel_put(old);
	spin_unlock_bh(&pn->lock);
	return;

drop:
	spin_unlock_bh(&pn->lock);
	tunnel_put(t);
}

/* Called on delete_tunnel and, for safety, on free_tunnel. */
void l2tpss_tunnel_deleted(struct l2tp_tunnel *tunnel)
{
	struct l2tpss_tunnel *t;
	struct l2tpss_net *pn;

	/* A tunnel that failed to register never got a netns. */
	if (!tunnel->l2tp_net)
		return;
	pn = l2tpss_pernet(tunnel->l2tp_net);

	spin_lock_bh(&pn->lock);
	t = pn->dead ? NULL : tunnel_lookup(pn, tunnel);
	if (t)
		xa_erase(&pn->tunnels, t->id);
	spin_unlock_bh(&pn->lock);

	/* Its sessions, deleted next, hold their own references. */
	if (t)
		tunnel_put(t);
}

void l2tpss_session_registered(struct l2tp_session *session)
{
	struct l2tp_tunnel *tunnel = session->tunnel;
	struct l2tpss_net *pn = l2tpss_pernet(tunnel->l2tp_net);
	struct l2tpss_tunnel *t;
	struct l2tpss_session *s;

	/*
	 * Session id 0 is the control connection; pppol2tp registers one for
	 * its tunnel management socket. It is no session of the tunnel.
	 */
	if (!session->session_id)
		return;

	s = kzalloc(sizeof(*s), GFP_ATOMIC);
	if (!s)
		return;		/* the tunnel's session count is then low */
	atomic_long_inc(&nr_sessions);
	s->key = session;
	s->id = session->session_id;

	spin_lock_bh(&pn->lock);
	if (pn->dead || test_bit(0, &session->dead) ||
	    session_lookup(pn, session))
		goto drop;
	t = tunnel_lookup(pn, tunnel);
	if (!t)
		goto drop;	/* a tunnel we could not track */
	kref_get(&t->ref);
	s->tunnel = t;
	t->sessions++;
	t->sessions_total++;
	t->state = L2TPSS_STATE_ACTIVE;
	hash_add(pn->sessions, &s->node, (unsigned long)session);
	spin_unlock_bh(&pn->lock);
	return;

drop:
	spin_unlock_bh(&pn->lock);
	session_free(s);
}

/* Called on delete_session and, for safety, on free_session. */
void l2tpss_session_deleted(struct l2tp_session *session)
{
	struct l2tp_tunnel *tunnel = session->tunnel;
	struct l2tpss_tunnel *t = NULL;
	struct l2tpss_session *s;
	struct l2tpss_net *pn;

	/* A session that failed to register has no tunnel. */
	if (!tunnel)
		return;
	pn = l2tpss_pernet(tunnel->l2tp_net);

	spin_lock_bh(&pn->lock);
	s = pn->dead ? NULL : session_lookup(pn, session);
	if (s) {
		hash_del(&s->node);
		t = s->tunnel;
		if (!--t->sessions)
			t->state = L2TPSS_STATE_IDLE;
	}
	spin_unlock_bh(&pn->lock);

	if (s) {
		tunnel_put(t);
		session_free(s);
	}
}

static void scan_net(struct net *net)
{
	unsigned long tunnel_cursor = 0, session_cursor;
	struct l2tp_session *session;
	struct l2tp_tunnel *tunnel;

	while ((tunnel = l2tpss_tunnel_get_next(net, &tunnel_cursor))) {
		l2tpss_tunnel_registered(tunnel);
		session_cursor = 0;
		while ((session = l2tpss_session_get_next(tunnel,
							  &session_cursor))) {
			l2tpss_session_registered(session);
			l2tpss_session_put(session);
		}
		l2tpss_tunnel_put(tunnel);
	}
}

/*
 * Record the tunnels and sessions that existed before the module loaded. The
 * probes are attached first, so anything created meanwhile is seen by both,
 * and anything deleted meanwhile is skipped thanks to its dead bit.
 */
void l2tpss_tunnels_scan(void)
{
	struct net *net;

	down_read(&net_rwsem);
	for_each_net(net)
		scan_net(net);
	up_read(&net_rwsem);
}

void l2tpss_tunnels_init(struct l2tpss_net *pn)
{
	spin_lock_init(&pn->lock);
	xa_init(&pn->tunnels);
	hash_init(pn->sessions);
}

/*
 * The netns is going away, or the module is: drop every record. l2tp_core's
 * own exit runs after ours and fires delete events that pn->dead ignores.
 */
void l2tpss_tunnels_exit(struct l2tpss_net *pn)
{
	struct l2tpss_session *s;
	struct l2tpss_tunnel *t;
	struct hlist_node *tmp;
	unsigned long id;
	int bkt;

	spin_lock_bh(&pn->lock);
	pn->dead = true;
	hash_for_each_safe(pn->sessions, bkt, tmp, s, node) {
		hash_del(&s->node);
		tunnel_put(s->tunnel);
		session_free(s);
	}
	xa_for_each(&pn->tunnels, id, t) {
		xa_erase(&pn->tunnels, id);
		tunnel_put(t);
	}
	spin_unlock_bh(&pn->lock);
	xa_destroy(&pn->tunnels);
}
