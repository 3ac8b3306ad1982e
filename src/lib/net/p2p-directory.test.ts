import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import { MalformedError } from '../core/errors.ts';
import { checkRecord, DIRECTORY_KEY, signRecord, soulFor, type DirectoryBody } from '../core/records.ts';
import {
	DIRECT_CAPABILITY,
	directAddresses,
	isSecurePage,
	isSecureWebSocket,
	publishDirectEntry,
	readDirectEntry,
	sameDirectEntry,
	webSocketDialable
} from './p2p-directory.ts';
import { memoryRecordNetwork, memoryRecordStore } from './record-store-memory.ts';
import { createIdentity, ed25519 } from './testing/records.ts';

// Real peer ids (Ed25519, base58btc) of two libp2p nodes.
const PEER = '12D3KooWJ2k5Qx3Q9pAYh4M5i8Wvu9n9c3uH1Lc8o4V6e8s7RDbq';
const RELAY = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN';
const CIRCUIT = `/ip4/127.0.0.1/tcp/4002/ws/p2p/${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`;
const T = 1_763_800_000_000;

const body = (p2p?: DirectoryBody['p2p']): DirectoryBody => ({
	relays: ['https://relay.example/'],
	capabilities: ['msg:1'],
	lastSeen: T,
	...(p2p ? { p2p } : {})
});

describe('the p2p part of a dir record (core rules)', () => {
	const alice = createIdentity();
	const sign = (b: unknown) =>
		signRecord('dir', {
			author: alice.id,
			key: DIRECTORY_KEY,
			body: b as DirectoryBody,
			state: T,
			signer: alice.signing,
			ed25519
		});

	it('signs and verifies an entry naming a peer id and its addresses', async () => {
		const record = await sign(body({ peer: PEER, addrs: [CIRCUIT] }));
		const checked = await checkRecord(record, { ed25519, now: () => T });
		expect(checked.ok).toBe(true);
	});

	it('refuses a bad peer id, an address naming another peer, a long list, unknown fields', async () => {
		const bad: unknown[] = [
			{ peer: 'not-a-peer-id', addrs: [] },
			{ peer: PEER, addrs: [CIRCUIT.replace(PEER, RELAY)] },
			{ peer: PEER, addrs: ['no slash'] },
			{ peer: PEER, addrs: [`/ip4/1.2.3.4/tcp/1/ws ${'x'.repeat(10)}/p2p/${PEER}`] },
			{ peer: PEER, addrs: [`/${'a'.repeat(600)}/p2p/${PEER}`] },
			{ peer: PEER, addrs: Array.from({ length: 9 }, (_, i) => CIRCUIT.replace('4002', String(5000 + i))) },
			{ peer: PEER, addrs: [CIRCUIT, CIRCUIT] },
			{ peer: PEER, addrs: [], extra: 1 },
			{ addrs: [CIRCUIT] }
		];
		for (const p2p of bad)
			await expect(sign(body(p2p as DirectoryBody['p2p'])), JSON.stringify(p2p)).rejects.toBeInstanceOf(MalformedError);
	});
});

describe('directAddresses', () => {
	it('keeps WebRTC circuit addresses over WebSockets that end with the peer id', () => {
		const found = directAddresses(body({ peer: PEER, addrs: [CIRCUIT] }));
		expect(found?.peer).toBe(PEER);
		expect(found?.addrs.map(String)).toEqual([CIRCUIT]);
	});

	it('drops addresses a browser cannot or must not dial', () => {
		const bad = [
			`/ip4/127.0.0.1/tcp/4001/p2p/${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`, // raw TCP
			`/ip4/127.0.0.1/tcp/4002/ws/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`, // relayed, not WebRTC
			`/ip4/127.0.0.1/tcp/4002/ws/p2p-circuit/webrtc/p2p/${PEER}`, // no relay peer id
			`/ip4/127.0.0.1/udp/4003/webrtc-direct/p2p/${PEER}`,
			`/unknownproto/x/p2p/${PEER}`
		];
		expect(directAddresses(body({ peer: PEER, addrs: bad }))).toBeUndefined();
		expect(directAddresses(body())).toBeUndefined();
	});

	it('keeps on an https page only what it may open: secure WebSockets, plain ones to loopback', () => {
		const via = (transport: string) => `${transport}/p2p/${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`;
		const lan = via('/ip4/192.168.1.5/tcp/4002/ws');
		const local = via('/ip4/127.0.0.1/tcp/4002/ws');
		const tls = via('/dns4/relay.example/tcp/443/tls/ws');
		const wss = via('/dns4/relay.example/tcp/443/wss');
		const sni = via('/ip4/203.0.113.7/tcp/443/tls/sni/relay.example/ws');
		const addrs = [lan, local, tls, wss, sni];
		expect(directAddresses(body({ peer: PEER, addrs }), true)?.addrs.map(String)).toEqual([local, tls, wss, sni]);
		expect(directAddresses(body({ peer: PEER, addrs }), false)?.addrs.map(String)).toEqual(addrs);
		expect(directAddresses(body({ peer: PEER, addrs: [lan] }), true)).toBeUndefined();
		// Outside a browser (no `location`) the page counts as http.
		expect(isSecurePage()).toBe(false);
		expect(directAddresses(body({ peer: PEER, addrs: [lan] }))?.addrs.map(String)).toEqual([lan]);
	});
});

