# syntax=docker/dockerfile:1
#
# The web app: the Vite SPA built into static files, served by Caddy on :8080 (plain HTTP; TLS ends at
# the reverse proxy). `config.json` is written from WEB_* variables when the container starts, so one
# image serves any domain.
#
#   docker build -f deploy/web.Dockerfile -t mana-web .
#   docker run -e WEB_AUTH_ISSUER=https://auth.example.org -p 8080:8080 mana-web
#
# Build context: the repository root.

ARG NODE_IMAGE=node:24-slim
ARG CADDY_IMAGE=caddy:2.10-alpine

FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \; \
 && cp package-lock.json /manifests/

# Build with the base image's Node 24: install scripts are skipped (the `node` dev dependency, which
# would download a second Node, is the only package that has one) and its bin is removed, so the
# `node` on the PATH of npm scripts is the image's.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/.bin/node node_modules/node
COPY tsconfig.base.json ./
COPY shared/ ./shared/
COPY web/ ./web/
# The build's own config.json (from web/public) is the development one; the entrypoint writes the real one.
RUN npm run build -w @mana/web \
 && test -f web/dist/index.html \
 && rm -f web/dist/config.json

FROM ${CADDY_IMAGE} AS web
RUN addgroup -S -g 10002 web && adduser -S -D -H -u 10002 -G web web \
 && mkdir -p /srv /config /data && chown web:web /srv /config /data
COPY --from=build --chown=web:web /app/web/dist/ /srv/
COPY deploy/web/Caddyfile /etc/caddy/Caddyfile
COPY --chmod=0755 deploy/web/entrypoint.sh /usr/local/bin/web-entrypoint
ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data \
    WEB_CONFIG_PATH=/srv/config.json \
    WEB_SYNC_URL=/ \
    WEB_CLIENT_ID=web
USER web
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD wget -qO- http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["/usr/local/bin/web-entrypoint"]
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
