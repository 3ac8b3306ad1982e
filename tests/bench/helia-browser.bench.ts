/**
 * Downloading 5 MiB in Chromium: the old direct path (relayBlobStore: block by block from the
 * relay's gateway, each hashed) against the browser Helia node (helia-browser.ts: the same
 * gateway requests through Helia's block broker and hash check, each block written to IndexedDB),
 * and the Helia node again once the blocks are local. A real relay process on 127.0.0.1, headless
 * Chromium; the modules are bundled with Vite into one script for an empty page
 * (tests/helpers/lib-page.ts). Run `node tests/bench/helia-browser.bench.ts` (no build needed).
 *
 * Each round uploads two fresh 5 MiB files from this process, so neither path reads the other's
 * blocks from the browser's HTTP cache. Then a put of a fresh 5 MiB file from the page as the app
 * does it (`openBrowserBlobStore(…).put`: UnixFS import, one CAR to the relay through
 * `relayUploader`, blocks and index into IndexedDB). Figures: median, min and max over the rounds.
 */
import { randomBytes } from 'node:crypto';
import { relayBlobStore } from '../../src/lib/net/blob-store-relay.ts';
import { bundleLib } from '../helpers/bundle-lib.ts';
import { startLibPage } from '../helpers/lib-page.ts';
import { removeDataDir, startRelayProcess } from '../helpers/relay-process.ts';

/** Bytes downloaded per sample. */
const SIZE = 5 * 1024 * 1024;
/** Rounds (each: one sample of each path). */
const ROUNDS = 5;

async function bundle(): Promise<string> {
	return bundleLib(
		{
			'net/blob-store-helia.ts': ['openBrowserBlobStore', 'relayUploader'],
			'net/blob-store-relay.ts': ['relayBlobStore']
		},
		{ minify: true }
	);
}

function stats(samples: number[]): string {
	const s = [...samples].sort((a, b) => a - b);
	const median = s[Math.floor(s.length / 2)]!;
	const mibps = SIZE / 1024 / 1024 / (median / 1000);
	return `median ${median.toFixed(0)} ms (${mibps.toFixed(1)} MiB/s), min ${s[0]!.toFixed(0)}, max ${s.at(-1)!.toFixed(0)} ms`;
}

const relay = await startRelayProcess({ args: ['--rate-limit', '0'] });
const [code, lib] = await Promise.all([bundle(), startLibPage('helia bench')]);
const direct: number[] = [];
const cold: number[] = [];
const warm: number[] = [];
const put: number[] = [];
try {
	const page = await lib.profile.context.newPage();
	await page.goto(lib.origin);
	await page.addScriptTag({ content: code });
	const store = relayBlobStore([relay.url]);
	for (let round = 0; round < ROUNDS; round++) {
		const [a, b] = await Promise.all([
			store.put(new Uint8Array(randomBytes(SIZE))),
			store.put(new Uint8Array(randomBytes(SIZE)))
		]);
		const times = (await page.evaluate(`(async () => {
			const { openBrowserBlobStore, relayBlobStore, relayUploader } = globalThis.MiaouLib;
			const relays = () => [${JSON.stringify(relay.url)}];
			const time = async (f) => {
				const t = performance.now();
				const bytes = await f();
				if (bytes.length !== ${SIZE}) throw new Error('wrong length ' + bytes.length);
				return performance.now() - t;
			};
			const direct = await time(() => relayBlobStore(relays).get(${JSON.stringify(a.toString())}));
			const cold = await time(async () => (await openBrowserBlobStore({ relays })).get(${JSON.stringify(b.toString())}));
			const warm = await time(async () => (await openBrowserBlobStore({ relays })).get(${JSON.stringify(b.toString())}));
			// A put as the app does it: encode, one CAR to the relay, blocks kept in IndexedDB.
			const bytes = new Uint8Array(${SIZE});
			for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
			const uploader = relayUploader(relayBlobStore(relays));
			const put = await time(async () => {
				await (await openBrowserBlobStore({ relays, upload: uploader })).put(bytes);
				return bytes;
			});
			return [direct, cold, warm, put];
		})()`)) as [number, number, number, number];
		direct.push(times[0]);
		cold.push(times[1]);
		warm.push(times[2]);
		put.push(times[3]);
	}
	console.log(`Download of 5 MiB in Chromium from a relay on 127.0.0.1, ${ROUNDS} rounds:`);
	console.log(`  direct (relayBlobStore, verified blocks, in memory): ${stats(direct)}`);
	console.log(`  Helia in the browser, blocks not local (gateway + IndexedDB writes): ${stats(cold)}`);
	console.log(`  Helia in the browser, blocks in IndexedDB (no network): ${stats(warm)}`);
	console.log(`Put of 5 MiB in Chromium (encode, CAR upload to the relay, blocks into IndexedDB): ${stats(put)}`);
} finally {
	await lib.close();
	await relay.stop();
	removeDataDir(relay.dataDir);
}
