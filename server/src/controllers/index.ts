import settings from './settings';
import config from './config';
import events from './events';
import members from './members';
import badges from './badges';
import openapi from './openapi';

export default {
  settings,
  config,
  events,
  members,
  badges,
  openapi,
};
