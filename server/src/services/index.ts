import settings from './settings';
import permissions from './permissions';
import triggers from './triggers';
import events from './events';
import catalog from './catalog';
import achievements from './achievements';
import outbox from './outbox';
import admin from './admin';
import evaluator from './evaluator';
import badges from './badges';
import seed from './seed';
import members from './members';
import statistics from './statistics';
import card from './card';
import memberPage from './member-page';
import badgeList from './badge-list';
import badgeEditor from './badge-editor';
import categoryEditor from './category-editor';
import recalculation from './recalculation';
import credentials from './credentials';
import privacy from './privacy';
import notifications from './notifications';
import digests from './digests';
import points from './points';
import leaderboards from './leaderboards';
import notificationStream from './notification-stream';
import streamTickets from './stream-tickets';
import insights from './insights';

export default {
  settings,
  permissions,
  triggers,
  events,
  catalog,
  achievements,
  outbox,
  admin,
  evaluator,
  badges,
  seed,
  members,
  statistics,
  card,
  memberPage,
  badgeList,
  badgeEditor,
  categoryEditor,
  recalculation,
  credentials,
  privacy,
  notifications,
  digests,
  points,
  leaderboards,
  notificationStream,
  streamTickets,
  insights,
};
