# syntax=docker/dockerfile:1
# Sidereal container image.
#
#   docker build -t sidereal .                                         # all Tycho-2 index files (fields ≳ 22′)
#   docker build --build-arg ASTROMETRY_INDEXES=small -t sidereal .    # fields ≳ 1° only, ~250 MB smaller
#
# Two stages: `build` compiles the TypeScript and keeps the production
# dependencies only; `runtime` is Node.js 20 on Debian 12 (slim) plus the
# Debian packages the agents and commands call (astrometry.net and its index
# files, the PostgreSQL 15 client programs, tini), installed by
# scripts/install-runtime.sh — the same script CI installs with. It runs as
# the unprivileged user `sidereal` (uid 10001).
# See docs/installation.md.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY daemon ./daemon
COPY agents ./agents
# Compile to dist/; tsc emits only .ts, so copy the other files the code loads
# beside itself (worker .mjs shims, data files), then drop the dev dependencies.
RUN npm run build \
 && find daemon agents -type f ! -name '*.ts' ! -path '*/fixtures/*' ! -path '*/testdata/*' -exec cp --parents {} dist/ \; \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# none | small | medium | large | full: which astrometry.net Tycho-2 index
# packages to install (smallest solvable field 1°, 44′, 30′, 22′); see
# scripts/install-runtime.sh for sizes.
ARG ASTROMETRY_INDEXES=full
COPY scripts/install-runtime.sh /usr/local/lib/sidereal/install-runtime.sh
RUN CLEAN_APT_LISTS=1 ASTROMETRY_INDEXES="${ASTROMETRY_INDEXES}" bash /usr/local/lib/sidereal/install-runtime.sh

RUN groupadd --system --gid 10001 sidereal \
 && useradd --system --uid 10001 --gid sidereal --home-dir /data --no-create-home --shell /usr/sbin/nologin sidereal \
 && mkdir -p /data /library /backups /opt/sidereal/catalog \
 && chown sidereal:sidereal /data /library /backups

WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY sql ./sql
COPY views ./views
COPY static ./static
COPY scripts/backup-cron.sh ./scripts/
COPY deploy/healthcheck.mjs ./deploy/healthcheck.mjs

# The plate solver's star catalog, built once from the installed Tycho-2 index
# (Hipparcos stars only with ASTROMETRY_INDEXES=none) instead of in every
# worker thread at first use.
RUN ln -s /app/bin/sidereal.mjs /usr/local/bin/sidereal \
 && sidereal catalog build --output /opt/sidereal/catalog/stars.bin

ENV NODE_ENV=production \
    SIDEREAL_DATA_DIR=/data \
    SIDEREAL_WATCH_DIRS=/library \
    SIDEREAL_BACKUP_DIR=/backups \
    SIDEREAL_STAR_CATALOG=/opt/sidereal/catalog/stars.bin \
    PORT=3000 \
    HOST=0.0.0.0

USER sidereal
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 CMD ["node", "/app/deploy/healthcheck.mjs"]
# tini as PID 1 forwards SIGTERM (graceful shutdown) and reaps the solver's
# child processes
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/sidereal.mjs"]
CMD ["serve"]
