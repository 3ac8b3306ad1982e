/**
 * libp2p: another IPFS node (a real Helia node with bitswap, over TCP on loopback) connects to the
 * relay; the relay pins a DAG pulled from it over bitswap, and serves its own blocks to it.
 */
import { randomBytes } from 'node:crypto';
import { withBitswap } from '@helia/bitswap';
import { withLibp2pLight } from '@helia/libp2p';
import { multiaddr } from '@multiformats/multiaddr';
import { createHeliaLight } from 'helia';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineDns, relayLibp2pOptions } from '../../relay/ipfs/libp2p.ts';
import {
	encodeCar,
	rawBlock,
	readVerifiedCar,
	removeDir,
	request,
	startTestRelay,
	unixfsFile,
	uploadCar,
	type TestRelay
} from '../../relay/ipfs/testing.ts';

function clientNode() {
	const dns = offlineDns();
	return withBitswap(
		withLibp2pLight(createHeliaLight({ dns }), relayLibp2pOptions(['/ip4/127.0.0.1/tcp/0'], false, dns))
	);
}

let relay: TestRelay;
let client: ReturnType<typeof clientNode>;

beforeAll(async () => {
	relay = await startTestRelay();
	client = clientNode();
	await client.start();
	const tcp = ((await relay.service.health()).libp2p as { addrs: string[] }).addrs.find((a) => !a.includes('/ws'))!;
	await client.libp2p.dial(multiaddr(tcp));
});
afterAll(async () => {
	await client.stop();
	await relay.close();
	await removeDir(relay.dataDir);
});

describe('bitswap', () => {
	it('pins a DAG that only a connected libp2p peer has', async () => {
		const file = await unixfsFile(randomBytes(1024 * 1024 + 100));
		for (const b of file.blocks) await client.blockstore.put(b.cid, b.bytes);
		// The relay side registers the inbound connection a moment after the client's dial returns.
		const deadline = Date.now() + 10_000;
		while (((await relay.service.health()).libp2p as { connections: number }).connections < 1 && Date.now() < deadline)
			await new Promise((resolve) => setTimeout(resolve, 50));
		expect(((await relay.service.health()).libp2p as { connections: number }).connections).toBe(1);
		const pin = await request(`${relay.url}/api/v1/pin/${file.root}?timeout=20000`, { method: 'POST' });
		expect(pin.status).toBe(200);
		expect(pin.json).toMatchObject({ roots: [file.root.toString()], blocks: file.blocks.length });
		const car = await request(`${relay.url}/ipfs/${file.root}?format=car`);
		const parsed = await readVerifiedCar(car.body);
		expect(parsed.allVerified).toBe(true);
		expect(parsed.blocks).toHaveLength(file.blocks.length);
	});

	it('serves an uploaded block to a connected IPFS node over bitswap', async () => {
		const block = await rawBlock(randomBytes(2048));
		expect((await uploadCar(relay.url, await encodeCar([block.cid], [block]))).status).toBe(200);
		const chunks: Uint8Array[] = [];
		for await (const chunk of client.blockstore.get(block.cid, { signal: AbortSignal.timeout(20_000) }))
			chunks.push(chunk);
		expect(Buffer.concat(chunks).equals(block.bytes)).toBe(true);
	});
});
