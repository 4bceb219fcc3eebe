/** Admin entry of the plugin package (built to dist/admin by `strapi-plugin build`). */
export { default } from './admin/src';
