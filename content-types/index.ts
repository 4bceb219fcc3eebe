/**
 * The plugin's content types. badge and category are edited by people (content manager and the
 * plugin's pages); the rest are the engine's own records, hidden from the builders. Members are
 * referenced by plain integer columns (userId, badgeId) rather than relations: Strapi keeps
 * relations in link tables, where no unique constraint over (user, badge, sequence) is possible.
 */
import badge from './badge';
import category from './category';
import achievement from './achievement';
import progress from './progress';
import streak from './streak';
import event from './event';
import preference from './preference';
import credential from './credential';
import credentialKey from './credential-key';
import statusList from './status-list';
import erasure from './erasure';
import tombstone from './tombstone';
import notification from './notification';
import digest from './digest';
import point from './point';
import pointTotal from './point-total';
import streamTicket from './stream-ticket';

export default {
  badge,
  category,
  achievement,
  progress,
  streak,
  event,
  preference,
  credential,
  'credential-key': credentialKey,
  'status-list': statusList,
  erasure,
  tombstone,
  notification,
  digest,
  point,
  'point-total': pointTotal,
  'stream-ticket': streamTicket,
};
