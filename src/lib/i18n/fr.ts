/**
 * Chaînes françaises de l'application web. Typées par `Dictionary` : une clé manquante ou en trop
 * est une erreur de type.
 */
import type { Dictionary } from './en.ts';

export const fr: Dictionary = {
	languageName: 'Français',
	app: {
		name: 'Miaou',
		tagline: 'Messages privés et partage de fichiers, chiffrés de bout en bout, sans serveur central.'
	},
	common: {
		loading: 'Chargement…',
		copy: 'Copier',
		copied: 'Copié.',
		copyFailed: 'Copie impossible : sélectionnez le texte et copiez-le à la main.',
		cancel: 'Annuler',
		save: 'Enregistrer',
		saved: 'Enregistré.',
		elapsed: (seconds) => `${seconds} s`,
		retry: 'Réessayer',
		comingLater: 'Dans une prochaine version'
	},
	nav: {
		label: 'Principale',
		chats: 'Discussions',
		contacts: 'Contacts',
		share: 'Partage',
		network: 'Réseau',
		settings: 'Réglages',
		directory: 'Annuaire',
		trust: 'Confiance',
		peopleLabel: 'Personnes'
	},
	shell: {
		skipToContent: 'Aller au contenu',
		lock: 'Verrouiller',
		lockHint: 'Verrouiller : oublier les clés dans cet onglet jusqu’à la saisie de la phrase secrète',
		offline: 'Vous êtes hors ligne. L’application s’ouvre quand même ; envois et réceptions attendent le réseau.',
		signedInAs: (name) => `Connecté en tant que ${name}`
	},
	identity: {
		heading: 'Votre identité',
		displayName: 'Nom affiché',
		id: 'Identifiant Miaou',
		fingerprint: 'Empreinte',
		createdAt: 'Créée le',
		copyId: 'Copier l’identifiant',
		idCopied: 'Identifiant copié.'
	},
	passphrase: {
		strength: 'Solidité',
		levels: {
			'too-short': 'trop courte',
			weak: 'faible',
			fair: 'correcte',
			strong: 'solide'
		},
		tip: 'Plusieurs mots sans rapport entre eux font une phrase secrète solide et facile à retenir.',
		tooShort: (min) => `Utilisez au moins ${min} caractères.`,
		mismatch: 'Les deux phrases secrètes sont différentes.',
		show: 'Afficher la phrase secrète'
	},
	onboarding: {
		title: 'Bienvenue sur Miaou',
		intro:
			'Votre identité est une paire de clés créée sur cet appareil. Elles n’en sortent jamais en clair : une phrase secrète les protège ici.',
		modes: 'Pour commencer',
		create: 'Créer une identité',
		import: 'Importer une sauvegarde'
	},
	create: {
		heading: 'Créer une identité',
		name: 'Nom affiché',
		nameHint: 'Visible par les personnes avec qui vous échangez.',
		nameRequired: 'Saisissez un nom affiché.',
		nameTooLong: (max) => `Utilisez au plus ${max} caractères.`,
		passphrase: 'Phrase secrète',
		passphraseHint:
			'Elle chiffre vos clés sur cet appareil. Personne ne peut la retrouver pour vous : gardez-la en lieu sûr.',
		confirm: 'Phrase secrète, encore',
		submit: 'Créer mon identité',
		working: 'Création et chiffrement de vos clés…'
	},
	import: {
		heading: 'Importer une sauvegarde',
		intro: 'Une sauvegarde est le fichier chiffré téléchargé depuis les Réglages sur un autre appareil.',
		file: 'Fichier de sauvegarde',
		paste: 'Ou collez le texte de la sauvegarde',
		name: 'Nom affiché sur cet appareil',
		passphrase: 'Phrase secrète de la sauvegarde',
		submit: 'Importer',
		working: 'Déchiffrement de la sauvegarde…',
		noInput: 'Choisissez un fichier de sauvegarde ou collez son texte.',
		backupOf: (fingerprint) => `Sauvegarde de l’identité d’empreinte ${fingerprint}.`
	},
	unlock: {
		title: 'Déverrouiller Miaou',
		intro: (name) => `Bon retour, ${name}. Saisissez votre phrase secrète pour déverrouiller vos clés.`,
		passphrase: 'Phrase secrète',
		submit: 'Déverrouiller',
		working: 'Déverrouillage de vos clés…',
		forgotTitle: 'Phrase secrète oubliée ?',
		forgotText:
			'Sans elle, les clés enregistrées ici ne peuvent être ouvertes, ni par vous ni par personne. Si vous avez une sauvegarde et connaissez sa phrase secrète, vous pouvez retirer cette identité de ce navigateur puis importer la sauvegarde.'
	},
	forget: {
		button: 'Retirer cette identité de ce navigateur',
		warning:
			'Cela efface les clés chiffrées enregistrées dans ce navigateur. Sans sauvegarde, cette identité est perdue pour de bon.',
		confirm: 'Oui, la retirer',
		done: 'L’identité a été retirée de ce navigateur.'
	},
	chats: {
		title: 'Discussions',
		emptyTitle: 'Aucune discussion pour l’instant',
		emptyText:
			'Les discussions à deux, chiffrées de bout en bout avec accusés de réception et de lecture, s’afficheront ici à l’arrivée de la messagerie. Rien n’est encore envoyé ni reçu.'
	},
	contacts: {
		title: 'Contacts',
		emptyTitle: 'Aucun contact pour l’instant',
		emptyText:
			'L’ajout de personnes par identifiant, lien d’invitation ou QR code, et la vérification des numéros de sécurité, arrivent avec la fonction contacts.',
		giveId: 'Pour qu’on vous joigne, donnez votre identifiant Miaou :'
	},
	contact: {
		title: 'Identifiant Miaou',
		intro: 'Quelqu’un vous a transmis cet identifiant Miaou.',
		self: 'C’est votre propre identifiant.',
		safetyNumber: 'Numéro de sécurité',
		safetyNumberHint:
			'Comparez-le avec celui affiché chez cette personne, en face à face ou par téléphone. Si les deux écrans montrent les mêmes chiffres, personne ne s’est glissé entre vous.',
		notYet: 'Enregistrer cette personne comme contact et lui écrire arrivent avec la fonction contacts.'
	},
	share: {
		title: 'Partage',
		intro:
			'Partagez un fichier par lien. Le fichier part vers vos relais ; le lien et son identifiant de contenu (CID) permettent à d’autres de le récupérer.',
		pick: 'Choisir un fichier',
		dropHere: 'Déposez un fichier ici',
		or: 'ou',
		limit: (max) => `Jusqu’à ${max}.`,
		chosen: (name, size) => `${name} (${size})`,
		mode: 'Qui peut l’ouvrir',
		private: 'Privé (chiffré)',
		privateHint:
			'Chiffré dans ce navigateur. Seules les personnes qui ont le lien peuvent l’ouvrir : la clé est dans le lien après le signe #, et les navigateurs n’envoient jamais cette partie à un serveur.',
		public: 'Public (non chiffré)',
		publicHint:
			'Non chiffré. Toute personne qui a le lien ou le CID peut le récupérer. Le CID est celui que calcule n’importe quel outil IPFS pour ce fichier (CIDv1, feuilles brutes, blocs de 256 Kio).',
		submit: 'Partager ce fichier',
		phases: {
			reading: 'Lecture du fichier…',
			encrypting: 'Chiffrement dans ce navigateur…',
			encoding: 'Découpage en blocs et calcul des empreintes…',
			uploading: 'Envoi vers vos relais…'
		},
		progress: (done, total) => `${done} sur ${total}`,
		doneTitle: (name) => `${name} est partagé`,
		privateDone: 'Toute personne qui a ce lien peut ouvrir le fichier : ne le donnez qu’aux personnes censées le voir.',
		publicDone:
			'Toute personne qui a ce lien ou ce CID peut récupérer le fichier, depuis Miaou ou n’importe quelle passerelle IPFS.',
		link: 'Lien',
		copyLink: 'Copier le lien',
		linkCopied: 'Lien copié.',
		cid: 'Identifiant de contenu (CID)',
		copyCid: 'Copier le CID',
		cidCopied: 'CID copié.',
		gateway: 'Adresse sur une passerelle IPFS',
		storedOn: (count) => `Enregistré sur ${count} relais.`,
		notStoredOn: (url, reason) => `Non enregistré sur ${url} : ${reason}`,
		another: 'Partager un autre fichier',
		failedTitle: 'Le fichier n’a pas été partagé',
		tooLarge: (max) => `Ce fichier dépasse ${max}, le maximum que Miaou partage d’un coup.`,
		noRelay: 'Aucun relais n’a pu prendre le fichier : vérifiez le réseau, ou les relais listés dans les Réglages.',
		relayFull:
			'Vos relais sont pleins ou refusent des fichiers aussi gros ; essayez un fichier plus petit ou un autre relais.',
		cancelled: 'Le partage a été arrêté ; rien n’a été partagé.',
		openTitle: 'Ouvrir un fichier partagé',
		openLabel: 'Lien ou CID',
		openHint: 'Un lien de partage Miaou, une adresse de passerelle IPFS, une adresse ipfs:// ou un CID seul.',
		openSubmit: 'Ouvrir',
		openEmpty: 'Collez d’abord un lien ou un CID.',
		openBad: 'Ce n’est ni un lien de partage ni un CID : vérifiez qu’il a été copié en entier.',
		units: { B: 'o', KiB: 'Kio', MiB: 'Mio', GiB: 'Gio' }
	},
	sharedFile: {
		title: 'Fichier partagé',
		cid: 'Identifiant de contenu (CID)',
		private:
			'Partage privé : la clé de déchiffrement est dans le lien après le signe #. Les navigateurs n’envoient jamais cette partie à un serveur.',
		public: 'Partage public : toute personne qui a ce CID peut récupérer ces octets auprès d’un nœud IPFS.',
		downloading: 'Téléchargement, avec vérification de chaque bloc par le CID…',
		decrypting: 'Déchiffrement dans ce navigateur…',
		progress: (done, total) => `${done} sur ${total}`,
		readyPublic: 'Téléchargé : chaque bloc correspond à son identifiant de contenu.',
		readyPrivate: 'Téléchargé, chaque bloc correspond à son identifiant de contenu, et déchiffré avec la clé du lien.',
		name: 'Fichier',
		size: 'Taille',
		save: 'Enregistrer le fichier',
		looksEncrypted:
			'Ces octets semblent chiffrés : le lien reçu a sans doute perdu sa clé, la partie après le signe #.',
		retry: 'Réessayer',
		openApp: 'Ouvrir Miaou',
		failures: {
			badLink:
				'Ce lien est abîmé : sa clé ou son identifiant de contenu est illisible. Redemandez le lien et copiez-le en entier.',
			wrongKey:
				'La clé de ce lien n’ouvre pas ce fichier : le lien a été modifié, ou sa clé correspond à un autre fichier.',
			notEncrypted:
				'Ce lien contient une clé, mais le contenu n’est pas un partage Miaou chiffré. Ouvrez-le sans la partie après le signe #.',
			notFound:
				'Aucun des relais interrogés n’a ce fichier. Il a peut-être expiré, ou été partagé via des relais que ce navigateur n’utilise pas.',
			tampered:
				'Les données reçues ne correspondent pas à cet identifiant de contenu : modifiées en chemin, elles ont été écartées. Rien n’a été enregistré.',
			damaged: 'Le contenu sous cet identifiant n’est pas un fichier que Miaou sait lire.',
			tooLarge: 'Ce fichier dépasse ce que Miaou télécharge.',
			noRelay: 'Aucun relais n’est joignable : vérifiez le réseau, ou ajoutez un relais dans les Réglages.',
			aborted: 'Le téléchargement a été arrêté.'
		}
	},
	network: {
		title: 'Réseau',
		browser: 'Navigateur',
		online: 'En ligne',
		offline: 'Hors ligne',
		summary: {
			stopped: 'Non connecté.',
			starting: 'Connexion à vos relais…',
			failed: (reason) => `Le réseau n’a pas pu démarrer : ${reason}`,
			searching: 'Recherche de pairs : aucun relais n’est encore connecté.',
			single:
				'Connecté par un seul relais. S’il tombe, plus rien ne passe jusqu’à son retour : ajoutez un autre relais dans les Réglages.',
			decentralized: (relays, direct) =>
				direct === 0
					? `Décentralisé : connecté à ${relays} relais. Si l’un tombe, les autres prennent le relais.`
					: `Décentralisé : ${direct === 1 ? '1 contact connecté' : `${direct} contacts connectés`} en direct, ${relays} relais ouvert${relays > 1 ? 's' : ''}. Les messages vers un contact connecté en direct ne dépendent d’aucun relais.`
		},
		direct: {
			title: 'Pairs directs',
			hint: 'Les contacts dont le navigateur est relié au vôtre par WebRTC : les messages leur arrivent directement (toujours chiffrés de bout en bout), et aussi par les relais.',
			off: 'Les connexions directes sont désactivées. Activez-les dans les Réglages.',
			starting: 'Démarrage des connexions directes…',
			failed: (reason) => `Les connexions directes n’ont pas pu démarrer : ${reason}`,
			none: 'Aucun contact n’est connecté en direct pour le moment.',
			contact: 'Contact',
			latency: 'Latence',
			traffic: 'Envoyé / reçu',
			bytes: (out, inn) => `${out} / ${inn}`,
			counts: (sent, received, refused) =>
				`Envoyés en direct : ${sent} · reçus en direct : ${received} · refusés (au-delà d’une limite) : ${refused}`,
			problem: (text) => `Dernier problème : ${text}`,
			path: 'Chemin',
			pathWebrtc: 'WebRTC, en direct',
			pathRelayed: 'Par un relais (mise en place de WebRTC)',
			relayedTraffic: 'aucun : mise en place seulement'
		},
		relays: 'Relais',
		relay: 'Relais',
		state: 'État',
		latency: 'Latence',
		states: {
			open: 'Connecté',
			connecting: 'Connexion…',
			closed: 'Déconnecté'
		},
		ms: (ms) => `${ms} ms`,
		notMeasured: 'pas encore mesurée',
		retryIn: (seconds) => `nouvel essai dans ${seconds} s`,
		problem: (text) => `Dernier problème : ${text}`,
		reconnect: 'Se reconnecter',
		noRelays:
			'Aucun relais n’est listé : rien ne peut être envoyé ni reçu tant que vous n’en ajoutez pas un dans les Réglages.',
		manage: 'Ajouter ou retirer des relais',
		records: 'Enregistrements signés',
		recordsHint:
			'Chaque enregistrement lu sur un relais est vérifié : signature, format, date. Ce qui échoue est écarté et jamais affiché.',
		verified: 'Vérifiés',
		dropped: 'Écartés',
		droppedCode: (code, count) => `${code} : ${count}`,
		delivery: 'Remise',
		deliveryRate: (percent) => `${percent} % des messages envoyés ont atteint un relais`,
		deliveryCounts: (reached, delivered, failed, waiting) =>
			`Arrivés sur un relais : ${reached} · remis : ${delivered} · échoués : ${failed} · en attente : ${waiting}`,
		deliveryNone: 'Aucun message n’a été envoyé depuis l’ouverture de l’application.'
	},
	settings: {
		title: 'Réglages',
		language: 'Langue',
		profile: 'Profil',
		backup: 'Sauvegarde',
		backupText:
			'Téléchargez vos clés, chiffrées avec votre phrase secrète, pour les garder en sécurité ou passer à un autre appareil. Sans la phrase secrète, le fichier est inutilisable.',
		download: 'Télécharger la sauvegarde chiffrée',
		downloaded: (file) => `Enregistrée sous ${file}.`,
		relays: 'Relais',
		relaysIntro:
			'Miaou envoie et reçoit par ces relais. Avec plusieurs, messages et fichiers passent encore quand l’un est en panne.',
		relayUrl: 'Adresse du relais',
		relayUrlHint: 'Par exemple https://relais.exemple.org',
		addRelay: 'Ajouter le relais',
		remove: 'Retirer',
		removeLabel: (url) => `Retirer ${url}`,
		test: 'Tester',
		testLabel: (url) => `Tester ${url}`,
		testing: 'Test en cours…',
		testOk: (ms) => `Réponse en ${ms} ms.`,
		testTimeout: (seconds) => `Pas de réponse en ${seconds} s.`,
		testUnreachable:
			'Injoignable : l’adresse est peut-être fausse, le relais en panne, ou il n’accepte pas cette application (CORS).',
		testNotRelay: 'Quelque chose répond à cette adresse, mais ce n’est pas un relais Miaou.',
		thisApp: 'sert cette application',
		relayAdded: (url) => `${url} a été ajouté.`,
		relayRemoved: (url) => `${url} a été retiré.`,
		relayExists: 'Ce relais est déjà dans la liste.',
		relayEmpty: 'Saisissez l’adresse d’un relais.',
		relayBad:
			'Ce n’est pas une adresse de relais : commencez par https:// (ou http://, wss://, ws://) suivi d’un nom d’hôte.',
		relayFull: (max) => `Au plus ${max} relais peuvent être listés.`,
		noRelays: 'Aucun relais n’est listé : rien ne peut être envoyé ni reçu tant que vous n’en ajoutez pas un.',
		storage: {
			title: 'Stockage sur cet appareil',
			intro:
				'Les fichiers envoyés ou ouverts restent dans ce navigateur et se rouvrent sans relais. Vos messages sont stockés à part et ne sont jamais effacés ici.',
			used: (used, quota) => `Ce site utilise ${used} sur les ${quota} que le navigateur lui accorde.`,
			cached: (bytes, files) =>
				`Fichiers en cache : ${bytes} (${files <= 1 ? `${files} fichier` : `${files} fichiers`}).`,
			cap: 'Garder les fichiers en cache jusqu’à',
			capHint: 'Au-delà, les fichiers utilisés le moins récemment sont retirés.',
			persisted: 'Le navigateur conserve ce stockage même quand le disque se remplit.',
			notPersisted: 'Le navigateur peut effacer ce stockage quand le disque se remplit.',
			clear: 'Vider les fichiers en cache',
			clearing: 'Effacement…',
			cleared: 'Les fichiers en cache ont été retirés de cet appareil.'
		},
		danger: 'Retirer de ce navigateur',
		direct: {
			title: 'Connexions directes (découverte)',
			intro:
				'Quand un contact est aussi en ligne, vos navigateurs peuvent se relier directement par WebRTC : les messages arrivent plus vite, sans dépendre d’un relais. Vos relais ne font que transmettre l’établissement de la connexion. Chacun voit alors l’adresse IP de l’autre : c’est pourquoi c’est désactivé tant que vous ne l’activez pas.',
			enabled: 'Me connecter directement à mes contacts quand c’est possible',
			maxPeers: 'Contacts connectés en même temps, au plus',
			upload: 'Limite d’envoi (Kio/s, 0 pour aucune)',
			download: 'Limite de réception (Kio/s, 0 pour aucune)',
			save: 'Enregistrer',
			saved: 'Enregistré.',
			bad: (max, maxKiBps) => `Saisissez des nombres entiers : de 1 à ${max} contacts, et de 0 à ${maxKiBps} Kio/s.`
		}
	},
	messaging: {
		starting: 'Connexion à vos messages…',
		failed: 'La messagerie n’a pas pu démarrer.',
		chatsEmptyText:
			'Ajoutez un contact, puis écrivez-lui. Les messages sont chiffrés de bout en bout : les relais ne transportent que des enveloppes scellées.',
		unread: (n: number) => (n === 1 ? '1 message non lu' : `${n} messages non lus`),
		you: 'Vous :',
		newChat: 'Nouveau message',
		conversationLabel: (name: string) => `Conversation avec ${name}`,
		backToChats: 'Retour aux discussions',
		contactDetails: 'Fiche du contact',
		messages: 'Fil des messages',
		empty: 'Aucun message pour l’instant. Écrivez le premier ci-dessous.',
		loadOlder: 'Charger les messages précédents',
		loadingOlder: 'Chargement des messages précédents…',
		messageField: 'Votre message',
		placeholder: 'Écrire un message',
		send: 'Envoyer',
		retry: 'Renvoyer',
		blockedNote: 'Vous avez bloqué ce contact : rien ne lui est envoyé et rien de sa part n’est affiché.',
		notContact: 'Cette personne n’est pas encore dans vos contacts.',
		status: {
			pending: 'En attente d’envoi',
			sent: 'Envoyé',
			stored: 'Stocké sur un relais',
			delivered: 'Distribué',
			read: 'Lu',
			failed: 'Non envoyé',
			received: 'Reçu'
		},
		unverified: 'Non vérifié',
		verified: 'Vérifié',
		unnamed: 'Sans nom',
		contactsIntro:
			'Les personnes à qui vous pouvez écrire. Comparez les numéros de sécurité pour vous assurer que personne ne s’interpose.',
		contactsEmptyText: 'Ajoutez quelqu’un par lien d’invitation ou identifiant, ou trouvez-le dans l’annuaire.',
		add: 'Ajouter un contact',
		addTitle: 'Ajouter un contact',
		addHint:
			'Collez un lien d’invitation, un code miaou: ou un identifiant Miaou, ou scannez un QR code d’invitation ci-dessous.',
		addField: 'Lien d’invitation ou identifiant',
		addButton: 'Ajouter',
		inviteTitle: 'Votre lien d’invitation',
		inviteHint: 'Envoyez ce lien à qui vous voulez parler. En l’ouvrant, cette personne pourra vous ajouter.',
		copyInvite: 'Copier le lien d’invitation',
		inviteCopied: 'Lien d’invitation copié.',
		showQr: 'Afficher le code QR',
		hideQr: 'Masquer le code QR',
		qrAlt: 'Code QR de votre lien d’invitation',
		directory: 'Annuaire',
		trust: 'Confiance',
		write: 'Écrire',
		verify: 'Marquer comme vérifié',
		unverify: 'Retirer la marque « vérifié »',
		verifiedNote: 'Vous avez vérifié le numéro de sécurité avec cette personne.',
		trustLevel: 'Niveau de confiance',
		trustSaved: 'Niveau de confiance enregistré et publié.',
		block: 'Bloquer',
		unblock: 'Débloquer',
		blocked: 'Bloqué',
		remove: 'Retirer des contacts',
		addThis: 'Ajouter ce contact',
		inviteFrom: (name: string) => `${name} vous invite à discuter sur Miaou.`,
		inviteNoName: 'Quelqu’un vous invite à discuter sur Miaou.',
		inviteOwn: 'C’est votre propre lien d’invitation : envoyez-le à d’autres.',
		inviteAdded: 'Ajouté à vos contacts.',
		directoryIntro:
			'Trouvez des personnes par le nom qu’elles publient. N’importe qui peut publier n’importe quel nom : comparez les numéros de sécurité avant de faire confiance.',
		searchField: 'Nom',
		search: 'Rechercher',
		searching: 'Recherche…',
		noResults: 'Personne ne publie ce nom (pour l’instant).',
		alreadyContact: 'Déjà dans vos contacts',
		trustIntro:
			'Chaque score vient de vos propres niveaux et de ceux publiés par les personnes en qui vous avez confiance et par celles en qui elles ont confiance (jusqu’à trois étapes) ; les chemins plus longs pèsent moins.',
		score: (score: number, level: string) => `Score ${score} (${level})`,
		direct: 'votre propre niveau',
		paths: 'Chemins derrière ce score',
		noPaths: 'Aucun chemin : personne en qui vous avez confiance ne l’a évalué.',
		refresh: 'Recalculer',
		noScores: 'Pas encore de score : ajoutez des contacts et fixez des niveaux de confiance.',
		pathWeight: (weight: string) => `poids ${weight}`,
		levels: {
			Blocked: 'Bloqué',
			Suspicious: 'Suspect',
			Unknown: 'Inconnu',
			Acquaintance: 'Connaissance',
			Friend: 'Ami',
			Trusted: 'De confiance',
			HighlyTrusted: 'Toute confiance'
		},
		me: 'moi'
	},
	trust: {
		partial: 'La toile de confiance est grande ou lente à lire : ces scores reposent sur la partie qui a pu être lue.'
	},
	scan: {
		title: 'Scanner un code QR',
		intro:
			'Scannez le code QR d’invitation affiché sur l’écran Contacts de votre interlocuteur. Les images sont lues sur cet appareil uniquement.',
		start: 'Scanner un code QR',
		stop: 'Arrêter la caméra',
		fromFile: 'Scanner depuis un fichier image',
		video: 'Image de la caméra',
		starting: 'Ouverture de la caméra…',
		scanning: 'Pointez la caméra vers un code QR d’invitation Miaou.',
		reading: 'Lecture de l’image…',
		adding: 'Invitation trouvée : ajout du contact…',
		notMiaou: 'Ce code QR n’est pas une invitation Miaou : scannez le code affiché sur l’écran Contacts de Miaou.',
		broken: (sentence: string) => `Ce code QR ressemble à une invitation Miaou mais il est abîmé. ${sentence}`,
		noCode: 'Aucun code QR n’a été trouvé dans cette image : essayez une photo plus nette où le code est entier.',
		notImage: 'Ce fichier n’est pas une image que ce navigateur sait ouvrir : choisissez une image PNG, JPEG ou WebP.',
		denied:
			'L’accès à la caméra a été refusé. Autorisez la caméra pour ce site dans les réglages du navigateur, ou scannez depuis un fichier image.',
		noCamera: 'Aucune caméra n’a été trouvée sur cet appareil : scannez plutôt depuis un fichier image.',
		busy: 'La caméra est utilisée par une autre application ou un autre onglet : fermez-le, puis réessayez.',
		unsupported:
			'Ce navigateur ne peut pas utiliser la caméra sur cette page (il faut https) : scannez plutôt depuis un fichier image.',
		failed: 'La caméra n’a pas pu démarrer : réessayez, ou scannez depuis un fichier image.',
		decoderFailed:
			'Le lecteur de codes QR a cessé de fonctionner : rechargez la page, ou ajoutez le contact en collant le lien.'
	},
	errorPage: {
		notFoundTitle: 'Page introuvable',
		notFoundText: 'Cette adresse ne mène à aucune page de Miaou. Un lien est peut-être tronqué ou mal recopié.',
		otherTitle: 'Un problème est survenu',
		home: 'Retour aux discussions'
	},
	errors: {
		ERR_WRONG_PASSPHRASE: 'Phrase secrète incorrecte : les clés ne se sont pas ouvertes. Rien n’a changé ; réessayez.',
		ERR_TOO_LARGE: 'C’est plus volumineux que ce que Miaou accepte.',
		ERR_MALFORMED: 'Ce n’est pas au format attendu par Miaou : c’est peut-être abîmé, ou pas un fichier Miaou.',
		ERR_UNSUPPORTED_VERSION:
			'Cela vient d’une version plus récente de Miaou ; mettez l’application à jour pour l’ouvrir.',
		ERR_BAD_SIGNATURE: 'Une signature ne correspond pas : les données ont peut-être été falsifiées.',
		ERR_INVALID_ID: 'Ce n’est pas un identifiant Miaou valide.',
		ERR_INVALID_KEY: 'Une clé n’est pas valide.',
		ERR_DECRYPT: 'Déchiffrement impossible : le contenu a été modifié ou est destiné à quelqu’un d’autre.',
		ERR_CID: 'Cet identifiant de contenu (CID) n’est pas valide, ou les données ne lui correspondent pas.',
		ERR_ABORTED: 'Arrêté avant la fin.',
		ERR_BROWSER_STORAGE:
			'Ce navigateur a refusé d’enregistrer ou de lire les données de l’application (navigation privée ou disque plein ?).',
		ERR_IDENTITY_MISMATCH:
			'Les clés enregistrées n’appartiennent pas à cette identité : les données enregistrées sont abîmées.',
		ERR_FUTURE_RECORD:
			'Une donnée est datée dans le futur, elle a donc été refusée : vérifiez la date et l’heure de cet appareil.',
		ERR_NAMESPACE: 'Ce ne sont pas des données Miaou : elles ont été refusées.',
		ERR_REPLAY: 'Ce message était déjà arrivé ; le second exemplaire a été ignoré.',
		ERR_TOO_OLD: 'Ce message ne peut plus être ouvert : trop de messages sont arrivés après lui et sa clé a disparu.',
		ERR_PROOF_OF_WORK: 'Le contrôle anti-spam de ce message a échoué : il a été refusé.',
		ERR_TRUST_LEVEL: 'Un niveau de confiance doit être un nombre entier de −100 à 100.',
		ERR_USAGE: 'La demande n’est pas formulée correctement : vérifiez ce que vous avez saisi.',
		ERR_NO_SUCH_FILE: 'Ce fichier n’existe pas.',
		ERR_FILE_ACCESS: 'Impossible de lire ou d’écrire ce fichier : vérifiez que vous avez le droit de l’utiliser.',
		ERR_FILE_EXISTS: 'Un fichier de ce nom existe déjà ; il n’a pas été touché.',
		ERR_NO_IDENTITY: 'Il n’y a pas encore d’identité ici : créez-en une ou importez une sauvegarde.',
		ERR_IDENTITY_EXISTS: 'Une identité existe déjà ici ; elle n’a pas été remplacée.',
		ERR_NO_PASSPHRASE: 'Il faut une phrase secrète pour ouvrir les clés.',
		ERR_BAD_PASSPHRASE:
			'Cette phrase secrète ne peut pas servir (vide ou beaucoup trop longue) : vérifiez-la et réessayez.',
		ERR_UNKNOWN_PREKEY:
			'Ce message a été verrouillé avec une clé que cet appareil n’a plus : impossible de l’ouvrir. Demandez à l’expéditeur de le renvoyer.',
		ERR_NO_SESSION:
			'Ce message appartient à une conversation que cet appareil ne connaît pas ; demandez à l’expéditeur de le renvoyer.',
		ERR_HASH_MISMATCH:
			'Les données reçues ne correspondent pas à celles demandées : elles ont été abîmées ou modifiées en route.',
		ERR_UNSUPPORTED_CODEC: 'Ce contenu est dans un format que Miaou ne prend pas en charge.',
		ERR_UNSUPPORTED_HASH: 'Cet identifiant de contenu utilise un type d’empreinte que Miaou ne prend pas en charge.',
		ERR_QUOTA: 'Le relais n’a plus de place ; réessayez plus tard ou utilisez un autre relais.',
		ERR_NOT_FOUND: 'Contenu introuvable : aucun de vos relais ne l’a (ou ne l’a plus).',
		ERR_INCOMPLETE_DAG: 'Une partie du fichier manquait dans l’envoi ; envoyez-le de nouveau.',
		ERR_STALE_RECORD: 'Une version plus récente est déjà enregistrée ; l’ancienne n’a pas été gardée.',
		ERR_RATE_LIMITED: 'Trop de demandes en peu de temps ; patientez un instant et réessayez.',
		ERR_STORAGE: 'Le relais n’a pas pu l’enregistrer ; réessayez plus tard.',
		ERR_RELAY_REFUSED: 'Un relais l’a refusé.',
		ERR_RELAY_TIMEOUT: 'Aucun relais n’a répondu à temps ; vérifiez votre connexion et réessayez.',
		ERR_NO_RELAY: 'Aucun relais n’est joignable : vérifiez votre connexion, ou les relais dans les Réglages.',
		ERR_NO_PROFILE:
			'Cette personne n’a pas encore publié ses clés : elle doit ouvrir Miaou une fois, avec un relais que vous utilisez aussi.',
		ERR_INVALID_INVITE: 'Cette invitation n’est pas valide : vérifiez que le lien ou le code a été copié en entier.',
		ERR_UNKNOWN_CONTACT: 'Cette personne n’est pas dans vos contacts ; ajoutez-la d’abord.',
		ERR_BLOCKED: 'Vous avez bloqué cette personne : débloquez-la d’abord.',
		ERR_HOME_BUSY: 'Une autre commande Miaou utilise les mêmes données ; attendez qu’elle se termine.',
		ERR_NOT_STORED:
			'Aucun relais n’a encore gardé le message ; il reste dans la file d’attente et sera renvoyé tout seul.',
		ERR_NOT_QUEUED: 'Ce message n’est pas parti car l’application s’est fermée avant ; envoyez-le de nouveau.',
		ERR_FORMAT: 'Le relais ne peut pas fournir ce contenu sous la forme demandée.',
		ERR_NOT_ACCEPTABLE: 'Le relais ne peut pas répondre sous une forme que cette application comprend.',
		ERR_MEDIA_TYPE: 'Le relais n’a pas accepté le type de données envoyé.',
		ERR_METHOD: 'Le relais n’accepte pas ce type de demande.',
		ERR_NOT_CACHED: 'Le relais ne détient pas ce contenu.',
		ERR_TOO_MANY: 'Cela comporte plus de parties que Miaou n’en accepte.',
		ERR_BUSY: 'Le relais est occupé ; réessayez dans quelques secondes.',
		ERR_INTERNAL: 'Un problème est survenu sur le relais ; réessayez plus tard.',
		relayRefused: (relay, sentence) => `Le relais ${relay} l’a refusé. ${sentence}`,
		offline: 'Pas de connexion réseau.',
		unknown: (detail) => `Un problème inattendu est survenu (${detail}).`
	}
};
