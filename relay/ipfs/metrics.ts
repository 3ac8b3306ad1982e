/**
 * Prometheus metrics of the IPFS half, registered on the relay's registry (served at /metrics by
 * the relay). Names are prefixed `miaou_ipfs_`; label values come from fixed sets (routes, formats,
 * error codes), never from request data, so cardinality stays bounded.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The metric objects the service updates. */
export interface IpfsMetrics {
	/** Blocks served by the gateway, by format (`raw`, `car`). */
	blocksServed: Counter<'format'>;
	/** Block bytes served by the gateway, by format. */
	bytesServed: Counter<'format'>;
	/** Uploads by result (`ok` or an error code such as `ERR_HASH_MISMATCH`). */
	uploads: Counter<'result'>;
	/** Bytes of blocks accepted by uploads. */
	uploadBytes: Counter;
	/** Pin requests by result. */
	pinRequests: Counter<'result'>;
	/** Block fetches from peer relays, by outcome. */
	peerFetches: Counter<'result'>;
	/** Pins removed by the expiry sweep. */
	expiredPins: Counter;
	/** Blocks deleted by garbage collection. */
	gcBlocks: Counter;
	/** Bytes of pinned DAGs (sum of pin sizes). */
	pinnedBytes: Gauge;
	/** Number of pinned roots. */
	pinnedRoots: Gauge;
	/** Request latency by route and status. */
	latency: Histogram<'route' | 'status'>;
	/** Remove every metric above from the registry (service stop). */
	unregister(): void;
}

/**
 * Create and register the metrics.
 * @param registry - the relay's prom-client registry
 * @param quotaBytes - exported as a constant gauge so dashboards can show use against quota
 * @param connections - reads the current number of libp2p connections at scrape time
 * @returns the metrics
 * @throws {Error} from prom-client when a metric of the same name is already registered
 */
export function createIpfsMetrics(registry: Registry, quotaBytes: number, connections: () => number): IpfsMetrics {
	const registers = [registry];
	const names: string[] = [];
	const named = <T>(name: string, make: (name: string) => T): T => {
		names.push(name);
		return make(name);
	};
	const metrics = {
		blocksServed: named(
			'miaou_ipfs_blocks_served_total',
			(name) =>
				new Counter({ name, help: 'Blocks served by the IPFS gateway.', labelNames: ['format'] as const, registers })
		),
		bytesServed: named(
			'miaou_ipfs_bytes_served_total',
			(name) =>
				new Counter({
					name,
					help: 'Block bytes served by the IPFS gateway.',
					labelNames: ['format'] as const,
					registers
				})
		),
		uploads: named(
			'miaou_ipfs_uploads_total',
			(name) =>
				new Counter({
					name,
					help: 'CAR uploads by result (ok or error code).',
					labelNames: ['result'] as const,
					registers
				})
		),
		uploadBytes: named(
			'miaou_ipfs_upload_bytes_total',
			(name) => new Counter({ name, help: 'Block bytes accepted by CAR uploads.', registers })
		),
		pinRequests: named(
			'miaou_ipfs_pin_requests_total',
			(name) =>
				new Counter({
					name,
					help: 'Pin requests by result (ok or error code).',
					labelNames: ['result'] as const,
					registers
				})
		),
		peerFetches: named(
			'miaou_ipfs_peer_fetches_total',
			(name) =>
				new Counter({
					name,
					help: 'Block fetches from peer relays by outcome.',
					labelNames: ['result'] as const,
					registers
				})
		),
		expiredPins: named(
			'miaou_ipfs_expired_pins_total',
			(name) => new Counter({ name, help: 'Pins removed by the expiry sweep.', registers })
		),
		gcBlocks: named(
			'miaou_ipfs_gc_deleted_blocks_total',
			(name) => new Counter({ name, help: 'Blocks deleted by garbage collection.', registers })
		),
		pinnedBytes: named(
			'miaou_ipfs_pinned_bytes',
			(name) => new Gauge({ name, help: 'Bytes of pinned DAGs.', registers })
		),
		pinnedRoots: named('miaou_ipfs_pinned_roots', (name) => new Gauge({ name, help: 'Pinned roots.', registers })),
		latency: named(
			'miaou_ipfs_request_duration_seconds',
			(name) =>
				new Histogram({
					name,
					help: 'IPFS HTTP request latency by route and status.',
					labelNames: ['route', 'status'] as const,
					buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
					registers
				})
		)
	};
	const quota = named(
		'miaou_ipfs_quota_bytes',
		(name) => new Gauge({ name, help: 'Storage quota for pinned blocks.', registers })
	);
	quota.set(quotaBytes);
	named(
		'miaou_ipfs_libp2p_connections',
		(name) =>
			new Gauge({
				name,
				help: 'Open libp2p connections.',
				registers,
				collect() {
					this.set(connections());
				}
			})
	);
	return {
		...metrics,
		unregister() {
			for (const name of names) registry.removeSingleMetric(name);
		}
	};
}
