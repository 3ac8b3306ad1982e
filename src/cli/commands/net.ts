/**
 * `miaou net info`, `miaou ping <relay>` and `miaou diagnostics`: what the network looks like
 * from here (issue #4, CLI counterparts of the web app's Network screen; docs/cli.md "Network").
 *
 * `net info` and `diagnostics` are reports: they exit 0 when they could make the report, even
 * when relays are down (the report says so); `ping` is a question about one relay and exits 1
 * when it does not answer.
 */
import { stat } from 'node:fs/promises';
import pkg from '../../../package.json' with { type: 'json' };
import { MalformedError, MiaouError, NoRelayError, UsageError } from '../../lib/core/errors.ts';
import { shortFingerprint } from '../../lib/core/identity.ts';
import { MAX_CLOCK_SKEW_MS, PROFILE_KEY, soulFor } from '../../lib/core/records.ts';
import { selfTestEd25519 } from '../../lib/core/ed25519.ts';
import { nodeEd25519 } from '../../lib/node/ed25519-node.ts';
import { normalizeRelayUrl } from '../../lib/net/http.ts';
import {
	isSecureWebSocket,
	MAX_HEALTH_ADDR_CHARS,
	MAX_HEALTH_LIBP2P_ADDRS,
	relayWebSocketAddrs
} from '../../lib/net/p2p-directory.ts';
import { gunRecordStore } from '../../lib/net/record-store.ts';
import type { CliIO, Globals } from '../context.ts';
import { DEFAULT_PING_COUNT, MAX_PING_COUNT, MAX_PING_TIMEOUT_S, PROBE_TIMEOUT_MS } from '../limits.ts';
import { loadIdentityFile } from '../identity-file.ts';
import { connectPool, relayUrls, requireRelays, type RelayOptions } from '../network.ts';
import { formatFields, type CommandResult, type JsonValue } from '../output.ts';
import { probeRelay, type Probe } from '../probe.ts';

/** A clock this far from a relay's is reported as a warning by `diagnostics` (records carry times). */
export const CLOCK_WARN_MS = 60_000;

type Json = { [key: string]: JsonValue };

/**
 * Read a positive number option.
 * @throws {UsageError} when it is not a number in range
 */
function numberOption(text: string | undefined, name: string, fallback: number, min: number, max: number): number {
	if (text === undefined) return fallback;
	const value = Number(text);
	if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max)
		throw new UsageError(`The ${name} option needs a number from ${min} to ${max}.`);
	return value;
}

export { MAX_HEALTH_ADDR_CHARS, MAX_HEALTH_LIBP2P_ADDRS };

/**
 * The addresses of a relay's /health where browsers can reserve a circuit-relay slot (for their
 * direct connections, docs/net.md §Direct peers): WebSocket addresses naming the relay's peer id.
 * @param addrs - `ipfs.libp2p.addrs` of /health (outside data)
 * @returns the usable ones, and whether one is secure (what a browser on an https page needs)
 */
export function circuitRelayAddrs(addrs: unknown): { addrs: string[]; secure: boolean } {
	const found = relayWebSocketAddrs(addrs, false);
	return { addrs: found.map((ma) => ma.toString()), secure: found.some(isSecureWebSocket) };
}

/**
 * A relay's /health summarised for people: uptime, clients, relay peers, IPFS, circuit relay.
 * @param health - the /health body (outside data, shape unchecked)
 * @returns the summary `net info --json` prints under `health`
 */
export function healthSummary(health: Record<string, unknown>): Json {
	const out: Json = {};
	if (typeof health.uptime === 'number') out.uptimeSeconds = health.uptime;
	if (typeof health.connections === 'number') out.clients = health.connections;
	if (Array.isArray(health.peers)) {
		const peers = health.peers as { url?: unknown; connected?: unknown }[];
		out.relayPeers = peers.length;
		out.relayPeersConnected = peers.filter((p) => p?.connected === true).length;
	}
	const ipfs = health.ipfs as Record<string, unknown> | undefined;
	if (typeof ipfs === 'object' && ipfs !== null) {
		const enabled = ipfs.enabled !== false && ipfs.stopped !== true && ipfs.ok !== false;
		out.ipfs = enabled;
		const libp2p = ipfs.libp2p as { connections?: unknown } | undefined;
		if (enabled && typeof libp2p?.connections === 'number') out.ipfsPeers = libp2p.connections;
		const pinned = ipfs.pinned as { roots?: unknown } | undefined;
		if (enabled && typeof pinned?.roots === 'number') out.pinnedRoots = pinned.roots;
		if (enabled) {
			// The relay's libp2p node runs a circuit relay server: browsers reserve slots over these.
			const circuit = circuitRelayAddrs((ipfs.libp2p as { addrs?: unknown } | undefined)?.addrs);
			out.circuitRelay = circuit.addrs.length > 0;
			out.circuitRelaySecure = circuit.secure;
			out.circuitRelayAddrs = circuit.addrs;
		}
	}
	return out;
}

/**
 * A health summary as one line for people.
 * @param s - what {@link healthSummary} returned
 * @returns e.g. `up 12 s, 3 clients, IPFS on (2 libp2p peers), circuit relay (ws, wss)`
 */
