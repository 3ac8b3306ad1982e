/**
 * Per-address limits of the relay: token buckets for write and message rates, and a counter of
 * open connections. Keys are client IP addresses; IPv6 clients are grouped by their /64, since
 * one host usually holds a whole /64 and could otherwise rotate through it.
 *
 * Memory is bounded: buckets that are full again (idle clients) are forgotten by `sweep`, and
 * the number of tracked keys is capped (the oldest are dropped first).
 */

/** Most addresses tracked by one bucket set; beyond it the least recently seen are dropped. */
export const MAX_TRACKED_ADDRESSES = 100_000;

/**
 * The key a client is limited under: the IPv4 address, or the /64 prefix of an IPv6 address.
 * @param address - the socket's remote address (`::ffff:1.2.3.4` forms are unwrapped)
 * @returns the limiting key
 */
export function addressKey(address: string | undefined): string {
	if (!address) return 'unknown';
	const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
	if (v4) return v4[1]!;
	if (!address.includes(':')) return address;
	// Expand `::` so that the first four groups are the /64 prefix.
	const [head = '', tail = ''] = address.split('::');
	const headGroups = head ? head.split(':') : [];
	const tailGroups = tail ? tail.split(':') : [];
	const missing = Math.max(0, 8 - headGroups.length - tailGroups.length);
	const groups = address.includes('::')
		? [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups]
		: headGroups;
	return (
		groups
			.slice(0, 4)
			.map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
			.join(':') + '::/64'
	);
}

interface Bucket {
	tokens: number;
	at: number;
}

/** A set of token buckets, one per key: `rate` tokens a second, at most `burst` saved. */
export interface RateLimiter {
	/**
	 * Take `cost` tokens for `key` if it has them.
	 * @returns true when allowed (always when the rate is 0 = unlimited)
	 */
	take(key: string, cost?: number): boolean;
	/** Forget keys whose bucket is full again. */
	sweep(): void;
	readonly size: number;
	readonly rate: number;
}

/**
 * Create a token-bucket limiter.
 * @param rate - tokens per second; 0 disables the limiter
 * @param burst - bucket capacity (at least 1)
 * @param now - clock in ms, injectable for tests
 * @returns a {@link RateLimiter}
 * @throws {RangeError} on a negative rate or a burst below 1
 * @example const writes = rateLimiter(20, 100); if (!writes.take(ip)) refuse()
 */
export function rateLimiter(rate: number, burst: number, now: () => number = Date.now): RateLimiter {
	if (!(rate >= 0) || !Number.isFinite(rate)) throw new RangeError('rate must be a finite number ≥ 0');
	if (!(burst >= 1)) throw new RangeError('burst must be at least 1');
	const buckets = new Map<string, Bucket>();
	return {
		take(key, cost = 1) {
			if (rate === 0) return true;
			const t = now();
			let b = buckets.get(key);
			if (b) {
				b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * rate);
				b.at = t;
				// Re-insert so that Map order is least-recently-used first.
				buckets.delete(key);
			} else {
				b = { tokens: burst, at: t };
				if (buckets.size >= MAX_TRACKED_ADDRESSES) {
					const oldest = buckets.keys().next().value;
					if (oldest !== undefined) buckets.delete(oldest);
				}
			}
			buckets.set(key, b);
			if (b.tokens < cost) return false;
			b.tokens -= cost;
			return true;
		},
		sweep() {
			const t = now();
			for (const [key, b] of buckets) if (b.tokens + ((t - b.at) / 1000) * rate >= burst) buckets.delete(key);
		},
		get size() {
			return buckets.size;
		},
		rate
	};
}

/** Counts open connections per key against a per-key and a total maximum. */
export interface ConnectionLimiter {
	/** Count one more connection for `key`; false (and nothing counted) when a maximum is reached. */
	open(key: string): boolean;
	/** Count one connection of `key` as closed. */
	close(key: string): void;
	count(key: string): number;
	readonly total: number;
}

/**
 * Create a connection counter.
 * @param perKey - most concurrent connections for one key
 * @param total - most concurrent connections overall
 * @returns a {@link ConnectionLimiter}
 */
export function connectionLimiter(perKey: number, total: number): ConnectionLimiter {
	const counts = new Map<string, number>();
	let all = 0;
	return {
		open(key) {
			const n = counts.get(key) ?? 0;
			if (n >= perKey || all >= total) return false;
			counts.set(key, n + 1);
			all++;
			return true;
		},
		close(key) {
			const n = counts.get(key);
			if (!n) return;
			all--;
			if (n === 1) counts.delete(key);
			else counts.set(key, n - 1);
		},
		count(key) {
			return counts.get(key) ?? 0;
		},
		get total() {
			return all;
		}
	};
}
