// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/l2tpss/objects: how many records the module holds across
 * all namespaces, so tests can prove that deleting a netns or unloading
 * releases them (Debian kernels have no kmemleak).
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "l2tpss.h"

static struct dentry *l2tpss_debugfs_dir;

static int objects_show(struct seq_file *m, void *v)
{
	long tunnels, sessions;

	l2tpss_objects_count(&tunnels, &sessions);
	seq_printf(m, "tunnels %ld\nsessions %ld\nconnections %ld\nprofiles %ld\n",
		   tunnels, sessions, l2tpss_conns_count(),
		   l2tpss_profiles_count());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(objects);

void l2tpss_debugfs_init(void)
{
	/* Optional: the module works the same without debugfs. */
	l2tpss_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("objects", 0444, l2tpss_debugfs_dir, NULL,
			    &objects_fops);
}

void l2tpss_debugfs_exit(void)
{
	debugfs_remove_recursive(l2tpss_debugfs_dir);
}
