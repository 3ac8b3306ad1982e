/**
 * English strings of the web app. This dictionary defines the keys: every other language is a
 * `Dictionary` (see `index.ts`), so a missing or extra key is a type error, not a blank label.
 * Entries with parameters are functions, so a translation can put the value where its grammar
 * needs it.
 */
export const en = {
	languageName: 'English',
	app: {
		name: 'Miaou',
		tagline: 'Private messages and file sharing, end-to-end encrypted, with no central server.'
	},
	common: {
		loading: 'Loading…',
		copy: 'Copy',
		copied: 'Copied.',
		copyFailed: 'Could not copy: select the text and copy it by hand.',
		cancel: 'Cancel',
		save: 'Save',
		saved: 'Saved.',
		elapsed: (seconds: number) => `${seconds} s`,
		retry: 'Try again',
		comingLater: 'Coming in a later version'
	},
	nav: {
		label: 'Main',
		chats: 'Chats',
		contacts: 'Contacts',
		share: 'Share',
		network: 'Network',
		settings: 'Settings'
	},
	shell: {
		skipToContent: 'Skip to content',
		lock: 'Lock',
		lockHint: 'Lock: forget the keys in this tab until you enter your passphrase again',
		ERR_BAD_PASSPHRASE: 'This passphrase is refused: check it and try again.',
		ERR_HASH_MISMATCH: 'Data received does not match its content id: it was altered on the way and was thrown away.',
		ERR_QUOTA: 'Storage is full: free some space and try again.',
		ERR_NOT_FOUND: 'This content was not found on your relays or peers.',
		ERR_RATE_LIMITED: 'The relay is receiving too much from you right now; wait a moment and try again.',
		ERR_STORAGE: 'The relay could not store this; try again later or use another relay.',
		ERR_RELAY_REFUSED: 'The relay refused this.',
		ERR_RELAY_TIMEOUT: 'The relay did not answer in time; check the network and try again.',
		ERR_NO_RELAY: 'No relay is reachable; check the network or add a relay in Settings.',
		offline: 'You are offline. The app still opens; sending and receiving wait for the network.',
		signedInAs: (name: string) => `Signed in as ${name}`
	},
	identity: {
		heading: 'Your identity',
		displayName: 'Display name',
		id: 'Miaou id',
		fingerprint: 'Fingerprint',
		createdAt: 'Created',
		copyId: 'Copy id',
		idCopied: 'Id copied.'
	},
	passphrase: {
		strength: 'Strength',
		levels: {
			'too-short': 'too short',
			weak: 'weak',
			fair: 'fair',
			strong: 'strong'
		},
		tip: 'Several unrelated words make a strong passphrase that is easy to remember.',
		tooShort: (min: number) => `Use at least ${min} characters.`,
		mismatch: 'The two passphrases are different.',
		show: 'Show passphrase'
	},
	onboarding: {
		title: 'Welcome to Miaou',
		intro:
			'Your identity is a pair of keys made on this device. They never leave it unencrypted: a passphrase protects them here.',
		modes: 'How to start',
		create: 'Create an identity',
		import: 'Import a backup'
	},
	create: {
		heading: 'Create an identity',
		name: 'Display name',
		nameHint: 'Shown to the people you talk with.',
		nameRequired: 'Enter a display name.',
		nameTooLong: (max: number) => `Use at most ${max} characters.`,
		passphrase: 'Passphrase',
		passphraseHint: 'It encrypts your keys on this device. Nobody can recover it for you: keep it somewhere safe.',
		confirm: 'Passphrase again',
		submit: 'Create my identity',
		working: 'Making your keys and encrypting them…'
	},
	import: {
		heading: 'Import a backup',
		intro: 'A backup is the encrypted file you downloaded from Settings on another device.',
		file: 'Backup file',
		paste: 'Or paste the text of the backup',
		name: 'Display name on this device',
		passphrase: 'Passphrase of the backup',
		submit: 'Import',
		working: 'Decrypting the backup…',
		noInput: 'Choose a backup file or paste its text.',
		backupOf: (fingerprint: string) => `Backup of the identity with fingerprint ${fingerprint}.`
	},
	unlock: {
		title: 'Unlock Miaou',
		intro: (name: string) => `Welcome back, ${name}. Enter your passphrase to unlock your keys.`,
		passphrase: 'Passphrase',
		submit: 'Unlock',
		working: 'Unlocking your keys…',
		forgotTitle: 'Forgot your passphrase?',
		forgotText:
			'Without it the keys stored here cannot be opened, by you or anyone. If you have a backup and know its passphrase, you can remove this identity from this browser and import the backup.'
	},
	forget: {
		button: 'Remove this identity from this browser',
		warning:
			'This deletes the encrypted keys stored in this browser. Without a backup, this identity is lost for good.',
		confirm: 'Yes, remove it',
		done: 'The identity was removed from this browser.'
	},
	chats: {
		title: 'Chats',
		emptyTitle: 'No conversations yet',
		emptyText:
			'One-to-one conversations, end-to-end encrypted with delivery and read receipts, will be listed here once messaging arrives. Nothing is sent or received yet.'
	},
	contacts: {
		title: 'Contacts',
		emptyTitle: 'No contacts yet',
		emptyText:
			'Adding people by id, invite link or QR code, and checking safety numbers, arrive with the contacts feature.',
		giveId: 'To be reached, give people your Miaou id:'
	},
	contact: {
		title: 'Miaou id',
		intro: 'Someone shared this Miaou id with you.',
		self: 'This is your own id.',
		safetyNumber: 'Safety number',
		safetyNumberHint:
			'Compare it with the one on their screen, in person or on a call. If both show the same digits, nobody sits between you.',
		notYet: 'Saving this person as a contact and writing to them arrive with the contacts feature.'
	},
	share: {
		title: 'Share',
		emptyTitle: 'Nothing shared yet',
		emptyText:
			'Dropping a file here to get a link and its content id (CID), publicly or encrypted, arrives with the sharing feature.'
	},
	sharedFile: {
		title: 'Shared file',
		cid: 'Content id (CID)',
		private:
			'Private share: the key to decrypt it is in the link after the # sign. Browsers never send that part to a server.',
		public: 'Public share: anyone with this CID can fetch these bytes from an IPFS node.',
		notYet:
			'Downloading arrives with the sharing feature: the app will fetch the blocks from your relays, check each one against this CID and decrypt a private share in your browser.'
	},
	network: {
		title: 'Network',
		browser: 'Browser',
		online: 'Online',
		offline: 'Offline',
		defaultRelay: 'Default relay',
		defaultRelayHint: 'The relay that served this app; the app will connect to it first.',
		notYet:
			'Connected relays and peers, latency per relay and delivery rate will show here once the network layer is connected.'
	},
	settings: {
		title: 'Settings',
		language: 'Language',
		profile: 'Profile',
		backup: 'Backup',
		backupText:
			'Download your keys, encrypted with your passphrase, to keep them safe or to move to another device. Without the passphrase the file is useless.',
		download: 'Download the encrypted backup',
		downloaded: (file: string) => `Saved as ${file}.`,
		relays: 'Relays and limits',
		relaysNotYet:
			'Adding, removing and testing relays, and discovery and bandwidth limits, arrive with the network layer.',
		danger: 'Remove from this browser'
	},
	errorPage: {
		notFoundTitle: 'Page not found',
		notFoundText: 'This address does not lead to any page of Miaou. A link may be cut short or mistyped.',
		otherTitle: 'Something went wrong',
		home: 'Back to chats'
	},
	errors: {
		ERR_WRONG_PASSPHRASE: 'Wrong passphrase: the keys did not open. Nothing was changed; try again.',
		ERR_TOO_LARGE: 'This is larger than Miaou accepts.',
		ERR_MALFORMED: 'This is not in the format Miaou expects: it may be damaged or not a Miaou file.',
		ERR_UNSUPPORTED_VERSION: 'This comes from a newer version of Miaou; update the app to open it.',
		ERR_BAD_SIGNATURE: 'A signature does not match: the data may have been tampered with.',
		ERR_INVALID_ID: 'This is not a valid Miaou id.',
		ERR_INVALID_KEY: 'A key is not valid.',
		ERR_DECRYPT: 'This could not be decrypted: it was altered or is meant for someone else.',
		ERR_CID: 'This content id (CID) is not valid, or the data does not match it.',
		ERR_ABORTED: 'Stopped before it finished.',
		ERR_BROWSER_STORAGE: 'This browser refused to store or read the app data (private browsing or a full disk?).',
		ERR_IDENTITY_MISMATCH: 'The stored keys do not belong to this identity: the saved data is damaged.',
		offline: 'No network connection.',
		unknown: (detail: string) => `Something unexpected went wrong (${detail}).`
	}
};

/** The shape every language's dictionary has: the English keys, each with the same parameters. */
export type Dictionary = typeof en;
