/**
 * The layer rules (docs/architecture.md), checked by dependency-cruiser in `npm test`:
 *
 *   routes ─► web ─► services ─► models ─► utils
 *      └────► components ─► schemas ─► utils        (components: UI only, never server code)
 *
 * - app/utils is the foundation: it imports nothing from services, web, components or routes.
 * - services know nothing of Remix, React, Express or the UI; they never import web, components or routes.
 * - routes and components never touch mongoose or the models: they go through services.
 * - nothing outside tests/ imports tests/; there are no import cycles.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "No import cycles: each layer and each module can be read (and loaded) on its own.",
      from: {},
      to: { circular: true },
    },
    {
      name: "utils-is-the-foundation",
      severity: "error",
      comment: "app/utils imports nothing above it.",
      from: { path: "^app/utils/" },
      to: { path: "^app/(services|web|components|routes|models|schemas)/" },
    },
    {
      name: "services-know-no-http-or-ui",
      severity: "error",
      comment: "Domain modules are plain TypeScript: no Remix, React, Express, and no web/, components/ or routes/.",
      from: { path: "^app/services/" },
      to: { path: "^(app/(web|components|routes)/|node_modules/(@remix-run|react|react-dom|express|socket\\.io)/)" },
    },
    {
      name: "models-are-schemas-only",
      severity: "error",
      comment: "Models hold mongoose schemas; they import utils and each other, nothing else of the app.",
      from: { path: "^app/models/" },
      to: { path: "^app/(services|web|components|routes|schemas)/" },
    },
    {
      name: "pages-never-touch-the-database",
      severity: "error",
      comment: "Routes, components and the web edge reach data through services, never mongoose or models.",
      from: { path: "^app/(routes|components|web)/" },
      to: { path: "^(app/models/|node_modules/(mongoose|mongodb)/)" },
    },
    {
      name: "components-are-ui-only",
      severity: "error",
      comment: "Browser code: no server module (type-only imports are erased and allowed).",
      from: { path: "^app/components/" },
      to: { path: "(\\.server\\.tsx?$|^app/(web|services|routes)/|^search/|^server/)", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "no-server-files-in-components",
      severity: "error",
      comment: "A .server module in components/ is route glue in the UI folder; it belongs in app/web or a route folder.",
      from: { path: "^app/components/.+\\.server\\.tsx?$" },
      to: {},
    },
    {
      name: "search-knows-no-ui",
      severity: "error",
      comment: "The search layer (Meilisearch) is below services: no UI strings, no web, no routes.",
      from: { path: "^search/" },
      to: { path: "^app/(web|components|routes|locales|services)/" },
    },
    {
      name: "production-never-imports-tests",
      severity: "error",
      comment: "tests/ can be left out of a production image.",
      from: { pathNot: "^tests/" },
      to: { path: "^tests/" },
    },
    {
      name: "no-route-imports-route",
      severity: "error",
      comment: "A route is one URL; shared route code lives in app/web or in the route's own folder.",
      from: { path: "^app/routes/" },
      to: { path: "^app/routes/", pathNot: "^app/routes/([^/]+)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(build|\\.cache|\\.data|tests/\\.tmp)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".cjs", ".mjs", ".d.ts"],
    },
    moduleSystems: ["es6", "cjs"],
  },
};
