import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../core/bytes.ts';
import { DecryptError, MalformedError, TooLargeError, UnsupportedVersionError } from '../core/errors.ts';
import { createIdentity } from '../core/identity.ts';
import { openEnvelope, startSession } from '../core/session.ts';
import { createPrekeyBundle, verifyPrekeyBundle } from '../core/x3dh.ts';
import { deriveAtRestKey } from './at-rest.ts';
import {
	createPrekeyKeeper,
	decodePrekeyState,
	encodePrekeyState,
	MAX_PREKEY_STATE_BYTES,
	memoryPrekeyStorage,
	ONE_TIME_PREKEY_LOW_WATER,
	ONE_TIME_PREKEY_TARGET,
	SIGNED_PREKEY_ROTATION_MS,
	slotPrekeyStorage,
	USED_ONE_TIME_PREKEY_GRACE_MS
} from './prekeys.ts';
import { memorySlot } from './slot.ts';

const T0 = Date.UTC(2025, 2, 1);

function setup() {
	let clock = T0;
	const identity = createIdentity();
	const storage = memoryPrekeyStorage();
	const keeper = createPrekeyKeeper({ identity, storage, now: () => clock });
	return { identity, storage, keeper, advance: (ms: number) => (clock += ms) };
}

describe('prekey keeper', () => {
	it('makes a signed prekey and one-time prekeys on first open, and the same ones after a restart', async () => {
		const { identity, storage, keeper } = setup();
		expect(await keeper.open()).toBe(true);
		const first = keeper.published();
		expect(first.signedPrekey.id).toBe(1);
		expect(first.oneTimePrekeys).toHaveLength(ONE_TIME_PREKEY_TARGET);
		expect(await verifyPrekeyBundle(createPrekeyBundle(identity, first.signedPrekey, first.oneTimePrekeys[0]))).toBe(
			true
		);
		const again = createPrekeyKeeper({ identity, storage, now: () => T0 });
		expect(await again.open()).toBe(false);
		const second = again.published();
		expect(toHex(second.signedPrekey.keyPair.publicKey)).toBe(toHex(first.signedPrekey.keyPair.publicKey));
		expect(second.oneTimePrekeys.map((p) => p.id)).toEqual(first.oneTimePrekeys.map((p) => p.id));
	});

	it('rotates the signed prekey weekly and keeps the previous one', async () => {
		const { keeper, advance } = setup();
		await keeper.open();
		advance(SIGNED_PREKEY_ROTATION_MS - 1);
		expect(await keeper.maintain()).toBe(false);
		advance(1);
		expect(await keeper.maintain()).toBe(true);
		expect(keeper.published().signedPrekey.id).toBe(2);
		expect(keeper.store.signedPrekey(1)).toBeDefined();
		advance(SIGNED_PREKEY_ROTATION_MS);
		await keeper.maintain();
		expect(keeper.published().signedPrekey.id).toBe(3);
		expect(keeper.store.signedPrekey(2)).toBeDefined();
		expect(keeper.store.signedPrekey(1)).toBeUndefined();
	});

	it('retires a used one-time prekey, keeps its secret for the grace period, and tops up below the low mark', async () => {
		const { keeper, advance } = setup();
		await keeper.open();
		keeper.markPublished();
		expect(keeper.stale).toBe(false);
		const ids = keeper.published().oneTimePrekeys.map((p) => p.id);
		await keeper.store.removeOneTimePrekey(ids[0]!);
		expect(keeper.stale).toBe(true);
		expect(keeper.published().oneTimePrekeys.map((p) => p.id)).not.toContain(ids[0]);
		expect(keeper.store.oneTimePrekey(ids[0]!)).toBeDefined();
		advance(USED_ONE_TIME_PREKEY_GRACE_MS);
		expect(keeper.store.oneTimePrekey(ids[0]!)).toBeUndefined();

		const toUse = ONE_TIME_PREKEY_TARGET - ONE_TIME_PREKEY_LOW_WATER;
		for (const id of ids.slice(1, 1 + toUse)) await keeper.store.removeOneTimePrekey(id);
		expect(keeper.published().oneTimePrekeys).toHaveLength(ONE_TIME_PREKEY_LOW_WATER - 1);
		expect(await keeper.maintain()).toBe(true);
		const now = keeper.published().oneTimePrekeys.map((p) => p.id);
		expect(now).toHaveLength(ONE_TIME_PREKEY_TARGET);
		expect(new Set(now).size).toBe(now.length);
		expect(Math.min(...now.slice(ONE_TIME_PREKEY_LOW_WATER - 1))).toBeGreaterThan(Math.max(...ids));
	});

	it('serves a real first contact: the envelope opens and the one-time prekey is retired', async () => {
		const { identity, keeper } = setup();
		await keeper.open();
		const { signedPrekey, oneTimePrekeys } = keeper.published();
		const alice = createIdentity();
		const session = await startSession({
			me: alice,
			bundle: createPrekeyBundle(identity, signedPrekey, oneTimePrekeys[3])
		});
		const { envelope } = session.encrypt(utf8('hi'));
		const opened = await openEnvelope({ envelope, me: identity, prekeys: keeper.store, sessions: () => undefined });
		expect(opened.usedOneTimePrekeyId).toBe(oneTimePrekeys[3]!.id);
		expect(keeper.published().oneTimePrekeys.map((p) => p.id)).not.toContain(oneTimePrekeys[3]!.id);
	});
});

