/** What the test run's global setup provides to every test file (see global-setup.ts). */
declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
  }
}

export {};
