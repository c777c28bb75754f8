import type { CodegenConfig } from '@graphql-codegen/cli';

/** Operation types for the screens, from the server's schema.graphql: `pnpm codegen`. A test fails on drift. */
const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/graphql/*.graphql'],
  generates: {
    'src/graphql/generated.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: { enumsAsTypes: true, useTypeImports: true, scalars: { DateTime: 'string' }, skipTypename: true },
    },
  },
};

export default config;
