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
		settings: 'Réglages'
	},
	shell: {
		skipToContent: 'Aller au contenu',
		lock: 'Verrouiller',
		lockHint: 'Verrouiller : oublier les clés dans cet onglet jusqu’à la saisie de la phrase secrète',
		ERR_BAD_PASSPHRASE: 'Cette phrase secrète est refusée : vérifiez-la et réessayez.',
		ERR_HASH_MISMATCH:
			'Des données reçues ne correspondent pas à leur identifiant de contenu : modifiées en chemin, elles ont été écartées.',
		ERR_QUOTA: 'Le stockage est plein : libérez de la place et réessayez.',
		ERR_NOT_FOUND: 'Ce contenu est introuvable auprès de vos relais et pairs.',
		ERR_RATE_LIMITED: 'Le relais reçoit trop de votre part en ce moment ; patientez un peu et réessayez.',
		ERR_STORAGE: 'Le relais n’a pas pu enregistrer cela ; réessayez plus tard ou utilisez un autre relais.',
		ERR_RELAY_REFUSED: 'Le relais a refusé cela.',
		ERR_RELAY_TIMEOUT: 'Le relais n’a pas répondu à temps ; vérifiez le réseau et réessayez.',
		ERR_NO_RELAY: 'Aucun relais n’est joignable ; vérifiez le réseau ou ajoutez un relais dans les Réglages.',
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
		emptyTitle: 'Rien de partagé pour l’instant',
		emptyText:
			'Déposer un fichier ici pour obtenir un lien et son identifiant de contenu (CID), en public ou chiffré, arrive avec la fonction de partage.'
	},
	sharedFile: {
		title: 'Fichier partagé',
		cid: 'Identifiant de contenu (CID)',
		private:
			'Partage privé : la clé de déchiffrement est dans le lien après le signe #. Les navigateurs n’envoient jamais cette partie à un serveur.',
		public: 'Partage public : toute personne qui a ce CID peut récupérer ces octets auprès d’un nœud IPFS.',
		notYet:
			'Le téléchargement arrive avec la fonction de partage : l’application récupérera les blocs auprès de vos relais, vérifiera chacun d’eux avec ce CID et déchiffrera un partage privé dans votre navigateur.'
	},
	network: {
		title: 'Réseau',
		browser: 'Navigateur',
		online: 'En ligne',
		offline: 'Hors ligne',
		defaultRelay: 'Relais par défaut',
		defaultRelayHint: 'Le relais qui a servi cette application ; elle s’y connectera en premier.',
		notYet:
			'Les relais et pairs connectés, la latence de chaque relais et le taux de remise s’afficheront ici une fois la couche réseau branchée.'
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
		relays: 'Relais et limites',
		relaysNotYet:
			'Ajouter, retirer et tester des relais, ainsi que les limites de découverte et de bande passante, arrivent avec la couche réseau.',
		danger: 'Retirer de ce navigateur'
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
		offline: 'Pas de connexion réseau.',
		unknown: (detail) => `Un problème inattendu est survenu (${detail}).`
	}
};
