// The verification page's script: reads a pasted or uploaded credential, verifies it in this
// browser with the module the server bundles (GET /api/credential-verifier.js), and shows the
// outcome in English or French (?lang=, else the browser's language). Credential fields are
// inserted with textContent only.
import { verifyCredentialText } from '/api/credential-verifier.js';

const MESSAGES = {
  en: {
    pageTitle: 'Verify a credential · LMS Academy',
    title: 'Verify a credential',
    intro:
      'Paste an Open Badges credential (.json or JWT) or choose its file. It is checked in your ' +
      "browser against this academy's published keys and revocation list; nothing is sent anywhere.",
    file: 'Credential file',
    paste: 'Or paste it here',
    verify: 'Verify',
    verifying: 'Verifying…',
    outcomes: {
      verified: [
        'Verified',
        "The signature matches this academy's published key, and the credential has not been revoked.",
      ],
      revoked: ['Revoked', 'The signature is valid, but the academy has revoked this credential.'],
      tampered: [
        'Not valid: altered or forged',
        'The credential does not match its signature: it was changed after it was issued, or this academy did not sign it.',
      ],
      'unknown-key': [
        'Not valid: unknown key',
        'The credential names a signing key this academy does not publish.',
      ],
      'unknown-issuer': [
        'Another issuer',
        'This page verifies credentials issued by this academy only: it fetches nothing from other sites.',
      ],
      unreadable: [
        'Not a credential',
        'The text is neither an Open Badges credential in JSON nor a JWT.',
      ],
      empty: ['Nothing to verify', 'Paste a credential or choose its file.'],
      unavailable: [
        'Cannot check now',
        "The academy's keys could not be loaded: credentials may be switched off. Try again later.",
      ],
      'status-unavailable': [
        'Status unknown',
        "The revocation list could not be checked, so the credential can't be confirmed.",
      ],
    },
    badge: 'Badge',
    criteria: 'Criteria: ',
    issuer: 'Issuer',
    issuedOn: 'Earned on',
    format: 'Form',
    formats: { json: 'JSON-LD, Data Integrity proof (eddsa-rdfc-2022)', jwt: 'VC-JWT (RS256)' },
    key: 'Signing key',
    detail: 'Detail',
  },
  fr: {
    pageTitle: 'Vérifier une attestation · LMS Academy',
    title: 'Vérifier une attestation',
    intro:
      'Collez une attestation Open Badges (.json ou JWT) ou choisissez son fichier. Elle est ' +
      "vérifiée dans votre navigateur avec les clés et la liste de révocation publiées par l'académie ; rien n'est envoyé ailleurs.",
    file: "Fichier de l'attestation",
    paste: 'Ou collez-la ici',
    verify: 'Vérifier',
    verifying: 'Vérification…',
    outcomes: {
      verified: [
        'Vérifiée',
        "La signature correspond à la clé publiée par l'académie, et l'attestation n'a pas été révoquée.",
      ],
      revoked: [
        'Révoquée',
        "La signature est valide, mais l'académie a révoqué cette attestation.",
      ],
      tampered: [
        'Non valide : modifiée ou falsifiée',
        "L'attestation ne correspond pas à sa signature : elle a été modifiée après son émission, ou l'académie ne l'a pas signée.",
      ],
      'unknown-key': [
        'Non valide : clé inconnue',
        "L'attestation cite une clé de signature que l'académie ne publie pas.",
      ],
      'unknown-issuer': [
        'Autre émetteur',
        "Cette page ne vérifie que les attestations émises par l'académie : elle ne consulte aucun autre site.",
      ],
      unreadable: [
        "Ce n'est pas une attestation",
        "Le texte n'est ni une attestation Open Badges en JSON ni un JWT.",
      ],
      empty: ['Rien à vérifier', 'Collez une attestation ou choisissez son fichier.'],
      unavailable: [
        'Vérification impossible pour le moment',
        "Les clés de l'académie n'ont pas pu être chargées : les attestations sont peut-être désactivées. Réessayez plus tard.",
      ],
      'status-unavailable': [
        'Statut inconnu',
        "La liste de révocation n'a pas pu être consultée : l'attestation ne peut pas être confirmée.",
      ],
    },
    badge: 'Badge',
    criteria: 'Critères : ',
    issuer: 'Émetteur',
    issuedOn: 'Obtenu le',
    format: 'Forme',
    formats: {
      json: 'JSON-LD, preuve Data Integrity (eddsa-rdfc-2022)',
      jwt: 'VC-JWT (RS256)',
    },
    key: 'Clé de signature',
    detail: 'Détail',
  },
};

