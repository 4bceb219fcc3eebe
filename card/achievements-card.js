/**
 * <achievements-card>: the Achievements profile card and its modal, for any frontend.
 *
 *   <script type="module" src="https://cms.example.com/api/achievements/card.js"></script>
 *   <achievements-card user-id="42" api-url="https://cms.example.com/api/achievements">
 *   </achievements-card>
 *
 * Or, with a bundler: `import 'strapi-plugin-achievements/card';`
 *
 * Attributes
 *   user-id   the member's id or documentId (required)
 *   api-url   the plugin's content API (default: /api/achievements on this origin)
 *   position  side | main | header, to override the position configured in the admin
 *   theme     light | dark, to override prefers-color-scheme
 * Properties
 *   token     a users-permissions JWT: the viewer then also sees secret badges they have earned
 *
 * One ES module, no dependency. It reads `GET /config` and `GET /users/:userId/card`, and the
 * modal reads `GET /users/:userId` when first opened. Data is inserted with textContent only.
 * The host element carries `data-state`: loading, ready, disabled, not-found or error.
 * Theming: the --ach-* custom properties below, or ::part(card), ::part(modal), ::part(badge).
 */

import { apiBase, h, svgIcon, themeStyles } from './achievements-shared.js';

const STYLES = `${themeStyles({
  light: `
  --ach-badge-size: 56px;
  --ach-progress-bg: #eaeaf2;
  --ach-progress-fg: var(--ach-accent);
  --ach-overlay: rgba(20, 20, 32, 0.55);`,
  dark: `
    --ach-progress-bg: #2e2e40;
    --ach-overlay: rgba(0, 0, 0, 0.7);`,
})}
.card {
  cursor: pointer;
  background: var(--ach-bg);
  border: 1px solid var(--ach-border);
  border-radius: var(--ach-radius);
  padding: 16px;
  display: grid;
  gap: 12px;
}
.card__header { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 2px 12px; }
.card__title { margin: 0; font-size: 1rem; font-weight: 650; display: inline-flex; align-items: center; gap: 6px; }
.card__title .icon { color: var(--ach-gold); }
.card__summary { color: var(--ach-muted); font-size: 0.85rem; }
.icon { flex: none; vertical-align: -0.15em; }
.modal__stats > span { display: inline-flex; align-items: center; gap: 4px; }
.card__badges { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; }
.card__empty { margin: 0; color: var(--ach-muted); font-size: 0.9rem; }
.card__open {
  justify-self: start;
  font: inherit;
  font-size: 0.9rem;
  color: var(--ach-accent);
  background: none;
  border: 1px solid var(--ach-border);
  border-radius: 999px;
  padding: 6px 14px;
  cursor: pointer;
}
.card__open:hover { border-color: var(--ach-accent); }
button:focus-visible, [tabindex]:focus-visible { outline: 2px solid var(--ach-accent); outline-offset: 2px; }
.badge { display: grid; justify-items: center; gap: 4px; text-align: center; font-size: 0.75rem; min-width: 0; }
.badge__art {
  width: var(--ach-badge-size);
  height: var(--ach-badge-size);
  border-radius: 50%;
  border: 3px solid var(--tier, var(--ach-border));
  display: grid;
  place-items: center;
  overflow: hidden;
  background: var(--ach-progress-bg);
}
.badge__art img { width: 100%; height: 100%; object-fit: cover; }
.badge__name { line-height: 1.2; overflow-wrap: anywhere; }
.badge__art .icon { color: var(--ach-muted); }
.tier-bronze { --tier: var(--ach-bronze); }
.tier-silver { --tier: var(--ach-silver); }
.tier-gold { --tier: var(--ach-gold); }
.tier-platinum { --tier: var(--ach-platinum); }
.badge--featured .badge__art { box-shadow: 0 0 0 3px var(--ach-bg), 0 0 0 5px var(--ach-accent); }

/* side: a narrow column */
.card--side .card__header { flex-direction: column; }
.card--side .card__badges { grid-template-columns: repeat(3, minmax(0, 1fr)); }
/* main: a wide panel, names under the art */
.card--main .card__badges { grid-template-columns: repeat(auto-fill, minmax(96px, 1fr)); }
.card--main { --ach-badge-size: 64px; padding: 20px; }
/* header: one compact row */
.card--header {
  --ach-badge-size: 36px;
  grid-template-columns: auto 1fr auto;
  align-items: center;
  padding: 8px 14px;
}
.card--header .card__header { flex-direction: column; align-items: flex-start; gap: 0; }
.card--header .card__badges { grid-auto-flow: column; justify-content: start; }
.card--header .badge__name { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }

/* the modal */
dialog {
  border: none;
  padding: 0;
  background: transparent;
  max-width: min(760px, calc(100vw - 32px));
  width: 100%;
  max-height: calc(100vh - 48px);
  color: var(--ach-fg);
}
dialog::backdrop { background: var(--ach-overlay); }
.modal {
  background: var(--ach-bg);
  border-radius: var(--ach-radius);
  box-shadow: var(--ach-shadow);
  display: grid;
  grid-template-rows: auto 1fr;
  max-height: calc(100vh - 48px);
  font-family: var(--ach-font);
}
.modal__header {
  display: flex;
  align-items: flex-start;
  justify-content: space-between;
  gap: 12px;
  padding: 18px 20px 12px;
  border-bottom: 1px solid var(--ach-border);
}
.modal__title { margin: 0 0 4px; font-size: 1.15rem; }
.modal__stats { display: flex; flex-wrap: wrap; gap: 6px 16px; color: var(--ach-muted); font-size: 0.85rem; }
.modal__close {
  font: inherit;
  font-size: 1.25rem;
  line-height: 1;
  background: none;
  border: 1px solid var(--ach-border);
  color: var(--ach-fg);
  border-radius: 8px;
  width: 32px;
  height: 32px;
  cursor: pointer;
}
.modal__body { overflow: auto; padding: 8px 20px 20px; }
.credential { display: flex; gap: 6px; margin-top: 6px; }
.credential__download {
  font: inherit; font-size: 0.8rem; padding: 2px 8px; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--ach-accent); background: transparent; color: var(--ach-accent);
}
.category { margin-top: 16px; }
.category__title { margin: 0 0 8px; font-size: 0.95rem; }
.category__badges { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); }
.state {
  display: grid;
  grid-template-columns: auto 1fr;
  gap: 10px;
  align-items: center;
  border: 1px solid var(--ach-border);
  border-radius: 10px;
  padding: 10px;
  --ach-badge-size: 48px;
}
.state--locked .badge__art { filter: grayscale(1); opacity: 0.55; }
.state__name { font-weight: 600; font-size: 0.9rem; }
.state__text { color: var(--ach-muted); font-size: 0.8rem; margin-top: 2px; }
.state__meta { color: var(--ach-muted); font-size: 0.75rem; margin-top: 4px; }
.progress { height: 6px; border-radius: 3px; background: var(--ach-progress-bg); overflow: hidden; margin-top: 6px; }
.progress__bar { height: 100%; background: var(--ach-progress-fg); border-radius: 3px; }
.secret { border-style: dashed; grid-template-columns: auto 1fr; }
.secret .badge__art { font-size: 1.3rem; }
.message { color: var(--ach-muted); padding: 12px 0; }
`;

