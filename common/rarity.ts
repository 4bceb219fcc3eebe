/**
 * The share of members who hold a badge: holders ÷ members who can earn (not blocked), at most 1
 * (holders may include members blocked since), rounded to 4 decimals (a tenth of a percent shows
 * as one decimal). The one definition the admin and the member API both use.
 */
export const rarity = (holders: number, members: number): number =>
  members > 0 ? Math.round(Math.min(1, holders / members) * 10_000) / 10_000 : 0;