/** Glyphs every font has (no emoji font is needed); the colour says the rest. */
const ICONS = { verified: '✓', revoked: '⊘', unavailable: '!', 'status-unavailable': '!' };

const wanted = new URLSearchParams(window.location.search).get('lang');
const lang =
  wanted in MESSAGES ? wanted : navigator.language?.toLowerCase().startsWith('fr') ? 'fr' : 'en';
const t = MESSAGES[lang];

document.documentElement.lang = lang;
document.title = t.pageTitle;
for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t[el.dataset.i18n];
for (const link of document.querySelectorAll('nav a[data-lang]')) {
  link.setAttribute('aria-current', String(link.dataset.lang === lang));
}

const form = document.getElementById('verify-form');
const fileInput = document.getElementById('credential-file');
const textArea = document.getElementById('credential-text');
const button = document.getElementById('verify-button');
const result = document.getElementById('result');

const el = (tag, props = {}, children = []) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
};

const formatDate = (iso) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : new Intl.DateTimeFormat(lang, { dateStyle: 'long' }).format(date);
};

const show = (outcome) => {
  const [heading, explanation] = t.outcomes[outcome.outcome] ?? t.outcomes.tampered;
  const rows = [];
  const row = (label, value) => {
    if (value) rows.push(el('dt', { text: label }), el('dd', { text: value }));
  };
  const summary = outcome.summary;
  if (summary) {
    row(t.issuer, [summary.issuer.name, summary.issuer.url].filter(Boolean).join(' · '));
    if (summary.validFrom) row(t.issuedOn, formatDate(summary.validFrom));
  }
  if (outcome.format) row(t.format, t.formats[outcome.format]);
  row(t.key, outcome.method);
  if (outcome.detail) {
    rows.push(el('dt', { text: t.detail }), el('dd', { class: 'detail', text: outcome.detail }));
  }
  const children = [
    el('div', { class: 'result__head' }, [
      el('span', {
        class: 'result__icon',
        'aria-hidden': 'true',
        text: ICONS[outcome.outcome] ?? '✕',
      }),
      el('div', {}, [
        el('h2', { id: 'result-title', text: heading }),
        el('p', { id: 'result-explanation', text: explanation }),
      ]),
    ]),
  ];
  if (summary?.name) {
    children.push(
      el('div', { class: 'badge', 'aria-label': t.badge }, [
        ...(summary.image ? [el('img', { src: summary.image, alt: '' })] : []),
        el('div', {}, [
          el('strong', { id: 'badge-name', text: summary.name }),
          ...(summary.description ? [el('p', { text: summary.description })] : []),
          ...(summary.criteria
            ? [el('p', { class: 'muted', text: `${t.criteria}${summary.criteria}` })]
            : []),
        ]),
      ])
    );
  }
  if (rows.length) children.push(el('dl', {}, rows));
  result.replaceChildren(...children);
  result.dataset.outcome = outcome.outcome;
  result.hidden = false;
};

const verify = async () => {
  button.disabled = true;
  button.textContent = t.verifying;
  result.hidden = true;
  try {
    show(await verifyCredentialText(textArea.value, { origin: window.location.origin }));
  } finally {
    button.disabled = false;
    button.textContent = t.verify;
  }
};

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void verify();
});

// Choosing a file verifies it at once (its text is shown, so a visitor sees what was checked).
fileInput.addEventListener('change', async () => {
  const file = fileInput.files?.[0];
  if (!file) return;
  textArea.value = await file.text();
  await verify();
});
