/**
 * The web app's network state (src/lib/state/net.svelte.ts) against a real relay process on
 * loopback: blob transfers with no identity and no Gun client (the share page's case), upload
 * progress reported in order, a share made by the Share screen's state and opened by the share
 * page's state, and the pool with a real Gun connection and `/health` latency once started.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetState, type TransferProgress } from '../../src/lib/state/net.svelte.ts';
import { relaySettings } from '../../src/lib/state/relay-settings.ts';
import { ShareDownload } from '../../src/lib/state/share-download.svelte.ts';
import { ShareUpload } from '../../src/lib/state/share-upload.svelte.ts';
import { importFile } from '../../src/lib/net/unixfs.ts';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';

const RELAY_ARGS = ['--ipfs-listen', '/ip4/127.0.0.1/tcp/0', '--rate-limit', '0', '--message-rate-limit', '0'];

let relay: RelayProcess;
let net: NetState;

beforeAll(async () => {
	relay = await startRelayProcess({ args: RELAY_ARGS });
	net = new NetState({ settings: relaySettings(undefined, () => [relay.url]) });
}, 60_000);

afterAll(async () => {
	net?.stop();
	await relay?.stop();
	if (relay) removeDataDir(relay.dataDir);
});

describe('NetState with a real relay', () => {
	it('uploads and downloads without being started, with ordered progress, every block verified', async () => {
		expect(net.status).toBe('stopped');
		const bytes = new Uint8Array(randomBytes(1024 * 1024 + 3));
		const seen: TransferProgress[] = [];
		const uploaded = await net.upload(bytes, { onProgress: (p) => seen.push(p) });
		expect(uploaded.cid).toBe((await importFile(bytes)).root.toString());
		expect(uploaded.accepted).toEqual([relay.url]);
		expect(uploaded.refused).toEqual([]);
		const phases = seen.map((p) => p.phase);
		expect(phases.indexOf('upload')).toBeGreaterThan(phases.lastIndexOf('encode'));
		const sent = seen.filter((p) => p.phase === 'upload');
		expect(sent.at(-1)!.bytes).toBe(sent.at(-1)!.total);
		for (let i = 1; i < sent.length; i++) expect(sent[i]!.bytes).toBeGreaterThanOrEqual(sent[i - 1]!.bytes);

		const got: TransferProgress[] = [];
		const back = await net.download(uploaded.cid, { onProgress: (p) => got.push(p) });
		expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
		expect(got.at(-1)).toMatchObject({ phase: 'download', bytes: bytes.length, total: bytes.length });
	});

	it('a private share made by the Share screen opens on the share page, byte for byte', async () => {
		const bytes = new Uint8Array(randomBytes(700 * 1024));
		const up = new ShareUpload({ upload: (b, o) => net.upload(b, o), origin: relay.url });
		const result = await up.share(
			{ name: 'notes.bin', size: bytes.length, arrayBuffer: async () => bytes.slice().buffer },
			'private'
		);
		expect(up.phase, String(up.error)).toBe('done');
		expect(result!.link).toMatch(new RegExp(`^${relay.url}/c/b[a-z2-7]+#k=[A-Za-z0-9_-]{43}&n=notes.bin$`));

		// Someone else's browser: no list of its own, only the relay the link names.
		const stranger = new NetState({ settings: relaySettings(undefined, () => []) });
		const blobs: Blob[] = [];
		const down = new ShareDownload({
			download: (cid, o) => stranger.download(cid, o),
			createObjectURL: (b) => (blobs.push(b), 'blob:x'),
			revokeObjectURL: () => {}
		});
		await down.open(result!.link);
		expect(down.phase, String(down.failure?.error)).toBe('done');
		expect(Buffer.from(await blobs[0]!.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);

		await down.open(`${relay.url}/c/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy`);
		expect(down.failure?.kind).toBe('notFound');
	});

	it('once started, connects to the relay over Gun and measures its latency', async () => {
		await net.start();
		const end = Date.now() + 15_000;
		while (!(net.snapshot[0]?.state === 'open' && net.snapshot[0].latencyMs !== undefined)) {
			if (Date.now() > end) throw new Error(`relay not open: ${JSON.stringify(net.snapshot)}`);
			await new Promise((r) => setTimeout(r, 50));
		}
		expect(net.summary).toEqual({ kind: 'single', open: 1, total: 1, direct: 0 });
		expect(net.snapshot[0]!.latencyMs).toBeGreaterThanOrEqual(0);
		net.stop();
		expect(net.snapshot).toEqual([]);
	});
});
