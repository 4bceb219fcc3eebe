import path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const APP_DIR = path.join(REPO_ROOT, 'examples/lms-academy');
export const DIST_DIR = path.join(APP_DIR, 'dist');
