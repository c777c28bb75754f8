import { ApolloServer, HeaderMap } from '@apollo/server';
import { buildSchema, execute } from 'graphql';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';

/*
 * Two dependencies are patched (patches/, applied by pnpm from the lockfile) because V8 kept
 * every request's objects past the young generation's collections when a per-request object got
 * its own accessor closing over the request: the objects were promoted to the old generation at
 * each scavenge and collected only by the next major collection (bench/RESULTS.md, fifteenth
 * pass). Each test fails without its patch; after an upgrade of the package, check whether the
 * new version still defines the accessor before dropping or re-making the patch.
 */

/**
 * Apollo hands a gateway's executor (ours: compiled execution) a request context whose
 * `response.http.status` was an object literal's getter and setter closing over the request
 * (3 to 7 % of all allocation promoted). patches/@apollo__server@5.5.1.patch puts the same
 * accessors on a class's prototype.
 */
describe('Apollo’s gateway request context (patched)', () => {
  it('carries the response status as a prototype accessor that still reads and sets it', async () => {
    const schema = buildSchema('type Query { hello: String }');
    let own: PropertyDescriptor | undefined = { value: 'not called' };
    let before: number | undefined = -1;
    const apollo = new ApolloServer({
      gateway: {
        load: async () => ({
          schema,
          executor: async (rc) => {
            own = Object.getOwnPropertyDescriptor(rc.response!.http!, 'status');
            before = rc.response!.http!.status;
            rc.response!.http!.status = 299;
            return execute({ schema, document: rc.document, rootValue: { hello: 'hi' } });
          },
        }),
        onSchemaLoadOrUpdate: (callback) => {
          callback({ apiSchema: schema, coreSupergraphSdl: 'type Query { hello: String }' });
          return () => undefined;
        },
        stop: async () => undefined,
      },
    });
    await apollo.start();
    try {
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: 'POST', headers: new HeaderMap([['content-type', 'application/json']]), search: '', body: { query: '{ hello }' } },
        context: async () => ({}),
      });
      expect(own).toBeUndefined();
      expect(before).toBeUndefined();
      expect(result.status).toBe(299);
      expect(result.body.kind === 'complete' && JSON.parse(result.body.string)).toEqual({ data: { hello: 'hi' } });
    } finally {
      await apollo.stop();
    }
  });
});

/**
 * ioredis defined each pipeline's `length` as an accessor on the pipeline itself, closing over
 * it: one pipeline per request promoted 18 % of a minimal server's allocation (the product sends
 * one per order: the bus's publishes). patches/ioredis@6.0.0.patch defines it on the prototype.
 */
describe('ioredis pipelines (patched)', () => {
  it('count their commands through a prototype accessor', () => {
    const redis = new Redis({ lazyConnect: true });
    try {
      const pipeline = redis.pipeline().get('a').set('b', '1');
      expect(Object.getOwnPropertyDescriptor(pipeline, 'length')).toBeUndefined();
      expect(pipeline.length).toBe(2);
      expect(redis.multi().get('a').length).toBe(2); // MULTI and GET (EXEC comes with exec())
    } finally {
      redis.disconnect();
    }
  });
});
