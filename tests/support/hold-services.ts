// Starts the embedded services the way the app does, prints their endpoints, and waits to be
// killed. tests/integration/embedded.test.ts kills it with SIGKILL to prove nothing is orphaned.
import { parseEnv } from "../../app/utils/env.server.ts";
import { startServices } from "../../server/embedded/index.ts";

const services = await startServices(parseEnv(process.env));
console.log(JSON.stringify({ mongoUri: services.mongoUri, meiliHost: services.meiliHost }));
setInterval(() => {}, 1 << 30);
