/**
 * The project's layers (design §6, issue 11), checked by `npm run lint`:
 *
 *   model      plain entity and stored-record types; imports nothing of the project
 *   domain     pure rules over the model (may use the kernel's typed errors)
 *   adapters   DynamoDB, S3, KMS, Step Functions, payment rails: speak the model and domain
 *   services   the use cases: adapters, domain, model; the HTTP contract only as types
 *   http       route table, middleware, cursors: services and below
 *   functions  Lambda entry points: http and services
 *   infra      CDK and the local stack: anything
 *   web        the browser apps: web/ itself, the pure domain and the model
 *
 * `shared/schemas` is the HTTP contract (zod): it may build on the domain and the model, never the
 * other way round. `shared/workflows` is ASL as plain data. The kernel (`shared/errors.ts`,
 * `config.ts`, `logger.ts`, `observer.ts`) is usable from every layer above the model.
 * Any cycle fails, type-only imports included: a cycle of types is a module boundary in the wrong place.
 */
const layer = (name) => `^shared/${name}/`;
const kernel = '^shared/(errors|config|logger|observer|source-stack)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'web-apps-speak-http-only',
      comment:
        'The console and the worker pages run in a browser: they reach the server through the typed API ' +
        'client only, and may share the pure domain rules (ID number, card checks) and the model types.',
      severity: 'error',
      from: { path: '^web/(console|worker|shared)/' },
      to: { path: '^(shared|functions|infra|tests)/', pathNot: `${layer('domain')}|${layer('model')}` },
    },
    {
      name: 'no-cycles',
      comment: 'Modules that import each other (even only types) belong together or need a third module.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'model-is-the-bottom',
      comment: 'The model is plain types: it imports nothing else of the project.',
      severity: 'error',
      from: { path: layer('model') },
      to: { path: '^(shared|functions|infra|web|tests)/', pathNot: layer('model') },
    },
    {
      name: 'domain-is-pure',
      comment: 'Domain rules see the model only: no storage, no use cases, no HTTP, no contract schemas.',
      severity: 'error',
      from: { path: layer('domain') },
      to: {
        path: '^(shared|functions|infra|web|tests)/',
        pathNot: [layer('domain'), layer('model'), '^shared/errors\\.ts$'],
      },
    },
    {
      name: 'adapters-below-services',
      comment: 'Adapters speak the model and the domain; they know no use case, route or contract.',
      severity: 'error',
      from: { path: layer('adapters') },
      to: { path: ['^shared/(services|http|schemas)/', '^(functions|infra|web|tests)/'] },
    },
    {
      name: 'services-below-http',
      comment: 'Use cases never reach up into HTTP (caller, cursors and errors live below it).',
      severity: 'error',
      from: { path: layer('services') },
      to: { path: ['^shared/http/', '^(functions|infra|web|tests)/'] },
    },
    {
      name: 'services-use-the-contract-as-types-only',
      comment: 'A service returns the contract’s shapes; validating them is the edge’s job.',
      severity: 'error',
      from: { path: layer('services') },
      to: { path: layer('schemas'), dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'contract-above-domain',
      comment: 'The HTTP contract may build on the domain and the model, never on storage or use cases.',
      severity: 'error',
      from: { path: layer('schemas') },
      to: { path: ['^shared/(adapters|services|http|workflows)/', '^(functions|infra|web|tests)/'] },
    },
    {
      name: 'workflows-are-data',
      comment: 'State machine definitions are plain ASL data.',
      severity: 'error',
      from: { path: layer('workflows') },
      to: { path: '^(shared|functions|infra|web|tests)/', pathNot: layer('workflows') },
    },
    {
      name: 'kernel-stays-small',
      comment:
        'Errors, config, the logger (with its stack mapping) and observer are used everywhere, so they use nothing above the model.',
      severity: 'error',
      from: { path: kernel },
      to: { path: '^(shared|functions|infra|web|tests)/', pathNot: [kernel, layer('model')] },
    },
    {
      name: 'http-below-functions',
      comment: 'Shared code never reaches into entry points, infrastructure, pages or tests.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(functions|infra|web|tests)/' },
    },
    {
      name: 'functions-below-infra',
      comment: 'Lambda entry points are deployed by infra, not the other way round.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(infra|web|tests)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules', '^cdk\\.out', '^\\.data'] },
    // Type-only imports are edges too: they are what the type-cycle rule is about.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
