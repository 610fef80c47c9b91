/** @type {import('@remix-run/dev').AppConfig} */
export default {
  ignoredRouteFiles: ["**/.*", "**/*.test.*"],
  serverModuleFormat: "esm",
  serverPlatform: "node",
  // Everything Remix builds lives under build/ (git-ignored); Express serves build/public.
  assetsBuildDirectory: "build/public/build",
  publicPath: "/build/",
  serverBuildPath: "build/index.js",
  watchPaths: ["app/locales/**"],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: false,
  },
};
