/**
 * The relay's Prometheus metrics (served at /metrics). One prom-client Registry per relay, shared
 * with the IPFS half, which registers its own metrics on it. Names follow the Prometheus naming
 * guide: `miaou_relay_` prefix, `_total` for counters, base units (seconds, bytes).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Latency buckets in seconds: loopback acks take ~1 ms, a slow disk's fsync tens of ms. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Buckets for the number of fields committed per transaction (group commit). */
export const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 4096];

/** The relay's own metrics. */
export interface RelayMetrics {
	registry: Registry;
	connections: Gauge;
	peers: Gauge;
	messages: Counter<'kind'>;
	writesAccepted: Counter;
	writesRefused: Counter<'reason'>;
	messagesDropped: Counter<'reason'>;
	ackLatency: Histogram<'outcome'>;
	commitLatency: Histogram;
	commitBatch: Histogram;
	storedBytes: Gauge;
	storageErrors: Counter;
}

/**
 * Create the registry and the relay's metrics on it.
 * @param opts.storedBytes - read at scrape time for `miaou_relay_stored_bytes`
 * @param opts.defaults - also collect Node's process metrics (RSS, event loop lag…); default true
 * @returns the metrics, with `registry` to pass to the IPFS half and to serve
 */
export function createRelayMetrics(opts: { storedBytes?: () => number; defaults?: boolean } = {}): RelayMetrics {
	const registry = new Registry();
	if (opts.defaults !== false) collectDefaultMetrics({ register: registry, prefix: 'miaou_relay_' });
	const registers = [registry];
	const storedBytes = opts.storedBytes;
	return {
		registry,
		connections: new Gauge({
			name: 'miaou_relay_connections',
			help: 'Open WebSocket connections (clients and peer relays).',
			registers
		}),
		peers: new Gauge({
			name: 'miaou_relay_peers',
			help: 'Peer relays this relay is connected to (--peers).',
			registers
		}),
		messages: new Counter({
			name: 'miaou_relay_messages_total',
			help: 'Gun messages received, by kind.',
			labelNames: ['kind'],
			registers
		}),
		writesAccepted: new Counter({
			name: 'miaou_relay_writes_accepted_total',
			help: 'Gun put messages accepted (every record verified).',
			registers
		}),
		writesRefused: new Counter({
			name: 'miaou_relay_writes_refused_total',
			help: 'Gun put messages refused, by reason.',
			labelNames: ['reason'],
			registers
		}),
		messagesDropped: new Counter({
			name: 'miaou_relay_messages_dropped_total',
			help: 'Frames or messages dropped before reaching Gun (bad JSON, size, dam, rate), by reason.',
			labelNames: ['reason'],
			registers
		}),
		ackLatency: new Histogram({
			name: 'miaou_relay_ack_latency_seconds',
			help: 'Time from a put arriving to its ack leaving (ok after commit, or the refusal).',
			labelNames: ['outcome'],
			buckets: LATENCY_BUCKETS,
			registers
		}),
		commitLatency: new Histogram({
			name: 'miaou_relay_commit_seconds',
			help: 'Duration of one SQLite group commit, fsync included.',
			buckets: LATENCY_BUCKETS,
			registers
		}),
		commitBatch: new Histogram({
			name: 'miaou_relay_commit_fields',
			help: 'Fields written per group commit.',
			buckets: BATCH_BUCKETS,
			registers
		}),
		storedBytes: new Gauge({
			name: 'miaou_relay_stored_bytes',
			help: 'Size of the record database on disk.',
			registers,
			collect() {
				if (storedBytes) this.set(storedBytes());
			}
		}),
		storageErrors: new Counter({
			name: 'miaou_relay_storage_errors_total',
			help: 'Failed commits of the record database.',
			registers
		})
	};
}
