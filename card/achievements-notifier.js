/**
 * <achievements-notifier>: tells a signed-in member what they just earned, live. A bell with
 * the unseen count and a dropdown list, and a toast per new notification ("You earned
 * Graduate · +100 points", streak milestones, revocations).
 *
 *   <script type="module" src="https://cms.example.com/api/achievements/notifier.js"></script>
 *   <achievements-notifier api-url="https://cms.example.com/api/achievements"></achievements-notifier>
 *   <script type="module">
 *     document.querySelector('achievements-notifier').token = memberJwt;
 *   </script>
 *
 * Or, with a bundler: `import 'strapi-plugin-achievements/notifier';`
 *
 * Attributes
 *   api-url   the plugin's content API (default: /api/achievements on this origin)
 *   theme     light | dark, to override prefers-color-scheme
 *   lang      en | fr (default: the page's lang, then the browser's language)
 * Properties
 *   token     the member's users-permissions JWT; without it the element shows nothing
 * Events
 *   achievements-notification   detail: the Notification, for each new one the stream brings
 *
 * It lists (`GET /me/notifications`), counts (`/count`), marks seen (`POST /seen`) and streams
 * (`POST /me/notifications/stream-ticket`, then an EventSource on `/stream?ticket=`; a new
 * ticket on every reconnection, resuming after the last event). Toasts sit in a polite live
 * region and never take focus; a toast's button or Escape dismisses it and marks it seen.
 * The host element carries `data-state`: signed-out, connecting, live or error.
 * Theming: the same --ach-* custom properties as <achievements-card>, or ::part(bell),
 * ::part(panel), ::part(toast).
 */

import { h, langOf, svgIcon, themeStyles } from './achievements-shared.js';

