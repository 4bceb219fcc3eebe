/**
 * What the plugin's web components share: the theme (the --ach-* custom properties, light and
 * dark through prefers-color-scheme or a `theme` attribute), building elements with text only,
 * line icons, the page's language and the API's address. Imported by achievements-card.js,
 * achievements-notifier.js and achievements-leaderboard.js; served beside them at
 * /api/achievements/achievements-shared.js, so their relative import works from the Strapi
 * server as well as from a bundler.
 */

const LIGHT = `
  --ach-font: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  --ach-bg: #ffffff;
  --ach-fg: #1f2330;
  --ach-muted: #666a7a;
  --ach-border: #e3e4ea;
  --ach-accent: #4945ff;
  --ach-radius: 12px;
  --ach-shadow: 0 8px 32px rgba(20, 20, 40, 0.18);
  --ach-bronze: #b87333;
  --ach-silver: #9ea3ad;
  --ach-gold: #d4a017;
  --ach-platinum: #6bc5d2;`;

const DARK = `
  --ach-bg: #1c1c26;
  --ach-fg: #ececf3;
  --ach-muted: #a5a5ba;
  --ach-border: #34344a;
  --ach-accent: #7b79ff;`;

/**
 * The host's theme: the shared custom properties plus a component's own (`light` and `dark`
 * declarations), dark when the system is dark unless theme="light", or when theme="dark".
 */
export const themeStyles = ({ display = 'block', light = '', dark = '' } = {}) => `
:host {${LIGHT}${light}
  display: ${display};
  font-family: var(--ach-font);
  color: var(--ach-fg);
}
@media (prefers-color-scheme: dark) {
  :host(:not([theme='light'])) {${DARK}${dark}
  }
}
:host([theme='dark']) {${DARK}${dark}
}
:host([hidden]), [hidden] { display: none !important; }
* { box-sizing: border-box; }
`;

/** Builds an element; text is always set with textContent, never parsed as HTML. */
export const h = (tag, attrs = {}, children = []) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of [].concat(children)) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
};

/** A 24×24 line icon drawn with currentColor from one SVG path. */
export const svgIcon = (d, size = 16, className = 'icon') => {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  for (const [k, v] of Object.entries({
    viewBox: '0 0 24 24',
    width: size,
    height: size,
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': 2,
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
    'aria-hidden': 'true',
    class: className,
  })) {
    svg.setAttribute(k, String(v));
  }
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', d);
  svg.append(path);
  return svg;
};

/** The element's language: its `lang`, the nearest ancestor's, then the browser's. */
export const langOf = (element, supported) => {
  const lang = (
    element.getAttribute('lang') ||
    element.closest('[lang]')?.getAttribute('lang') ||
    navigator.language ||
    'en'
  )
    .slice(0, 2)
    .toLowerCase();
  return supported.includes(lang) ? lang : 'en';
};

/** The plugin's content API for an element's `api-url` (default /api/achievements), with a trailing slash. */
export const apiBase = (element) => {
  const base = element.getAttribute('api-url') || '/api/achievements';
  return new URL(base.replace(/\/+$/, '') + '/', document.baseURI).href;
};
