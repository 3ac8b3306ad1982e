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
		settings: 'Settings',
		directory: 'Directory',
		trust: 'Trust',
		peopleLabel: 'People'
	},
	shell: {
		skipToContent: 'Skip to content',
		lock: 'Lock',
		lockHint: 'Lock: forget the keys in this tab until you enter your passphrase again',
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
		intro: 'Share a file by link. The file goes to your relays; the link and its content id (CID) let others fetch it.',
		pick: 'Choose a file',
		dropHere: 'Drop a file here',
		or: 'or',
		limit: (max: string) => `Up to ${max}.`,
		chosen: (name: string, size: string) => `${name} (${size})`,
		mode: 'Who can open it',
		private: 'Private (encrypted)',
		privateHint:
			'Encrypted in this browser. Only people with the link can open it: the key is in the link after the # sign, and browsers never send that part to a server.',
		public: 'Public (not encrypted)',
		publicHint:
			'Not encrypted. Anyone with the link or the CID can fetch it. The CID is the one any IPFS tool computes for this file (CIDv1, raw leaves, 256 KiB chunks).',
		submit: 'Share this file',
		phases: {
			reading: 'Reading the file…',
			encrypting: 'Encrypting in this browser…',
			encoding: 'Cutting into blocks and hashing them…',
			uploading: 'Sending to your relays…'
		},
		progress: (done: string, total: string) => `${done} of ${total}`,
		doneTitle: (name: string) => `${name} is shared`,
		privateDone: 'Anyone with this link can open the file: give it only to the people meant to see it.',
		publicDone: 'Anyone with this link or CID can fetch the file, from Miaou or any IPFS gateway.',
		link: 'Link',
		copyLink: 'Copy link',
		linkCopied: 'Link copied.',
		cid: 'Content id (CID)',
		copyCid: 'Copy CID',
		cidCopied: 'CID copied.',
		gateway: 'IPFS gateway address',
		storedOn: (count: number) => (count === 1 ? `Stored on ${count} relay.` : `Stored on ${count} relays.`),
		notStoredOn: (url: string, reason: string) => `Not stored on ${url}: ${reason}`,
		another: 'Share another file',
		failedTitle: 'The file was not shared',
		tooLarge: (max: string) => `This file is larger than ${max}, the most Miaou shares at once.`,
		noRelay: 'No relay could take the file: check the network, or the relays listed in Settings.',
		relayFull: 'Your relays are full or refuse files this large; try a smaller file or another relay.',
		cancelled: 'Sharing was stopped; nothing was shared.',
		openTitle: 'Open a shared file',
		openLabel: 'Link or CID',
		openHint: 'A Miaou share link, an IPFS gateway address, an ipfs:// address or a bare CID.',
		openSubmit: 'Open',
		openEmpty: 'Paste a link or a CID first.',
		openBad: 'This is neither a share link nor a CID: check that it was copied whole.',
		units: { B: 'B', KiB: 'KiB', MiB: 'MiB', GiB: 'GiB' }
	},
	sharedFile: {
		title: 'Shared file',
		cid: 'Content id (CID)',
		private:
			'Private share: the key to decrypt it is in the link after the # sign. Browsers never send that part to a server.',
		public: 'Public share: anyone with this CID can fetch these bytes from an IPFS node.',
		downloading: 'Downloading, and checking every block against the CID…',
		decrypting: 'Decrypting in this browser…',
		progress: (done: string, total: string) => `${done} of ${total}`,
		readyPublic: 'Downloaded: every block matched its content id.',
		readyPrivate: 'Downloaded, every block matched its content id, and decrypted with the key in the link.',
		name: 'File',
		size: 'Size',
		save: 'Save the file',
		looksEncrypted:
			'These bytes look encrypted: the link you were given has probably lost its key, the part after the # sign.',
		retry: 'Try again',
		openApp: 'Open Miaou',
		failures: {
			badLink: 'This link is damaged: its key or content id cannot be read. Ask for the link again and copy it whole.',
			wrongKey:
				'The key in this link does not open this file: the link was altered, or its key belongs to another file.',
			notEncrypted:
				'This link carries a key, but the content is not an encrypted Miaou share. Open it without the part after the # sign.',
			notFound:
				'None of the relays asked has this file. It may have expired, or been shared through relays this browser does not use.',
			tampered:
				'The data received does not match this content id: it was altered on the way and thrown away. Nothing was saved.',
			damaged: 'The content under this id is not a file Miaou can read.',
			tooLarge: 'This file is larger than Miaou downloads.',
			noRelay: 'No relay could be reached: check the network, or add a relay in Settings.',
			aborted: 'The download was stopped.'
		}
	},
	network: {
		title: 'Network',
		browser: 'Browser',
		online: 'Online',
		offline: 'Offline',
		summary: {
			stopped: 'Not connected.',
			starting: 'Connecting to your relays…',
			failed: (reason: string) => `The network could not start: ${reason}`,
			searching: 'Searching for peers: no relay is connected yet.',
			single:
				'Connected through one relay. If it goes down, nothing flows until it is back: add another relay in Settings.',
			decentralized: (relays: number, direct: number) =>
				direct === 0
					? `Decentralized: connected to ${relays} relays. If one goes down, the others carry on.`
					: `Decentralized: ${direct === 1 ? '1 contact' : `${direct} contacts`} connected directly, ${relays === 1 ? '1 relay' : `${relays} relays`} open. Messages to a contact connected directly do not depend on a relay.`
		},
		direct: {
			title: 'Direct peers',
			hint: 'Contacts whose browser is connected to yours over WebRTC: messages go straight to them (still end-to-end encrypted), and through the relays too.',
			off: 'Direct connections are off. Turn them on in Settings.',
			starting: 'Starting direct connections…',
			failed: (reason: string) => `Direct connections could not start: ${reason}`,
			none: 'No contact is connected directly right now.',
			contact: 'Contact',
			latency: 'Latency',
			traffic: 'Sent / received',
			bytes: (out: string, inn: string) => `${out} / ${inn}`,
			counts: (sent: number, received: number, refused: number) =>
				`Sent directly: ${sent} · received directly: ${received} · refused (over a limit): ${refused}`,
			problem: (text: string) => `Last problem: ${text}`,
			path: 'Path',
			pathWebrtc: 'WebRTC, direct',
			pathRelayed: 'Through a relay (setting up WebRTC)',
			relayedTraffic: 'none: set-up only'
		},
		relays: 'Relays',
		relay: 'Relay',
		state: 'State',
		latency: 'Latency',
		states: {
			open: 'Connected',
			connecting: 'Connecting…',
			closed: 'Disconnected'
		},
		ms: (ms: string) => `${ms} ms`,
		notMeasured: 'not measured yet',
		retryIn: (seconds: number) => `next try in ${seconds} s`,
		problem: (text: string) => `Last problem: ${text}`,
		reconnect: 'Reconnect now',
		noRelays: 'No relay is listed: nothing can be sent or received until you add one in Settings.',
		manage: 'Add or remove relays',
		records: 'Signed records',
		recordsHint:
			'Every record read from a relay is checked: signature, format, date. What fails is dropped and never shown.',
		verified: 'Verified',
		dropped: 'Dropped',
		droppedCode: (code: string, count: number) => `${code}: ${count}`,
		delivery: 'Delivery',
		deliveryRate: (percent: string) => `${percent} % of the messages sent reached a relay`,
		deliveryCounts: (reached: number, delivered: number, failed: number, waiting: number) =>
			`Reached a relay: ${reached} · delivered: ${delivered} · failed: ${failed} · waiting: ${waiting}`,
		deliveryNone: 'No message has been sent since the app was opened.'
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
		relays: 'Relays',
		relaysIntro:
			'Miaou sends and receives through these relays. With several, messages and files still flow when one is down.',
		relayUrl: 'Relay address',
		relayUrlHint: 'For example https://relay.example.org',
		addRelay: 'Add relay',
		remove: 'Remove',
		removeLabel: (url: string) => `Remove ${url}`,
		test: 'Test',
		testLabel: (url: string) => `Test ${url}`,
		testing: 'Testing…',
		testOk: (ms: string) => `Answered in ${ms} ms.`,
		testTimeout: (seconds: number) => `No answer within ${seconds} s.`,
		testUnreachable:
			'Could not be reached: the address may be wrong, the relay down, or it does not accept this app (CORS).',
		testNotRelay: 'Something answers there, but it is not a Miaou relay.',
		thisApp: 'serves this app',
		relayAdded: (url: string) => `${url} was added.`,
		relayRemoved: (url: string) => `${url} was removed.`,
		relayExists: 'This relay is already listed.',
		relayEmpty: 'Enter the address of a relay.',
		relayBad: 'This is not a relay address: start it with https:// (or http://, wss://, ws://) and a host name.',
		relayFull: (max: number) => `At most ${max} relays can be listed.`,
		noRelays: 'No relay is listed: nothing can be sent or received until you add one.',
		storage: {
			title: 'Storage on this device',
			intro:
				'Files you sent or opened stay in this browser, so they open again without a relay. Your messages are stored apart and are never cleared here.',
			used: (used: string, quota: string) => `This site uses ${used} of the ${quota} the browser allows.`,
			cached: (bytes: string, files: number) =>
				`Cached files: ${bytes} (${files === 1 ? '1 file' : `${files} files`}).`,
			cap: 'Keep cached files up to',
			capHint: 'The least recently used files are removed beyond this size.',
			persisted: 'The browser keeps this storage even when the disk runs low.',
			notPersisted: 'The browser may remove this storage when the disk runs low.',
			clear: 'Clear cached files',
			clearing: 'Clearing…',
			cleared: 'Cached files were removed from this device.'
		},
		danger: 'Remove from this browser',
		direct: {
			title: 'Direct connections (discovery)',
			intro:
				'When a contact is online too, your browsers can connect directly over WebRTC: messages arrive faster and without depending on a relay. Your relays only pass the connection set-up along. Both sides then see each other’s IP address, which is why this is off until you turn it on.',
			enabled: 'Connect directly to my contacts when possible',
			maxPeers: 'Contacts connected at once, at most',
			upload: 'Upload limit (KiB/s, 0 for none)',
			download: 'Download limit (KiB/s, 0 for none)',
			save: 'Save',
			saved: 'Saved.',
			bad: (max: number, maxKiBps: number) =>
				`Enter whole numbers: from 1 to ${max} contacts, and from 0 to ${maxKiBps} KiB/s.`
		}
	},
	messaging: {
		starting: 'Connecting to your messages…',
		failed: 'Messaging could not start.',
		chatsEmptyText:
			'Add a contact, then write to them. Messages are end-to-end encrypted: relays only carry sealed envelopes.',
		unread: (n: number) => (n === 1 ? '1 unread message' : `${n} unread messages`),
		you: 'You:',
		newChat: 'New message',
		conversationLabel: (name: string) => `Conversation with ${name}`,
		backToChats: 'Back to chats',
		contactDetails: 'Contact details',
		messages: 'Messages',
		empty: 'No messages yet. Write the first one below.',
		loadOlder: 'Load earlier messages',
		loadingOlder: 'Loading earlier messages…',
		messageField: 'Message',
		placeholder: 'Write a message',
		send: 'Send',
		retry: 'Send again',
		blockedNote: 'You blocked this contact: nothing is sent to them and nothing from them is shown.',
		notContact: 'This person is not in your contacts yet.',
		status: {
			pending: 'Waiting to send',
			sent: 'Sent',
			stored: 'Stored on a relay',
			delivered: 'Delivered',
			read: 'Read',
			failed: 'Not sent',
			received: 'Received'
		},
		unverified: 'Not verified',
		verified: 'Verified',
		unnamed: 'Unnamed',
		contactsIntro: 'People you can write to. Compare safety numbers to make sure nobody sits between you.',
		contactsEmptyText: 'Add someone by invite link or id, or find them in the directory.',
		add: 'Add a contact',
		addTitle: 'Add a contact',
		addHint: 'Paste an invite link, a miaou: code or a Miaou id, or scan an invite QR code below.',
		addField: 'Invite link or id',
		addButton: 'Add',
		inviteTitle: 'Your invite link',
		inviteHint: 'Send this link to someone you want to talk to. Opening it lets them add you.',
		copyInvite: 'Copy invite link',
		inviteCopied: 'Invite link copied.',
		showQr: 'Show QR code',
		hideQr: 'Hide QR code',
		qrAlt: 'QR code of your invite link',
		directory: 'Directory',
		trust: 'Trust',
		write: 'Write',
		verify: 'Mark as verified',
		unverify: 'Remove the verified mark',
		verifiedNote: 'You checked the safety number with this person.',
		trustLevel: 'Trust level',
		trustSaved: 'Trust level saved and published.',
		block: 'Block',
		unblock: 'Unblock',
		blocked: 'Blocked',
		remove: 'Remove from contacts',
		addThis: 'Add this contact',
		inviteFrom: (name: string) => `${name} invites you to talk on Miaou.`,
		inviteNoName: 'Someone invites you to talk on Miaou.',
		inviteOwn: 'This is your own invite link: send it to others.',
		inviteAdded: 'Added to your contacts.',
		directoryIntro:
			'Find people by the name they publish. Anyone can publish any name: compare safety numbers before you trust someone.',
		searchField: 'Name',
		search: 'Search',
		searching: 'Searching…',
		noResults: 'Nobody publishes this name (yet).',
		alreadyContact: 'Already a contact',
		trustIntro:
			'Each score comes from your own levels and those published by the people you trust and the people they trust (up to three steps away), longer paths weighing less.',
		score: (score: number, level: string) => `Score ${score} (${level})`,
		direct: 'your own level',
		paths: 'Paths behind this score',
		noPaths: 'No path: nobody you trust rated them.',
		refresh: 'Compute again',
		noScores: 'No scores yet: add contacts and set trust levels.',
		pathWeight: (weight: string) => `weight ${weight}`,
		levels: {
			Blocked: 'Blocked',
			Suspicious: 'Suspicious',
			Unknown: 'Unknown',
			Acquaintance: 'Acquaintance',
			Friend: 'Friend',
			Trusted: 'Trusted',
			HighlyTrusted: 'Highly trusted'
		},
		me: 'me'
	},
	trust: {
		partial: 'The web of trust is large or slow to read: these scores use the part that could be read.'
	},
	scan: {
		title: 'Scan a QR code',
		intro: 'Scan the invite QR code shown on someone’s Contacts screen. Pictures are read on this device only.',
		start: 'Scan a QR code',
		stop: 'Stop the camera',
		fromFile: 'Scan from an image file',
		video: 'Camera view',
		starting: 'Opening the camera…',
		scanning: 'Point the camera at a Miaou invite QR code.',
		reading: 'Reading the image…',
		adding: 'Invite found: adding the contact…',
		notMiaou: 'This QR code is not a Miaou invite: scan the code shown on the Contacts screen of Miaou.',
		broken: (sentence: string) => `This QR code looks like a Miaou invite but is damaged. ${sentence}`,
		noCode: 'No QR code was found in this image: try a sharper picture where the whole code is visible.',
		notImage: 'This file is not a picture this browser can open: choose a PNG, JPEG or WebP image.',
		denied:
			'Camera access was refused. Allow the camera for this site in the browser settings, or scan from an image file.',
		noCamera: 'No camera was found on this device: scan from an image file instead.',
		busy: 'The camera is in use by another app or tab: close it, then try again.',
		unsupported: 'This browser cannot use the camera on this page (it needs https): scan from an image file instead.',
		failed: 'The camera could not start: try again, or scan from an image file.',
		decoderFailed: 'The QR code reader stopped working: reload the page, or add the contact by pasting the link.'
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
		ERR_FUTURE_RECORD: 'Something is dated in the future, so it was refused: check the date and time of this device.',
		ERR_NAMESPACE: 'This is not Miaou data, so it was refused.',
		ERR_REPLAY: 'This message had already arrived; the second copy was ignored.',
		ERR_TOO_OLD: 'This message can no longer be opened: too many messages came after it and its key is gone.',
		ERR_PROOF_OF_WORK: 'The anti-spam check of this message failed, so it was refused.',
		ERR_TRUST_LEVEL: 'A trust level must be a whole number from −100 to 100.',
		ERR_USAGE: 'This was not asked the right way: check what you entered.',
		ERR_NO_SUCH_FILE: 'This file does not exist.',
		ERR_FILE_ACCESS: 'This file cannot be read or written: check that you may use it.',
		ERR_FILE_EXISTS: 'A file with this name already exists; it was left as it is.',
		ERR_NO_IDENTITY: 'There is no identity here yet: create one or import a backup.',
		ERR_IDENTITY_EXISTS: 'An identity already exists here; it was not replaced.',
		ERR_NO_PASSPHRASE: 'A passphrase is needed to open the keys.',
		ERR_BAD_PASSPHRASE: 'This passphrase cannot be used (empty or far too long): check it and try again.',
		ERR_UNKNOWN_PREKEY:
			'This message was locked with a key this device no longer has, so it cannot be opened; ask the sender to send it again.',
		ERR_NO_SESSION:
			'This message belongs to a conversation this device does not know; ask the sender to send it again.',
		ERR_HASH_MISMATCH: 'The data received does not match what was asked for: it was damaged or changed on the way.',
		ERR_UNSUPPORTED_CODEC: 'This content is in a format Miaou does not handle.',
		ERR_UNSUPPORTED_HASH: 'This content id uses a kind of fingerprint Miaou does not handle.',
		ERR_QUOTA: 'The relay has no room left; try again later or use another relay.',
		ERR_NOT_FOUND: 'This content was not found: no relay you use has it (any more).',
		ERR_INCOMPLETE_DAG: 'Part of the file was missing from the upload; send it again.',
		ERR_STALE_RECORD: 'A newer version of this is already saved; the older one was not kept.',
		ERR_RATE_LIMITED: 'Too many requests in a short time; wait a moment and try again.',
		ERR_STORAGE: 'The relay could not save this; try again later.',
		ERR_RELAY_REFUSED: 'A relay refused this.',
		ERR_RELAY_TIMEOUT: 'No relay answered in time; check your connection and try again.',
		ERR_NO_RELAY: 'No relay could be reached: check your connection, or the relays in Settings.',
		ERR_NO_PROFILE:
			'This person has not published their keys yet: they must open Miaou once, with a relay you also use.',
		ERR_INVALID_INVITE: 'This invite is not valid: check that the whole link or code was copied.',
		ERR_UNKNOWN_CONTACT: 'This person is not in your contacts; add them first.',
		ERR_BLOCKED: 'You blocked this person: unblock them first.',
		ERR_HOME_BUSY: 'Another Miaou command is using the same data; wait for it to finish.',
		ERR_NOT_STORED: 'No relay has kept the message yet; it stays in the queue and will be sent again by itself.',
		ERR_NOT_QUEUED: 'This message was not sent because the app closed first; send it again.',
		ERR_FORMAT: 'The relay cannot give this content in the form that was asked for.',
		ERR_NOT_ACCEPTABLE: 'The relay cannot answer in a form this app understands.',
		ERR_MEDIA_TYPE: 'The relay did not accept the kind of data that was sent.',
		ERR_METHOD: 'The relay does not take this kind of request.',
		ERR_NOT_CACHED: 'The relay does not hold this content.',
		ERR_TOO_MANY: 'This has more parts than Miaou accepts.',
		ERR_BUSY: 'The relay is busy; try again in a few seconds.',
		ERR_INTERNAL: 'Something went wrong on the relay; try again later.',
		relayRefused: (relay: string, sentence: string) => `The relay ${relay} refused it. ${sentence}`,
		offline: 'No network connection.',
		unknown: (detail: string) => `Something unexpected went wrong (${detail}).`
	}
};

/** The shape every language's dictionary has: the English keys, each with the same parameters. */
export type Dictionary = typeof en;
