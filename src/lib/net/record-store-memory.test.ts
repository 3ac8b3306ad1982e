import { describe, expect, it } from 'vitest';
import { AbortError, NamespaceError, RelayRefusedError } from '../core/errors.ts';
import { soulFor, type VerifiedRecord } from '../core/records.ts';
import { memoryRecordNetwork, memoryRecordStore } from './record-store.ts';
import { createIdentity, ed25519, forgeLevel, trustRecord } from './testing/records.ts';

const T0 = 1_700_000_000_000;
const now = () => T0 + 60_000;

function flush(): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, 0));
}

describe('memoryRecordStore', () => {
	it('publishes, then reads back the verified record', async () => {
		const alice = createIdentity();
		const bob = createIdentity();
		const store = memoryRecordStore({ ed25519, now });
		const record = await trustRecord(alice, bob, T0);
		await store.publish(record);
		const read = await store.read(record.soul, record.key);
		expect(read?.kind).toBe('trust');
		expect(read?.author).toBe(alice.id);
		expect((read as VerifiedRecord<'trust'>).body.level).toBe(50);
		expect(await store.readAll(record.soul)).toHaveLength(1);
		expect(await store.read(record.soul, createIdentity().id)).toBeUndefined();
	});

	it('refuses writes as a relay does: bad signature, stale version', async () => {
		const alice = createIdentity();
		const bob = createIdentity();
		const store = memoryRecordStore({ ed25519, now });
		const record = await trustRecord(alice, bob, T0 + 10);
		await expect(store.publish(forgeLevel(record, 100))).rejects.toMatchObject({ reason: 'ERR_BAD_SIGNATURE' });
		await store.publish(record);
		await store.publish(record); // the same version again is fine
		const older = await trustRecord(alice, bob, T0, 20);
		const refusal = await store.publish(older).catch((e: unknown) => e);
		expect(refusal).toBeInstanceOf(RelayRefusedError);
		expect((refusal as RelayRefusedError).reason).toBe('ERR_STALE_RECORD');
	});

	it('drops and counts forged records a lying relay serves, once each', async () => {
		const alice = createIdentity();
		const bob = createIdentity();
		const network = memoryRecordNetwork({ ed25519, now });
		const store = memoryRecordStore({ network, ed25519, now });
		const record = await trustRecord(alice, bob, T0);
		await store.publish(record);
		network.inject(forgeLevel(record, -100, T0 + 1));
		expect(await store.read(record.soul, record.key)).toBeUndefined();
		expect(await store.readAll(record.soul)).toEqual([]);
		expect(store.stats()).toMatchObject({ dropped: 1, droppedByCode: { ERR_BAD_SIGNATURE: 1 } });
		network.inject({ soul: record.soul, key: 'x', value: 42, state: T0 });
		network.inject({ soul: record.soul, key: 'y', value: record.value, state: T0 });
		await store.readAll(record.soul);
		await store.readAll(record.soul);
		expect(store.stats()).toMatchObject({ dropped: 3, droppedByCode: { ERR_MALFORMED: 1, ERR_NAMESPACE: 1 } });
	});

	it('refuses a soul outside the namespace and honours abort', async () => {
		const store = memoryRecordStore({ ed25519, now });
		await expect(store.read('gun/users', 'x')).rejects.toBeInstanceOf(NamespaceError);
		expect(() => store.subscribe('~alice', () => {})).toThrow(NamespaceError);
		const soul = soulFor('trust', createIdentity().id);
		await expect(store.readAll(soul, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
	});

	it('subscriptions deliver known and new records in order, newer versions only, verified only', async () => {
		const alice = createIdentity();
		const bob = createIdentity();
		const carol = createIdentity();
		const network = memoryRecordNetwork({ ed25519, now });
		const writer = memoryRecordStore({ network, ed25519, now });
		const reader = memoryRecordStore({ network, ed25519, now });
		const first = await trustRecord(alice, bob, T0);
		await writer.publish(first);
		const seen: string[] = [];
		const controller = new AbortController();
		reader.subscribe(
			first.soul,
			(r) => seen.push(`${r.key === bob.id ? 'bob' : 'carol'}:${(r as VerifiedRecord<'trust'>).body.level}`),
			{
				signal: controller.signal
			}
		);
		await flush();
		await writer.publish(await trustRecord(alice, carol, T0 + 1, 75));
		await writer.publish(await trustRecord(alice, bob, T0 + 2, 25));
		network.inject(forgeLevel(await trustRecord(alice, bob, T0 + 3, 25), -100));
		await flush();
		expect(seen).toEqual(['bob:50', 'carol:75', 'bob:25']);
		expect(reader.stats().dropped).toBe(1);
		controller.abort();
		await writer.publish(await trustRecord(alice, carol, T0 + 4, 100));
		await flush();
		expect(seen).toHaveLength(3);
	});
});
