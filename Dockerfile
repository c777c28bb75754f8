# syntax=docker/dockerfile:1
# The server and the built displays in one small image that runs as a non-root user.
#   docker build -t pos-crm .
# docker-compose.yml runs it as two replicas behind nginx, beside PostgreSQL and Redis.

ARG NODE_IMAGE=node:22.23-bookworm-slim

FROM ${NODE_IMAGE} AS build
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
RUN npm install -g pnpm@10.34.9 && pnpm --version
WORKDIR /app
# Dependencies first, from the lockfile alone, so source edits reuse this layer.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY server/package.json server/
COPY displays/package.json displays/
RUN pnpm install --frozen-lockfile
COPY tsconfig.json ./
COPY server server
COPY displays displays
RUN pnpm -F @pos/server build && pnpm -F @pos/displays build
# The server's production dependencies only: no compilers, test tools, browsers or the embedded
# PostgreSQL (a development dependency). server/test/compose.test.ts runs this same command.
RUN pnpm --filter @pos/server deploy --prod --legacy /out

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production PORT=4000 HOST=0.0.0.0 DISPLAYS_DIR=/app/displays/dist
WORKDIR /app
COPY --from=build --chown=root:root /out/package.json server/package.json
COPY --from=build --chown=root:root /out/node_modules server/node_modules
COPY --from=build --chown=root:root /app/server/dist server/dist
COPY --from=build --chown=root:root /app/displays/dist displays/dist
# The code belongs to root and is read-only to the process, which runs as the image's `node` user.
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
# --experimental-async-context-frame: see server/src/node-flags.ts.
CMD ["node", "--experimental-async-context-frame", "server/dist/main.js", "serve"]
