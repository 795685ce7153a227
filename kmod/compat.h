/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernel versions the module supports lives
 * here, and nowhere else.
 *
 * l2tp_core: the 6.1 layout (hashed session lists, get_nth walkers,
 * *_dec_refcount) and the 6.12+ layout (IDR-keyed sessions, get_next
 * walkers, *_put; 7.2's is the same). The struct layouts come from the
 * l2tp_core.h of the kernel's series (kmod/l2tp/X.Y/, or L2TP_SRC in
 * Kbuild), checked against the target kernel at build and at load
 * (layout.c); it also tells which API it has: Kbuild defines
 * L2TPSS_HAVE_L2TP_GET_NEXT when it declares l2tp_tunnel_get_next().
 *
 * XFRM: struct xfrm_migrate's reqid, renamed old_reqid in 7.x.
 */
#ifndef _L2TPSS_COMPAT_H
#define _L2TPSS_COMPAT_H

#ifdef L2TPSS_NO_L2TP_CORE_H
/* kmod/l2tp/ has 6.1, 6.12 and 7.2; L2TP_SRC=<its source>/net/l2tp for another. */
#error "l2tpss: kmod/l2tp/ has no l2tp_core.h for this kernel's series"
#endif

#include <linux/l2tp.h>
#include <linux/slab.h>
#include <net/xfrm.h>
#include "l2tp_core.h"

#ifdef L2TPSS_HAVE_L2TP_GET_NEXT

/* The lock that guards tunnel->acpt_newsess (layout.c checks its place). */
#define L2TPSS_TUNNEL_LOCK	list_lock

static inline spinlock_t *l2tpss_session_list_lock(struct l2tp_tunnel *tunnel)
{
	return &tunnel->list_lock;
}

static inline void l2tpss_core_tunnel_put(struct l2tp_tunnel *tunnel)
{
	l2tp_tunnel_put(tunnel);
}

static inline void l2tpss_session_hold(struct l2tp_session *session)
{
	refcount_inc(&session->ref_count);
}

static inline void l2tpss_core_session_put(struct l2tp_session *session)
{
	l2tp_session_put(session);
}

/*
 * Walkers: return the next object with a reference held and advance @cursor.
 * 6.12+ walks by id, so objects added or removed meanwhile do not shift the
 * walk.
 */
static inline struct l2tp_tunnel *
l2tpss_tunnel_get_next(struct net *net, unsigned long *cursor)
{
	struct l2tp_tunnel *tunnel = l2tp_tunnel_get_next(net, cursor);

	if (tunnel)
		(*cursor)++;
	return tunnel;
}

static inline struct l2tp_session *
l2tpss_session_get_next(struct l2tp_tunnel *tunnel, unsigned long *cursor)
{
	struct l2tp_session *session;

	session = l2tp_session_get_next(tunnel->l2tp_net, tunnel->sock,
					tunnel->version, tunnel->tunnel_id,
					cursor);
	if (session)
		(*cursor)++;
	return session;
}

#else /* 6.1 */

#define L2TPSS_TUNNEL_LOCK	hlist_lock

static inline spinlock_t *l2tpss_session_list_lock(struct l2tp_tunnel *tunnel)
{
	return &tunnel->hlist_lock;
}

static inline void l2tpss_core_tunnel_put(struct l2tp_tunnel *tunnel)
{
	l2tp_tunnel_dec_refcount(tunnel);
}

static inline void l2tpss_session_hold(struct l2tp_session *session)
{
	l2tp_session_inc_refcount(session);
}

static inline void l2tpss_core_session_put(struct l2tp_session *session)
{
	l2tp_session_dec_refcount(session);
}

/*
 * 6.1 only walks by position: an object removed during the walk can make it
 * skip the next one, and each step walks the IDR from its start, so a walk
 * is quadratic (as 6.1's own netlink dump is). The walk runs once, at module
 * load, right after the probes are attached; see l2tpss_tunnels_scan().
 */
static inline struct l2tp_tunnel *
l2tpss_tunnel_get_next(struct net *net, unsigned long *cursor)
{
	struct l2tp_tunnel *tunnel = l2tp_tunnel_get_nth(net, *cursor);

	if (tunnel)
		(*cursor)++;
	return tunnel;
}

static inline struct l2tp_session *
l2tpss_session_get_next(struct l2tp_tunnel *tunnel, unsigned long *cursor)
{
	struct l2tp_session *session = l2tp_session_get_nth(tunnel, *cursor);

	if (session)
		(*cursor)++;
	return session;
}

#endif

/*
 * Make l2tp_core accept or refuse new sessions on @tunnel, as it does itself
 * when a tunnel closes. A dying tunnel is never reopened.
 */
static inline void l2tpss_tunnel_accept_sessions(struct l2tp_tunnel *tunnel,
						 bool accept)
{
	spin_lock_bh(l2tpss_session_list_lock(tunnel));
	tunnel->acpt_newsess = accept && !test_bit(0, &tunnel->dead);
	spin_unlock_bh(l2tpss_session_list_lock(tunnel));
}

/*
 * The reqid of the SAs an XFRM_MSG_MIGRATE moves. 7.x renamed it old_reqid,
 * beside a new_reqid, in the series that added XFRM_MSG_MIGRATE_STATE;
 * that define (uapi/linux/xfrm.h) tells which one the kernel has.
 */
static inline u32 l2tpss_migrate_reqid(const struct xfrm_migrate *m)
{
#ifdef XFRM_MSG_MIGRATE_STATE
	return m->old_reqid;
#else
	return m->reqid;
#endif
}

/*
 * 7.0's typed allocation (include/linux/slab.h): kzalloc_obj(*p, gfp) gives
 * a zeroed object of p's type, typed; older series get the same from
 * kzalloc(). Here GFP is not optional.
 */
#ifndef kzalloc_obj
#define kzalloc_obj(P, GFP)						\
	({ typeof(P) *__l2tpss_obj = kzalloc(sizeof(P), GFP); __l2tpss_obj; })
#endif

#endif /* _L2TPSS_COMPAT_H */
