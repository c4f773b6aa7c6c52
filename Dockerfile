# syntax=docker/dockerfile:1
# The shadowgate image: compile with the dev dependencies, ship what `npm pack` ships plus the
# production dependencies pinned by the lockfile, on a Node LTS slim base pinned by version.
# No Docker engine runs in our CI: test/deploy/dockerfile.test.ts lints this file and checks
# its rules, test/deploy/production-tree.test.ts builds the same file tree without Docker
# (npm pack, npm ci --omit=dev) and proves it serves and drains.
#
#   docker build -t shadowgate:0.1.0 .
#   docker run --read-only --tmpfs /tmp -p 8080:8080 -p 9090:9090 \
#     -v "$PWD/my-config:/etc/shadowgate:ro" shadowgate:0.1.0     # my-config/config.yaml

ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# 1. Build: TypeScript to dist/, then pack exactly the files package.json "files" ships.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY config ./config
RUN npm run build \
 && npm pack --ignore-scripts --pack-destination /tmp \
 && mkdir /app \
 && tar -xzf /tmp/shadowgate-*.tgz -C /app --strip-components=1

# 2. Production dependencies only, exactly those of the lockfile (no install scripts needed).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=build /app ./
COPY package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# 3. Runtime: node, tini and the app, owned by root and read-only to the numeric user.
FROM ${NODE_IMAGE} AS runtime
ARG NODE_IMAGE
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="shadowgate" \
      org.opencontainers.image.description="Reverse proxy that shadows a legacy HTTP service with an AI agent, compares answers and ramps traffic to the agent behind feature flags." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
# tini as PID 1 forwards SIGTERM/SIGINT to node and reaps zombies. npm, npx, corepack and
# yarn are not needed at run time: removing them shrinks what an intruder could use.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini=0.19.0-1+b3 \
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg \
 && groupadd --system --gid 10001 shadowgate \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin shadowgate
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app ./
# Nothing is written at run time but to /tmp (compiled TypeScript plug-ins): mount a tmpfs or
# an emptyDir there; the root filesystem can be read-only.
USER 10001:10001
# Data plane and admin API (config defaults server.port and admin.port).
EXPOSE 8080 9090
# For plain Docker; Kubernetes ignores it and uses the chart's probes (/healthz, /readyz).
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9090/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/main.js"]
CMD ["serve", "--config", "/etc/shadowgate/config.yaml"]
