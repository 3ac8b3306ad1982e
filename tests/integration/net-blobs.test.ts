/**
 * The client blob store against a real relay process (Gun + Helia) on loopback: a 5 MiB upload
 * and download with every block verified, failover past a relay that lies about block contents
 * (a tiny HTTP server on 127.0.0.1 that flips a byte of each block it relays), and an upload that
 * succeeds on one relay while another is unreachable.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/lib/core/bytes.ts';
import { HashMismatchError, NoRelayError } from '../../src/lib/core/errors.ts';
import { relayBlobStore } from '../../src/lib/net/blob-store.ts';
import { importFile } from '../../src/lib/net/unixfs.ts';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';
import { closedPortUrl, lyingProxy, type LyingProxy } from '../../src/lib/net/testing/http.ts';

const RELAY_ARGS = ['--ipfs-listen', '/ip4/127.0.0.1/tcp/0', '--rate-limit', '0', '--message-rate-limit', '0'];

let relay: RelayProcess;
let liar: LyingProxy;
let closedUrl: string;

beforeAll(async () => {
	relay = await startRelayProcess({ args: RELAY_ARGS });
	liar = await lyingProxy(relay.url);
	closedUrl = await closedPortUrl();
}, 60_000);

afterAll(async () => {
	await liar?.close();
	await relay?.stop();
	if (relay) removeDataDir(relay.dataDir);
});

describe('blobs through a real relay', () => {
	it('round-trips 5 MiB, every block verified against its CID', async () => {
		const bytes = new Uint8Array(randomBytes(5 * 1024 * 1024));
		const expected = await importFile(bytes);
		const store = relayBlobStore([relay.url]);
		const report = await store.upload(bytes);
		expect(report.cid.toString()).toBe(expected.root.toString());
		expect(report.relays).toEqual([
			expect.objectContaining({ url: relay.url, ok: true, blocks: expected.blocks.length })
		]);
		const phases: string[] = [];
		const got = await store.download(report.cid, { onProgress: (p) => phases.push(p.phase) });
		expect(equalBytes(got.bytes, bytes)).toBe(true);
		expect(got.served).toEqual({ [relay.url]: expected.blocks.length });
		expect(got.failures).toEqual([]);
		expect(phases.every((p) => p === 'download')).toBe(true);
	});

	it('skips a relay that serves a tampered block and completes from the next one', async () => {
		const bytes = new Uint8Array(randomBytes(1024 * 1024 + 123));
		const cid = await relayBlobStore([relay.url]).put(bytes);
		const store = relayBlobStore([liar.url, relay.url], { concurrency: 1 });
		const before = liar.served;
		const got = await store.download(cid);
		expect(equalBytes(got.bytes, bytes)).toBe(true);
		expect(liar.served - before).toBe(1);
		expect(got.failures).toEqual([expect.objectContaining({ relay: liar.url, kind: 'mismatch', cid: cid.toString() })]);
		expect(got.served[relay.url]).toBe(6);
		await expect(relayBlobStore([liar.url]).get(cid)).rejects.toBeInstanceOf(HashMismatchError);
	});

	it('uploads when one relay is unreachable, and says so', async () => {
		const report = await relayBlobStore([closedUrl, relay.url]).upload(new Uint8Array(randomBytes(1000)));
		expect(report.relays.map((r) => r.ok)).toEqual([false, true]);
		const down = report.relays[0]!;
		expect(down.ok === false && down.error).toBeInstanceOf(NoRelayError);
		await expect(relayBlobStore([closedUrl]).put(new Uint8Array(10))).rejects.toBeInstanceOf(NoRelayError);
	});
});
