# syntax=docker/dockerfile:1
# The server and the built displays in one small image that runs as a non-root user.
#   docker build -t pos-crm .
# docker-compose.yml builds and runs it beside PostgreSQL and Redis.

ARG NODE_IMAGE=node:22.23-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
RUN npm install -g pnpm@10.34.9 && pnpm --version
WORKDIR /app

# Dependencies first, from the lockfile alone, so source edits reuse this layer.
FROM base AS deps
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY server/package.json server/
COPY displays/package.json displays/
RUN pnpm install --frozen-lockfile

FROM deps AS build
COPY tsconfig.json ./
COPY server server
COPY displays displays
RUN pnpm -F @pos/server build && pnpm -F @pos/displays build

# Production dependencies of the server only (no compilers, test tools or browsers).
FROM base AS prod-deps
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY server/package.json server/
COPY displays/package.json displays/
RUN pnpm install --frozen-lockfile --prod --filter @pos/server

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production PORT=4000 HOST=0.0.0.0 DISPLAYS_DIR=/app/displays/dist
WORKDIR /app
COPY --from=prod-deps --chown=node:node /app/node_modules node_modules
COPY --from=prod-deps --chown=node:node /app/server/node_modules server/node_modules
COPY --from=build --chown=node:node /app/server/package.json server/package.json
COPY --from=build --chown=node:node /app/server/dist server/dist
COPY --from=build --chown=node:node /app/displays/dist displays/dist
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "server/dist/main.js", "serve"]
