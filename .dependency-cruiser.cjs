// Layer rules for the monorepo, checked by `npm run layers` (part of `npm test`).
// Paths in these rules are the real files: imports such as `@0bit/db/connection` resolve
// through node_modules/@0bit/db (a workspace symlink) to packages/db/src/connection.ts,
// because symlinks are followed (preserveSymlinks: false) and the packages' `exports`
// maps are honoured (enhancedResolveOptions below). Without that, a cross-app import by
// package name would look like an npm dependency and slip past rules 1 and 2.
// apps/server/test/layers.test.ts proves it: a violation by package name is caught, the real tree passes.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // 1. Apps are separate products that share code only through packages/*. Only the
    //    composition root (apps/server) knows every app and wires them into one process.
    {
      name: 'no-app-imports-another-app',
      comment:
        'An app may not import another app: move shared code into packages/*, or wire it in the composition root apps/server.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/src/', pathNot: ['^apps/server/', '^apps/widget/'] },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    // 1a. The widget is 0Gate's browser client: it imports the shapes of the API's widget routes
    //     as types (erased by the build, so no server code reaches the browser), and nothing else of an app.
    {
      name: 'widget-imports-only-api-shapes',
      comment: 'apps/widget may import from another app only the types of apps/api/src/domain/shapes.ts.',
      severity: 'error',
      from: { path: '^apps/widget/src/' },
      to: { path: '^apps/', pathNot: ['^apps/widget/', '^apps/api/src/domain/shapes\\.ts$'] },
    },
    {
      name: 'widget-imports-api-shapes-as-types-only',
      comment:
        'apps/widget may import apps/api/src/domain/shapes.ts only with `import type` (the route shapes).',
      severity: 'error',
      from: { path: '^apps/widget/src/' },
      to: { path: '^apps/api/src/domain/shapes\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    // 1b. A test may start another app (e.g. apps/widget/test starts the 0Gate API) through that
    //     app's published harness, `@0bit/<app>/test-support/*` = apps/<app>/test/support/*.
    //     It may not reach into the other app's src: that would couple the test to internals
    //     the harness exists to hide. apps/server/test is the composition root's and may.
    {
      name: 'app-tests-use-only-another-apps-test-support',
      comment:
        "A test may start another app only through its harness @0bit/<app>/test-support/*, never import that app's src or other tests.",
      severity: 'error',
      from: { path: '^apps/([^/]+)/test/', pathNot: '^apps/server/' },
      to: { path: '^apps/', pathNot: ['^apps/$1/', '^apps/[^/]+/test/support/'] },
    },
    // 2. Packages are the shared base every app builds on; if one imported an app (or an
    //    example partner) the dependency would run upwards and the apps could not be split.
    {
      name: 'packages-import-no-app-or-example',
      comment: 'packages/*/src may not import apps/* or examples/*: packages sit below the apps.',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/' },
      to: { path: '^(apps|examples)/' },
    },
    // 2b. Package tests follow rule 1b: they may start an app through its test-support harness
    //     (packages/gate/test runs the SDK against the 0Gate API), nothing else from apps.
    {
      name: 'package-tests-use-only-app-test-support',
      comment: "A package's test may start an app only through @0bit/<app>/test-support/*.",
      severity: 'error',
      from: { path: '^packages/[^/]+/test/' },
      to: { path: '^(apps|examples)/', pathNot: '^apps/[^/]+/test/support/' },
    },
    // 3. Inside an app, requests flow http → domain → store. http parses and shapes
    //    responses, domain holds the rules, store holds the SQL. Skipping a layer (http
    //    reading tables) or pointing one upwards (store knowing domain types) lets rules
    //    and SQL leak into places nobody looks for them.
    {
      name: 'http-does-not-touch-store',
      comment:
        'src/http may use src/domain, never src/store: go through a domain function. Type-only imports of row and store interface types are allowed (erased at run time; a route hands rows to domain code).',
      severity: 'error',
      from: { path: '^apps/(api|exchange|hub)/src/http/' },
      to: { path: '^apps/$1/src/store/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-does-not-know-http',
      comment: 'src/domain may use src/store, never src/http.',
      severity: 'error',
      from: { path: '^apps/(api|exchange|hub)/src/domain/' },
      to: { path: '^apps/$1/src/http/' },
    },
    {
      name: 'store-is-the-bottom-layer',
      comment:
        'src/store imports neither src/http nor src/domain: types it needs live in the store or in @0bit/core.',
      severity: 'error',
      from: { path: '^apps/(api|exchange|hub)/src/store/' },
      to: { path: '^apps/$1/src/(http|domain)/' },
    },
    // 4. A cycle makes module load order matter (an import is undefined while its cycle
    //    partner is still evaluating) and makes the layers above meaningless. A cycle closed only
    //    by `import type` is erased before anything runs, so it does not count: the SDK's resource
    //    classes (packages/gate/src/node/resources.ts) type their GateClient that way.
    {
      name: 'no-circular-in-src',
      comment:
        'No runtime import cycles between source files (type-only imports are erased and do not count).',
      severity: 'error',
      from: { path: '^(apps|packages)/[^/]+/src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    // Third-party code is not ours to check; built bundles are copies of src.
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    // Count `import type` too: a type import is still a dependency on the layer it names.
    tsPreCompilationDeps: true,
    // Read dependencies from the root and each workspace package.json alike.
    combinedDependencies: true,
    // Follow workspace symlinks to the real apps/... and packages/... paths (see top).
    preserveSymlinks: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};
