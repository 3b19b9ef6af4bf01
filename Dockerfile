# fedkit's reference servers in a container: `fedkit idp serve` and `fedkit rp serve`
# (docs/idp.md and docs/rp.md, "Deploying"). Settings come from FEDKIT_* environment variables.
#
#   docker build -t fedkit .
#   docker run --rm -p 127.0.0.1:8080:8080 -e FEDKIT_IDP_HOST=0.0.0.0 fedkit idp serve

# Build: every dependency (TypeScript included), compiled to dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary fits the platform.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# --ignore-scripts: "prepare" would compile before the sources are here; better-sqlite3's own
# install step (its native binding) is then run on its own.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
COPY bench ./bench
COPY examples ./examples
RUN npx tsc -p tsconfig.json

# Run: production dependencies and the compiled library only, as an unprivileged user.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
RUN npm prune --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
# The RP's SQLite file (and an IdP's, without PostgreSQL) lives in /data, a volume.
RUN mkdir /data && chown node:node /data
VOLUME /data
WORKDIR /data
USER node
EXPOSE 8080 8443
# SIGTERM lets requests in flight finish (at most 10 s): keep the stop timeout above that.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
CMD ["idp", "serve", "--host", "0.0.0.0"]
