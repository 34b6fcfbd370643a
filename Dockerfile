# Bisma: one image for the API, the worker and the feed simulator (the command picks which).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
RUN touch /tmp/no-engine && PRISMA_SCHEMA_ENGINE_BINARY=/tmp/no-engine npm ci --omit=dev --ignore-scripts \
  && PRISMA_SCHEMA_ENGINE_BINARY=/tmp/no-engine PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING=1 npx --yes prisma@7.10.0 generate

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/src/generated ./src/generated
COPY package.json tsconfig.json ./
COPY prisma ./prisma
COPY src ./src
COPY bin ./bin
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "src/api/main.ts"]
