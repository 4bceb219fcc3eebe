/** Server entry of the plugin package (built to dist/server by `strapi-plugin build`). */
export { default } from './server/src';
