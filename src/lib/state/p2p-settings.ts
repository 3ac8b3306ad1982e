/**
 * Settings → Direct connections: whether this browser talks to contacts' browsers directly over
 * WebRTC (docs/net.md §Direct peers), how many at once, and the bandwidth caps of that traffic.
 *
 * Kept in localStorage beside the relay list (relay-settings.ts), for the same reasons: a few
 * values, read synchronously before the network starts, belonging to this browser profile.
 * Off by default: a direct connection shows each side the other's IP address, which the relay
 * path never does, so the user turns it on knowingly.
 *
 * What is read back is outside data: its length is checked before it is parsed, and every field
 * must be in range, or the defaults apply as a whole.
 */
import { checkLimits, type DirectLimits } from '../net/p2p-limits.ts';
import type { KeyValueStore } from './locale.svelte.ts';

/** localStorage key of the settings. */
export const P2P_STORAGE_KEY = 'miaou.p2p';
/** Longest stored value read back, checked before JSON.parse. */
export const MAX_P2P_SETTING_CHARS = 256;
/** Largest bandwidth cap that can be set, KiB/s (about 1 GiB/s: beyond that, use "no cap"). */
export const MAX_BANDWIDTH_KIBPS = 1_000_000;

/** The settings as the screen shows them. */
export interface P2pSettingsValue {
	/** Direct connections (discovery) on. */
	enabled: boolean;
	/** Contacts connected directly at most. */
	maxPeers: number;
	/** Upload cap of direct traffic, KiB/s; 0: no cap. */
	uploadKiBps: number;
	/** Download cap of direct traffic, KiB/s; 0: no cap. */
	downloadKiBps: number;
}

/** The defaults: off, 8 peers, no caps. */
export const DEFAULT_P2P_SETTINGS: Readonly<P2pSettingsValue> = Object.freeze({
	enabled: false,
	maxPeers: 8,
	uploadKiBps: 0,
	downloadKiBps: 0
});

/**
 * Check settings and turn them into the node's limits.
 * @param value - the settings
 * @returns the limits in bytes per second
 * @throws {RangeError} on a value out of range
 */
export function limitsOf(value: P2pSettingsValue): DirectLimits {
	for (const v of [value.uploadKiBps, value.downloadKiBps])
		if (!Number.isInteger(v) || v < 0 || v > MAX_BANDWIDTH_KIBPS)
			throw new RangeError(`a bandwidth cap must be a whole number of KiB/s from 0 to ${MAX_BANDWIDTH_KIBPS}`);
	return checkLimits({
		maxPeers: value.maxPeers,
		uploadBytesPerSecond: value.uploadKiBps * 1024,
		downloadBytesPerSecond: value.downloadKiBps * 1024
	});
}

/**
 * Read stored settings.
 * @param text - the stored value
 * @returns the settings, or undefined when the value is too long, not JSON, or out of range
 */
export function parseP2pSettings(text: string | null): P2pSettingsValue | undefined {
	if (text === null || text.length > MAX_P2P_SETTING_CHARS) return undefined;
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch {
		return undefined;
	}
	if (typeof raw !== 'object' || raw === null) return undefined;
	const { enabled, maxPeers, uploadKiBps, downloadKiBps } = raw as Record<string, unknown>;
	if (typeof enabled !== 'boolean') return undefined;
	const value = { enabled, maxPeers, uploadKiBps, downloadKiBps } as P2pSettingsValue;
	try {
		limitsOf(value);
	} catch {
		return undefined;
	}
	return value;
}

/** The settings, read and written. */
export interface P2pSettings {
	/** @returns the stored settings, or the defaults */
	load(): P2pSettingsValue;
	/**
	 * Store settings.
	 * @returns what was stored
	 * @throws {RangeError} on a value out of range
	 * @throws {DOMException} when the browser refuses the write
	 */
	save(value: P2pSettingsValue): P2pSettingsValue;
}

/**
 * The settings in a key-value store.
 * @param store - localStorage, or undefined where it is unavailable (then nothing is remembered)
 * @returns the settings
 */
export function p2pSettings(store: KeyValueStore | undefined): P2pSettings {
	return {
		load() {
			let text: string | null = null;
			try {
				text = store?.getItem(P2P_STORAGE_KEY) ?? null;
			} catch {
				// Site data blocked: the defaults apply.
			}
			return parseP2pSettings(text) ?? { ...DEFAULT_P2P_SETTINGS };
		},
		save(value) {
			limitsOf(value);
			const clean: P2pSettingsValue = {
				enabled: value.enabled,
				maxPeers: value.maxPeers,
				uploadKiBps: value.uploadKiBps,
				downloadKiBps: value.downloadKiBps
			};
			store?.setItem(P2P_STORAGE_KEY, JSON.stringify(clean));
			return clean;
		}
	};
}
