/**
 * <achievements-leaderboard>: a board (the site, or one course) for a calendar period, with
 * the signed-in member's own rank even when they are outside the top of it.
 *
 *   <script type="module" src="https://cms.example.com/api/achievements/leaderboard.js"></script>
 *   <achievements-leaderboard board="site" period="week" api-url="https://cms.example.com/api/achievements">
 *   </achievements-leaderboard>
 *   <script type="module">
 *     document.querySelector('achievements-leaderboard').token = memberJwt; // optional
 *   </script>
 *
 * Or, with a bundler: `import 'strapi-plugin-achievements/leaderboard';`
 *
 * Attributes
 *   board      site (default) or course:<documentId>
 *   period     week (default) | month | all: the period switcher starts there
 *   at         a past or future period (2026-W49, 2026-12); default: the current one
 *   page-size  members shown (default 10, at most 100)
 *   api-url    the plugin's content API (default: /api/achievements on this origin)
 *   theme      light | dark, to override prefers-color-scheme
 *   lang       en | fr (default: the page's lang, then the browser's language)
 * Properties
 *   token      the member's users-permissions JWT: their row is highlighted and "Your rank"
 *              shown (`GET /me/rank`), even outside the top
 * Events
 *   achievements-leaderboard-load   detail: { board, rank } after each load
 *
 * It reads `GET /leaderboards/:board?period=&at=&pageSize=` and, with a token, `GET /me/rank`.
 * Previous/next move a period at a time (past periods stay readable); the switcher is a
 * tablist (arrow keys, Home, End). Data is inserted with textContent only. The host carries
 * `data-state`: loading, ready, empty or error.
 * Theming: the --ach-* custom properties of <achievements-card>, or ::part(board),
 * ::part(periods), ::part(nav), ::part(list), ::part(entry), ::part(me), ::part(rank).
 */

import { apiBase, h, langOf, svgIcon, themeStyles } from './achievements-shared.js';

const STYLES = `${themeStyles({
  light: `
  --ach-me-bg: color-mix(in srgb, var(--ach-accent) 12%, transparent);`,
})}
.board {
  background: var(--ach-bg); border: 1px solid var(--ach-border); border-radius: var(--ach-radius);
  padding: 16px; display: grid; gap: 12px;
}
.board__header { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px; }
.board__title { margin: 0; font-size: 1rem; font-weight: 650; display: inline-flex; align-items: center; gap: 6px; }
.board__title .icon { color: var(--ach-gold); }
button { font: inherit; color: inherit; cursor: pointer; }
button:focus-visible { outline: 2px solid var(--ach-accent); outline-offset: 2px; }
.periods { display: inline-flex; border: 1px solid var(--ach-border); border-radius: 999px; padding: 2px; }
.periods button {
  border: none; background: transparent; padding: 4px 12px; border-radius: 999px; font-size: 0.85rem;
}
.periods button[aria-selected='true'] { background: var(--ach-accent); color: #fff; }
.nav { display: flex; align-items: center; justify-content: space-between; gap: 8px; }
.nav button {
  border: 1px solid var(--ach-border); background: var(--ach-bg); border-radius: 8px;
  width: 32px; height: 32px; display: grid; place-items: center;
}
.nav button:disabled { opacity: 0.4; cursor: default; }
.nav__label { font-size: 0.9rem; color: var(--ach-muted); text-align: center; }
.list { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; }
.entry {
  display: grid; grid-template-columns: 3ch 1fr auto auto; gap: 12px; align-items: center;
  padding: 8px 10px; border-radius: 8px; font-size: 0.92rem;
}
.entry--me { background: var(--ach-me-bg); outline: 1px solid var(--ach-accent); font-weight: 600; }
.entry__rank { font-weight: 700; text-align: right; font-variant-numeric: tabular-nums; }
.entry__rank--1 { color: var(--ach-gold); }
.entry__rank--2 { color: var(--ach-silver); }
.entry__rank--3 { color: var(--ach-bronze); }
.entry__name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.entry__level { color: var(--ach-muted); font-size: 0.8rem; }
.entry__points { font-variant-numeric: tabular-nums; text-align: right; }
.rank {
  border-top: 1px solid var(--ach-border); padding-top: 10px; font-size: 0.9rem;
  display: flex; flex-wrap: wrap; justify-content: space-between; gap: 4px 12px;
}
.rank__level { color: var(--ach-muted); }
.message { color: var(--ach-muted); margin: 0; padding: 12px 0; }
@media (prefers-reduced-motion: no-preference) {
  .list { transition: opacity 150ms ease-out; }
  :host([data-state='loading']) .list { opacity: 0.5; }
}
`;