describe('webSocketDialable / isSecureWebSocket', () => {
	it('reads the transport part before the first peer id', () => {
		const ok = (t: string, secure: boolean) => webSocketDialable(multiaddr(t), secure);
		expect(ok('/dns4/relay.example/tcp/443/wss', true)).toBe(true);
		expect(ok(`/dns6/relay.example/tcp/443/tls/ws/p2p/${RELAY}`, true)).toBe(true);
		expect(ok('/ip6/::1/tcp/4002/ws', true)).toBe(true);
		expect(ok('/dns4/localhost/tcp/4002/ws', true)).toBe(true);
		expect(ok('/ip4/10.0.0.1/tcp/4002/ws', true)).toBe(false);
		expect(ok('/ip4/10.0.0.1/tcp/4002/ws', false)).toBe(true);
		expect(ok('/ip4/10.0.0.1/tcp/4001', false)).toBe(false);
		expect(ok('/ip4/10.0.0.1/udp/4001/quic-v1', false)).toBe(false);
		expect(ok('/dns4/relay.example/tcp/443/tls/http', true)).toBe(false);
		expect(isSecureWebSocket(multiaddr(`/dns4/r.example/tcp/443/tls/ws/p2p/${RELAY}/p2p-circuit/webrtc`))).toBe(true);
		expect(isSecureWebSocket(multiaddr(`/ip4/127.0.0.1/tcp/1/ws/p2p/${RELAY}/p2p-circuit/webrtc`))).toBe(false);
	});
});

describe('publishDirectEntry / readDirectEntry', () => {
	const setup = () => {
		const network = memoryRecordNetwork({ ed25519 });
		return { network, records: memoryRecordStore({ network, ed25519 }), alice: createIdentity() };
	};

	it('adds my part to my dir entry, keeping its relays, and a contact reads it back verified', async () => {
		const { network, records, alice } = setup();
		await records.publish(
			await signRecord('dir', {
				author: alice.id,
				key: DIRECTORY_KEY,
				body: body(),
				state: T,
				signer: alice.signing,
				ed25519
			})
		);
		const state = await publishDirectEntry(records, alice, { peer: PEER, addrs: [CIRCUIT] }, { now: () => T, ed25519 });
		expect(state).toBe(T + 1);
		const bob = memoryRecordStore({ network, ed25519 });
		const entry = await readDirectEntry(bob, alice.id);
		expect(entry).toMatchObject({ id: alice.id, peer: PEER, publishedAt: T + 1 });
		expect(entry?.addrs.map(String)).toEqual([CIRCUIT]);
		const raw = await bob.read(soulFor('dir', alice.id), DIRECTORY_KEY);
		const held = raw?.body as DirectoryBody;
		expect(held.relays).toEqual(['https://relay.example/']);
		expect(held.capabilities).toEqual(['msg:1', DIRECT_CAPABILITY]);
		expect(sameDirectEntry(held, { peer: PEER, addrs: [CIRCUIT] })).toBe(true);
		expect(sameDirectEntry(held, { peer: PEER, addrs: [] })).toBe(false);

		await publishDirectEntry(records, alice, undefined, { now: () => T, ed25519 });
		expect(await readDirectEntry(bob, alice.id)).toBeUndefined();
		const after = (await bob.read(soulFor('dir', alice.id), DIRECTORY_KEY))?.body as DirectoryBody;
		expect(after.capabilities).toEqual(['msg:1']);
	});

	it('never returns an entry that does not verify: a forged peer id is not read', async () => {
		const { network, records, alice } = setup();
		await publishDirectEntry(records, alice, { peer: PEER, addrs: [CIRCUIT] }, { now: () => T, ed25519 });
		const mallory = createIdentity();
		// Mallory signs an entry under Alice's soul naming her own peer: a lying relay serves it.
		const forged = await signRecord('dir', {
			author: mallory.id,
			key: DIRECTORY_KEY,
			body: body({ peer: RELAY, addrs: [CIRCUIT.replaceAll(PEER, RELAY)] }),
			state: T + 10,
			signer: mallory.signing,
			ed25519
		});
		network.inject({ ...forged, soul: soulFor('dir', alice.id) });
		// The memory "relay" now holds only the forgery (it replaced the valid version): nothing is read.
		expect(await readDirectEntry(memoryRecordStore({ network, ed25519 }), alice.id)).toBeUndefined();
	});

	it('has nothing for an identity without an entry', async () => {
		const { records } = setup();
		expect(await readDirectEntry(records, createIdentity().id)).toBeUndefined();
	});
});
