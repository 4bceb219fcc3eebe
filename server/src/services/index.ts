import settings from './settings';
import permissions from './permissions';

export default {
  settings,
  permissions,
};
