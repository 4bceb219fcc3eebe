import type { ResolvedConfig } from './resolve';

/** users-permissions users are watched without configuration: they produce this event. */
export const PROFILE_EVENT = 'profile.updated';

interface EventVocabulary {
  /** Every event the app can produce: trigger events, externalEvents, profile.updated; sorted. */
  known: string[];
  knownSet: ReadonlySet<string>;
  /** retracting event → the event it cancels. */
  retractions: Record<string, string>;
}

const vocabularies = new WeakMap<ResolvedConfig, EventVocabulary>();

/**
 * The events this app's config produces, derived once per config object: what events may be
 * recorded, which criteria may name, and which retract which. A pure function of the config,
 * so the ledger, the catalog and settings need no service to ask.
 */
export const eventVocabulary = (config: ResolvedConfig): EventVocabulary => {
  let vocabulary = vocabularies.get(config);
  if (!vocabulary) {
    const knownSet = new Set([
      PROFILE_EVENT,
      ...config.triggers.map((t) => t.event),
      ...config.externalEvents,
    ]);
    vocabulary = {
      known: [...knownSet].sort(),
      knownSet,
      retractions: Object.fromEntries(
        config.triggers.filter((t) => t.retracts).map((t) => [t.event, t.retracts!])
      ),
    };
    vocabularies.set(config, vocabulary);
  }
  return vocabulary;
};
