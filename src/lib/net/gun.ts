/**
 * The Gun client this layer drives, and the few pieces of Gun's internals it touches.
 *
 * The record store talks to Gun at the wire level (`root.on('out', {put|get})`, `root.ask`), not
 * through the chain API: the chain API stamps its own HAM state on every put, while a Miaou
 * record must be written with exactly the state its signature covers (docs/net.md §Records).
 * Gun ships no types for these internals, so the shapes used are declared here, from
 * gun/src/root.js and gun/src/mesh.js (version 0.2020.1241).
 *
 * The same module (`gun/gun.js`: core, mesh, browser WebSocket glue) serves the browser and
 * Node. The Node entry (`gun`, lib/server.js) would add radisk, SEA, AXE, UDP multicast and a
 * stats file — none of which a client wants — and marks the instance a "super peer", which
 * stops it from re-asking for its subscriptions after a reconnect.
 */

/** A Gun node on the wire: values by key, plus `_` holding the soul and per-key HAM states. */
export interface GunNode {
	_: { '#': string; '>': Record<string, number> };
	[key: string]: unknown;
}

/** A Gun wire message (gun/src/root.js): a put, a get, or an ack (`@`) to one of them. */
export interface GunMessage {
	'#'?: string;
	'@'?: string;
	put?: Record<string, GunNode | undefined>;
	get?: { '#': string; '.'?: string };
	err?: unknown;
	ok?: unknown;
	dam?: string;
	/** Per-message metadata Gun attaches; `via` is the peer it arrived from. */
	_?: { via?: GunPeer } | (() => void);
	[field: string]: unknown;
}

/**
 * A peer in Gun's mesh. Gun sends to it with `say(raw)` when present, and calls `bye()` when
 * it drops it; `met` is set while Gun counts it as connected (gun/src/mesh.js `hi`/`bye`).
 */
export interface GunPeer {
	id: string;
	wire?: unknown;
	say?: (raw: string) => void;
	bye?: () => void;
	met?: number;
	queue?: string[];
	[field: string]: unknown;
}

/** Gun's mesh (gun/src/mesh.js): what a transport calls when a peer connects, speaks or leaves. */
export interface GunMesh {
	hi(peer: GunPeer): void;
	bye(peer: GunPeer): void;
	hear(raw: string, peer: GunPeer): void;
	/** Send a message to one peer (or, without one, to all). */
	say(message: GunMessage, peer?: GunPeer): unknown;
}

/** An event registration returned by `root.on(tag, fn)`; `to.next` passes the event on. */
export interface GunEvent {
	off(): void;
	to: { next(value: unknown): void };
}

/** The root context (`gun._.root`): event bus, in-memory graph, acks and options. */
export interface GunRoot {
	on(tag: string, listener: (this: GunEvent, value: never) => void): GunEvent;
	on(tag: string, value: unknown): unknown;
	/** Register `cb` for the acks to a message; returns the message id to send it under. */
	ask(cb: (ack: GunMessage) => void): string;
	graph: Record<string, GunNode | undefined>;
	opt: { peers: Record<string, GunPeer>; mesh?: GunMesh; lack?: number; [option: string]: unknown };
}

/** Anything holding a Gun root: a Gun instance or any chain made from it. */
export interface GunLike {
	_: { root: GunRoot };
}

/** Options Miaou passes to Gun for a client (see the module comment). */
export interface CreateGunOptions {
	/**
	 * A WebSocket constructor. Gun's mesh is only created when one exists; the relay pool opens
	 * the sockets itself, so Gun never uses this one to dial.
	 */
	WebSocket?: unknown;
}

type GunFactory = (opts: Record<string, unknown>) => GunLike;
let loading: Promise<GunFactory> | undefined;

/**
 * Load `gun/gun.js` once. Gun prints a welcome line with `console.log` when it loads, which
 * would corrupt the CLI's `--json` output on stdout; the line is swallowed during the load.
 */
function loadGun(): Promise<GunFactory> {
	loading ??= (async () => {
		const log = console.log;
		console.log = () => {};
		try {
			const mod = (await import('gun/gun.js')) as unknown as { default: GunFactory };
			return mod.default;
		} finally {
			console.log = log;
		}
	})();
	return loading;
}

/**
 * Create a Gun client with nothing on: no peers (the relay pool adds them), no localStorage or
 * radisk persistence (records are re-read and re-verified from relays; the app keeps its own
 * state in IndexedDB), no multicast, no AXE.
 * @param opts - see {@link CreateGunOptions}
 * @returns the Gun instance
 * @example const gun = await createGun(); const store = gunRecordStore(gun, { ed25519 })
 */
export async function createGun(opts: CreateGunOptions = {}): Promise<GunLike> {
	const Gun = await loadGun();
	const gun = Gun({
		peers: [],
		localStorage: false,
		radisk: false,
		multicast: false,
		axe: false,
		stats: false,
		// Gun's Node entry, if loaded in the same process, turns every new instance into a "super
		// peer" unless told otherwise; a super peer never re-asks relays for its subscriptions.
		super: false,
		WebSocket: opts.WebSocket ?? globalThis.WebSocket ?? function NoWebSocket() {}
	});
	if (!gun._.root.opt.mesh) throw new Error('Gun did not create its mesh');
	// Not the chain itself: once `gun/lib/then.js` is loaded (the Node entry loads it) a Gun chain
	// has a `then` method, and an async function resolving with it would wait on Gun forever.
	return { _: gun._ };
}

/**
 * The peer a message arrived from (Gun sets `msg._.via` in gun/src/mesh.js `hear.one`), or
 * undefined for a message this client produced itself (its own graph answering a get).
 * @param message - a message Gun delivered
 * @returns the peer, if any
 */
export function viaPeer(message: GunMessage): GunPeer | undefined {
	const meta = message._ as { via?: GunPeer } | undefined;
	return (typeof meta === 'function' || typeof meta === 'object') && meta !== null ? meta.via : undefined;
}

/**
 * The peers Gun currently counts as connected (`met`), i.e. the ones a message goes out to.
 * @param gun - a Gun instance
 * @returns those peers
 */
export function connectedPeers(gun: GunLike): GunPeer[] {
	return Object.values(gun._.root.opt.peers ?? {}).filter((p) => p && p.met !== undefined);
}
