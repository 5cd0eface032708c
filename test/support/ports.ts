export { freePort, waitForPort } from '../../src/demo/ports.ts';
