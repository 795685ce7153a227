// SPDX-License-Identifier: GPL-2.0
/*
 * The module's workqueue: the idle and destruct timers of a tunnel record,
 * run as delayed work so that they may call into l2tp_core and sleep, and
 * the work the hooks defer; unloading waits for all of it.
 *
 * A queued work item holds a reference on its record: taken when it is
 * queued, dropped when it has run or when it is cancelled while pending.
 * Starting and stopping happen under l2tpss_net.lock.
 */
#include <linux/jiffies.h>

#include "l2tpss.h"

static struct workqueue_struct *l2tpss_wq;

/*
 * A record has one timer at a time, so one work item: the idle timer until
 * the tunnel is disconnected, the destruct timer after. A run that was
 * already under way as the timer changed finds its timer not yet expired
 * (or the state changed) and does nothing; the timer's own run follows.
 */
static void timer_work_fn(struct work_struct *work)
{
	struct l2tpss_tunnel *t = container_of(to_delayed_work(work),
					       struct l2tpss_tunnel, work);

	if (READ_ONCE(t->state) == L2TPSS_STATE_DESTRUCTING)
		l2tpss_tunnel_destruct_expired(t);
	else
		l2tpss_tunnel_idle_expired(t);
	l2tpss_tunnel_put(t);
}

void l2tpss_timers_setup(struct l2tpss_tunnel *t)
{
	INIT_DELAYED_WORK(&t->work, timer_work_fn);
}

static void timer_start(struct l2tpss_tunnel *t, unsigned long delay)
{
	lockdep_assert_held(&t->pn->lock);
	t->timer_expires = jiffies + delay;
	/* false: it was not pending, so this queued it anew */
	if (!mod_delayed_work(l2tpss_wq, &t->work, delay))
		kref_get(&t->ref);
}

/* Each start and stop changes t->idle_seq, so a run already under way knows. */
void l2tpss_idle_timer_start(struct l2tpss_tunnel *t, unsigned long delay)
{
	t->idle_seq++;
	timer_start(t, delay);
}

/* The table's reference remains: the put is never the last. */
static void timer_stop(struct l2tpss_tunnel *t)
{
	lockdep_assert_held(&t->pn->lock);
	if (cancel_delayed_work(&t->work))
		l2tpss_tunnel_put(t);
}

void l2tpss_idle_timer_stop(struct l2tpss_tunnel *t)
{
	t->idle_seq++;
	timer_stop(t);
}

/* After l2tpss_idle_timer_stop(): the state is DESTRUCTING already. */
void l2tpss_destruct_timer_start(struct l2tpss_tunnel *t)
{
	timer_start(t, (unsigned long)t->settings.destruct_timeout * HZ);
}

/* An evicted tombstone's timer; one already running finds it gone. */
void l2tpss_destruct_timer_stop(struct l2tpss_tunnel *t)
{
	timer_stop(t);
}

/* Netns exit: nothing may run on @t afterwards. Process context. */
void l2tpss_timers_stop_sync(struct l2tpss_tunnel *t)
{
	if (cancel_delayed_work_sync(&t->work))
		l2tpss_tunnel_put(t);
}

/* Work the hooks cannot do in their own context, such as deleting a session. */
bool l2tpss_defer(struct work_struct *work)
{
	return queue_work(l2tpss_wq, work);
}

/* ... later; false if it was idle (queued anew), as mod_delayed_work(). */
bool l2tpss_defer_delayed(struct delayed_work *dwork, unsigned long delay)
{
	return mod_delayed_work(l2tpss_wq, dwork, delay);
}

/* Netns exit: run what was deferred while the netns still exists. */
void l2tpss_timers_flush(void)
{
	flush_workqueue(l2tpss_wq);
}

int __init l2tpss_timers_init(void)
{
	l2tpss_wq = alloc_workqueue("l2tpss", WQ_UNBOUND, 0);
	return l2tpss_wq ? 0 : -ENOMEM;
}

void l2tpss_timers_exit(void)
{
	destroy_workqueue(l2tpss_wq);
}