const TIERS = new Set(['bronze', 'silver', 'gold', 'platinum']);
const POSITIONS = new Set(['side', 'main', 'header']);

/** Line icons (24×24, currentColor): no dependency on an emoji font being installed. */
const ICONS = {
  trophy: 'M8 21h8M12 17v4M7 4h10v5a5 5 0 0 1-10 0zM7 6H4a3 3 0 0 0 3 4M17 6h3a3 3 0 0 1-3 4',
  medal: 'M8 2l4 7 4-7M12 22a6 6 0 1 0 0-12 6 6 0 0 0 0 12z',
  lock: 'M6 11h12v10H6zM8 11V7a4 4 0 0 1 8 0v4',
  flame: 'M12 22c4 0 7-3 7-7 0-4-3-6-4-9-1 2-2 3-4 3 0-2-1-4-3-6 0 4-5 7-5 12 0 4 3 7 9 7z',
  star: 'M12 3l2.8 5.7 6.2.9-4.5 4.4 1.1 6.2L12 17.3l-5.6 2.9 1.1-6.2L3 9.6l6.2-.9z',
};

const icon = (name, size = 16) => svgIcon(ICONS[name], size, `icon icon--${name}`);

const plural = (n, one, many) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

const FOCUSABLE = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])';

export class AchievementsCard extends HTMLElement {
  static get observedAttributes() {
    return ['user-id', 'api-url', 'position', 'theme'];
  }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this._token = null;
    this._config = null;
    this._card = null;
    this._modalData = null;
    this._loadId = 0;
    this._returnFocus = null;
    this._loadedKey = null;
    this._onKeydown = this._onKeydown.bind(this);
  }

  _key() {
    return `${this.getAttribute('api-url')}|${this.getAttribute('user-id')}|${this._token}`;
  }

  /** A users-permissions JWT for the viewer (optional). */
  get token() {
    return this._token;
  }

  set token(value) {
    this._token = value || null;
    if (this.isConnected) this.refresh();
  }

  connectedCallback() {
    // Moving the element (a page placing it in its zone, a framework re-parenting it)
    // reconnects it: load only when what it shows has changed.
    if (this._loadedKey !== this._key()) this.refresh();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue || !this.isConnected) return;
    if (name === 'theme') return; // pure CSS
    if (name === 'position') this._render();
    else this.refresh();
  }

  get apiUrl() {
    return apiBase(this);
  }

  _url(path) {
    return new URL(path.replace(/^\//, ''), this.apiUrl).href;
  }

  /** Image URLs from Strapi's local uploads are relative to the Strapi server. */
  _asset(url) {
    try {
      return new URL(url, this.apiUrl).href;
    } catch {
      return '';
    }
  }

  async _get(path) {
    const headers = { Accept: 'application/json' };
    if (this._token) headers.Authorization = `Bearer ${this._token}`;
    const res = await fetch(this._url(path), { headers });
    if (res.status === 404) {
      const error = new Error('not found');
      error.status = 404;
      throw error;
    }
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  }

  _setState(state) {
    this.dataset.state = state;
  }

  /** Reads the configuration and the card again. */
  async refresh() {
    const userId = this.getAttribute('user-id');
    const loadId = ++this._loadId;
    this._loadedKey = this._key();
    this._modalData = null;
    this._setState('loading');
    this._renderMessage('Loading achievements…');
    if (!userId) {
      this._setState('error');
      this._renderMessage('No member given (user-id).');
      return;
    }
    try {
      const ref = encodeURIComponent(userId);
      const [config, card] = await Promise.all([
        this._get('config'),
        this._get(`users/${ref}/card`),
      ]);
      if (loadId !== this._loadId) return; // a newer refresh started
      this._config = config;
      this._card = card;
      this._render();
      this.dispatchEvent(new CustomEvent('achievements-load', { detail: { config, card } }));
    } catch (error) {
      if (loadId !== this._loadId) return;
      const notFound = error && error.status === 404;
      this._setState(notFound ? 'not-found' : 'error');
      this._renderMessage(
        notFound
          ? 'This member’s achievements are not available.'
          : 'Achievements could not be loaded.'
      );
    }
  }

  _renderMessage(text) {
    this.shadowRoot.replaceChildren(
      h('style', { text: STYLES }),
      h('div', { class: 'card card--message', id: 'card', part: 'card' }, [
        h('p', { class: 'card__empty', id: 'message', text }),
      ])
    );
  }

  _position() {
    const forced = this.getAttribute('position');
    if (POSITIONS.has(forced)) return forced;
    return POSITIONS.has(this._card?.position) ? this._card.position : 'side';
  }

  _badgeArt(badge, size) {
    const art = h('span', { class: 'badge__art', 'aria-hidden': 'true' });
    if (badge.image && badge.image.url) {
      art.append(
        h('img', {
          src: this._asset(badge.image.url),
          alt: '',
          width: size,
          height: size,
          loading: 'lazy',
          decoding: 'async',
        })
      );
    } else {
      art.append(icon('medal', 24));
    }
    return art;
  }

  _render() {
    const config = this._config;
    const card = this._card;
    if (!config || !card) return;
    if (!config.enabled || !card.enabled) {
      // Switched off in the admin: nothing to show, and no empty box left in the page.
      this._setState('disabled');
      this.hidden = true;
      this.shadowRoot.replaceChildren(h('style', { text: STYLES }));
      return;
    }
    this.hidden = false;
    const position = this._position();
    const list = h('ul', { class: 'card__badges', id: 'badges', 'aria-label': 'Badges' });
    for (const badge of card.badges.slice(0, card.badgesToShow)) {
      const tier = TIERS.has(badge.tier) ? badge.tier : 'bronze';
      list.append(
        h(
          'li',
          {
            class: `badge tier-${tier}${badge.featured ? ' badge--featured' : ''}`,
            part: 'badge',
            'data-slug': badge.slug,
            title: `${badge.name} (${tier})${badge.description ? ` — ${badge.description}` : ''}`,
          },
          [this._badgeArt(badge, 64), h('span', { class: 'badge__name', text: badge.name })]
        )
      );
    }
    const summary = `${card.totalEarned} / ${card.totalAvailable} badges · ${plural(card.points, 'point', 'points')}`;
    const open = h('button', {
      type: 'button',
      class: 'card__open',
      id: 'open',
      'aria-haspopup': 'dialog',
      'aria-controls': 'modal',
      text: position === 'header' ? 'View all' : 'View all achievements',
    });
    open.addEventListener('click', () => this.open());
    const section = h(
      'section',
      {
        class: `card card--${position}`,
        id: 'card',
        part: 'card',
        'aria-labelledby': 'card-title',
      },
      [
        h('div', { class: 'card__header' }, [
          h('h2', { class: 'card__title', id: 'card-title' }, [icon('trophy', 18), 'Achievements']),
          h('span', { class: 'card__summary', id: 'summary', text: summary }),
        ]),
        card.badges.length > 0
          ? list
          : h('p', { class: 'card__empty', id: 'empty', text: 'No badges earned yet.' }),
        open,
      ]
    );
    // A click anywhere on the card opens the modal too; the button is the keyboard path.
    section.addEventListener('click', (event) => {
      if (!event.target.closest('button')) this.open();
    });
    this.shadowRoot.replaceChildren(h('style', { text: STYLES }), section, this._dialog());
    this._setState('ready');
  }

  _dialog() {
    const close = h('button', {
      type: 'button',
      class: 'modal__close',
      id: 'close',
      'aria-label': 'Close',
      text: '×',
    });
    close.addEventListener('click', () => this.close());
    const dialog = h(
      'dialog',
      { id: 'modal', part: 'modal', 'aria-labelledby': 'modal-title', 'aria-modal': 'true' },
      [
        h('div', { class: 'modal' }, [
          h('div', { class: 'modal__header' }, [
            h('div', {}, [
              h('h2', {
                class: 'modal__title',
                id: 'modal-title',
                text: `${this._card.user.username}’s achievements`,
              }),
              h('div', { class: 'modal__stats', id: 'stats' }),
            ]),
            close,
          ]),
          h('div', { class: 'modal__body', id: 'categories' }, [
            h('p', { class: 'message', text: 'Loading…' }),
          ]),
        ]),
      ]
    );
    // Escape (the dialog's cancel) closes through close(), so focus goes back where it was.
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      this.close();
    });
    dialog.addEventListener('click', (event) => {
      if (event.target === dialog) this.close(); // a click on the backdrop
    });
    return dialog;
  }

  get isOpen() {
    const dialog = this.shadowRoot.getElementById('modal');
    return !!dialog && dialog.open;
  }

  /** Opens the achievements modal (loads it the first time). */
  async open() {
    const dialog = this.shadowRoot.getElementById('modal');
    if (!dialog || dialog.open) return;
    this._returnFocus = this.shadowRoot.activeElement || document.activeElement;
    dialog.showModal();
    dialog.dataset.state = 'loading';
    this.shadowRoot.getElementById('close').focus();
    document.addEventListener('keydown', this._onKeydown, true);
    this.dispatchEvent(new CustomEvent('achievements-open'));
    try {
      if (!this._modalData) {
        const userId = encodeURIComponent(this.getAttribute('user-id'));
        const [data, credentials] = await Promise.all([
          this._get(`users/${userId}`),
          // Open Badges credentials, when switched on and visible to this viewer: else none.
          this._get(`users/${userId}/credentials`).catch(() => ({ data: [] })),
        ]);
        this._modalData = data;
        this._credentials = new Map((credentials.data || []).map((c) => [c.badge, c]));
      }
      if (!dialog.open) return;
      this._renderModal(this._modalData);
      dialog.dataset.state = 'ready';
    } catch {
      const body = this.shadowRoot.getElementById('categories');
      body.replaceChildren(h('p', { class: 'message', text: 'Achievements could not be loaded.' }));
      dialog.dataset.state = 'error';
    }
  }

  close() {
    const dialog = this.shadowRoot.getElementById('modal');
    if (!dialog || !dialog.open) return;
    dialog.close();
    document.removeEventListener('keydown', this._onKeydown, true);
    const target = this._returnFocus;
    this._returnFocus = null;
    if (target && typeof target.focus === 'function' && target.isConnected) target.focus();
    else this.shadowRoot.getElementById('open')?.focus();
    this.dispatchEvent(new CustomEvent('achievements-close'));
  }

  disconnectedCallback() {
    document.removeEventListener('keydown', this._onKeydown, true);
  }

  /** Escape closes; Tab and Shift+Tab cycle inside the modal (a focus trap). */
  _onKeydown(event) {
    if (!this.isOpen) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      this.close();
      return;
    }
    if (event.key !== 'Tab') return;
    const dialog = this.shadowRoot.getElementById('modal');
    const focusable = [...dialog.querySelectorAll(FOCUSABLE)].filter((el) => !el.disabled);
    if (focusable.length === 0) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const active = this.shadowRoot.activeElement;
    const inside = active && dialog.contains(active);
    if (event.shiftKey && (active === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  }

  _renderModal(data) {
    const stats = this.shadowRoot.getElementById('stats');
    const streak = data.streak;
    stats.replaceChildren(
      h('span', { id: 'points' }, [icon('star'), plural(data.points, 'point', 'points')]),
      h('span', { id: 'earned' }, [
        icon('medal'),
        `${data.totalEarned} / ${data.totalAvailable} badges`,
      ]),
      h(
        'span',
        {
          id: 'streak',
          class: 'streak',
          'data-current': streak.current,
          title: streak.lastActiveDate
            ? `Last active ${streak.lastActiveDate} (${streak.timezone})`
            : 'No activity yet',
        },
        [icon('flame'), `${plural(streak.current, 'day', 'days')} streak · best ${streak.longest}`]
      )
    );
    const body = this.shadowRoot.getElementById('categories');
    if (!data.enabled || data.categories.length === 0) {
      body.replaceChildren(h('p', { class: 'message', text: 'No achievements to show.' }));
      return;
    }
    body.replaceChildren(
      ...data.categories.map((category) => {
        const items = category.badges.map((badge) => this._badgeState(badge));
        if (category.secret.count > 0) {
          const { count, earned } = category.secret;
          items.push(
            h('li', { class: 'state secret', 'data-secret-count': count }, [
              h('span', { class: 'badge__art', 'aria-hidden': 'true' }, [icon('lock', 22)]),
              h('div', {}, [
                h('div', {
                  class: 'state__name',
                  text: plural(count, 'secret badge', 'secret badges'),
                }),
                h('div', {
                  class: 'state__text',
                  text:
                    earned > 0
                      ? `${earned} earned — keep exploring to find out more`
                      : 'Keep exploring to find out',
                }),
              ]),
            ])
          );
        }
        return h(
          'section',
          {
            class: 'category',
            'data-category': category.slug,
            'aria-labelledby': `category-${category.slug}`,
          },
          [
            h('h3', {
              class: 'category__title',
              id: `category-${category.slug}`,
              text: category.name,
            }),
            items.length > 0
              ? h('ul', { class: 'category__badges' }, items)
              : h('p', { class: 'message', text: 'No badges yet.' }),
          ]
        );
      })
    );
  }

  _badgeState(badge) {
    const tier = TIERS.has(badge.tier) ? badge.tier : 'bronze';
    const rarity = `${Math.round(badge.rarity * 1000) / 10}% of members`;
    const details = [h('div', { class: 'state__name', text: badge.name })];
    if (badge.earned) {
      const when = badge.earnedAt ? new Date(badge.earnedAt).toLocaleDateString() : '';
      details.push(
        h('div', { class: 'state__text', text: badge.description || badge.criteriaText }),
        h('div', {
          class: 'state__meta',
          text: `Earned ${when}${badge.timesEarned > 1 ? ` · ×${badge.timesEarned}` : ''} · ${rarity}`,
        })
      );
      const actions = this._credentialActions(badge);
      if (actions) details.push(actions);
    } else {
      const progress = badge.progress || { current: 0, target: 1, percent: 0 };
      details.push(
        h('div', { class: 'state__text', text: badge.criteriaText }),
        h(
          'div',
          {
            class: 'progress',
            role: 'progressbar',
            'aria-valuemin': 0,
            'aria-valuemax': progress.target,
            'aria-valuenow': progress.current,
            'aria-label': `${badge.name}: ${progress.current} of ${progress.target}`,
          },
          [
            h('div', {
              class: 'progress__bar',
              style: `width: ${Math.max(0, Math.min(100, progress.percent))}%`,
            }),
          ]
        ),
        h('div', {
          class: 'state__meta',
          text: `${progress.current} / ${progress.target} · ${rarity}`,
        })
      );
    }
    return h(
      'li',
      {
        class: `state state--${badge.earned ? 'earned' : 'locked'} tier-${tier}`,
        part: 'badge',
        'data-slug': badge.slug,
        tabindex: 0,
      },
      [this._badgeArt(badge, 48), h('div', {}, details)]
    );
  }

  /** "Download credential" as JSON-LD and as a VC-JWT, for an earned badge that has one. */
  _credentialActions(badge) {
    const credential = this._credentials && this._credentials.get(badge.slug);
    if (!badge.earned || !credential) return null;
    const button = (label, accept, extension) => {
      const el = h('button', {
        type: 'button',
        class: 'credential__download',
        part: 'credential-download',
        'data-format': extension,
        text: label,
      });
      el.addEventListener('click', (event) => {
        event.stopPropagation();
        void this._download(credential, badge.slug, accept, extension);
      });
      return el;
    };
    return h('div', { class: 'credential', 'data-credential': credential.achievement.documentId }, [
      button('Download credential (.json)', 'application/ld+json', 'json'),
      button('JWT', 'application/vc+jwt', 'jwt'),
    ]);
  }

  async _download(credential, slug, accept, extension) {
    const headers = { Accept: accept };
    if (this._token) headers.Authorization = `Bearer ${this._token}`;
    const res = await fetch(this._url(`credentials/${credential.achievement.documentId}`), {
      headers,
    });
    if (!res.ok) return;
    const blob = new Blob([await res.text()], { type: accept });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `${slug}-credential.${extension}`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    this.dispatchEvent(
      new CustomEvent('achievements-credential', { detail: { slug, format: extension } })
    );
  }
}

if (typeof customElements !== 'undefined' && !customElements.get('achievements-card')) {
  customElements.define('achievements-card', AchievementsCard);
}
