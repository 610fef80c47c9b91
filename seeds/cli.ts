import { runCommand } from "../server/command.ts";
import { seedDemo } from "./demo.ts";

await runCommand("seed", async () => {
  const counts = await seedDemo((m) => console.error(`[seed] ${m}`));
  console.log(
    `Seeded demo data: ${counts.organizations} organisations, ${counts.users} users, ${counts.achievements} achievements, ${counts.demands} demands.`,
  );
});
