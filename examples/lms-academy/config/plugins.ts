import fs from 'fs';
import path from 'path';

/** The plugin under development is this repository's root package: find it from src or dist. */
const findPluginRoot = (from: string): string => {
  let dir = from;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (
      fs.existsSync(manifest) &&
      JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'strapi-plugin-achievements'
    ) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('strapi-plugin-achievements not found above ' + from);
    dir = parent;
  }
};

/**
 * How the academy's writes become achievement events. The plugin knows nothing of these
 * content types: this mapping is the whole contract.
 */
const triggers = [
  {
    uid: 'api::lesson-completion.lesson-completion',
    action: 'create',
    event: 'lesson.completed',
    user: 'user',
    subject: 'lesson',
    occurredAt: 'completedAt',
    scope: 'lesson.module.course',
  },
  {
    uid: 'api::module-completion.module-completion',
    action: 'create',
    event: 'module.completed',
    user: 'user',
    subject: 'module',
    occurredAt: 'completedAt',
    scope: 'module.course',
  },
  {
    uid: 'api::enrollment.enrollment',
    action: 'update',
    event: 'course.completed',
    user: 'user',
    subject: 'course',
    occurredAt: 'completedAt',
    when: { status: 'completed' },
    scope: 'course',
  },
  { uid: 'api::post.post', action: 'publish', event: 'post.published', user: 'author' },
  {
    uid: 'api::post.post',
    action: 'unpublish',
    event: 'post.retracted',
    user: 'author',
    retracts: 'post.published',
  },
  {
    uid: 'api::post.post',
    action: 'delete',
    event: 'post.retracted',
    user: 'author',
    retracts: 'post.published',
  },
  {
    uid: 'api::comment.comment',
    action: 'create',
    event: 'comment.created',
    user: 'author',
    // A comment on one's own post is talking to oneself: it earns nothing.
    owner: 'post.author',
    data: ['post'],
  },
  {
    uid: 'api::comment.comment',
    action: 'update',
    event: 'comment.helpful',
    user: 'author',
    when: { helpful: true },
  },
  {
    uid: 'api::reaction.reaction',
    action: 'create',
    event: 'reaction.received',
    user: ['post.author', 'comment.author'],
    actor: 'author',
    data: ['kind'],
  },
  {
    uid: 'api::reaction.reaction',
    action: 'delete',
    event: 'reaction.withdrawn',
    user: ['post.author', 'comment.author'],
    actor: 'author',
    retracts: 'reaction.received',
  },
];

export default ({ env }) => ({
  // Strapi's email plugin sends the achievements' digests. The academy talks SMTP to a local
  // mail catcher (`npm run demo` starts one; tests start a real SMTP server on a free port).
  email: {
    config: {
      provider: 'nodemailer',
      providerOptions: {
        host: env('SMTP_HOST', '127.0.0.1'),
        port: env.int('SMTP_PORT', 1025),
        secure: false,
        // A local catcher offers no TLS; a real relay sets SMTP_TLS=true (and SMTP_USER/PASS).
        ignoreTLS: !env.bool('SMTP_TLS', false),
        ...(env('SMTP_USER') ? { auth: { user: env('SMTP_USER'), pass: env('SMTP_PASS') } } : {}),
      },
      settings: {
        defaultFrom: env('EMAIL_FROM', 'academy@localhost'),
        defaultReplyTo: env('EMAIL_REPLY_TO', 'academy@localhost'),
      },
    },
  },
  'users-permissions': {
    config: {
      // No default: a public secret lets anyone sign member tokens (see config/admin.ts).
      jwtSecret: env('JWT_SECRET'),
      // 'refresh' (session tokens { userId, sessionId, type }) is what create-strapi-app 5.54
      // writes; 'legacy-support' ({ id } tokens) is the plugin's default. Tests run both.
      jwtManagement: env('USERS_PERMISSIONS_JWT_MANAGEMENT', 'refresh'),
      register: { allowedFields: [] },
    },
  },
  achievements: {
    enabled: true,
    resolve: findPluginRoot(__dirname),
    config: {
      triggers,
      externalEvents: ['lesson.watched'],
      oldestEvent: env('ACHIEVEMENTS_OLDEST_EVENT', '1990-01-01'),
      defaultTimezone: env('ACHIEVEMENTS_DEFAULT_TIMEZONE', 'UTC'),
      freezesPerMonth: env.int('ACHIEVEMENTS_FREEZES_PER_MONTH', 0),
      processing: {
        pollIntervalMs: env.int('ACHIEVEMENTS_POLL_MS', 5000),
        batchSize: env.int('ACHIEVEMENTS_BATCH_SIZE', 200),
        leaseMs: env.int('ACHIEVEMENTS_LEASE_MS', 60000),
        coalesceMs: env.int('ACHIEVEMENTS_COALESCE_MS', 100),
        engine: env.bool('ACHIEVEMENTS_ENGINE', true),
      },
      streams: {
        pollIntervalMs: env.int('ACHIEVEMENTS_STREAM_POLL_MS', 500),
        heartbeatMs: env.int('ACHIEVEMENTS_STREAM_HEARTBEAT_MS', 25000),
        ticketTtlMs: env.int('ACHIEVEMENTS_STREAM_TICKET_TTL_MS', 60000),
      },
    },
  },
});
