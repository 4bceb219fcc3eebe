import settings from './settings';
import config from './config';
import events from './events';
import members from './members';
import badges from './badges';
import openapi from './openapi';
import adminBadges from './admin-badges';
import adminCategories from './admin-categories';
import adminMembers from './admin-members';
import adminRecalculate from './admin-recalculate';
import credentials from './credentials';
import adminCredentials from './admin-credentials';

export default {
  settings,
  config,
  events,
  members,
  badges,
  openapi,
  'admin-badges': adminBadges,
  'admin-categories': adminCategories,
  'admin-members': adminMembers,
  'admin-recalculate': adminRecalculate,
  credentials,
  'admin-credentials': adminCredentials,
};
