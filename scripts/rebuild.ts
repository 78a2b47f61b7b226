// Kept so `ts-node scripts/rebuild.ts` (npm run rebuild, the e2e suite) still runs: the command
// lives in src/cli/rebuild.ts, where nest build compiles it to dist/cli/rebuild.js for the image.
import '../src/cli/rebuild';
