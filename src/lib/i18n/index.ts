/**
 * The app's languages: a small typed dictionary per language, no library. Every visible string
 * goes through `Dictionary`; picking and remembering the language is `state/locale.svelte.ts`.
 */
import { en, type Dictionary } from './en.ts';
import { fr } from './fr.ts';

export type { Dictionary } from './en.ts';

/** The languages the app ships, in the order a language picker lists them. */
export const LOCALES = ['en', 'fr'] as const;

/** A language the app ships. */
export type Locale = (typeof LOCALES)[number];

/** The language used when none of the browser's preferred languages is shipped. */
export const FALLBACK_LOCALE: Locale = 'en';

/** Every shipped dictionary by language. */
export const dictionaries: Readonly<Record<Locale, Dictionary>> = { en, fr };

/**
 * Whether a value names a shipped language.
 * @param value - anything, e.g. a value read back from localStorage
 * @returns true for 'en' or 'fr'
 */
export function isLocale(value: unknown): value is Locale {
	return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/**
 * The first shipped language among the browser's preferences (BCP 47 tags, as in
 * `navigator.languages`): 'fr-CA' picks French, 'de' then 'en-GB' picks English.
 * @param preferred - language tags, most preferred first
 * @returns a shipped language; FALLBACK_LOCALE when none matches
 */
export function detectLocale(preferred: readonly string[]): Locale {
	for (const tag of preferred) {
		// RFC 5646 §2.1: the primary language subtag comes first and is case-insensitive.
		const primary = tag.split('-')[0]?.toLowerCase();
		if (isLocale(primary)) return primary;
	}
	return FALLBACK_LOCALE;
}
