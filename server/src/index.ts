/**
 * The plugin's server: Strapi loads this object (built to dist/server) through the package's
 * `./strapi-server` export. Every block lives in its own folder; the rule engine itself is pure
 * and lives in the top-level `engine/` folder.
 */
import register from './register';
import bootstrap from './bootstrap';
import destroy from './destroy';
import config from './config';
import contentTypes from '../../content-types';
import controllers from './controllers';
import routes from './routes';
import services from './services';
import policies from './policies';
import middlewares from './middlewares';

export default {
  register,
  bootstrap,
  destroy,
  config,
  contentTypes,
  controllers,
  routes,
  services,
  policies,
  middlewares,
};
