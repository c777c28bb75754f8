export { freePort } from '../../src/infra/ports.js';
