/**
 * Persistence: pins, blocks, expiries and the libp2p identity survive a clean restart of the
 * service on the same data directory, and every acknowledged upload survives `kill -9` of the
 * process right after the acknowledgement.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Block } from '../../relay/ipfs/car.ts';
import {
	encodeCar,
	listBlocks,
	rawBlock,
	readVerifiedCar,
	removeDir,
	request,
	startTestRelay,
	unixfsFile,
	uploadCar
} from '../../relay/ipfs/testing.ts';

const dirs: string[] = [];
afterEach(async () => {
	for (const dir of dirs.splice(0)) await removeDir(dir);
});

describe('restart', () => {
	it('keeps pins, blocks, expiries and the peer id across stop and start', async () => {
		const dataDir = await mkdtemp(join(tmpdir(), 'miaou-ipfs-restart-'));
		dirs.push(dataDir);
		let now = 1_700_000_000_000;
		const first = await startTestRelay({ dataDir, now: () => now });
		const file = await unixfsFile(randomBytes(2 * 1024 * 1024));
		const block = await rawBlock(randomBytes(1234));
		expect((await uploadCar(first.url, await encodeCar([file.root], file.blocks), '?ttl=3600')).status).toBe(200);
		expect((await uploadCar(first.url, await encodeCar([block.cid], [block]))).status).toBe(200);
		const health = await first.service.health();
		const blocks = await listBlocks(first.service);
		const peerId = (health.libp2p as { peerId: string }).peerId;
		await first.close();

		const second = await startTestRelay({ dataDir, now: () => now });
		try {
			const again = await second.service.health();
			expect(again.pinned).toEqual(health.pinned);
			expect((again.libp2p as { peerId: string }).peerId).toBe(peerId);
			expect(await listBlocks(second.service)).toEqual(blocks);
			const car = await request(`${second.url}/ipfs/${file.root}?format=car`);
			expect(car.status).toBe(200);
			const parsed = await readVerifiedCar(car.body);
			expect(parsed.allVerified).toBe(true);
			expect(parsed.blocks).toHaveLength(file.blocks.length);
			// The expiry came back too: the file (ttl 1 h) expires, the block (7 days) stays.
			now += 2 * 3600 * 1000;
			expect((await second.service.sweep()).expired).toBe(1);
			expect((await request(`${second.url}/ipfs/${block.cid}?format=raw`)).status).toBe(200);
		} finally {
			await second.close();
		}
	});
});

describe('crash', () => {
	it(
		'serves every acknowledged upload after kill -9 right after the last acknowledgement',
		{ timeout: 120_000 },
		async () => {
			const dataDir = await mkdtemp(join(tmpdir(), 'miaou-ipfs-crash-'));
			dirs.push(dataDir);
			const testing = fileURLToPath(new URL('../../relay/ipfs/testing.ts', import.meta.url));
			const script = `
			import { startTestRelay } from ${JSON.stringify(testing)};
			const relay = await startTestRelay({ dataDir: ${JSON.stringify(dataDir)} });
			process.stdout.write(relay.url + '\\n');
			setInterval(() => {}, 1000);
		`;
			const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
				stdio: ['ignore', 'pipe', 'inherit']
			});
			try {
				const [line] = (await once(child.stdout, 'data')) as [Buffer];
				const url = line.toString().trim();
				expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

				const uploads: Array<{ root: Block['cid']; blocks: Block[] }> = [];
				for (let i = 0; i < 12; i++) {
					const upload =
						i % 3 === 0
							? await unixfsFile(randomBytes(1024 * 1024 + i))
							: await (async () => {
									const b = await rawBlock(randomBytes(1000 + i));
									return { root: b.cid, blocks: [b] };
								})();
					const answer = await uploadCar(url, await encodeCar([upload.root], upload.blocks));
					expect(answer.status).toBe(200);
					uploads.push(upload);
				}
				// Right after the last acknowledgement: no graceful anything.
				child.kill('SIGKILL');
				await once(child, 'exit');

				const relay = await startTestRelay({ dataDir });
				try {
					expect((await relay.service.health()).pinned).toMatchObject({ roots: uploads.length });
					for (const upload of uploads) {
						const car = await request(`${relay.url}/ipfs/${upload.root}?format=car`);
						expect(car.status).toBe(200);
						const parsed = await readVerifiedCar(car.body);
						expect(parsed.allVerified).toBe(true);
						expect(parsed.blocks.map((b) => b.cid.toString())).toEqual(upload.blocks.map((b) => b.cid.toString()));
					}
				} finally {
					await relay.close();
				}
			} finally {
				if (child.exitCode === null) child.kill('SIGKILL');
			}
		}
	);
});
