// SPDX-License-Identifier: GPL-2.0
/*
 * The per-netns tables of tunnels and sessions, and each tunnel's life:
 *
 *   register -> IDLE <-> ACTIVE -> (deleted in l2tp_core) -> DESTRUCTING -> gone
 *
 * IDLE runs the idle timer (unless the timeout is 0, or a single-shot tunnel
 * has had its session); a single-shot tunnel whose session ends is deleted at
 * once; any deletion starts the destruct period, after which the record
 * (the tombstone) is dropped. Every transition is an event.
 *
 * Records never hold l2tp_core objects: they copy what they need while the
 * caller holds the object and keep its address only to match later events
 * (a new tunnel may reuse the id of one still being torn down). Acting on
 * l2tp_core means looking the tunnel up again by id and checking it is ours.
 *
 * Every writer holds l2tpss_net.lock. The hooks may run in atomic context,
 * so allocations are GFP_ATOMIC. Nothing calls into l2tp_core with the lock
 * held, since l2tp_core calls back into the hooks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>

#include "compat.h"
#include "l2tpss.h"

/* Records alive in all namespaces, for leak checks (debugfs.c). */
static atomic_long_t nr_tunnels = ATOMIC_LONG_INIT(0);
static atomic_long_t nr_sessions = ATOMIC_LONG_INIT(0);

static const u8 disconnect_stat[__L2TPSS_REASON_MAX] = {
	[L2TPSS_REASON_DELETED] = L2TPSS_STAT_DISCONNECT_DELETED,
	[L2TPSS_REASON_IDLE_TIMEOUT] = L2TPSS_STAT_DISCONNECT_IDLE,
	[L2TPSS_REASON_SINGLE_SHOT] = L2TPSS_STAT_DISCONNECT_SINGLE_SHOT,
	[L2TPSS_REASON_ADMIN] = L2TPSS_STAT_DISCONNECT_ADMIN,
	[L2TPSS_REASON_REFUSED] = L2TPSS_STAT_DISCONNECT_REFUSED,
};

void l2tpss_objects_count(long *tunnels, long *sessions)
{
	*tunnels = atomic_long_read(&nr_tunnels);
	*sessions = atomic_long_read(&nr_sessions);
}

/* Records come from their own cache: 100,000 tunnels are a normal LNS. */
static struct kmem_cache *tunnel_cache;

static void tunnel_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(tunnel_cache,
			container_of(head, struct l2tpss_tunnel, rcu));
}

static void tunnel_release(struct kref *ref)
{
	struct l2tpss_tunnel *t = container_of(ref, struct l2tpss_tunnel, ref);

	atomic_long_dec(&nr_tunnels);
	if (t->conn)
		l2tpss_conn_put(t->conn);
	call_rcu(&t->rcu, tunnel_free_rcu);
}

int __init l2tpss_tunnels_cache_init(void)
{
	tunnel_cache = KMEM_CACHE(l2tpss_tunnel, SLAB_ACCOUNT);
	return tunnel_cache ? 0 : -ENOMEM;
}

/* After every record is released: wait for their RCU callbacks. */
void l2tpss_tunnels_cache_exit(void)
{
	rcu_barrier();
	kmem_cache_destroy(tunnel_cache);
}

void l2tpss_tunnel_put(struct l2tpss_tunnel *t)
{
	kref_put(&t->ref, tunnel_release);
}

/* The packet path may still be reading it. */
static void session_free(struct l2tpss_session *s)
{
	atomic_long_dec(&nr_sessions);
	kfree_rcu(s, rcu);
}

static u32 session_key(const struct l2tpss_net *pn, u32 id)
{
	return jhash_1word(id, pn->hash_seed);
}

/* @s joins the packet path's indexes, by its id and by the peer's. */
static void session_index(struct l2tpss_net *pn, struct l2tpss_session *s)
{
	hash_add_rcu(pn->session_ids, &s->id_node, session_key(pn, s->id));
	hash_add_rcu(pn->session_peer_ids, &s->peer_id_node,
		     session_key(pn, s->peer_id));
}

