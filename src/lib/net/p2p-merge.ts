/**
 * The one merge rule of my `dir` entry (docs/net.md §Direct peers): two writers share it. The
 * profile service (services/profile.ts) owns `relays` and `capabilities`; the direct node
 * (p2p.ts, through p2p-directory.ts) owns `p2p` and the {@link DIRECT_CAPABILITY} flag. Each
 * rewrites the whole signed entry (a Gun field holds one signed value), so each builds it here
 * from its own part and the other writer's part as last read back: neither drops the other's
 * part, and the direct node never has to publish again after a profile update.
 *
 * Kept apart from p2p.ts and p2p-directory.ts so the profile service can use it without loading
 * libp2p or multiaddr parsing.
 */
import { MAX_P2P_ADDRS, type DirectoryBody, type DirectoryP2p } from '../core/records.ts';

/** The capability a `dir` entry lists when its author takes direct connections. */
export const DIRECT_CAPABILITY = 'direct:1';

/**
 * Build a `dir` body from the profile part and the direct part.
 * @param parts - `relays` and `capabilities` (the profile service's), `p2p` (the direct node's,
 *   undefined when it takes no direct connections) and `lastSeen` (the record's state)
 * @returns the body: `direct:1` is listed exactly when there is a `p2p` part, whatever the
 *   capabilities given said; the address list is cut at {@link MAX_P2P_ADDRS}
 */
export function mergeDirectoryBody(parts: {
	relays: readonly string[];
	capabilities: readonly string[];
	p2p: DirectoryP2p | undefined;
	lastSeen: number;
}): DirectoryBody {
	const capabilities = parts.capabilities.filter((c) => c !== DIRECT_CAPABILITY);
	const body: DirectoryBody = {
		relays: [...parts.relays],
		capabilities: parts.p2p ? [...capabilities, DIRECT_CAPABILITY] : capabilities,
		lastSeen: parts.lastSeen
	};
	if (parts.p2p) body.p2p = { peer: parts.p2p.peer, addrs: parts.p2p.addrs.slice(0, MAX_P2P_ADDRS) };
	return body;
}
