import type { NotificationRecord } from '../stores/notifications';
import type { DigestMessages } from './messages';

/** Builds a digest email and the unsubscribe pages: HTML (escaped) and plain text. Pure. */

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
  );

interface Line {
  title: string;
  detail: string | null;
  image: string | null;
}

const lineOf = (
  n: NotificationRecord,
  t: DigestMessages,
  absolute: (url: string) => string
): Line | null => {
  const p = n.payload as any;
  const badge = p.badge as
    | { name: string; points: number; image: { url: string } | null; description: string | null }
    | undefined;
  const image = badge?.image?.url ? absolute(badge.image.url) : null;
  switch (n.kind) {
    case 'achievement.earned':
      if (!badge) return null;
      return {
        title: p.sequence > 1 ? t.earnedAgain(badge.name, p.sequence) : t.earned(badge.name),
        detail: [t.points(badge.points), badge.description].filter(Boolean).join(' · '),
        image,
      };
    case 'achievement.revoked':
      if (!badge) return null;
      return {
        title: t.revoked(badge.name),
        detail: p.reason ? t.reason(t.knownReasons[p.reason] ?? p.reason) : null,
        image,
      };
    case 'streak.milestone':
      if (!p.streak) return null;
      return {
        title: p.streak.freezeUsed ? t.freezeUsed(p.streak.days) : t.streak(p.streak.days),
        detail: null,
        image: null,
      };
    default:
      return null;
  }
};

export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
  /** How many lines it reports (0: nothing worth an email). */
  count: number;
}

export const renderDigest = (
  notifications: NotificationRecord[],
  t: DigestMessages,
  opts: { absolute: (url: string) => string; unsubscribeUrl: string; language: string }
): RenderedDigest => {
  const lines = notifications
    .map((n) => lineOf(n, t, opts.absolute))
    .filter((l): l is Line => l !== null);
  const last = notifications[notifications.length - 1]?.payload as any;
  const totals = last?.totals ? t.totals(last.totals.badges, last.totals.points) : '';
  const text = [
    t.heading,
    '',
    ...lines.map((l) => `- ${l.title}${l.detail ? ` (${l.detail})` : ''}`),
    '',
    totals,
    '',
    t.footer,
    `${t.unsubscribeLink}: ${opts.unsubscribeUrl}`,
  ].join('\n');
  const items = lines
    .map(
      (l) => `<tr>
  <td style="width:72px;padding:8px 12px 8px 0;vertical-align:top">${
    l.image
      ? `<img src="${escapeHtml(l.image)}" width="64" height="64" alt="" style="display:block;border-radius:8px">`
      : '<div style="width:64px;height:64px;border-radius:8px;background:#f0f0ff;text-align:center;line-height:64px;font-size:28px">🔥</div>'
  }</td>
  <td style="padding:8px 0;vertical-align:top"><strong>${escapeHtml(l.title)}</strong>${
    l.detail ? `<br><span style="color:#555">${escapeHtml(l.detail)}</span>` : ''
  }</td>
</tr>`
    )
    .join('\n');
  const html = `<!doctype html>
<html lang="${escapeHtml(opts.language)}"><head><meta charset="utf-8"><title>${escapeHtml(t.subject(lines.length))}</title></head>
<body style="margin:0;padding:24px;background:#f6f6f9;font-family:Arial,Helvetica,sans-serif;color:#212134">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(t.heading)}</h1>
<table role="presentation" style="border-collapse:collapse;width:100%">
${items}
</table>
<p style="margin:16px 0 0">${escapeHtml(totals)}</p>
<p style="margin:24px 0 0;font-size:12px;color:#666">${escapeHtml(t.footer)}<br>
<a href="${escapeHtml(opts.unsubscribeUrl)}" style="color:#4945ff">${escapeHtml(t.unsubscribeLink)}</a></p>
</div></body></html>`;
  return { subject: t.subject(lines.length), text, html, count: lines.length };
};

/** A small page of the unsubscribe flow; `form`: a button that POSTs the one-click request. */
export const renderPage = (
  language: string,
  title: string,
  text: string,
  form?: { action: string; button: string }
): string => `<!doctype html>
<html lang="${escapeHtml(language)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;max-width:480px;margin:48px auto;padding:0 16px;color:#212134">
<h1 style="font-size:22px">${escapeHtml(title)}</h1>
<p>${escapeHtml(text)}</p>${
  form
    ? `
<form method="post" action="${escapeHtml(form.action)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit" style="padding:10px 20px;font-size:16px;background:#4945ff;color:#fff;border:0;border-radius:4px;cursor:pointer">${escapeHtml(form.button)}</button>
</form>`
    : ''
}
</body></html>`;
