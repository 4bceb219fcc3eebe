import settings from './settings';
import permissions from './permissions';
import database from './database';
import triggers from './triggers';
import events from './events';
import catalog from './catalog';
import streaks from './streaks';
import awards from './awards';
import admin from './admin';
import engine from './engine';
import badges from './badges';
import seed from './seed';
import members from './members';
import backfill from './backfill';
import bulk from './bulk';
import credentials from './credentials';

export default {
  settings,
  permissions,
  database,
  triggers,
  events,
  catalog,
  streaks,
  awards,
  admin,
  engine,
  badges,
  seed,
  members,
  backfill,
  bulk,
  credentials,
};
