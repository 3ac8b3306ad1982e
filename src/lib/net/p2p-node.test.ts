/**
 * The direct node (p2p.ts) for real, in Node: a relay node built with the relay's own libp2p
 * options (circuit relay server) on loopback WebSockets, two direct nodes with the WebRTC
 * transport (node-datachannel under Node), records in the verifying memory store. Checks the two
 * things only a running node shows: the Network snapshot tells a WebRTC peer from one still
 * relayed, and a profile update does not make the node write its `dir` entry again, while an
 * entry that lost its direct part is put back (docs/net.md §Direct peers).
 */
import type { Libp2p } from '@libp2p/interface';
import { createLibp2p } from 'libp2p';
import { afterEach, describe, expect, it } from 'vitest';
import { offlineDns, relayLibp2pOptions } from '../../../relay/ipfs/libp2p.ts';
import { DIRECTORY_KEY, soulFor, type DirectoryBody } from '../core/records.ts';
import { createPrekeyKeeper, memoryPrekeyStorage } from '../services/prekeys.ts';
import { createProfileService } from '../services/profile.ts';
import { createDirectNode, REPUBLISH_DELAY_MS, type DirectNode, type DirectSnapshot } from './p2p.ts';
import { publishDirectEntry, readDirectEntry } from './p2p-directory.ts';
import { memoryRecordNetwork, memoryRecordStore } from './record-store-memory.ts';
import type { RecordStore } from './record-store.ts';
import { createIdentity, ed25519, type Identity } from './testing/records.ts';

const LIMITS = { maxPeers: 4, uploadBytesPerSecond: 0, downloadBytesPerSecond: 0 };
const running: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	// Direct nodes first, then the relay.
	for (const stop of running.splice(0)) await Promise.resolve(stop()).catch(() => {});
});

/** node-datachannel's own option (passed through its RTCPeerConnection polyfill): bind ICE to loopback. */
const LOOPBACK_RTC = { iceServers: [], bindAddress: '127.0.0.1' } as RTCConfiguration;

/** A relay node and two direct nodes, Alice's writes to her `dir` soul counted. */
async function setup(rtcConfiguration?: RTCConfiguration) {
	const relay: Libp2p = await createLibp2p(relayLibp2pOptions(['/ip4/127.0.0.1/tcp/0/ws'], false, offlineDns()));
	running.push(() => relay.stop());
	// The relay's /health, as relay/ipfs/service.ts answers it (no HTTP server needed for the node).
	const health = JSON.stringify({ ok: true, ipfs: { libp2p: { addrs: relay.getMultiaddrs().map(String) } } });
	const fetch = async (): Promise<Response> =>
		new Response(health, { headers: { 'content-type': 'application/json' } });
	const network = memoryRecordNetwork({ ed25519 });
	const alice = createIdentity();
	const bob = createIdentity();
	const aliceStore = memoryRecordStore({ network, ed25519 });
	const dirWrites: number[] = [];
	const aliceRecords: RecordStore = {
		...aliceStore,
		async publish(record, o) {
			if (record.soul === soulFor('dir', alice.id)) dirWrites.push(record.state);
			return aliceStore.publish(record, o);
		}
	};
	const bobRecords = memoryRecordStore({ network, ed25519 });
	const node = async (me: Identity, other: Identity, records: RecordStore): Promise<DirectNode> => {
		const n = await createDirectNode({
			identity: me,
			records,
			relays: () => ['http://127.0.0.1:9'],
			contacts: () => [other.id],
			limits: LIMITS,
			fetch,
			ed25519,
			...(rtcConfiguration ? { rtcConfiguration } : {})
		});
		running.unshift(() => n.stop());
		return n;
	};
	const a = await node(alice, bob, aliceRecords);
	const b = await node(bob, alice, bobRecords);
	return { alice, bob, a, b, aliceRecords, bobRecords, dirWrites };
}

/** Wait for a snapshot of `node` that passes `test`, dialling again now and then. */
async function until(node: DirectNode, test: (s: DirectSnapshot) => boolean, ms = 30_000): Promise<DirectSnapshot> {
	const end = Date.now() + ms;
	for (let i = 0; Date.now() < end; i++) {
		const s = node.snapshot();
		if (test(s)) return s;
		if (i % 4 === 0) node.refresh();
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error(`no such snapshot within ${ms} ms: ${JSON.stringify(node.snapshot())}`);
}
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, REPUBLISH_DELAY_MS * 2 + 500));

describe('direct node', { timeout: 60_000 }, () => {
	it('lists a WebRTC peer as direct; a profile update is not answered, a lost direct part is put back', async () => {
		// Loopback only (the tests' rule; in CI's namespace it is the only interface): libdatachannel,
		// the WebRTC of Node, gathers no loopback candidate unless bound to it.
		const { alice, bob, a, b, aliceRecords, bobRecords, dirWrites } = await setup(LOOPBACK_RTC);
		await until(b, (s) => s.addrs.length > 0);
		const s = await until(a, (x) => x.peers.length === 1);
		expect(s.peers[0]).toMatchObject({ contact: bob.id });
		expect(s.peers[0]!.address).toContain('/webrtc/');
		expect(s.relayed).toEqual([]);
		await until(a, (x) => x.addrs.length > 0);
		await settle();

		// The profile service rewrites my entry: it carries the direct part over, the node stays quiet.
		const before = dirWrites.length;
		const prekeys = createPrekeyKeeper({ identity: alice, storage: memoryPrekeyStorage() });
		const profiles = createProfileService({ identity: alice, records: aliceRecords, prekeys, ed25519 });
		await profiles.publish({ name: 'Alice', relays: ['http://127.0.0.1:9'] });
		await settle();
		expect(dirWrites.length - before).toBe(1);
		const mine = await aliceRecords.read(soulFor('dir', alice.id), DIRECTORY_KEY);
		expect(mine?.state).toBe(dirWrites.at(-1));
		expect((mine?.body as DirectoryBody).p2p?.peer).toBe(a.snapshot().peerId);
		expect((await readDirectEntry(bobRecords, alice.id))?.peer).toBe(a.snapshot().peerId);

		// A writer that drops it (an older client of mine): the node answers once, relays kept.
		await publishDirectEntry(aliceRecords, alice, undefined, { ed25519 });
		await settle();
		expect(dirWrites.length - before).toBe(3);
		const back = await aliceRecords.read(soulFor('dir', alice.id), DIRECTORY_KEY);
		expect((back?.body as DirectoryBody).p2p?.peer).toBe(a.snapshot().peerId);
		expect((back?.body as DirectoryBody).relays).toEqual(['http://127.0.0.1:9']);
	});

	it('lists a contact reached only through the relay as relayed, and sends nothing that way', async () => {
		// No ICE candidate may be used (relay-only policy, no TURN server): WebRTC never connects.
		const { bob, a, b } = await setup({ iceServers: [], iceTransportPolicy: 'relay' });
		await until(b, (x) => x.addrs.length > 0);
		const s = await until(a, (x) => (x.relayed ?? []).length === 1);
		expect(s.peers).toEqual([]);
		expect(s.relayed?.[0]).toMatchObject({ contact: bob.id });
		expect(s.relayed?.[0]?.address).toContain('/p2p-circuit/');
		expect(await a.send(bob.id, new Uint8Array(64))).toBe(false);
	});
});
