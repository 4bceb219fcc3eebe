/** LOG_LEVEL=error keeps test output readable; the demo logs every request. */
export default ({ env }) => ({ level: env('LOG_LEVEL', 'http') });
