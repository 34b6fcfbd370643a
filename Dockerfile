# syntax=docker/dockerfile:1
# Bisma's production image: one image for the API, the worker, the CLI and the feed simulator
# (the command picks which). Stage 1 installs everything, generates the Prisma client and builds
# the dashboard with Vite and compiles src/ to dist/; stage 2 keeps only production dependencies and runs as `node`.

# Node 22 LTS (maintained until April 2027), pinned: bump the tag deliberately, with a rebuild and a
# test run, never by a floating tag.
ARG NODE_IMAGE=node:22.12.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Prisma 7 with the pg driver adapter needs no engine binary at run time; generating the client
# needs none either (the same switches as `npm run generate`).
ENV PRISMA_SCHEMA_ENGINE_BINARY=/bin/true \
    PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING=1 \
    npm_config_audit=false \
    npm_config_fund=false
COPY package.json package-lock.json prisma.config.ts tsconfig.json ./
COPY prisma ./prisma
# `npm install`, not `npm ci`: see .ci/run (lock files written by npm 11, npm/cli#8320). It follows
# the lock; its postinstall generates the Prisma client into src/generated.
RUN npm install
COPY web ./web
# The dashboard imports the KPI vocabulary and money text from src/common.
COPY src/common ./src/common
RUN node web/build.mjs --force
# The production processes run compiled JavaScript (dist/), not TypeScript through tsx.
COPY tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/build.mjs
COPY src ./src
RUN node scripts/build.mjs
RUN npm prune --omit=dev

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
# Owned by root and read-only to the service user: the process cannot rewrite its own code.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/src/generated ./src/generated
COPY --from=build /app/web/dist ./web/dist
COPY --from=build /app/dist ./dist
COPY package.json package-lock.json tsconfig.json ./
COPY prisma ./prisma
COPY schema ./schema
COPY bin ./bin
COPY src ./src
RUN ln -s /app/bin/bisma.js /usr/local/bin/bisma
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--max-old-space-size=256", "dist/api/main.js"]
