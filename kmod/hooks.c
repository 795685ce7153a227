// SPDX-License-Identifier: GPL-2.0
/*
 * Attach to l2tp_core's lifecycle tracepoints and turn each hit into a call on
 * the tunnel table.
 *
 * The tracepoints are not exported, so they are found by name: in l2tp_core's
 * module (replayed by the tracepoint module notifier), or in the kernel image
 * when l2tp_core is built in. The module links against l2tp_core, which
 * therefore stays loaded as long as we do; the tracepoint pointers stay valid.
 *
 * Probes run in the caller's context, which may be atomic: they only record.
 *
 * One thing has no tracepoint: l2tp_session_register() refusing a session
 * because the tunnel no longer accepts any (tunnel->acpt_newsess), which is
 * how a single-shot tunnel refuses its second session. A kretprobe on that
 * function sees the refusal (-ENODEV) so that it is counted and reported.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "l2tpss.h"

static void probe_register_tunnel(void *data, struct l2tp_tunnel *tunnel)
{
	l2tpss_tunnel_registered(tunnel);
}

static void probe_delete_tunnel(void *data, struct l2tp_tunnel *tunnel)
{
	l2tpss_tunnel_deleted(tunnel);
}

/* A tunnel freed without a delete is gone all the same. */
static void probe_free_tunnel(void *data, struct l2tp_tunnel *tunnel)
{
	l2tpss_tunnel_deleted(tunnel);
}

static void probe_register_session(void *data, struct l2tp_session *session)
{
	l2tpss_session_registered(session);
}

static void probe_delete_session(void *data, struct l2tp_session *session)
{
	l2tpss_session_deleted(session);
}

static void probe_free_session(void *data, struct l2tp_session *session)
{
	l2tpss_session_deleted(session);
}

static struct l2tpss_hook {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool attached;
} hooks[] = {
	/* Removals first, so nothing is recorded whose removal could be missed. */
	{ "delete_session", probe_delete_session },
	{ "free_session", probe_free_session },
	{ "delete_tunnel", probe_delete_tunnel },
	{ "free_tunnel", probe_free_tunnel },
	{ "register_tunnel", probe_register_tunnel },
	{ "register_session", probe_register_session },
};

static void match_tracepoint(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(hooks); i++)
		if (!hooks[i].tp && !strcmp(tp->name, hooks[i].name))
			hooks[i].tp = tp;
}

static int tp_module_notify(struct notifier_block *nb, unsigned long state,
			    void *data)
{
	struct tp_module *tp_mod = data;
	struct module *mod = tp_mod->mod;
	unsigned int i;

	if (state != MODULE_STATE_COMING || strcmp(mod->name, "l2tp_core"))
		return NOTIFY_OK;

	for (i = 0; i < mod->num_tracepoints; i++)
		match_tracepoint(tracepoint_ptr_deref(&mod->tracepoints_ptrs[i]),
				 NULL);
	return NOTIFY_OK;
}

static struct notifier_block tp_module_nb = {
	.notifier_call = tp_module_notify,
};

static int find_tracepoints(void)
{
	int err, i;

	/* Replays MODULE_STATE_COMING for every loaded module. */
	err = register_tracepoint_module_notifier(&tp_module_nb);
	if (err)
		return err;
	unregister_tracepoint_module_notifier(&tp_module_nb);

	for_each_kernel_tracepoint(match_tracepoint, NULL);

	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		if (!hooks[i].tp) {
			pr_err("l2tp_core tracepoint %s not found\n",
			       hooks[i].name);
			return -ENOENT;
		}
	}
	return 0;
}

#ifdef CONFIG_KRETPROBES
/* The arguments of one l2tp_session_register() call. */
struct register_call {
	struct l2tp_session *session;
	struct l2tp_tunnel *tunnel;
};

/*
 * l2tp_session_register(session, tunnel): its caller owns the session and
 * holds a reference on the tunnel until after it returns.
 */
static int session_register_entry(struct kretprobe_instance *ri,
				  struct pt_regs *regs)
{
	struct register_call *call = (struct register_call *)ri->data;

	call->session = (struct l2tp_session *)regs_get_kernel_argument(regs, 0);
	call->tunnel = (struct l2tp_tunnel *)regs_get_kernel_argument(regs, 1);
	return 0;
}

static int session_register_return(struct kretprobe_instance *ri,
				   struct pt_regs *regs)
{
	struct register_call *call = (struct register_call *)ri->data;

	/* An int: the upper half of the register is not part of it. */
	if ((int)regs_return_value(regs) == -ENODEV)
		l2tpss_session_refused(call->session, call->tunnel);
	return 0;
}

static struct kretprobe register_probe = {
	.kp.symbol_name = "l2tp_session_register",
	.entry_handler = session_register_entry,
	.handler = session_register_return,
	.data_size = sizeof(struct register_call),
	.maxactive = 64,
};

static bool register_probe_on;

static void refusals_attach(void)
{
	int err = register_kretprobe(&register_probe);

	if (err) {
		pr_warn("cannot probe l2tp_session_register (%d): sessions refused inside l2tp_core are not counted\n",
			err);
		return;
	}
	register_probe_on = true;
}

static void refusals_detach(void)
{
	if (register_probe_on)
		unregister_kretprobe(&register_probe);
	register_probe_on = false;
}
#else
static void refusals_attach(void)
{
	pr_warn("no CONFIG_KRETPROBES: sessions refused inside l2tp_core are not counted\n");
}

static void refusals_detach(void)
{
}
#endif

void l2tpss_hooks_detach(void)
{
	int i;

	refusals_detach();

	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		if (hooks[i].attached)
			tracepoint_probe_unregister(hooks[i].tp,
						    hooks[i].probe, NULL);
		hooks[i].attached = false;
		hooks[i].tp = NULL;
	}
	/* No probe runs or will run once this returns. */
	tracepoint_synchronize_unregister();
}

int l2tpss_hooks_attach(void)
{
	int err, i;

	err = find_tracepoints();
	if (err)
		goto fail;

	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		err = tracepoint_probe_register(hooks[i].tp, hooks[i].probe,
						NULL);
		if (err) {
			pr_err("cannot attach to tracepoint %s: %d\n",
			       hooks[i].name, err);
			goto fail;
		}
		hooks[i].attached = true;
	}
	refusals_attach();
	return 0;

fail:
	l2tpss_hooks_detach();
	return err;
}