const PERIODS = ['week', 'month', 'all'];

/** Every string the element shows, in English and French. */
const MESSAGES = {
  en: {
    title: 'Leaderboard',
    periods: 'Period',
    week: 'This week',
    month: 'This month',
    all: 'All time',
    weekOf: 'Week',
    previous: 'Previous period',
    next: 'Next period',
    allTime: 'Since the beginning',
    rank: 'Rank',
    member: 'Member',
    level: 'Level',
    points: (n) => `${n.toLocaleString('en')} pts`,
    pointsLong: (n) => `${n.toLocaleString('en')} ${n === 1 ? 'point' : 'points'}`,
    you: 'you',
    yourRank: (rank, of) =>
      `Your rank: #${rank.toLocaleString('en')} of ${of.toLocaleString('en')}`,
    unranked: 'You have no points in this period yet.',
    empty: 'No points in this period yet.',
    error: 'The leaderboard could not be loaded.',
    loading: 'Loading the leaderboard…',
  },
  fr: {
    title: 'Classement',
    periods: 'Période',
    week: 'Cette semaine',
    month: 'Ce mois-ci',
    all: 'Depuis toujours',
    weekOf: 'Semaine',
    previous: 'Période précédente',
    next: 'Période suivante',
    allTime: 'Depuis le début',
    rank: 'Rang',
    member: 'Membre',
    level: 'Niveau',
    points: (n) => `${n.toLocaleString('fr')} pts`,
    pointsLong: (n) => `${n.toLocaleString('fr')} point${n > 1 ? 's' : ''}`,
    you: 'vous',
    yourRank: (rank, of) =>
      `Votre rang : ${rank.toLocaleString('fr')}${rank === 1 ? 'er' : 'e'} sur ${of.toLocaleString('fr')}`,
    unranked: 'Vous n’avez pas encore de points sur cette période.',
    empty: 'Aucun point sur cette période pour l’instant.',
    error: 'Le classement n’a pas pu être chargé.',
    loading: 'Chargement du classement…',
  },
};

const ICONS = {
  trophy: 'M8 21h8M12 17v4M7 4h10v5a5 5 0 0 1-10 0zM7 6H4a3 3 0 0 0 3 4M17 6h3a3 3 0 0 1-3 4',
  previous: 'M15 6l-6 6 6 6',
  next: 'M9 6l6 6-6 6',
};

const DAY = 86_400_000;