static void session_unindex(struct l2tpss_session *s)
{
	hash_del_rcu(&s->id_node);
	hash_del_rcu(&s->peer_id_node);
}

/*
 * The tunnel of a live session whose id (or, @peer_id, the peer's id) is
 * @id and for which @match is true: session ids need not be unique across
 * tunnels, so the caller tells its flow. Under rcu_read_lock().
 */
struct l2tpss_tunnel *
l2tpss_session_tunnel(struct l2tpss_net *pn, u32 id, bool peer_id,
		      bool (*match)(const struct l2tpss_tunnel *t,
				    const void *arg),
		      const void *arg)
{
	struct l2tpss_session *s;

	if (peer_id) {
		hash_for_each_possible_rcu(pn->session_peer_ids, s,
					   peer_id_node, session_key(pn, id))
			if (s->peer_id == id && match(s->tunnel, arg))
				return s->tunnel;
	} else {
		hash_for_each_possible_rcu(pn->session_ids, s, id_node,
					   session_key(pn, id))
			if (s->id == id && match(s->tunnel, arg))
				return s->tunnel;
	}
	return NULL;
}

static void read_address(struct l2tpss_addr *a, const struct sock *sk,
			 bool peer)
{
	const struct inet_sock *inet = inet_sk(sk);

#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(&sk->sk_v6_daddr)) {
		a->ipv6 = true;
		a->ip6 = peer ? sk->sk_v6_daddr : sk->sk_v6_rcv_saddr;
		return;
	}
#endif
	a->ip = peer ? inet->inet_daddr : inet->inet_saddr;
}

static struct l2tpss_tunnel *tunnel_alloc(struct l2tpss_net *pn,
					  struct l2tp_tunnel *tunnel)
{
	struct l2tpss_tunnel *t = kmem_cache_zalloc(tunnel_cache, GFP_ATOMIC);

	if (!t)
		return NULL;
	atomic_long_inc(&nr_tunnels);
	kref_init(&t->ref);
	l2tpss_timers_setup(t);
	t->pn = pn;
	t->key = tunnel;
	t->id = tunnel->tunnel_id;
	t->peer_id = tunnel->peer_tunnel_id;
	t->version = tunnel->version;
	t->encap = tunnel->encap;
	t->state = L2TPSS_STATE_IDLE;
	t->registered = ktime_get_boottime_seconds();
	/* The socket of a registered tunnel is connected to the peer. */
	read_address(&t->local, tunnel->sock, false);
	read_address(&t->peer, tunnel->sock, true);
	if (t->encap == L2TP_ENCAPTYPE_UDP) {
		t->local_port = inet_sk(tunnel->sock)->inet_sport;
		t->peer_port = inet_sk(tunnel->sock)->inet_dport;
	}
	return t;
}

