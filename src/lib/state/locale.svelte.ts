/**
 * The current language: the one chosen in Settings (remembered in localStorage), else the first
 * shipped one among the browser's preferred languages. Components read `i18n.t` for strings and
 * `i18n.error(e)` for the one-sentence form of any failure.
 */
import { errorMessage } from '../i18n/error-message.ts';
import { detectLocale, dictionaries, isLocale, type Dictionary, type Locale } from '../i18n/index.ts';

/** localStorage key under which the chosen language is remembered. */
export const LOCALE_STORAGE_KEY = 'miaou.locale';

/** The part of the Web Storage API the language choice needs (localStorage, or a Map in tests). */
export interface KeyValueStore {
	getItem(key: string): string | null;
	setItem(key: string, value: string): void;
}

/** Where LocaleState reads its starting point from. */
export interface LocaleOptions {
	/** Remembers the choice; absent (or throwing, as in some private windows) means not remembered. */
	storage?: KeyValueStore | undefined;
	/** The browser's preferred languages, most preferred first (`navigator.languages`). */
	languages?: readonly string[];
}

/** The current language and its dictionary, reactive. */
export class LocaleState {
	#storage: KeyValueStore | undefined;
	#locale = $state<Locale>('en');
	#t = $derived<Dictionary>(dictionaries[this.#locale]);

	/**
	 * @param options - storage for the choice and the browser's languages
	 */
	constructor(options: LocaleOptions = {}) {
		this.#storage = options.storage;
		let remembered: string | null = null;
		try {
			remembered = this.#storage?.getItem(LOCALE_STORAGE_KEY) ?? null;
		} catch {
			// Storage disabled by the browser: fall back to the detected language.
		}
		this.#locale = isLocale(remembered) ? remembered : detectLocale(options.languages ?? []);
	}

	/** The current language. */
	get locale(): Locale {
		return this.#locale;
	}

	/** The current language's strings. */
	get t(): Dictionary {
		return this.#t;
	}

	/**
	 * Switch language and remember the choice.
	 * @param locale - a shipped language
	 * @throws {RangeError} if `locale` is not shipped
	 */
	set(locale: Locale): void {
		if (!isLocale(locale)) throw new RangeError(`locale must be one of en, fr; got ${String(locale)}`);
		this.#locale = locale;
		try {
			this.#storage?.setItem(LOCALE_STORAGE_KEY, locale);
		} catch {
			// Not remembered (storage full or disabled); the switch still applies to this tab.
		}
	}

	/**
	 * One readable sentence for any failure, in the current language (see errorMessage).
	 * @param error - whatever was thrown
	 * @returns the sentence
	 */
	error(error: unknown): string {
		return errorMessage(error, this.#t);
	}
}

function browserStorage(): KeyValueStore | undefined {
	try {
		return typeof localStorage === 'undefined' ? undefined : localStorage;
	} catch {
		return undefined; // Reading `localStorage` itself throws when site data is blocked.
	}
}

/** The app's one language state. */
export const i18n = new LocaleState({
	storage: browserStorage(),
	languages: typeof navigator === 'undefined' ? [] : navigator.languages
});
