// Entry point. NODE_ENV must be settled before React and Remix load, so the app itself is
// imported after it: `npm start` runs production, `npm run dev` (remix dev) sets development.
process.env.NODE_ENV ??= "production";
await import("./main.ts");
export {};
