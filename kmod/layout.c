// SPDX-License-Identifier: GPL-2.0
/*
 * The module reads l2tp_core's structs through the l2tp_core.h of the
 * kernel's series (kmod/l2tp/X.Y/): an internal header that modversions do
 * not cover, and that stable releases may change. So the layout is checked
 * twice:
 *
 * - at build, every member the module reads (layout.fields: offset and
 *   size) against the target kernel's BTF (layout-btf.h, made by
 *   btf-layout.sh), with a compile error naming the member on a mismatch;
 * - at load, against the running l2tp_core itself: a tunnel and a session
 *   made by l2tp_tunnel_create() and l2tp_session_create(), never
 *   registered, must read back as made. If not, the module refuses to load
 *   (-ENOEXEC) with one line in the kernel log.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/utsname.h>

#include "compat.h"
#include "l2tpss.h"

/*
 * One static_assert per member of layout.fields, with the target kernel's
 * offset and size: a mismatch stops the build and names the member.
 */
#ifndef L2TPSS_NO_BTF_CHECK
#include "layout-btf.h"
#endif

/* Values no zeroed or shifted field holds by chance. */
#define PROBE_VERSION		3	/* L2TPv3 */
#define PROBE_TUNNEL_ID		0x5a17e5a1
#define PROBE_PEER_TUNNEL_ID	0x0b5e55ed
#define PROBE_SESSION_ID	0x5e551011
#define PROBE_PEER_SESSION_ID	0x0ddba11

static const char *tunnel_mismatch(const struct l2tp_tunnel *tunnel)
{
	if (tunnel->tunnel_id != PROBE_TUNNEL_ID)
		return "tunnel_id";
	if (tunnel->peer_tunnel_id != PROBE_PEER_TUNNEL_ID)
		return "peer_tunnel_id";
	if (tunnel->version != PROBE_VERSION)
		return "version";
	if (tunnel->encap != L2TP_ENCAPTYPE_IP)
		return "encap";
	if (tunnel->fd != -1)
		return "fd";
	if (!tunnel->acpt_newsess)
		return "acpt_newsess";
	if (refcount_read(&tunnel->ref_count) != 1)
		return "ref_count";
	if (tunnel->dead || tunnel->sock || tunnel->l2tp_net)
		return "dead, sock or l2tp_net";
	return NULL;
}

static const char *session_mismatch(const struct l2tp_session *session,
				    const struct l2tp_tunnel *tunnel)
{
	if (session->magic != L2TP_SESSION_MAGIC)
		return "magic";
	if (session->session_id != PROBE_SESSION_ID)
		return "session_id";
	if (session->peer_session_id != PROBE_PEER_SESSION_ID)
		return "peer_session_id";
	if (refcount_read(&session->ref_count) != 1)
		return "ref_count";
	if (session->dead)
		return "dead";
	/* (Before 6.11's refcount fix, and its backports, create set it.) */
	if (session->tunnel && session->tunnel != tunnel)
		return "tunnel";
	return NULL;
}

/* Called first at module init, before anything reads l2tp_core's objects. */
int l2tpss_layout_check(void)
{
	struct l2tp_tunnel_cfg tcfg = { .encap = L2TP_ENCAPTYPE_IP };
	struct l2tp_session_cfg scfg = { .pw_type = L2TP_PWTYPE_ETH };
	struct l2tp_session *session;
	struct l2tp_tunnel *tunnel;
	const char *what;
	int err;

	err = l2tp_tunnel_create(-1, PROBE_VERSION, PROBE_TUNNEL_ID,
				 PROBE_PEER_TUNNEL_ID, &tcfg, &tunnel);
	if (err)
		return err;
	what = tunnel_mismatch(tunnel);
	if (what) {
		pr_err("l2tp_core's struct l2tp_tunnel is not as l2tpss was built for (%s differs): rebuild l2tpss for kernel %s\n",
		       what, init_utsname()->release);
		kfree(tunnel);
		return -ENOEXEC;
	}
	session = l2tp_session_create(0, tunnel, PROBE_SESSION_ID,
				      PROBE_PEER_SESSION_ID, &scfg);
	if (IS_ERR(session)) {
		kfree(tunnel);
		return PTR_ERR(session);
	}
	what = session_mismatch(session, tunnel);
	/* Neither was registered: nothing else knows them. */
	kfree(session);
	kfree(tunnel);
	if (what) {
		pr_err("l2tp_core's struct l2tp_session is not as l2tpss was built for (%s differs): rebuild l2tpss for kernel %s\n",
		       what, init_utsname()->release);
		return -ENOEXEC;
	}
	return 0;
}
