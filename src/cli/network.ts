/**
 * How network commands reach relays (docs/cli.md, "Relays"):
 *
 * - the relays come from `--relay <url>` (repeatable) or else `MIAOU_RELAYS` (comma-separated);
 *   a command that needs one and has none says so in one sentence (exit 2);
 * - records (trust, profiles, the name index) go through Gun over the relay pool, with every
 *   record verified before it is used (src/lib/net/record-store.ts);
 * - files go over the relays' HTTP APIs, every block verified against its CID
 *   (src/lib/net/blob-store-relay.ts).
 */
import { MalformedError, NoRelayError, UsageError } from '../lib/core/errors.ts';
import { nodeEd25519 } from '../lib/node/ed25519-node.ts';
import { createGun, type GunLike } from '../lib/net/gun.ts';
import { normalizeRelayUrl } from '../lib/net/http.ts';
import { gunRecordStore, type RecordStore } from '../lib/net/record-store.ts';
import { MAX_POOL_RELAYS, relayPool, type RelayPool, type RelayStatus } from '../lib/net/relay-pool.ts';
import { lingering } from './context.ts';
import { RELAYS_ENV } from './relay-option.ts';

export { RELAYS_ENV, withRelayOption, type RelayOptions } from './relay-option.ts';

/** How long a command waits for its relays' Gun connections before giving up. */
export const CONNECT_WAIT_MS = 10_000;
/** Longest `MIAOU_RELAYS` value read, checked before it is split. */
export const MAX_RELAYS_ENV_LENGTH = 4096;

/**
 * The relays a command uses: `--relay` values if any, else `MIAOU_RELAYS`; normalized, without
 * duplicates.
 * @param flag - the `--relay` values
 * @param env - the environment
 * @returns base URLs like `https://relay.example.org` (possibly none)
 * @throws {UsageError} on a URL that is not http(s)/ws(s), or more than MAX_POOL_RELAYS relays
 */
export function relayUrls(
	flag: readonly string[] | undefined,
	env: Readonly<Record<string, string | undefined>>
): string[] {
	let raw: string[];
	let source: string;
	if (flag !== undefined && flag.length > 0) {
		raw = [...flag];
		source = '--relay';
	} else {
		const value = env[RELAYS_ENV] ?? '';
		if (value.length > MAX_RELAYS_ENV_LENGTH)
			throw new UsageError(`${RELAYS_ENV} is longer than ${MAX_RELAYS_ENV_LENGTH} characters.`);
		raw = value.split(',');
		source = RELAYS_ENV;
	}
	const urls: string[] = [];
	for (const item of raw.map((s) => s.trim())) {
		if (item === '') {
			if (source === '--relay') throw new UsageError('The --relay option needs a URL.');
			continue;
		}
		let url: string;
		try {
			url = normalizeRelayUrl(item);
		} catch (err) {
			if (err instanceof MalformedError)
				throw new UsageError(`The relay ${item} in ${source} is not usable: ${detail(err)}`);
			throw err;
		}
		if (!urls.includes(url)) urls.push(url);
	}
	if (urls.length > MAX_POOL_RELAYS) throw new UsageError(`Give at most ${MAX_POOL_RELAYS} relays.`);
	return urls;
}

/** The part of a MalformedError sentence after "… is malformed: ". */
function detail(err: MalformedError): string {
	const m = /is malformed: (.*)$/.exec(err.message);
	return m ? m[1]! : err.message;
}

/**
 * The relays of a command that cannot run without one.
 * @param flag - the `--relay` values
 * @param env - the environment
 * @returns at least one base URL
 * @throws {UsageError} when there is none: "No relay given: …"
 */
export function requireRelays(
	flag: readonly string[] | undefined,
	env: Readonly<Record<string, string | undefined>>
): string[] {
	const urls = relayUrls(flag, env);
	if (urls.length === 0) throw noRelayGiven();
	return urls;
}

/**
 * The error of a command that needs a relay and was given none.
 * @returns a UsageError (exit 2) saying how to give one
 */
export function noRelayGiven(): UsageError {
	return new UsageError(`No relay given: pass --relay <url> or set ${RELAYS_ENV} (comma-separated URLs).`);
}

/** A relay pool with Gun attached, once each relay is open or has failed once. */
export interface PoolSession {
	gun: GunLike;
	pool: RelayPool;
	/** The relays whose Gun connection opened. */
	open: string[];
	close(): void;
}

/** Records over Gun through a pool of relays, and how to let go of them. */
export interface RecordSession extends PoolSession {
	store: RecordStore;
}

/** A relay is settled when it is open or has failed at least once. */
function settled(r: RelayStatus): boolean {
	return r.state === 'open' || (r.state === 'closed' && r.lastError !== undefined);
}

/**
 * Connect Gun to the relays and wait until each is open or has failed once (at most `waitMs`).
 * Never throws for unreachable relays: the snapshot says which opened.
 * @param urls - relay base URLs
 * @param opts - how long to wait, an AbortSignal
 * @returns Gun, the pool and the open relays; call `close` when done
 */
export async function connectPool(
	urls: readonly string[],
	opts: { waitMs?: number; signal?: AbortSignal } = {}
): Promise<PoolSession> {
	lingering.gun = true;
	const gun = await createGun();
	const pool = relayPool({ gun, urls });
	const waitMs = opts.waitMs ?? CONNECT_WAIT_MS;
	await new Promise<void>((resolve) => {
		const check = (snapshot: readonly RelayStatus[]): void => {
			if (snapshot.every(settled) || opts.signal?.aborted) done();
		};
		const done = (): void => {
			clearTimeout(timer);
			stop();
			resolve();
		};
		const timer = setTimeout(done, waitMs);
		const stop = pool.onChange(check);
		check(pool.snapshot());
	});
	const open = pool
		.snapshot()
		.filter((r) => r.state === 'open')
		.map((r) => r.url);
	return { gun, pool, open, close: () => pool.close() };
}

/**
 * Connect to the relays for reading and publishing records.
 * @param urls - relay base URLs (at least one)
 * @param opts - how long to wait, an AbortSignal
 * @returns the record store over the open relays; call `close` when done
 * @throws {NoRelayError} when no relay opened, naming why each failed
 */
export async function connectRecords(
	urls: readonly string[],
	opts: { waitMs?: number; signal?: AbortSignal } = {}
): Promise<RecordSession> {
	const session = await connectPool(urls, opts);
	if (session.open.length === 0) {
		const why = describeFailures(session.pool.snapshot());
		session.close();
		throw new NoRelayError(why);
	}
	return { ...session, store: gunRecordStore(session.gun, { ed25519: nodeEd25519 }) };
}

/**
 * One clause per relay that is not open: its URL and what went wrong.
 * @param snapshot - the pool's relays
 * @returns e.g. "http://127.0.0.1:9 (connection refused)"
 */
export function describeFailures(snapshot: readonly RelayStatus[]): string {
	return snapshot
		.filter((r) => r.state !== 'open')
		.map((r) => `${r.url} (${r.lastError ?? 'still connecting'})`)
		.join(', ');
}