/* An operator must know that a tunnel escapes its configured policy. */
static void untracked(struct l2tpss_net *pn, u32 tunnel_id)
{
	pn->stats[L2TPSS_STAT_UNTRACKED]++;
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

/* Whether @t takes new sessions: not if single-shot and it had its one. */
static bool takes_sessions(const struct l2tpss_tunnel *t)
{
	return !(t->settings.single_shot && t->sessions_total);
}

/*
 * The idle timer runs while a tunnel has no session, unless its timeout is 0
 * (persistent) or it is a single-shot tunnel that has had its one session
 * (that one is disconnected instead). A new timeout counts from now.
 */
static void idle_timer_update(struct l2tpss_tunnel *t)
{
	const struct l2tpss_settings *s = &t->settings;

	if (t->state == L2TPSS_STATE_IDLE && s->idle_timeout &&
	    takes_sessions(t))
		l2tpss_idle_timer_start(t, (unsigned long)s->idle_timeout * HZ);
	else
		l2tpss_idle_timer_stop(t);
}

/*
 * l2tp_core's tunnel of @t, with a reference, if @t is still its record.
 * The reference keeps that tunnel alive while we look; @t stays in
 * pn->tunnels until l2tp_core deletes its tunnel, so a tunnel found at the
 * same id and address is @t's own, never a newer one that reused both.
 * The caller holds a reference on @t.
 */
static struct l2tp_tunnel *core_tunnel_of(struct l2tpss_net *pn,
					  struct l2tpss_tunnel *t)
{
	struct l2tp_tunnel *tunnel = l2tp_tunnel_get(pn->net, t->id);
	bool ours;

	if (!tunnel)
		return NULL;
	spin_lock_bh(&pn->lock);
	ours = !pn->dead && xa_load(&pn->tunnels, t->id) == t &&
	       t->key == tunnel;
	spin_unlock_bh(&pn->lock);
	if (ours)
		return tunnel;
	l2tpss_core_tunnel_put(tunnel);
	return NULL;
}

/*
 * Delete @t's tunnel in l2tp_core, if it is still there. Its delete hook
 * then moves the record to DESTRUCTING with t->pending_reason. Safe in any
 * context: l2tp_tunnel_delete() only queues work.
 */
static void core_tunnel_delete(struct l2tpss_net *pn, struct l2tpss_tunnel *t)
{
	struct l2tp_tunnel *tunnel = core_tunnel_of(pn, t);

	if (!tunnel)
		return;
	l2tp_tunnel_delete(tunnel);
	l2tpss_core_tunnel_put(tunnel);
}

/* Open or close @t's tunnel to new sessions, if it is still there. */
static void core_tunnel_accept_sessions(struct l2tpss_net *pn,
					struct l2tpss_tunnel *t, bool accept)
{
	struct l2tp_tunnel *tunnel = core_tunnel_of(pn, t);

	if (!tunnel)
		return;
	l2tpss_tunnel_accept_sessions(tunnel, accept);
	l2tpss_core_tunnel_put(tunnel);
}

/*
 * A tombstone's end, when its destruct period is over or, @evicted, early:
 * the actions of the end of destruct (a standard tunnel's IPsec teardown),
 * then the record leaves the tables. Caller holds the lock and drops the
 * table's reference afterwards.
 */
static void tombstone_end(struct l2tpss_net *pn, struct l2tpss_tunnel *t,
			  bool evicted)
{
	lockdep_assert_held(&pn->lock);
	l2tpss_conn_tunnel_expired(pn, t);
	l2tpss_flow_del(pn, t);
	xa_erase(&pn->records, t->gen);
	list_del(&t->tomb_node);
	pn->nr_records--;
	pn->stats[evicted ? L2TPSS_STAT_EVICTED : L2TPSS_STAT_EXPIRED]++;
	l2tpss_notify(pn, t, evicted ? L2TPSS_EVENT_TUNNEL_EVICT :
				       L2TPSS_EVENT_TUNNEL_EXPIRE, 0);
}

/*
 * Memory stays bounded whatever peers and users do: past max_records, the
 * oldest tombstones go first. Live tunnels are l2tp_core's and always
 * tracked. Caller holds the lock.
 */
static bool records_trim(struct l2tpss_net *pn, unsigned int max_evict)
{
	struct l2tpss_tunnel *t;
	unsigned int n = 0;

	lockdep_assert_held(&pn->lock);
	while (pn->nr_records > pn->max_records &&
	       !list_empty(&pn->tombstones) && n++ < max_evict) {
		t = list_first_entry(&pn->tombstones, struct l2tpss_tunnel,
				     tomb_node);
		l2tpss_destruct_timer_stop(t);
		tombstone_end(pn, t, true);
		l2tpss_tunnel_put(t);	/* the records table's reference */
	}
	return pn->nr_records > pn->max_records &&
	       !list_empty(&pn->tombstones);
}

/* A lower cap trims at once, a batch at a time with the lock dropped. */
void l2tpss_set_max_records(struct l2tpss_net *pn, u32 max)
{
	bool more;

	do {
		spin_lock_bh(&pn->lock);
		pn->max_records = max;
		more = records_trim(pn, 64);
		spin_unlock_bh(&pn->lock);
		cond_resched();
	} while (more);
}

/* @t is gone from l2tp_core: its destruct period starts. */
static void tunnel_disconnected(struct l2tpss_net *pn, struct l2tpss_tunnel *t)
{
	list_add_tail(&t->tomb_node, &pn->tombstones);
	t->state = L2TPSS_STATE_DESTRUCTING;
	t->reason = t->pending_reason ?: L2TPSS_REASON_DELETED;
	pn->stats[disconnect_stat[t->reason]]++;
	l2tpss_idle_timer_stop(t);
	l2tpss_destruct_timer_start(t);
	l2tpss_notify(pn, t, L2TPSS_EVENT_TUNNEL_DISCONNECT, 0);
	l2tpss_conn_tunnel_gone(pn, t);
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
	bool refused;

	t = tunnel_alloc(pn, tunnel);

	spin_lock_bh(&pn->lock);
	if (pn->dead || test_bit(0, &tunnel->dead) || tunnel_lookup(pn, tunnel))
		goto drop;
	if (!t || xa_alloc_cyclic(&pn->records, &t->gen, t, xa_limit_32b,
				  &pn->next_gen, GFP_ATOMIC) < 0)
		goto untracked;
	old = xa_store(&pn->tunnels, t->id, t, GFP_ATOMIC);
	if (xa_is_err(old)) {
		xa_erase(&pn->records, t->gen);
		goto untracked;
	}
	/*
	 * l2tp_core ids are unique until the delete event, which we saw. Had
	 * we missed it, the old record must still end.
	 */
	if (WARN_ON_ONCE(old))
		tunnel_disconnected(pn, old);

	pn->nr_records++;
	l2tpss_policy_resolve(pn, t);
	refused = !l2tpss_conn_bind(pn, t);
	if (!l2tpss_flow_add(pn, t)) {
		pn->stats[L2TPSS_STAT_UNTRACKED]++;
		pr_warn_ratelimited("out of memory: the packets of tunnel %u are not judged\n",
				    t->id);
	}
	pn->stats[L2TPSS_STAT_TUNNELS]++;
	records_trim(pn, 64);	/* (usually one over the cap: one goes) */
	if (refused)
		t->pending_reason = L2TPSS_REASON_REFUSED;
	else
		idle_timer_update(t);
	l2tpss_notify(pn, t, L2TPSS_EVENT_TUNNEL_NEW, 0);
	spin_unlock_bh(&pn->lock);

	/* Items 9 and 11: its connection carries no new tunnel. */
	if (refused)
		l2tp_tunnel_delete(tunnel);
	return;

untracked:
	untracked(pn, tunnel->tunnel_id);
drop:
	spin_unlock_bh(&pn->lock);
	if (t)
		l2tpss_tunnel_put(t);
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
	if (t) {
		/* The id is free for a new tunnel; the record stays. */
		xa_erase(&pn->tunnels, t->id);
		tunnel_disconnected(pn, t);
	}
	spin_unlock_bh(&pn->lock);
}

/* A session of single-shot @t refused, in l2tp_core or after it. */
static void count_refused(struct l2tpss_net *pn, struct l2tpss_tunnel *t,
			  u32 session_id)
{
	lockdep_assert_held(&pn->lock);
	t->sessions_refused++;
	pn->stats[L2TPSS_STAT_SESSIONS_REFUSED]++;
	l2tpss_notify(pn, t, L2TPSS_EVENT_SESSION_REFUSED, session_id);
}

/*
 * l2tp_core refused @session of @tunnel because the tunnel accepts none
 * (see hooks.c). Counted when that is single-shot's doing: a tracked
 * single-shot tunnel that has had its session. Called before
 * l2tp_session_register() returns, so both are still its caller's.
 */
void l2tpss_session_refused(struct l2tp_session *session,
			    struct l2tp_tunnel *tunnel)
{
	struct l2tpss_net *pn = l2tpss_pernet(tunnel->l2tp_net);
	struct l2tpss_tunnel *t;
	unsigned long flags;

	/* A kretprobe handler may run with interrupts off (arch-dependent). */
	spin_lock_irqsave(&pn->lock, flags);
	t = pn->dead ? NULL : tunnel_lookup(pn, tunnel);
	if (t && t->settings.single_shot && t->sessions_total)
		count_refused(pn, t, session->session_id);
	spin_unlock_irqrestore(&pn->lock, flags);
}

/* Deletes a session l2tp_core registered against single-shot, later. */
struct refuse_work {
	struct work_struct work;
	struct l2tp_session *session;	/* holds a reference */
};

static void refuse_work_fn(struct work_struct *work)
{
	struct refuse_work *rw = container_of(work, struct refuse_work, work);

	l2tp_session_delete(rw->session);
	l2tpss_core_session_put(rw->session);
	kfree(rw);
}

/*
 * A second session passed acpt_newsess before the first one's probe closed
 * it. Its creator is still setting it up, so it is deleted from a work item.
 */
static void not_refused(const struct l2tp_session *session)
{
	pr_warn_ratelimited("out of memory: second session %u of single-shot tunnel %u not deleted\n",
			    session->session_id, session->tunnel->tunnel_id);
}

static void refuse_session(struct l2tp_session *session)
{
	struct refuse_work *rw = kmalloc(sizeof(*rw), GFP_ATOMIC);

	if (!rw) {
		not_refused(session);
		return;
	}
	INIT_WORK(&rw->work, refuse_work_fn);
	l2tpss_session_hold(session);
	rw->session = session;
	l2tpss_defer(&rw->work);
}

void l2tpss_session_registered(struct l2tp_session *session)
{
	struct l2tp_tunnel *tunnel = session->tunnel;
	struct l2tpss_net *pn = l2tpss_pernet(tunnel->l2tp_net);
	bool single_shot = false, refuse = false, activated;
	struct l2tpss_tunnel *t;
	struct l2tpss_session *s;

	/*
	 * Session id 0 is the control connection; pppol2tp registers one for
	 * its tunnel management socket. It is no session of the tunnel.
	 */
	if (!session->session_id)
		return;

	s = kzalloc_obj(*s, GFP_ATOMIC | __GFP_ACCOUNT);
	if (!s)
		return;		/* the tunnel's session count is then low */
	atomic_long_inc(&nr_sessions);
	s->key = session;
	s->id = session->session_id;
	s->peer_id = session->peer_session_id;

	spin_lock_bh(&pn->lock);
	if (pn->dead || test_bit(0, &session->dead) ||
	    session_lookup(pn, session))
		goto drop;
	t = tunnel_lookup(pn, tunnel);
	if (!t)
		goto drop;	/* a tunnel we could not track */
	single_shot = t->settings.single_shot;
	if (single_shot && t->sessions_total) {
		count_refused(pn, t, s->id);
		refuse = true;
		goto drop;
	}

	kref_get(&t->ref);
	s->tunnel = t;
	hash_add(pn->sessions, &s->node, (unsigned long)session);
	session_index(pn, s);
	t->last_session_id = s->id;
	t->last_peer_session_id = s->peer_id;
	t->sessions++;
	t->sessions_total++;
	pn->stats[L2TPSS_STAT_SESSIONS]++;
	activated = t->state == L2TPSS_STATE_IDLE;
	if (activated) {
		t->state = L2TPSS_STATE_ACTIVE;
		l2tpss_idle_timer_stop(t);
	}
	/* Both events show the tunnel as it now is. */
	l2tpss_notify(pn, t, L2TPSS_EVENT_SESSION_NEW, s->id);
	if (activated)
		l2tpss_notify(pn, t, L2TPSS_EVENT_TUNNEL_ACTIVE, 0);
	spin_unlock_bh(&pn->lock);

	/* Its one session: l2tp_core refuses any other from now on. */
	if (single_shot)
		l2tpss_tunnel_accept_sessions(tunnel, false);
	return;

drop:
	spin_unlock_bh(&pn->lock);
	session_free(s);
	if (refuse)
		refuse_session(session);
}

/* Called on delete_session and, for safety, on free_session. */
void l2tpss_session_deleted(struct l2tp_session *session)
{
	struct l2tp_tunnel *tunnel = session->tunnel;
	struct l2tpss_tunnel *t = NULL;
	struct l2tpss_session *s;
	struct l2tpss_net *pn;
	bool disconnect = false, idled = false;

	/* A session that failed to register has no tunnel. */
	if (!tunnel)
		return;
	pn = l2tpss_pernet(tunnel->l2tp_net);

	spin_lock_bh(&pn->lock);
	s = pn->dead ? NULL : session_lookup(pn, session);
	if (!s) {
		spin_unlock_bh(&pn->lock);
		return;
	}
	hash_del(&s->node);
	session_unindex(s);
	t = s->tunnel;
	t->sessions--;
	if (t->state == L2TPSS_STATE_ACTIVE && !t->sessions) {
		if (t->settings.single_shot) {
			/* Table 18: the idle timeout is ignored. */
			if (!t->pending_reason)
				t->pending_reason = L2TPSS_REASON_SINGLE_SHOT;
			disconnect = true;
		} else {
			t->state = L2TPSS_STATE_IDLE;
			idle_timer_update(t);
			idled = true;
		}
	}
	l2tpss_notify(pn, t, L2TPSS_EVENT_SESSION_DELETE, s->id);
	if (idled)
		l2tpss_notify(pn, t, L2TPSS_EVENT_TUNNEL_IDLE, 0);
	spin_unlock_bh(&pn->lock);

	/* The session holds its tunnel: the pointer is good here. */
	if (disconnect)
		l2tp_tunnel_delete(tunnel);
	l2tpss_tunnel_put(t);
	session_free(s);
}

/*
 * The idle timer fired. l2tp_core is closed to new sessions first, so that a
 * session arriving meanwhile either cancels the disconnect or is refused.
 * Any start or stop of the timer meanwhile (a session that came and went,
 * set tunnel ... idle-timeout 0) changes t->idle_seq and calls it off.
 */
void l2tpss_tunnel_idle_expired(struct l2tpss_tunnel *t)
{
	struct l2tpss_net *pn = t->pn;
	bool idle, reopen;
	u32 seq;

	spin_lock_bh(&pn->lock);
	idle = !pn->dead && t->state == L2TPSS_STATE_IDLE &&
	       !time_before(jiffies, t->timer_expires);
	seq = t->idle_seq;
	spin_unlock_bh(&pn->lock);
	if (!idle)
		return;

	core_tunnel_accept_sessions(pn, t, false);
	spin_lock_bh(&pn->lock);
	idle = !pn->dead && t->state == L2TPSS_STATE_IDLE &&
	       t->idle_seq == seq && !t->pending_reason;
	if (idle)
		t->pending_reason = L2TPSS_REASON_IDLE_TIMEOUT;
	/* Called off: the tunnel takes sessions again, as before. */
	reopen = !idle && t->state != L2TPSS_STATE_DESTRUCTING &&
		 takes_sessions(t);
	spin_unlock_bh(&pn->lock);

	if (idle)
		core_tunnel_delete(pn, t);
	else if (reopen)
		core_tunnel_accept_sessions(pn, t, true);
}

/* The destruct period is over: drop the tombstone. */
void l2tpss_tunnel_destruct_expired(struct l2tpss_tunnel *t)
{
	struct l2tpss_net *pn = t->pn;
	bool expired;

	spin_lock_bh(&pn->lock);
	/*
	 * (An evicted tombstone has left the table already; an idle timer's
	 * run that was under way as the tunnel went finds the time not up.)
	 */
	expired = !pn->dead && t->state == L2TPSS_STATE_DESTRUCTING &&
		  !time_before(jiffies, t->timer_expires) &&
		  xa_load(&pn->records, t->gen) == t;
	if (expired)
		tombstone_end(pn, t, false);
	spin_unlock_bh(&pn->lock);

	if (expired)
		l2tpss_tunnel_put(t);	/* the records table's reference */
}

/*
 * Disconnect @t for @reason, if it is still connected and no disconnect is
 * decided yet (the first reason stands). Caller holds the lock and a way
 * to @t that may be its last (RCU in the packet path): a reference is
 * taken here, for core_tunnel_delete(), which the caller drops. Returns
 * whether it is to be deleted.
 */
static bool disconnect_as(struct l2tpss_net *pn, struct l2tpss_tunnel *t,
			  u8 reason)
{
	lockdep_assert_held(&pn->lock);
	if (pn->dead || t->state == L2TPSS_STATE_DESTRUCTING ||
	    t->pending_reason || !kref_get_unless_zero(&t->ref))
		return false;
	t->pending_reason = reason;
	return true;
}

static void core_tunnel_delete_put(struct l2tpss_net *pn,
				   struct l2tpss_tunnel *t)
{
	core_tunnel_delete(pn, t);
	l2tpss_tunnel_put(t);
}

int l2tpss_tunnel_disconnect(struct l2tpss_net *pn, u32 id,
			     struct netlink_ext_ack *extack)
{
	struct l2tpss_tunnel *t;
	bool disconnect = false;

	spin_lock_bh(&pn->lock);
	t = xa_load(&pn->tunnels, id);
	if (t)
		disconnect = disconnect_as(pn, t, L2TPSS_REASON_ADMIN);
	spin_unlock_bh(&pn->lock);

	if (!t) {
		NL_SET_ERR_MSG(extack, "no such connected tunnel");
		return -ENOENT;
	}
	/* (One decided already goes on with its own reason.) */
	if (disconnect)
		core_tunnel_delete_put(pn, t);
	return 0;
}

/*
 * Item 7 on the control channel: a StopCCN or CDN of a single-shot tunnel
 * that has had no session in l2tp_core yet, its only call failed. It is
 * disconnected as when its session ends. From the packet path, under RCU:
 * @t is valid, but may have left the tables.
 */
void l2tpss_tunnel_call_failed(struct l2tpss_net *pn, struct l2tpss_tunnel *t)
{
	bool disconnect;

	spin_lock_bh(&pn->lock);
	disconnect = t->settings.single_shot && !t->sessions_total &&
		     disconnect_as(pn, t, L2TPSS_REASON_SINGLE_SHOT);
	spin_unlock_bh(&pn->lock);
	if (disconnect)
		core_tunnel_delete_put(pn, t);
}

/*
 * @t came over a connection that may carry no new tunnel (items 9 and 11):
 * it is deleted, reason refused. From the packet path, as above.
 */
void l2tpss_tunnel_refuse(struct l2tpss_net *pn, struct l2tpss_tunnel *t)
{
	bool refuse;

	spin_lock_bh(&pn->lock);
	refuse = disconnect_as(pn, t, L2TPSS_REASON_REFUSED);
	spin_unlock_bh(&pn->lock);
	if (refuse)
		core_tunnel_delete_put(pn, t);
}

/*
 * Per-tunnel overrides, applied at once: the idle timer restarts with the
 * new timeout; single-shot on closes a tunnel that has had its session to
 * new ones (and disconnects it if that session is gone), off reopens it.
 */
int l2tpss_tunnel_set(struct l2tpss_net *pn, u32 id, struct nlattr **attrs,
		      struct netlink_ext_ack *extack)
{
	bool disconnect = false, accept;
	struct l2tpss_tunnel *t;

	spin_lock_bh(&pn->lock);
	t = pn->dead ? NULL : xa_load(&pn->tunnels, id);
	if (!t) {
		spin_unlock_bh(&pn->lock);
		NL_SET_ERR_MSG(extack, "no such connected tunnel");
		return -ENOENT;
	}
	/* Its disconnect is decided: a change would not hold. */
	if (t->pending_reason) {
		spin_unlock_bh(&pn->lock);
		NL_SET_ERR_MSG(extack, "the tunnel is being disconnected");
		return -EBUSY;
	}
	kref_get(&t->ref);
	l2tpss_settings_apply(&t->settings, attrs, L2TPSS_SOURCE_TUNNEL);
	/* Item 9 holds for its connection from now on. */
	if (t->conn && t->settings.single_shot)
		WRITE_ONCE(t->conn->single_shot, true);
	accept = takes_sessions(t);
	if (!accept && !t->sessions) {
		t->pending_reason = L2TPSS_REASON_SINGLE_SHOT; /* (none was) */
		disconnect = true;
	}
	idle_timer_update(t);
	l2tpss_notify(pn, t, L2TPSS_EVENT_TUNNEL_SET, 0);
	spin_unlock_bh(&pn->lock);

	core_tunnel_accept_sessions(pn, t, accept);
	if (disconnect)
		core_tunnel_delete(pn, t);
	l2tpss_tunnel_put(t);
	return 0;
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
			l2tpss_core_session_put(session);
		}
		l2tpss_core_tunnel_put(tunnel);
		/* 100,000 tunnels take minutes on 6.1 (see compat.h). */
		cond_resched();
	}
}

