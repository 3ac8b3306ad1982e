/**
 * The relay blob store's upload of blocks already made (`uploadBlocks`), against a real relay IPFS
 * service on loopback (relay/ipfs/testing.ts): one CAR per relay, the relay re-hashes and checks
 * the DAG, the report and progress are those of `upload`. Downloads and `upload` itself are
 * covered in blob-store.test.ts and tests/integration/net-blobs.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../../relay/ipfs/testing.ts';
import { equalBytes } from '../core/bytes.ts';
import { AbortError, NoRelayError, RelayRefusedError } from '../core/errors.ts';
import type { BlobProgress } from './blob-store.ts';
import { encodeCar, relayBlobStore } from './blob-store-relay.ts';
import { importFile } from './unixfs.ts';
import { closedPortUrl } from './testing/http.ts';

let relay: TestRelay;
let closedUrl: string;

function bytesOf(n: number, seed: number): Uint8Array {
	return Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + (i >> 9)) & 0xff);
}

beforeAll(async () => {
	relay = await startTestRelay();
	closedUrl = await closedPortUrl();
}, 60_000);

afterAll(async () => {
	await relay?.close();
});

describe('relayBlobStore uploadBlocks', () => {
	it('sends the given blocks as one CAR: the relay serves the file, progress is upload only', async () => {
		const bytes = bytesOf(700_000, 1);
		const imported = await importFile(bytes);
		const store = relayBlobStore([closedUrl, relay.url]);
		const progress: BlobProgress[] = [];
		const report = await store.uploadBlocks(imported.root, imported.blocks, { onProgress: (p) => progress.push(p) });
		expect(report.cid.equals(imported.root)).toBe(true);
		expect(report.relays.map((r) => [r.url, r.ok])).toEqual([
			[closedUrl, false],
			[relay.url, true]
		]);
		const accepted = report.relays.find((r) => r.ok);
		expect(accepted && accepted.ok && accepted.blocks).toBe(imported.blocks.length);
		const carLength = encodeCar(imported.root, imported.blocks).length;
		expect(progress.map((p) => p.phase)).toEqual(['upload', 'upload']);
		expect(progress.at(-1)).toMatchObject({ bytes: carLength, total: carLength, relay: relay.url });
		const back = await relayBlobStore([relay.url]).get(imported.root);
		expect(equalBytes(back, bytes)).toBe(true);
	});

	it('names the same root as upload(), which imports then calls it', async () => {
		const bytes = bytesOf(300_000, 2);
		const imported = await importFile(bytes);
		const phases = new Set<string>();
		const report = await relayBlobStore([relay.url]).upload(bytes, { onProgress: (p) => phases.add(p.phase) });
		expect(report.cid.equals(imported.root)).toBe(true);
		expect([...phases]).toEqual(['encode', 'upload']);
	});

	it('is refused by the relay when a block is missing from the DAG', async () => {
		const imported = await importFile(bytesOf(700_000, 3));
		expect(imported.blocks.length).toBeGreaterThan(2);
		const partial = imported.blocks.slice(0, -1);
		await expect(relayBlobStore([relay.url]).uploadBlocks(imported.root, partial)).rejects.toBeInstanceOf(
			RelayRefusedError
		);
	});

	it('says NoRelayError without relays or when none answers, AbortError when aborted', async () => {
		const imported = await importFile(bytesOf(1000, 4));
		await expect(relayBlobStore([]).uploadBlocks(imported.root, imported.blocks)).rejects.toBeInstanceOf(NoRelayError);
		await expect(relayBlobStore([closedUrl]).uploadBlocks(imported.root, imported.blocks)).rejects.toBeInstanceOf(
			NoRelayError
		);
		const aborted = AbortSignal.abort();
		await expect(
			relayBlobStore([relay.url]).uploadBlocks(imported.root, imported.blocks, { signal: aborted })
		).rejects.toBeInstanceOf(AbortError);
	});
});
