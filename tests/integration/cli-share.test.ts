/**
 * `miaou share` and `miaou get` end to end: the real binary against a real relay process (Gun,
 * Helia, the HTTP gateway) on loopback. The public CID is checked against @helia/unixfs run
 * independently with the same settings, so the CLI cannot agree with itself on a wrong DAG.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unixfs } from '@helia/unixfs';
import { createHeliaLight } from 'helia';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';
import { json, miaou, oneLine, RELAY_TEST_ARGS, scratch, SLOW_TEST_MS, type Scratch } from './cli-harness.ts';

let relay: RelayProcess;
let s: Scratch;
let file: string;
let bytes: Uint8Array;
const env = (): Record<string, string | undefined> => ({ HOME: s.dir, MIAOU_RELAYS: relay.url });

interface Shared {
	cid: string;
	public: boolean;
	link: string;
	size: number;
	uploaded: number;
	gateway?: string;
	relays: { url: string; ok: boolean }[];
}

beforeAll(async () => {
	[relay, s] = await Promise.all([startRelayProcess({ args: RELAY_TEST_ARGS }), scratch('miaou-cli-share-')]);
	bytes = new Uint8Array(randomBytes(3 * 1024 * 1024 + 12_345));
	file = join(s.dir, 'photo.bin');
	await writeFile(file, bytes);
}, 60_000);
afterAll(async () => {
	await relay?.stop();
	if (relay) removeDataDir(relay.dataDir);
	await s?.remove();
});

describe('share and get', { timeout: SLOW_TEST_MS }, () => {
	it('a private share: link with a key, the relay holds only ciphertext, get restores the bytes', async () => {
		const shared = json<Shared>(await miaou(['share', file, '--json'], { env: env() }));
		expect(shared.public).toBe(false);
		expect(shared.size).toBe(bytes.length);
		expect(shared.uploaded).toBeGreaterThan(bytes.length);
		expect(shared.link).toMatch(new RegExp(`^${relay.url}/c/${shared.cid}#k=[A-Za-z0-9_-]{43}&n=photo.bin$`));
		expect(shared.relays).toEqual([{ url: relay.url, ok: true }]);

		// What the gateway serves for the CID is not the file (the first bytes are the share header).
		const head = await fetch(`${relay.url}/ipfs/${shared.cid}?format=raw`);
		const root = new Uint8Array(await head.arrayBuffer());
		expect(head.status).toBe(200);
		expect(Buffer.from(root).includes(Buffer.from(bytes.subarray(0, 64)))).toBe(false);

		const out = join(s.dir, 'private-copy.bin');
		const got = await miaou(['get', shared.link, '-o', out, '--json'], { env: { HOME: s.dir } }); // relay from the link
		expect(json(got)).toEqual({ cid: shared.cid, file: out, size: bytes.length, private: true, relays: [relay.url] });
		expect(new Uint8Array(await readFile(out))).toEqual(bytes);
		expect((await stat(out)).mode & 0o777).toBe(0o600);
	});

	it('a public share: the CID @helia/unixfs computes with the same settings; get by bare CID', async () => {
		const shared = json<Shared>(await miaou(['share', file, '--public', '--json'], { env: env() }));
		expect(shared.public).toBe(true);
		expect(shared.uploaded).toBe(bytes.length);
		expect(shared.link).toBe(`${relay.url}/c/${shared.cid}#n=photo.bin`);
		expect(shared.gateway).toBe(`${relay.url}/ipfs/${shared.cid}`);

		const helia = createHeliaLight();
		await helia.start();
		try {
			const expected = await unixfs(helia).addBytes(bytes, {
				cidVersion: 1,
				rawLeaves: true,
				chunker: fixedSize({ chunkSize: 256 * 1024 }),
				layout: balanced({ maxChildrenPerNode: 174 })
			});
			expect(shared.cid).toBe(expected.toString());
		} finally {
			await helia.stop();
		}

		const out = join(s.dir, 'public-copy.bin');
		const got = await miaou(['get', shared.cid, '-o', out], { env: env() });
		expect(got.stderr).toBe('');
		expect(got.code).toBe(0);
		expect(got.stdout).toContain(`cid:  ${shared.cid}`);
		expect(new Uint8Array(await readFile(out))).toEqual(bytes);
	});

	it('a tampered key: one sentence, exit 1, no output file', async () => {
		const small = join(s.dir, 'note.txt');
		await writeFile(small, 'a private note\n');
		const shared = json<Shared>(await miaou(['share', small, '--json'], { env: env() }));
		const key = /#k=([A-Za-z0-9_-]{43})/.exec(shared.link)![1]!;
		const other = `${key[0] === 'A' ? 'B' : 'A'}${key.slice(1)}`;
		const out = join(s.dir, 'tampered.txt');
		const before = await readdir(s.dir);
		const r = await miaou(['get', shared.link.replace(key, other), '-o', out], { env: env() });
		expect(r.code).toBe(1);
		expect(r.stdout).toBe('');
		expect(oneLine(r)).toBe('Could not decrypt the shared file: it was altered or is not meant for this key.');
		expect(await readdir(s.dir)).toEqual(before); // neither the file nor a temporary one
	});

	it('an unknown CID or an existing output: one sentence, exit 1, nothing written', async () => {
		const out = join(s.dir, 'never.bin');
		const unknownCid = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';
		const [unknown, exists] = await Promise.all([
			miaou(['get', unknownCid, '-o', out, '--json'], { env: env() }),
			miaou(['get', unknownCid, '-o', file], { env: env() })
		]);
		expect(unknown.code).toBe(1);
		expect(unknown.stdout).toBe('');
		const error = (JSON.parse(unknown.stderr) as { error: { code: string; message: string } }).error;
		expect(error.code).toBe('ERR_NOT_FOUND');
		expect(error.message).toBe(`Content ${unknownCid} was not found: ${relay.url}: HTTP 404.`);
		await expect(stat(out)).rejects.toThrow();

		expect(exists.code).toBe(1);
		expect(oneLine(exists)).toBe(`${file} already exists; pass --force to overwrite it.`);
		expect(new Uint8Array(await readFile(file))).toEqual(bytes); // untouched
	});
});
