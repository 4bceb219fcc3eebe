/**
 * The integration tier's test environment: Node's, plus a check that no test makes node-postgres
 * deprecate a query. pg 8 warns (`DeprecationWarning: Calling client.query() when the client is
 * already executing a query …`) when a query is handed to a connection that is busy with two
 * others, e.g. a `Promise.all` of queries inside a transaction; pg 9 refuses it. Such a warning
 * fails the test during which it was emitted (or the file, outside any test), with its stack.
 *
 * Exempt — the warning is still printed — are paths of Strapi 5.54 itself that do this whatever
 * their caller asks for (strapi/strapi#27645; the fix, strapi/strapi#27644, is not released): the
 * document service's `publish` (it reads the draft with every relation populated at once), the
 * content manager's controllers, and a stack with no frame outside node_modules (Strapi's own
 * fan-out, whose caller was lost on the way, e.g. through p-map). Everything else — the plugin,
 * the academy, fixtures — must not. pg warns once per loaded copy of it, i.e. once per test file:
 * an exempt warning hides any later one in the same file.
 *
 * `process.on('warning')` inside a test sees nothing: jest gives each test file its own copy of
 * `process`. The environment runs outside that sandbox, on the real one.
 */
const { TestEnvironment } = require('jest-environment-node');

const PG_DEPRECATION = /\bpg@9\b/;
const STRAPI_CORE = [
  /\bat (?:async )?publish \([^)]*@strapi[\\/]core[\\/][^)]*document-service[\\/]repository\./,
  /@strapi[\\/]content-manager[\\/]/,
];

/** A frame of code of this repository: the plugin, the academy, tests, benchmarks. */
const OURS = /^\s*at (?:.*? \()?((?:[A-Za-z]:)?[\\/][^():]*):\d+:\d+\)?$/;
const ours = (line) => {
  const file = OURS.exec(line)?.[1];
  return Boolean(file) && !/[\\/]node_modules[\\/]/.test(file);
};

const exempt = (warning) => {
  const stack = String(warning.stack);
  if (STRAPI_CORE.some((frame) => frame.test(stack))) return true;
  return !stack.split('\n').slice(1).some(ours);
};

const failure = (warnings, where) =>
  new Error(
    `node-postgres deprecated ${warnings.length === 1 ? 'a query' : `${warnings.length} queries`} ${where}` +
      ' (concurrent queries on one connection: run them one after another):\n\n' +
      warnings.map((w) => w.stack).join('\n\n')
  );

class IntegrationEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.pending = [];
    this.onWarning = (warning) => {
      if (warning.name === 'DeprecationWarning' && PG_DEPRECATION.test(warning.message)) {
        if (!exempt(warning)) this.pending.push(warning);
      }
    };
  }

  async setup() {
    await super.setup();
    // Enough frames to reach the caller through pg, knex and Strapi's query layers.
    Error.stackTraceLimit = Math.max(Error.stackTraceLimit, 100);
    process.on('warning', this.onWarning);
  }

  async teardown() {
    process.off('warning', this.onWarning);
    await super.teardown();
  }

  handleTestEvent(event, state) {
    if (event.name === 'test_start') {
      // Emitted before this test (a beforeAll, or work left running by an earlier test).
      if (this.pending.length) state.unhandledErrors.push(failure(this.pending, 'before a test'));
      this.pending = [];
    } else if (event.name === 'test_done') {
      if (this.pending.length) event.test.errors.push(failure(this.pending, 'during this test'));
      this.pending = [];
    } else if (event.name === 'run_finish') {
      if (this.pending.length) state.unhandledErrors.push(failure(this.pending, 'after the tests'));
      this.pending = [];
    }
  }
}

module.exports = IntegrationEnvironment;
