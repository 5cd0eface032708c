// The test suite's Prosody is the demo's: one launcher, in src/demo/local-prosody.ts.
export { startProsody, prosodyAvailable, type Prosody, type ProsodyOptions } from '../../src/demo/local-prosody.ts';
