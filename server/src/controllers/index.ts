import settings from './settings';
import config from './config';

export default {
  settings,
  config,
};
