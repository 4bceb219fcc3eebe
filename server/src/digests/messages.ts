import type { EmailLanguage } from '../../../common/settings';
import { REVOKE_REASON } from '../../../engine/evaluate';
import { BADGE_DELETED } from '../services/outbox';

/** Every string a member reads in a digest or on the unsubscribe pages, in en and fr. */
export interface DigestMessages {
  subject: (count: number) => string;
  heading: string;
  earned: (name: string) => string;
  earnedAgain: (name: string, times: number) => string;
  points: (points: number) => string;
  revoked: (name: string) => string;
  reason: (reason: string) => string;
  /** The reasons the plugin itself writes, in this language; an admin's own text stays as is. */
  knownReasons: Record<string, string>;
  streak: (days: number) => string;
  freezeUsed: (days: number) => string;
  totals: (badges: number, points: number) => string;
  footer: string;
  unsubscribeLink: string;
  confirmTitle: string;
  confirmText: string;
  confirmButton: string;
  doneTitle: string;
  doneText: string;
  usedTitle: string;
  usedText: string;
  expiredTitle: string;
  expiredText: string;
  invalidTitle: string;
  invalidText: string;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

export const MESSAGES: Record<EmailLanguage, DigestMessages> = {
  en: {
    subject: (n) => `Your achievements: ${n} ${plural(n, 'update', 'updates')}`,
    heading: 'Here is what happened since our last email',
    earned: (name) => `You earned ${name}`,
    earnedAgain: (name, times) => `You earned ${name} (×${times})`,
    points: (p) => `+${p} points`,
    revoked: (name) => `${name} was revoked`,
    reason: (r) => `Reason: ${r}`,
    knownReasons: {
      [REVOKE_REASON]: 'you no longer meet its criteria',
      [BADGE_DELETED]: 'the badge was deleted',
    },
    streak: (d) => `${d}-day learning streak!`,
    freezeUsed: (d) => `A streak freeze kept your ${d}-day streak alive`,
    totals: (b, p) => `You now hold ${b} ${plural(b, 'badge', 'badges')} and ${p} points.`,
    footer: 'You receive this email because achievement emails are on for your account.',
    unsubscribeLink: 'Unsubscribe from these emails',
    confirmTitle: 'Unsubscribe from achievement emails?',
    confirmText: 'You will no longer receive emails about the badges you earn.',
    confirmButton: 'Unsubscribe',
    doneTitle: 'You are unsubscribed',
    doneText: 'You will no longer receive achievement emails.',
    usedTitle: 'This link was already used',
    usedText: 'This unsubscribe link works once, and it was already used.',
    expiredTitle: 'This link has expired',
    expiredText: 'This unsubscribe link is too old. Use the link in a more recent email.',
    invalidTitle: 'This link is not valid',
    invalidText: 'This unsubscribe link is incomplete or was altered.',
  },
  fr: {
    subject: (n) => `Vos succès : ${n} ${plural(n, 'nouveauté', 'nouveautés')}`,
    heading: 'Voici ce qui s’est passé depuis notre dernier e-mail',
    earned: (name) => `Vous avez obtenu ${name}`,
    earnedAgain: (name, times) => `Vous avez obtenu ${name} (×${times})`,
    points: (p) => `+${p} points`,
    revoked: (name) => `${name} vous a été retiré`,
    reason: (r) => `Motif : ${r}`,
    knownReasons: {
      [REVOKE_REASON]: 'vous ne remplissez plus ses critères',
      [BADGE_DELETED]: 'le badge a été supprimé',
    },
    streak: (d) => `Série de ${d} jours d’apprentissage !`,
    freezeUsed: (d) => `Un gel de série a préservé votre série de ${d} jours`,
    totals: (b, p) => `Vous avez maintenant ${b} ${plural(b, 'badge', 'badges')} et ${p} points.`,
    footer: 'Vous recevez cet e-mail car les e-mails de succès sont activés pour votre compte.',
    unsubscribeLink: 'Se désabonner de ces e-mails',
    confirmTitle: 'Se désabonner des e-mails de succès ?',
    confirmText: 'Vous ne recevrez plus d’e-mails sur les badges que vous obtenez.',
    confirmButton: 'Se désabonner',
    doneTitle: 'Vous êtes désabonné',
    doneText: 'Vous ne recevrez plus d’e-mails de succès.',
    usedTitle: 'Ce lien a déjà été utilisé',
    usedText: 'Ce lien de désabonnement ne fonctionne qu’une fois, et il a déjà servi.',
    expiredTitle: 'Ce lien a expiré',
    expiredText:
      'Ce lien de désabonnement est trop ancien. Utilisez celui d’un e-mail plus récent.',
    invalidTitle: 'Ce lien n’est pas valide',
    invalidText: 'Ce lien de désabonnement est incomplet ou a été modifié.',
  },
};

export const messagesFor = (language: string): DigestMessages =>
  MESSAGES[(language in MESSAGES ? language : 'en') as EmailLanguage];
