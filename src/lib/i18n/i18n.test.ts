import { describe, expect, it } from 'vitest';
import { en, type Dictionary } from './en.ts';
import { fr } from './fr.ts';
import { detectLocale, dictionaries, FALLBACK_LOCALE, isLocale, LOCALES } from './index.ts';

type Leaf = string | ((...args: never[]) => string);

/** Every entry of a dictionary as [dotted key, value]. */
function leaves(dict: unknown, prefix = ''): [string, Leaf][] {
	return Object.entries(dict as Record<string, unknown>).flatMap(([k, v]): [string, Leaf][] =>
		typeof v === 'object' && v !== null ? leaves(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v as Leaf]]
	);
}

describe('dictionaries', () => {
	it('French has exactly the English keys, with the same kind of value and arity', () => {
		const enLeaves = new Map(leaves(en));
		const frLeaves = new Map(leaves(fr));
		expect([...frLeaves.keys()].sort()).toEqual([...enLeaves.keys()].sort());
		for (const [key, value] of enLeaves) {
			const other = frLeaves.get(key)!;
			expect(typeof other, key).toBe(typeof value);
			if (typeof value === 'function') expect((other as () => string).length, key).toBe(value.length);
		}
	});

	it('no entry is empty, and parameters appear in the sentence', () => {
		for (const dict of Object.values(dictionaries) as Dictionary[]) {
			for (const [key, value] of leaves(dict)) {
				if (typeof value === 'string') expect(value.trim(), key).not.toBe('');
				else {
					const args = Array.from({ length: value.length }, (_, i) => `«${i}»`) as never[];
					const text = value(...args);
					for (const a of args) expect(text, key).toContain(a);
				}
			}
		}
	});

	it('French is really translated (not a copy of English) apart from proper names and « Contact »', () => {
		const same = leaves(fr).filter(([k, v]) => typeof v === 'string' && v === new Map(leaves(en)).get(k));
		expect(same.map(([k]) => k).sort()).toEqual([
			'app.name',
			'contacts.title',
			'nav.contacts',
			'network.direct.contact'
		]);
	});

	it('each language names itself in its own language', () => {
		expect(en.languageName).toBe('English');
		expect(fr.languageName).toBe('Français');
	});
});

describe('detectLocale', () => {
	it('picks the first shipped language by primary subtag, case-insensitively', () => {
		expect(detectLocale(['fr-CA', 'en-US'])).toBe('fr');
		expect(detectLocale(['de-DE', 'en-GB', 'fr'])).toBe('en');
		expect(detectLocale(['FR'])).toBe('fr');
		expect(detectLocale(['de', 'es'])).toBe(FALLBACK_LOCALE);
		expect(detectLocale([])).toBe(FALLBACK_LOCALE);
		expect(detectLocale([''])).toBe(FALLBACK_LOCALE);
	});

	it('isLocale accepts only shipped languages', () => {
		for (const l of LOCALES) expect(isLocale(l)).toBe(true);
		for (const v of ['de', 'FR', 'en-US', '', null, 1, {}]) expect(isLocale(v)).toBe(false);
	});
});