export function describeHealth(s: Json): string {
	const parts: string[] = [];
	if (typeof s.uptimeSeconds === 'number') parts.push(`up ${s.uptimeSeconds} s`);
	if (typeof s.clients === 'number') parts.push(`${s.clients} clients`);
	if (typeof s.relayPeers === 'number') parts.push(`${s.relayPeersConnected}/${s.relayPeers} relay peers`);
	if (s.ipfs === true) parts.push(`IPFS on (${typeof s.ipfsPeers === 'number' ? s.ipfsPeers : 0} libp2p peers)`);
	if (s.ipfs === false) parts.push('IPFS off');
	if (s.circuitRelay === true) parts.push(`circuit relay (${s.circuitRelaySecure === true ? 'ws, wss' : 'ws only'})`);
	if (s.circuitRelay === false) parts.push('no circuit relay for browsers');
	return parts.join(', ');
}

/**
 * Read a relay URL argument.
 * @throws {UsageError} when it is not an http(s)/ws(s) URL
 */
function relayArgument(text: string): string {
	try {
		return normalizeRelayUrl(text);
	} catch (err) {
		if (err instanceof MalformedError) throw new UsageError(err.message);
		throw err;
	}
}

/** `ping` options. */
export interface PingOptions {
	count?: string;
	timeout?: string;
}

/**
 * `miaou ping <relay>`: time round trips to a relay's `/health`.
 * @param _io - process surroundings
 * @param _g - global options
 * @param relayText - the relay's URL
 * @param opts - `--count` (default 3), `--timeout` seconds per round trip (default 5)
 * @returns the samples and their min/avg/max, with the relay's health
 * @throws {UsageError} on a bad URL or option (exit 2)
 * @throws {NoRelayError} when no round trip succeeded (exit 1)
 */
export async function ping(_io: CliIO, _g: Globals, relayText: string, opts: PingOptions): Promise<CommandResult> {
	const url = relayArgument(relayText);
	const count = numberOption(opts.count, '--count', DEFAULT_PING_COUNT, 1, MAX_PING_COUNT);
	if (!Number.isInteger(count)) throw new UsageError('The --count option needs a whole number.');
	const timeoutMs = numberOption(opts.timeout, '--timeout', PROBE_TIMEOUT_MS / 1000, 0.1, MAX_PING_TIMEOUT_S) * 1000;
	const probes: Probe[] = [];
	for (let i = 0; i < count; i++) probes.push(await probeRelay(url, { timeoutMs }));
	const good = probes.filter((p): p is Extract<Probe, { ok: true }> => p.ok);
	if (good.length === 0) {
		const failure = probes[probes.length - 1] as Extract<Probe, { ok: false }>;
		throw new NoRelayError(`${url}: ${failure.error}`);
	}
	const samples = good.map((p) => p.latencyMs);
	const round = (x: number): number => Math.round(x * 10) / 10;
	const min = Math.min(...samples);
	const max = Math.max(...samples);
	const avg = round(samples.reduce((a, b) => a + b, 0) / samples.length);
	const health = healthSummary(good[good.length - 1]!.health);
	return {
		json: {
			relay: url,
			ok: true,
			sent: count,
			received: good.length,
			samplesMs: samples,
			minMs: min,
			avgMs: avg,
			maxMs: max,
			health
		},
		human: formatFields([
			['relay', url],
			['received', `${good.length} of ${count}`],
			['round trip', `min ${min} ms, avg ${avg} ms, max ${max} ms`],
			['relay status', describeHealth(health)]
		])
	};
}

/**
 * `miaou net info`: each relay's Gun connection, latency and health.
 * @param io - process surroundings (MIAOU_RELAYS)
 * @param _g - global options
 * @param opts - `--relay`
 * @returns one entry per relay and how many are connected (exit 0 even when none is)
 * @throws {UsageError} when no relay is given (exit 2)
 */
export async function netInfo(io: CliIO, _g: Globals, opts: RelayOptions): Promise<CommandResult> {
	const urls = requireRelays(opts.relay, io.env);
	const [session, probes] = await Promise.all([connectPool(urls), Promise.all(urls.map((u) => probeRelay(u)))]);
	const states = session.pool.snapshot();
	session.close();
	const relays: Json[] = urls.map((url, i) => {
		const probe = probes[i]!;
		const status = states.find((s) => s.url === url);
		const entry: Json = { url, gun: status?.state === 'open' ? 'open' : 'closed', http: probe.ok };
		if (probe.ok) {
			entry.latencyMs = probe.latencyMs;
			entry.health = healthSummary(probe.health);
			if (probe.clockSkewMs !== undefined) entry.clockSkewMs = probe.clockSkewMs;
		}
		const error = probe.ok ? status?.lastError : probe.error;
		if (error !== undefined && entry.gun !== 'open') entry.error = error;
		else if (!probe.ok) entry.error = probe.error;
		return entry;
	});
	const connected = relays.filter((r) => r.gun === 'open').length;
	const human =
		formatFields([
			['relays', `${connected} of ${urls.length} connected`],
			[
				'status',
				connected === 0 ? 'offline: no relay reachable' : connected > 1 ? 'connected (several relays)' : 'connected'
			]
		]) +
		relays
			.map((r) => {
				const state = r.gun === 'open' ? `open, ${String(r.latencyMs ?? '?')} ms` : `unreachable: ${String(r.error)}`;
				const health = r.health ? `; ${describeHealth(r.health as Json)}` : '';
				return `  ${String(r.url)}  ${state}${health}\n`;
			})
			.join('');
	return { json: { connected, total: urls.length, relays }, human };
}

