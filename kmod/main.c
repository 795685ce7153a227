// SPDX-License-Identifier: GPL-2.0
/*
 * l2tpss: JUNOSe-style single-shot L2TP tunnels and timeouts for Linux.
 *
 * Module init and exit order, and the per-netns state's lifetime.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/net_namespace.h>

#include "l2tpss.h"

unsigned int l2tpss_net_id __read_mostly;

static int __net_init l2tpss_net_init(struct net *net)
{
	struct l2tpss_net *pn = l2tpss_pernet(net);

	l2tpss_tunnels_init(pn, net);
	l2tpss_policy_init(pn);
	l2tpss_conns_init(pn);
	return l2tpss_filter_init(pn);
}

static void __net_exit l2tpss_net_exit(struct net *net)
{
	struct l2tpss_net *pn = l2tpss_pernet(net);

	l2tpss_filter_exit(pn);
	l2tpss_tunnels_exit(pn);
	l2tpss_conns_exit(pn);
	l2tpss_filter_destroy(pn);
	l2tpss_policy_exit(pn);
}

static struct pernet_operations l2tpss_net_ops = {
	.init = l2tpss_net_init,
	.exit = l2tpss_net_exit,
	.id = &l2tpss_net_id,
	.size = sizeof(struct l2tpss_net),
};

/*
 * Each layer needs the ones before it: the timers' workqueue, the per-netns
 * tables (and packet filter), the key manager and the SAs already there,
 * the netlink family (commands read the tables; events need the family),
 * then the hooks and the scan that fill the tunnel tables.
 */
static int __init l2tpss_init(void)
{
	int err;

	/* Refuse an l2tp_core whose structs are not as built for. */
	err = l2tpss_layout_check();
	if (err)
		return err;
	err = l2tpss_tunnels_cache_init();
	if (err)
		return err;
	err = l2tpss_timers_init();
	if (err)
		goto err_cache;
	err = register_pernet_subsys(&l2tpss_net_ops);
	if (err)
		goto err_timers;
	l2tpss_ipsec_init();
	l2tpss_conns_scan();
	err = l2tpss_netlink_init();
	if (err)
		goto err_ipsec;
	err = l2tpss_hooks_attach();
	if (err)
		goto err_netlink;
	l2tpss_tunnels_scan();
	l2tpss_debugfs_init();

	pr_info("version %s loaded\n", L2TPSS_VERSION);
	return 0;

err_netlink:
	l2tpss_netlink_exit();
err_ipsec:
	l2tpss_ipsec_exit();
	unregister_pernet_subsys(&l2tpss_net_ops);
err_timers:
	l2tpss_timers_exit();
err_cache:
	l2tpss_tunnels_cache_exit();
	return err;
}

/*
 * Commands stop first (the tables they read go last), then the hooks and
 * the key manager; the netns exits unhook the packet filter, stop every
 * timer and free every record; the workqueue drains.
 */
static void __exit l2tpss_exit(void)
{
	long tunnels, sessions, conns, profiles;

	l2tpss_debugfs_exit();
	l2tpss_netlink_exit();
	l2tpss_hooks_detach();
	l2tpss_ipsec_exit();
	unregister_pernet_subsys(&l2tpss_net_ops);
	l2tpss_timers_exit();

	l2tpss_objects_count(&tunnels, &sessions);
	conns = l2tpss_conns_count();
	profiles = l2tpss_profiles_count();
	WARN(tunnels || sessions || conns || profiles,
	     "leaked %ld tunnel, %ld session, %ld connection and %ld profile records\n",
	     tunnels, sessions, conns, profiles);
	l2tpss_tunnels_cache_exit();
}

module_init(l2tpss_init);
module_exit(l2tpss_exit);

MODULE_DESCRIPTION("JUNOSe-style single-shot L2TP tunnels and timeouts");
MODULE_AUTHOR("The l2tpss authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(L2TPSS_VERSION);
