import { describe, expect, it } from 'vitest';
import { WrongPassphraseError } from '../core/errors.ts';
import { en } from '../i18n/en.ts';
import { fr } from '../i18n/fr.ts';
import { LOCALE_STORAGE_KEY, LocaleState, type KeyValueStore } from './locale.svelte.ts';

function mapStore(initial: Record<string, string> = {}): KeyValueStore & { map: Map<string, string> } {
	const map = new Map(Object.entries(initial));
	return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

describe('LocaleState', () => {
	it('defaults to the browser language', () => {
		expect(new LocaleState({ languages: ['fr-FR', 'en'] }).locale).toBe('fr');
		expect(new LocaleState({ languages: ['de'] }).locale).toBe('en');
		expect(new LocaleState().locale).toBe('en');
	});

	it('a remembered choice wins over the browser language; a bad stored value is ignored', () => {
		expect(new LocaleState({ storage: mapStore({ [LOCALE_STORAGE_KEY]: 'en' }), languages: ['fr'] }).locale).toBe('en');
		expect(new LocaleState({ storage: mapStore({ [LOCALE_STORAGE_KEY]: 'xx' }), languages: ['fr'] }).locale).toBe('fr');
	});

	it('switching changes the dictionary and the error sentences, and is remembered', () => {
		const storage = mapStore();
		const state = new LocaleState({ storage, languages: ['en'] });
		expect(state.t).toBe(en);
		state.set('fr');
		expect(state.locale).toBe('fr');
		expect(state.t).toBe(fr);
		expect(state.t.nav.chats).toBe('Discussions');
		expect(state.error(new WrongPassphraseError())).toBe(fr.errors.ERR_WRONG_PASSPHRASE);
		expect(storage.map.get(LOCALE_STORAGE_KEY)).toBe('fr');
		expect(new LocaleState({ storage, languages: ['en'] }).locale).toBe('fr');
	});

	it('refuses a language it does not ship', () => {
		const state = new LocaleState({ languages: ['en'] });
		expect(() => state.set('de' as 'en')).toThrow(RangeError);
		expect(state.locale).toBe('en');
	});

	it('works when storage throws (site data blocked): the switch applies, nothing is remembered', () => {
		const throwing: KeyValueStore = {
			getItem: () => {
				throw new DOMException('blocked', 'SecurityError');
			},
			setItem: () => {
				throw new DOMException('full', 'QuotaExceededError');
			}
		};
		const state = new LocaleState({ storage: throwing, languages: ['fr'] });
		expect(state.locale).toBe('fr');
		state.set('en');
		expect(state.locale).toBe('en');
	});
});
