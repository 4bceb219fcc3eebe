#!/usr/bin/env node
/** Writes the default badges' SVG artwork to assets/badges (run once; the output is committed). */
import fs from 'node:fs';
import path from 'node:path';

const TIERS = {
  bronze: ['#f3c49b', '#b0693a', '#7a4321'],
  silver: ['#f4f6f9', '#a9b3c1', '#5f6b7a'],
  gold: ['#fff1a8', '#e0a82e', '#9a6a0c'],
  platinum: ['#e9f6ff', '#7fb8d9', '#3b6d8c'],
};
// Simple glyphs drawn on a 64×64 grid, centred at 32,32.
const GLYPHS = {
  camera:
    '<rect x="18" y="24" width="28" height="20" rx="4"/><circle cx="32" cy="34" r="6" fill="none" stroke-width="3"/><rect x="26" y="19" width="12" height="6" rx="2"/>',
  quill: '<path d="M42 18c-10 2-18 10-20 24l-3 6 6-3c14-2 22-10 24-20z"/>',
  link: '<path d="M27 37l10-10" stroke-width="4"/><rect x="17" y="31" width="14" height="10" rx="5" transform="rotate(-45 24 36)" fill="none" stroke-width="3"/><rect x="33" y="23" width="14" height="10" rx="5" transform="rotate(-45 40 28)" fill="none" stroke-width="3"/>',
  person: '<circle cx="32" cy="25" r="7"/><path d="M19 46c1-8 6-12 13-12s12 4 13 12z"/>',
  book: '<path d="M18 22h12c2 0 2 2 2 2v22c0-2-2-2-2-2H18zM46 22H34c-2 0-2 2-2 2v22c0-2 2-2 2-2h12z"/>',
  stack:
    '<rect x="20" y="20" width="24" height="6" rx="2"/><rect x="20" y="29" width="24" height="6" rx="2"/><rect x="20" y="38" width="24" height="6" rx="2"/>',
  cap: '<path d="M32 20l18 8-18 8-18-8z"/><path d="M22 32v7c0 3 5 5 10 5s10-2 10-5v-7l-10 4z"/>',
  flame:
    '<path d="M32 16c2 8 12 12 12 22a12 12 0 0 1-24 0c0-6 4-8 5-13 2 4 4 5 5 5 0-5-1-9 2-14z"/>',
  speech:
    '<path d="M18 20h28a3 3 0 0 1 3 3v14a3 3 0 0 1-3 3H30l-8 7v-7h-4a3 3 0 0 1-3-3V23a3 3 0 0 1 3-3z"/>',
  hand: '<path d="M24 46V28a3 3 0 0 1 6 0v-6a3 3 0 0 1 6 0v4a3 3 0 0 1 6 0v4a3 3 0 0 1 5 2v6c0 6-4 10-10 10h-5c-4 0-6-2-8-4z"/>',
  heart: '<path d="M32 46s-14-8-14-18a7 7 0 0 1 14-2 7 7 0 0 1 14 2c0 10-14 18-14 18z"/>',
  star: '<path d="M32 16l4.7 10.2 11.1 1.2-8.3 7.5 2.4 11L32 40.4 22.1 46l2.4-11-8.3-7.5 11.1-1.2z"/>',
  trophy:
    '<path d="M22 18h20v8a10 10 0 0 1-20 0zM28 36h8v6h5v4H23v-4h5z"/><path d="M22 21h-5v3a6 6 0 0 0 6 6M42 21h5v3a6 6 0 0 1-6 6" fill="none" stroke-width="3"/>',
  calendar:
    '<rect x="18" y="20" width="28" height="26" rx="3" fill="none" stroke-width="3"/><path d="M18 28h28" stroke-width="3"/><rect x="23" y="33" width="5" height="5"/><rect x="30" y="33" width="5" height="5"/><rect x="37" y="33" width="5" height="5"/>',
  crown: '<path d="M17 42l3-18 8 8 4-12 4 12 8-8 3 18z"/>',
};
const ART = {
  'profile-picture': ['bronze', 'camera'],
  'complete-bio': ['bronze', 'quill'],
  'social-links': ['bronze', 'link'],
  'complete-profile': ['silver', 'person'],
  'first-lesson': ['bronze', 'book'],
  'module-complete': ['silver', 'stack'],
  'course-complete': ['gold', 'cap'],
  'streak-3': ['bronze', 'flame'],
  'streak-7': ['silver', 'flame'],
  'streak-30': ['gold', 'flame'],
  'first-post': ['bronze', 'speech'],
  commenter: ['silver', 'speech'],
  helpful: ['silver', 'hand'],
  'reactions-10': ['silver', 'heart'],
  'reactions-50': ['gold', 'heart'],
  'five-badges': ['silver', 'star'],
  'points-1000': ['gold', 'trophy'],
  'active-30-days': ['gold', 'calendar'],
  completionist: ['platinum', 'crown'],
};
const out = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../assets/badges');
fs.mkdirSync(out, { recursive: true });
for (const [slug, [tier, glyph]] of Object.entries(ART)) {
  const [light, mid, dark] = TIERS[tier];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="128" height="128" role="img" aria-label="${slug}">
  <defs><radialGradient id="g" cx="35%" cy="30%" r="75%"><stop offset="0" stop-color="${light}"/><stop offset=".6" stop-color="${mid}"/><stop offset="1" stop-color="${dark}"/></radialGradient></defs>
  <path d="M32 2l26 10v20c0 15-11 26-26 30C17 58 6 47 6 32V12z" fill="url(#g)" stroke="${dark}" stroke-width="2"/>
  <path d="M32 8l20 8v16c0 11-8 20-20 24-12-4-20-13-20-24V16z" fill="none" stroke="${light}" stroke-opacity=".7" stroke-width="1.5"/>
  <g fill="#ffffff" stroke="#ffffff" stroke-linejoin="round" stroke-linecap="round" opacity=".95">${GLYPHS[glyph]}</g>
</svg>
`;
  fs.writeFileSync(path.join(out, `${slug}.svg`), svg);
}
console.log(`wrote ${Object.keys(ART).length} badges to ${out}`);
