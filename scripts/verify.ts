// Kept so `ts-node scripts/verify.ts` (npm run verify, the e2e suite) still runs: the command
// lives in src/cli/verify.ts, where nest build compiles it to dist/cli/verify.js for the image.
import '../src/cli/verify';
