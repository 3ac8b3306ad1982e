/**
 * The limits of the direct-peer node (docs/net.md §Direct peers), apart from p2p.ts so Settings
 * can check them without loading libp2p.
 */

/** Allowed range of the peer cap of Settings. */
export const MIN_PEERS = 1;
export const MAX_PEERS = 64;

/** Limits from Settings. */
export interface DirectLimits {
	/** Direct connections to contacts at most. */
	maxPeers: number;
	/** Envelope bytes per second sent directly (0: no cap). */
	uploadBytesPerSecond: number;
	/** Envelope bytes per second taken directly (0: no cap). */
	downloadBytesPerSecond: number;
}

/**
 * Check limits.
 * @param limits - as set
 * @returns the same limits, copied
 * @throws {RangeError} on a value out of range
 */
export function checkLimits(limits: DirectLimits): DirectLimits {
	const { maxPeers, uploadBytesPerSecond, downloadBytesPerSecond } = limits;
	if (!Number.isInteger(maxPeers) || maxPeers < MIN_PEERS || maxPeers > MAX_PEERS)
		throw new RangeError(`the peer cap must be a whole number from ${MIN_PEERS} to ${MAX_PEERS}`);
	for (const v of [uploadBytesPerSecond, downloadBytesPerSecond])
		if (!Number.isSafeInteger(v) || v < 0)
			throw new RangeError('a bandwidth cap must be a whole number of bytes per second, 0 or more');
	return { maxPeers, uploadBytesPerSecond, downloadBytesPerSecond };
}
