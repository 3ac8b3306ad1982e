import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createIpfsMetrics } from './metrics.ts';

describe('createIpfsMetrics', () => {
	it('registers every metric, reads connections at scrape, and unregisters', async () => {
		const registry = new Registry();
		let connections = 3;
		const metrics = createIpfsMetrics(registry, 1000, () => connections);
		metrics.uploads.inc({ result: 'ok' });
		metrics.blocksServed.inc({ format: 'raw' }, 2);
		let text = await registry.metrics();
		for (const name of [
			'miaou_ipfs_blocks_served_total{format="raw"} 2',
			'miaou_ipfs_uploads_total{result="ok"} 1',
			'miaou_ipfs_quota_bytes 1000',
			'miaou_ipfs_libp2p_connections 3',
			'miaou_ipfs_pinned_bytes',
			'# TYPE miaou_ipfs_request_duration_seconds histogram'
		])
			expect(text).toContain(name);
		connections = 5;
		text = await registry.metrics();
		expect(text).toContain('miaou_ipfs_libp2p_connections 5');
		metrics.unregister();
		expect(await registry.metrics()).not.toContain('miaou_ipfs_');
		// After unregistering, a new service can register the same names (restart).
		createIpfsMetrics(registry, 1, () => 0).unregister();
	});

	it('refuses a second registration of the same names', () => {
		const registry = new Registry();
		createIpfsMetrics(registry, 1, () => 0);
		expect(() => createIpfsMetrics(registry, 1, () => 0)).toThrow();
	});
});