/** One diagnostics check. */
export interface Check {
	name: string;
	status: 'ok' | 'warn' | 'fail';
	detail: string;
}

/**
 * `miaou diagnostics`: check this installation and its relays, and say what is wrong.
 * @param io - process surroundings (MIAOU_RELAYS)
 * @param g - global options
 * @param opts - `--relay` (optional: without relays only the local checks run)
 * @returns every check with its status; `ok` is false when one failed (exit 0 regardless)
 * @throws {UsageError} on a malformed relay URL (exit 2)
 */
export async function diagnostics(io: CliIO, g: Globals, opts: RelayOptions): Promise<CommandResult> {
	const urls = relayUrls(opts.relay, io.env);
	const checks: Check[] = [];
	const add = (name: string, status: Check['status'], detail: string): void =>
		void checks.push({ name, status, detail });

	add('miaou', 'ok', `Miaou ${pkg.version}, Node.js ${process.versions.node} on ${process.platform} ${process.arch}`);
	add(
		'ed25519',
		(await selfTestEd25519(nodeEd25519)) ? 'ok' : 'fail',
		'node:crypto Ed25519 against the RFC 8032 vectors'
	);

	try {
		const info = await stat(g.home);
		const open = (info.mode & 0o077) !== 0;
		add(
			'home',
			open ? 'warn' : 'ok',
			`${g.home}${open ? `: mode ${(info.mode & 0o777).toString(8)}, others may read it (chmod 700)` : ''}`
		);
	} catch {
		add('home', 'warn', `${g.home} does not exist yet (miaou id new creates it)`);
	}

	let me: string | undefined;
	try {
		const file = await loadIdentityFile(g.home);
		me = file.id;
		add('identity', 'ok', `${file.id} (${shortFingerprint(file.id)})${file.name ? `, ${file.name}` : ''}`);
	} catch (err) {
		add('identity', err instanceof MiaouError && err.code === 'ERR_NO_IDENTITY' ? 'warn' : 'fail', oneClause(err));
	}

	if (urls.length === 0) {
		add('relays', 'warn', 'no relay configured: pass --relay <url> or set MIAOU_RELAYS');
	} else {
		const [session, probes] = await Promise.all([connectPool(urls), Promise.all(urls.map((u) => probeRelay(u)))]);
		try {
			const states = session.pool.snapshot();
			for (const [i, url] of urls.entries()) {
				const probe = probes[i]!;
				if (!probe.ok) {
					add(`relay ${url}`, 'fail', probe.error);
					continue;
				}
				add(`relay ${url}`, 'ok', `answers in ${probe.latencyMs} ms; ${describeHealth(healthSummary(probe.health))}`);
				const state = states.find((s) => s.url === url);
				add(
					`gun ${url}`,
					state?.state === 'open' ? 'ok' : 'fail',
					state?.state === 'open' ? 'WebSocket open' : `WebSocket ${state?.lastError ?? 'did not open'}`
				);
				const skew = probe.clockSkewMs;
				if (skew !== undefined) {
					const off = Math.abs(skew);
					add(
						`clock ${url}`,
						off > MAX_CLOCK_SKEW_MS ? 'fail' : off > CLOCK_WARN_MS ? 'warn' : 'ok',
						off > CLOCK_WARN_MS
							? `this computer's clock is ${Math.round(off / 1000)} s ${skew < 0 ? 'ahead of' : 'behind'} the relay's; records more than ${MAX_CLOCK_SKEW_MS / 60_000} min ahead are refused`
							: 'within a minute of the relay'
					);
				}
			}
			if (me !== undefined && session.open.length > 0) {
				const store = gunRecordStore(session.gun, { ed25519: nodeEd25519 });
				const profile = await store.read(soulFor('profile', me), PROFILE_KEY).catch(() => undefined);
				add(
					'profile',
					profile ? 'ok' : 'warn',
					profile
						? 'your profile is published: others can find you and write to you'
						: 'your profile is not on these relays: others cannot write to you yet'
				);
			}
		} finally {
			session.close();
		}
	}
	const ok = checks.every((c) => c.status !== 'fail');
	const width = Math.max(...checks.map((c) => c.name.length));
	return {
		json: { ok, checks: checks.map((c) => ({ ...c })) },
		human:
			checks.map((c) => `${c.status.padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}\n`).join('') +
			(ok ? 'No problem found.\n' : 'Some checks failed (see "fail" above).\n')
	};
}

function oneClause(err: unknown): string {
	return (err instanceof Error ? err.message : String(err)).replace(/\.$/, '');
}
