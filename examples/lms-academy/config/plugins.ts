import fs from 'fs';
import path from 'path';

/** The plugin under development is this repository's root package: find it wherever this file runs from (src or dist). */
const findPluginRoot = (from: string): string => {
  let dir = from;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'strapi-plugin-achievements') {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('strapi-plugin-achievements not found above ' + from);
    dir = parent;
  }
};

export default ({ env }) => ({
  'users-permissions': {
    config: {
      jwtSecret: env('JWT_SECRET', 'demo-jwt-secret'),
      register: { allowedFields: [] },
    },
  },
  achievements: {
    enabled: true,
    resolve: findPluginRoot(__dirname),
    config: {},
  },
});