const STYLES = `${themeStyles({
  display: 'inline-block',
  light: `
  --ach-count-bg: #d02b20;`,
  dark: `
    --ach-count-bg: #ff5a4f;`,
})}
:host { position: relative; }
button { font: inherit; color: inherit; cursor: pointer; }
button:focus-visible { outline: 2px solid var(--ach-accent); outline-offset: 2px; }
.bell {
  position: relative; display: grid; place-items: center; width: 40px; height: 40px;
  border-radius: 50%; border: 1px solid var(--ach-border); background: var(--ach-bg);
}
.bell__count {
  position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; padding: 0 5px;
  border-radius: 10px; background: var(--ach-count-bg); color: #fff; font-size: 0.72rem;
  font-weight: 700; line-height: 20px; text-align: center;
}
.panel {
  position: absolute; right: 0; top: 48px; z-index: 1000; width: min(360px, 92vw);
  background: var(--ach-bg); border: 1px solid var(--ach-border); border-radius: var(--ach-radius);
  box-shadow: var(--ach-shadow);
}
.panel__header {
  display: flex; align-items: center; justify-content: space-between; gap: 8px;
  padding: 12px 14px; border-bottom: 1px solid var(--ach-border);
}
.panel__title { margin: 0; font-size: 0.95rem; }
.link { background: none; border: none; padding: 2px 4px; color: var(--ach-accent); font-size: 0.85rem; }
.link:disabled { color: var(--ach-muted); cursor: default; }
.list { list-style: none; margin: 0; padding: 4px 0; max-height: 360px; overflow: auto; }
.empty { margin: 0; padding: 16px 14px; color: var(--ach-muted); font-size: 0.9rem; }
.item { display: grid; grid-template-columns: auto 1fr; gap: 10px; padding: 8px 14px; align-items: center; }
.item--unseen { background: color-mix(in srgb, var(--ach-accent) 9%, transparent); }
.item__text { font-size: 0.88rem; line-height: 1.3; }
.item__time { color: var(--ach-muted); font-size: 0.75rem; margin-top: 2px; }
.art {
  width: 40px; height: 40px; border-radius: 50%; overflow: hidden; display: grid; place-items: center;
  border: 3px solid var(--tier, var(--ach-border)); background: var(--ach-border); flex: none;
}
.art img { width: 100%; height: 100%; object-fit: cover; }
.art--large { width: 56px; height: 56px; }
.tier-bronze { --tier: var(--ach-bronze); }
.tier-silver { --tier: var(--ach-silver); }
.tier-gold { --tier: var(--ach-gold); }
.tier-platinum { --tier: var(--ach-platinum); }
.toasts {
  position: fixed; right: 16px; bottom: 16px; z-index: 1001; display: grid; gap: 10px;
  width: min(380px, calc(100vw - 32px));
}
.toast {
  display: grid; grid-template-columns: auto 1fr auto; gap: 12px; align-items: center;
  padding: 12px 12px 12px 14px; background: var(--ach-bg); color: var(--ach-fg);
  border: 1px solid var(--ach-border); border-left: 4px solid var(--tier, var(--ach-accent));
  border-radius: var(--ach-radius); box-shadow: var(--ach-shadow);
}
.toast__title { font-weight: 650; font-size: 0.95rem; }
.toast__detail { color: var(--ach-muted); font-size: 0.85rem; margin-top: 2px; }
.toast__close {
  align-self: start; width: 28px; height: 28px; border-radius: 8px; line-height: 1;
  border: 1px solid var(--ach-border); background: transparent; font-size: 1.1rem;
}
@media (prefers-reduced-motion: no-preference) {
  .toast { animation: ach-toast-in 220ms ease-out; }
}
@keyframes ach-toast-in { from { opacity: 0; transform: translateY(12px); } to { opacity: 1; transform: none; } }
.icon { flex: none; }
`;

/** Every string the element shows, in English and French. */
const MESSAGES = {
  en: {
    notifications: 'Notifications',
    unseen: (n) => (n === 0 ? 'none unseen' : n === 1 ? '1 unseen' : `${n} unseen`),
    markAll: 'Mark all as seen',
    empty: 'Nothing yet: earn a badge and it shows here.',
    dismiss: 'Dismiss',
    earned: (name) => `You earned ${name}`,
    points: (n) => `+${n.toLocaleString('en')} points`,
    revoked: (name) => `${name} was withdrawn`,
    streak: (days) => `${days}-day learning streak!`,
    freeze: (days) => `A streak freeze kept your ${days}-day streak alive`,
    totals: (badges, points) =>
      `${badges} ${badges === 1 ? 'badge' : 'badges'} · ${points.toLocaleString('en')} points`,
  },
  fr: {
    notifications: 'Notifications',
    unseen: (n) => (n === 0 ? 'aucune non vue' : n === 1 ? '1 non vue' : `${n} non vues`),
    markAll: 'Tout marquer comme vu',
    empty: 'Rien pour l’instant : obtenez un badge et il apparaîtra ici.',
    dismiss: 'Fermer',
    earned: (name) => `Vous avez obtenu ${name}`,
    points: (n) => `+${n.toLocaleString('fr')} points`,
    revoked: (name) => `${name} vous a été retiré`,
    streak: (days) => `Série de ${days} jours d’apprentissage !`,
    freeze: (days) => `Un gel a préservé votre série de ${days} jours`,
    totals: (badges, points) =>
      `${badges} badge${badges > 1 ? 's' : ''} · ${points.toLocaleString('fr')} points`,
  },
};
const KINDS = ['achievement.earned', 'achievement.revoked', 'streak.milestone'];
/** Toasts shown at once; older ones stay in the bell's list. */
const MAX_TOASTS = 3;
const MAX_BACKOFF_MS = 30_000;

const el = h;

const bellIcon = () => svgIcon('M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0', 20);

export class AchievementsNotifier extends HTMLElement {
  static get observedAttributes() {
    return ['api-url', 'lang'];
  }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this._token = null;
    this._unseen = 0;
    this._items = [];
    this._known = new Set();
    this._toasts = [];
    this._lastEventId = null;
    this._source = null;
    this._retryTimer = null;
    this._backoff = 1000;
    this._generation = 0;
    this._onKeydown = this._onKeydown.bind(this);
    this._onOutside = this._onOutside.bind(this);
  }

  get token() {
    return this._token;
  }

  /** The member's JWT: setting it (re)connects; null disconnects. */
  set token(value) {
    this._token = value || null;
    if (this.isConnected) this._start();
  }

  connectedCallback() {
    if (!this.shadowRoot.firstChild) this._render();
    document.addEventListener('keydown', this._onKeydown);
    document.addEventListener('click', this._onOutside);
    if (!this._source && !this._retryTimer) this._start();
  }

  disconnectedCallback() {
    document.removeEventListener('keydown', this._onKeydown);
    document.removeEventListener('click', this._onOutside);
    this._stop();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue || !this.shadowRoot.firstChild) return;
    if (name === 'lang') this._draw();
    else if (this.isConnected) this._start();
  }

  get _t() {
    return MESSAGES[langOf(this, Object.keys(MESSAGES))];
  }

  get _api() {
    return (this.getAttribute('api-url') || '/api/achievements').replace(/\/$/, '');
  }

  _request(method, path, body) {
    return fetch(`${this._api}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this._token}`,
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  // ---------------------------------------------------------------------------------------
  // Connection
  // ---------------------------------------------------------------------------------------

  _stop() {
    this._generation += 1;
    this._source?.close();
    this._source = null;
    clearTimeout(this._retryTimer);
    this._retryTimer = null;
  }

  async _start() {
    this._stop();
    this._items = [];
    this._known.clear();
    this._toasts = [];
    this._lastEventId = null;
    this._unseen = 0;
    if (!this._token) {
      this.dataset.state = 'signed-out';
      this._draw();
      return;
    }
    await this._connect(this._generation);
  }

  /** A ticket, then the EventSource; on any failure, again later with a new ticket. */
  async _connect(generation) {
    this.dataset.state = 'connecting';
    try {
      const res = await this._request('POST', '/me/notifications/stream-ticket');
      if (generation !== this._generation) return;
      if (res.status === 401 || res.status === 403) {
        // The JWT is not (or no longer) a member's: nothing to retry until a new token.
        this.dataset.state = 'signed-out';
        this._draw();
        return;
      }
      if (!res.ok) throw new Error(`ticket: ${res.status}`);
      const { ticket } = await res.json();
      const query = new URLSearchParams({ ticket });
      if (this._lastEventId !== null) query.set('lastEventId', this._lastEventId);
      const source = new EventSource(`${this._api}/me/notifications/stream?${query}`);
      this._source = source;
      for (const kind of KINDS)
        source.addEventListener(kind, (event) => this._onEvent(event, generation));
      source.onopen = () => {
        if (generation !== this._generation) return;
        this._backoff = 1000;
        this.dataset.state = 'live';
        // Read after the stream is open, so nothing falls between the list and the stream.
        this._refresh(generation);
      };
      source.onerror = () => {
        // The browser's own retry would reuse a spent ticket: reconnect with a new one.
        source.close();
        if (generation === this._generation) this._retry(generation);
      };
    } catch {
      if (generation === this._generation) this._retry(generation);
    }
  }

  _retry(generation) {
    this.dataset.state = 'error';
    this._source = null;
    clearTimeout(this._retryTimer);
    this._retryTimer = setTimeout(() => {
      this._retryTimer = null;
      if (generation === this._generation) this._connect(generation);
    }, this._backoff);
    this._backoff = Math.min(this._backoff * 2, MAX_BACKOFF_MS);
  }

  async _refresh(generation) {
    try {
      const [page, count] = await Promise.all([
        this._request('GET', '/me/notifications?limit=20').then((r) => r.json()),
        this._request('GET', '/me/notifications/count').then((r) => r.json()),
      ]);
      if (generation !== this._generation) return;
      for (const n of page.data ?? []) this._remember(n, false);
      this._unseen = count.unseen ?? 0;
      this._draw();
    } catch {
      // The stream still works; the list is read again on the next open.
    }
  }

  /** Keeps one copy of each notification, newest first. */
  _remember(n, atTop) {
    if (this._known.has(n.id)) return false;
    this._known.add(n.id);
    if (atTop) this._items.unshift(n);
    else this._items.push(n);
    this._items.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    this._items.length = Math.min(this._items.length, 50);
    return true;
  }

  _onEvent(event, generation) {
    if (generation !== this._generation) return;
    if (event.lastEventId) this._lastEventId = event.lastEventId;
    let n;
    try {
      n = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!this._remember(n, true)) return;
    if (!n.seenAt) this._unseen += 1;
    this._toasts.push(n);
    while (this._toasts.length > MAX_TOASTS) this._toasts.shift();
    this._draw();
    this.dispatchEvent(
      new CustomEvent('achievements-notification', { detail: n, bubbles: true, composed: true })
    );
  }

  // ---------------------------------------------------------------------------------------
  // Seen
  // ---------------------------------------------------------------------------------------

  async _markSeen(body) {
    const now = new Date().toISOString();
    // Seen is seen: its toast goes too.
    this._toasts = this._toasts.filter((n) => !('all' in body || body.ids.includes(n.id)));
    for (const n of this._items) if ('all' in body || body.ids.includes(n.id)) n.seenAt ??= now;
    this._unseen = this._items.filter((n) => !n.seenAt).length;
    this._draw();
    try {
      const res = await this._request('POST', '/me/notifications/seen', body);
      if (res.ok) this._unseen = (await res.json()).unseen;
    } finally {
      this._draw();
    }
  }

  dismiss(id) {
    const n = this._toasts.find((t) => t.id === id);
    this._toasts = this._toasts.filter((t) => t.id !== id);
    this._draw();
    if (n && !n.seenAt) this._markSeen({ ids: [id] });
  }

  _onKeydown(event) {
    if (event.key !== 'Escape') return;
    if (this._open) {
      this._open = false;
      this._draw();
      this.shadowRoot.querySelector('.bell')?.focus();
    } else if (this._toasts.length) {
      this.dismiss(this._toasts[this._toasts.length - 1].id);
    }
  }

  _onOutside(event) {
    if (this._open && !event.composedPath().includes(this)) {
      this._open = false;
      this._draw();
    }
  }

  // ---------------------------------------------------------------------------------------
  // Drawing (text through textContent only)
  // ---------------------------------------------------------------------------------------

  _render() {
    const style = el('style');
    style.textContent = STYLES;
    this._bell = el('button', {
      class: 'bell',
      part: 'bell',
      type: 'button',
      'aria-expanded': 'false',
    });
    this._bell.addEventListener('click', () => {
      this._open = !this._open;
      this._draw();
    });
    this._panel = el('div', { class: 'panel', part: 'panel', id: 'panel', hidden: true });
    this._bell.setAttribute('aria-controls', 'panel');
    // Present from the start: a live region announces what is added to it later.
    this._toastRegion = el('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    this.shadowRoot.append(style, this._bell, this._panel, this._toastRegion);
    this._draw();
  }

  /** One line that says what happened, and the badge whose artwork shows it (if any). */
  _describe(n) {
    const t = this._t;
    const badge = n.payload.badge ?? null;
    const name = badge?.name ?? '?';
    if (n.kind === 'achievement.earned')
      return { headline: `${t.earned(name)} · ${t.points(badge?.points ?? 0)}`, badge };
    if (n.kind === 'achievement.revoked')
      return { headline: [t.revoked(name), n.payload.reason].filter(Boolean).join(' · '), badge };
    const streak = n.payload.streak;
    return {
      headline: streak.milestone ? t.streak(streak.milestone) : t.freeze(streak.days),
      badge: null,
    };
  }

  _art(badge, large) {
    const cls = `art${large ? ' art--large' : ''}${badge ? ` tier-${badge.tier}` : ' tier-gold'}`;
    const image = badge?.image?.formats?.thumbnail?.url ?? badge?.image?.url;
    if (image) return el('span', { class: cls }, el('img', { src: image, alt: '' }));
    const fallback = el('span', { class: cls, 'aria-hidden': 'true' });
    fallback.textContent = badge ? '★' : '🔥';
    return fallback;
  }

  _draw() {
    if (!this._bell) return;
    const t = this._t;
    const signedIn = Boolean(this._token) && this.dataset.state !== 'signed-out';
    this.hidden = !signedIn;

    this._bell.replaceChildren(bellIcon());
    this._bell.setAttribute('aria-label', `${t.notifications}, ${t.unseen(this._unseen)}`);
    this._bell.setAttribute('aria-expanded', String(Boolean(this._open)));
    if (this._unseen > 0)
      this._bell.append(
        el('span', {
          class: 'bell__count',
          'aria-hidden': 'true',
          text: this._unseen > 99 ? '99+' : this._unseen,
        })
      );

    this._panel.hidden = !this._open;
    const markAll = el('button', {
      class: 'link',
      type: 'button',
      text: t.markAll,
      disabled: this._unseen === 0,
    });
    markAll.addEventListener('click', () => this._markSeen({ all: true }));
    const format = new Intl.DateTimeFormat(t === MESSAGES.fr ? 'fr' : 'en', {
      dateStyle: 'medium',
      timeStyle: 'short',
    });
    const items = this._items.map((n) => {
      const { headline, badge } = this._describe(n);
      return el('li', { class: `item${n.seenAt ? '' : ' item--unseen'}` }, [
        this._art(badge, false),
        el('div', {}, [
          el('div', { class: 'item__text', text: headline }),
          el('div', { class: 'item__time', text: format.format(new Date(n.createdAt)) }),
        ]),
      ]);
    });
    this._panel.replaceChildren(
      el('div', { class: 'panel__header' }, [
        el('h2', { class: 'panel__title', text: t.notifications }),
        markAll,
      ]),
      items.length ? el('ul', { class: 'list' }, items) : el('p', { class: 'empty', text: t.empty })
    );

    // Toasts already on screen stay as they are (a live region re-announces replaced nodes).
    const shown = new Map(
      [...this._toastRegion.children].map((node) => [node.dataset.notification, node])
    );
    for (const [id, node] of shown) if (!this._toasts.some((n) => n.id === id)) node.remove();
    for (const n of this._toasts) {
      if (shown.has(n.id)) continue;
      const { headline, badge } = this._describe(n);
      const close = el('button', {
        class: 'toast__close',
        type: 'button',
        'aria-label': t.dismiss,
        text: '×',
      });
      close.addEventListener('click', () => this.dismiss(n.id));
      this._toastRegion.append(
        el(
          'div',
          {
            class: `toast${badge ? ` tier-${badge.tier}` : ''}`,
            part: 'toast',
            'data-notification': n.id,
            'data-kind': n.kind,
          },
          [
            this._art(badge, true),
            el('div', {}, [
              el('div', { class: 'toast__title', text: headline }),
              el('div', {
                class: 'toast__detail',
                text: t.totals(n.payload.totals.badges, n.payload.totals.points),
              }),
            ]),
            close,
          ]
        )
      );
    }
  }
}

if (typeof customElements !== 'undefined' && !customElements.get('achievements-notifier')) {
  customElements.define('achievements-notifier', AchievementsNotifier);
}