/** The ISO week (`2026-W49`) of an instant, read in UTC. */
const isoWeek = (ms) => {
  const d = new Date(ms);
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  thursday.setUTCDate(thursday.getUTCDate() + 4 - (thursday.getUTCDay() || 7));
  const year = thursday.getUTCFullYear();
  const week = Math.ceil(((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
};

const isoMonth = (ms) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};

/**
 * The label of the period before or after one: from the middle of the neighbouring period, so
 * the site's timezone (at most a day away from UTC) cannot tip it into the wrong one.
 */
const neighbour = (period, direction) => {
  if (period.period === 'all' || !period.from || !period.to) return null;
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  const span = period.period === 'week' ? 3.5 * DAY : 15 * DAY;
  const inside = direction < 0 ? from - span : to + span;
  return period.period === 'week' ? isoWeek(inside) : isoMonth(inside);
};

export class AchievementsLeaderboard extends HTMLElement {
  static get observedAttributes() {
    return ['board', 'period', 'at', 'page-size', 'api-url', 'lang'];
  }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this._token = null;
    this._period = null;
    this._at = null;
    this._board = null;
    this._rank = null;
    this._loadId = 0;
    this._focusAfter = null;
  }

  get token() {
    return this._token;
  }

  /** The member's JWT: their row is highlighted and their rank shown; null for none. */
  set token(value) {
    this._token = value || null;
    if (this.isConnected) this.refresh();
  }

  /** The period shown (the switcher's choice, or the attribute). */
  get period() {
    const own = this._period ?? this.getAttribute('period');
    return PERIODS.includes(own) ? own : 'week';
  }

  connectedCallback() {
    if (!this.shadowRoot.firstChild) this.refresh();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue || !this.isConnected || !this.shadowRoot.firstChild) return;
    if (name === 'lang') return this._render();
    if (name === 'period') this._period = null;
    if (name === 'period' || name === 'at') this._at = null;
    this.refresh();
  }

  get _t() {
    return MESSAGES[langOf(this, Object.keys(MESSAGES))];
  }

  get _lang() {
    return langOf(this, Object.keys(MESSAGES));
  }

  get _pageSize() {
    const n = Number.parseInt(this.getAttribute('page-size') || '10', 10);
    return Number.isFinite(n) && n >= 1 ? Math.min(n, 100) : 10;
  }

  async _get(path, params, token) {
    const url = new URL(path, apiBase(this));
    for (const [k, v] of Object.entries(params)) if (v) url.searchParams.set(k, v);
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await fetch(url.href, { headers });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  }

  /** Loads the board (and the member's rank) for the current board, period and `at`. */
  async refresh() {
    const loadId = ++this._loadId;
    const board = this.getAttribute('board') || 'site';
    const period = this.period;
    const at = period === 'all' ? null : (this._at ?? this.getAttribute('at'));
    this.dataset.state = 'loading';
    if (!this._board) this._render();
    const token = this._token;
    try {
      const query = { period, at, pageSize: String(this._pageSize) };
      const [data, rank] = await Promise.all([
        this._get(`leaderboards/${encodeURIComponent(board)}`, query),
        token
          ? this._get('me/rank', { board, period, at }, token).catch(() => null)
          : Promise.resolve(null),
      ]);
      if (loadId !== this._loadId) return;
      this._board = data;
      this._rank = rank;
      this.dataset.state = data.data.length ? 'ready' : 'empty';
      this._render();
      this.dispatchEvent(
        new CustomEvent('achievements-leaderboard-load', { detail: { board: data, rank } })
      );
    } catch {
      if (loadId !== this._loadId) return;
      this._board = null;
      this.dataset.state = 'error';
      this._render();
    }
  }

  _select(period) {
    if (period === this.period) return;
    this._period = period;
    this._at = null;
    this._focusAfter = `[data-period="${period}"]`;
    this.refresh();
  }

  _move(direction) {
    const label = this._board && neighbour(this._board.period, direction);
    if (!label) return;
    this._at = label;
    this._focusAfter = direction < 0 ? '[data-nav="previous"]' : '[data-nav="next"]';
    this.refresh();
  }

  /** The tablist's keys: arrows move and select, Home and End jump. */
  _onTabKey(event) {
    const i = PERIODS.indexOf(this.period);
    const to = {
      ArrowRight: (i + 1) % PERIODS.length,
      ArrowLeft: (i + PERIODS.length - 1) % PERIODS.length,
      Home: 0,
      End: PERIODS.length - 1,
    }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    this._select(PERIODS[to]);
  }

  _bounds(period) {
    const t = this._t;
    if (period.period === 'all' || !period.from || !period.to) return t.allTime;
    const fmt = new Intl.DateTimeFormat(this._lang, {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      timeZone: period.timezone,
    });
    const from = fmt.format(new Date(period.from));
    const last = fmt.format(new Date(Date.parse(period.to) - 1));
    if (period.period === 'month') {
      return new Intl.DateTimeFormat(this._lang, {
        month: 'long',
        year: 'numeric',
        timeZone: period.timezone,
      }).format(new Date(period.from));
    }
    return `${t.weekOf} ${period.label.slice(-2)} · ${from} – ${last}`;
  }

  _render() {
    const t = this._t;
    const period = this.period;
    const tabs = h(
      'div',
      { class: 'periods', role: 'tablist', 'aria-label': t.periods, part: 'periods' },
      PERIODS.map((p) =>
        h('button', {
          type: 'button',
          role: 'tab',
          'data-period': p,
          'aria-selected': String(p === period),
          tabindex: p === period ? '0' : '-1',
          text: t[p],
        })
      )
    );
    tabs.addEventListener('click', (event) => {
      const button = event.target.closest('[data-period]');
      if (button) this._select(button.dataset.period);
    });
    tabs.addEventListener('keydown', (event) => this._onTabKey(event));

    const header = h('div', { class: 'board__header' }, [
      h('h2', { class: 'board__title' }, [svgIcon(ICONS.trophy, 18), t.title]),
      tabs,
    ]);
    const body = [header];
    const data = this._board;
    const state = this.dataset.state;

    if (data) {
      const previous = neighbour(data.period, -1);
      const next = neighbour(data.period, 1);
      // A future period has no points yet: next stops at the current one.
      const current = data.period.to === null || Date.parse(data.period.to) > Date.now();
      const nav = h('div', { class: 'nav', part: 'nav' }, [
        this._navButton('previous', t.previous, !previous),
        h('span', {
          class: 'nav__label',
          'aria-live': 'polite',
          'data-label': data.period.label,
          text: this._bounds(data.period),
        }),
        this._navButton('next', t.next, !next || current),
      ]);
      body.push(nav);
    }

    if (state === 'error') {
      body.push(h('p', { class: 'message', role: 'alert', text: t.error }));
    } else if (!data) {
      body.push(h('p', { class: 'message', text: t.loading }));
    } else if (data.data.length === 0) {
      body.push(h('p', { class: 'message', text: t.empty }));
    } else {
      const me = this._rank?.user?.id;
      body.push(
        h(
          'ol',
          {
            class: 'list',
            part: 'list',
            'aria-label': `${t.title} · ${this._bounds(data.period)}`,
          },
          data.data.map((entry) => {
            const mine = me !== undefined && entry.user.id === me;
            return h(
              'li',
              {
                class: `entry${mine ? ' entry--me' : ''}`,
                part: mine ? 'entry me' : 'entry',
                'aria-current': mine ? 'true' : null,
                'data-user': entry.user.id,
              },
              [
                h('span', {
                  class: `entry__rank entry__rank--${entry.rank}`,
                  text: entry.rank.toLocaleString(this._lang),
                }),
                h('span', {
                  class: 'entry__name',
                  text: mine ? `${entry.user.username} (${t.you})` : entry.user.username,
                }),
                h('span', {
                  class: 'entry__level',
                  title: t.level,
                  text: entry.level ? entry.level.name : '',
                }),
                h('span', { class: 'entry__points', text: t.points(entry.points) }),
              ]
            );
          })
        )
      );
    }
    if (data && this._rank) body.push(this._yourRank(this._rank));

    this.shadowRoot.replaceChildren(
      h('style', { text: STYLES }),
      h(
        'section',
        { class: 'board', part: 'board', 'aria-busy': String(state === 'loading') },
        body
      )
    );
    if (this._focusAfter && state !== 'loading') {
      const target = this.shadowRoot.querySelector(this._focusAfter);
      this._focusAfter = null;
      if (target && !target.disabled) target.focus();
      else this.shadowRoot.querySelector('[role="tab"][aria-selected="true"]')?.focus();
    }
  }

  _navButton(which, label, disabled) {
    const button = h('button', {
      type: 'button',
      'data-nav': which,
      'aria-label': label,
      title: label,
      disabled,
    });
    button.append(svgIcon(ICONS[which], 18));
    button.addEventListener('click', () => this._move(which === 'previous' ? -1 : 1));
    return button;
  }

  _yourRank(rank) {
    const t = this._t;
    const parts = [
      h('strong', {
        'data-rank': rank.rank ?? '',
        text: rank.rank ? t.yourRank(rank.rank, rank.of) : t.unranked,
      }),
    ];
    if (rank.rank) parts.push(h('span', { text: t.pointsLong(rank.points) }));
    if (rank.level) parts.push(h('span', { class: 'rank__level', text: rank.level.name }));
    return h('div', { class: 'rank', part: 'rank', 'aria-live': 'polite' }, parts);
  }
}

if (!customElements.get('achievements-leaderboard')) {
  customElements.define('achievements-leaderboard', AchievementsLeaderboard);
}
