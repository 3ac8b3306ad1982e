import { describe, expect, it } from 'vitest';
import {
	DEFAULT_P2P_SETTINGS,
	limitsOf,
	MAX_BANDWIDTH_KIBPS,
	MAX_P2P_SETTING_CHARS,
	P2P_STORAGE_KEY,
	p2pSettings,
	parseP2pSettings
} from './p2p-settings.ts';

function memory() {
	const map = new Map<string, string>();
	return { map, getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
}

describe('p2p settings', () => {
	it('are off by default and round-trip through the store', () => {
		const store = memory();
		const settings = p2pSettings(store);
		expect(settings.load()).toEqual(DEFAULT_P2P_SETTINGS);
		expect(DEFAULT_P2P_SETTINGS.enabled).toBe(false);
		const value = { enabled: true, maxPeers: 3, uploadKiBps: 128, downloadKiBps: 512 };
		expect(settings.save({ ...value, extra: 1 } as typeof value)).toEqual(value);
		expect(JSON.parse(store.map.get(P2P_STORAGE_KEY)!)).toEqual(value);
		expect(p2pSettings(store).load()).toEqual(value);
	});

	it('turn into byte limits, refusing values out of range', () => {
		expect(limitsOf({ enabled: true, maxPeers: 8, uploadKiBps: 2, downloadKiBps: 0 })).toEqual({
			maxPeers: 8,
			uploadBytesPerSecond: 2048,
			downloadBytesPerSecond: 0
		});
		const bad = [
			{ maxPeers: 0 },
			{ maxPeers: 65 },
			{ maxPeers: 1.5 },
			{ uploadKiBps: -1 },
			{ downloadKiBps: MAX_BANDWIDTH_KIBPS + 1 },
			{ uploadKiBps: 0.5 }
		];
		for (const b of bad) {
			const value = { ...DEFAULT_P2P_SETTINGS, ...b };
			expect(() => limitsOf(value), JSON.stringify(b)).toThrow(RangeError);
			expect(() => p2pSettings(memory()).save(value)).toThrow(RangeError);
		}
	});

	it('ignore a stored value that is too long, not JSON or out of range', () => {
		for (const text of [
			'x'.repeat(MAX_P2P_SETTING_CHARS + 1),
			'{',
			'null',
			'[]',
			'{"enabled":"yes","maxPeers":8,"uploadKiBps":0,"downloadKiBps":0}',
			'{"enabled":true,"maxPeers":999,"uploadKiBps":0,"downloadKiBps":0}',
			'{"enabled":true,"maxPeers":8,"uploadKiBps":"1","downloadKiBps":0}'
		])
			expect(parseP2pSettings(text), text).toBeUndefined();
		const store = memory();
		store.setItem(P2P_STORAGE_KEY, '{"enabled":true,"maxPeers":999}');
		expect(p2pSettings(store).load()).toEqual(DEFAULT_P2P_SETTINGS);
		const throwing = {
			getItem: () => {
				throw new Error('blocked');
			},
			setItem: () => {}
		};
		expect(p2pSettings(throwing).load()).toEqual(DEFAULT_P2P_SETTINGS);
	});
});