/*
 * Record the tunnels and sessions that existed before the module loaded. The
 * probes are attached first, so anything created meanwhile is seen by both,
 * and anything deleted meanwhile is skipped thanks to its dead bit. A
 * single-shot default applies to them as to new tunnels.
 */
void l2tpss_tunnels_scan(void)
{
	struct net *net;

	down_read(&net_rwsem);
	for_each_net(net)
		scan_net(net);
	up_read(&net_rwsem);
}

void l2tpss_tunnels_init(struct l2tpss_net *pn, struct net *net)
{
	pn->net = net;
	spin_lock_init(&pn->lock);
	xa_init(&pn->tunnels);
	xa_init_flags(&pn->records, XA_FLAGS_ALLOC1);
	hash_init(pn->sessions);
	hash_init(pn->session_ids);
	hash_init(pn->session_peer_ids);
	pn->hash_seed = get_random_u32();
	INIT_LIST_HEAD(&pn->tombstones);
	pn->max_records = L2TPSS_MAX_RECORDS_DEFAULT;
}

/*
 * The netns is going away, or the module is: drop every record. (In a
 * netns going away, l2tp_core has deleted its tunnels already: their delete
 * events were handled as any, and what they queued runs in the first flush.)
 */
void l2tpss_tunnels_exit(struct l2tpss_net *pn)
{
	struct l2tpss_session *s;
	struct l2tpss_tunnel *t;
	struct hlist_node *tmp;
	unsigned long gen;
	int bkt;

	/* Deferred session deletions run while their netns still exists. */
	l2tpss_timers_flush();

	spin_lock_bh(&pn->lock);
	pn->dead = true;
	hash_for_each_safe(pn->sessions, bkt, tmp, s, node) {
		hash_del(&s->node);
		session_unindex(s);
		l2tpss_tunnel_put(s->tunnel);
		session_free(s);
	}
	spin_unlock_bh(&pn->lock);

	/*
	 * Nothing adds records now; timers see pn->dead and do nothing. The
	 * table's lock nests in pn->lock, which the packet path takes in
	 * softirq context: bottom halves stay off while it is held.
	 */
	xa_for_each(&pn->records, gen, t) {
		l2tpss_timers_stop_sync(t);
		/*
		 * Out of the flows before it is freed: the rhltable's resize
		 * worker walks its entries under the table's locks, not RCU.
		 */
		spin_lock_bh(&pn->lock);
		l2tpss_flow_del(pn, t);
		spin_unlock_bh(&pn->lock);
		xa_erase_bh(&pn->records, gen);
		l2tpss_tunnel_put(t);
		cond_resched();
	}
	xa_destroy(&pn->tunnels);
	xa_destroy(&pn->records);
}