describe('prekey state encoding', () => {
	it('round-trips, and the sealed slot holds no secret in clear', async () => {
		const { identity, storage, keeper } = setup();
		await keeper.open();
		await keeper.store.removeOneTimePrekey(keeper.published().oneTimePrekeys[0]!.id);
		const state = (await storage.load())!;
		const decoded = decodePrekeyState(encodePrekeyState(state));
		expect(encodePrekeyState(decoded)).toEqual(encodePrekeyState(state));
		expect(toHex(decoded.signed[0]!.keyPair.publicKey)).toBe(toHex(state.signed[0]!.keyPair.publicKey));

		const slot = memorySlot();
		const sealed = slotPrekeyStorage(slot, deriveAtRestKey(identity, 'prekeys'));
		await sealed.save(state);
		const secret = Buffer.from(state.signed[0]!.keyPair.secretKey).toString('base64url');
		expect(Buffer.from(slot.value!).toString('latin1')).not.toContain(secret);
		expect(encodePrekeyState((await sealed.load())!)).toEqual(encodePrekeyState(state));
		const other = slotPrekeyStorage(slot, deriveAtRestKey(createIdentity(), 'prekeys'));
		await expect(other.load()).rejects.toBeInstanceOf(DecryptError);
		expect(await slotPrekeyStorage(memorySlot(), deriveAtRestKey(identity, 'prekeys')).load()).toBeUndefined();
	});

	it('refuses bad state', () => {
		const good = JSON.parse(
			new TextDecoder().decode(
				encodePrekeyState({ signed: [], oneTime: [], retired: [], nextSignedId: 1, nextOneTimeId: 1 })
			)
		);
		const enc = (o: unknown) => utf8(JSON.stringify(o));
		expect(decodePrekeyState(enc(good)).signed).toEqual([]);
		expect(() => decodePrekeyState(utf8('{'))).toThrow(MalformedError);
		expect(() => decodePrekeyState(enc({ ...good, v: 2 }))).toThrow(UnsupportedVersionError);
		expect(() => decodePrekeyState(enc({ ...good, nextSignedId: -1 }))).toThrow(MalformedError);
		expect(() => decodePrekeyState(enc({ ...good, oneTime: [{ id: 1, secret: 'AAAA' }] }))).toThrow(MalformedError);
		expect(() => decodePrekeyState(enc({ ...good, oneTime: 'x' }))).toThrow(MalformedError);
		expect(() => decodePrekeyState(new Uint8Array(MAX_PREKEY_STATE_BYTES + 1))).toThrow(TooLargeError);
	});
});
