# The service and its commands, compiled, on Node 22 LTS (supported to April 2027).
# NODE_VERSION=20 (docker build --build-arg NODE_VERSION=20 .) builds the same
# image on Node 20, which package.json's engines still allow (>=20.11). Both
# stages use the same Node major: the native SQLite binding built or fetched in
# the first is for that Node's ABI.
ARG NODE_VERSION=22

# Build: compile TypeScript. npm ci fetches better-sqlite3's prebuilt binding for
# this Node and glibc, or compiles it with the python3, make and g++ this full
# Debian image has.
FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Run: the compiled service as the unprivileged "node" user. The code stays
# owned by root (read-only to the service); only /data is writable, 0700 (the
# log and read models hold names and email addresses).
#   node dist/main.js               the service (the default command)
#   node dist/cli/send.js …         sign and post one delivery (npm run send)
#   node dist/cli/rebuild.js […]    rebuild read models, service stopped (npm run rebuild)
#   node dist/cli/verify.js         compare read models with a rebuild (npm run verify)
# Example deliveries: dist/providers/<provider>/fixtures/.
FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production DATA_DIR=/data HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
USER node
EXPOSE 3000
# Healthy means ready (GET /health/ready: the log answers, appends go through, no
# projection retrying), not just alive: /health answers 200 while the log is away.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=6 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT ?? 3000}/health/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
