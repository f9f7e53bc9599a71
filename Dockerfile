# One image for every statbus service of docker-compose.yml: relay, archiver (`nom`), query server
# (`serve`), demo producer (`demo`) and bench runner (`bench`); the command picks the service.
#
#   docker build -t statbus .
#   docker run --rm -p 8080:8080 statbus up --demo --host 0.0.0.0

FROM node:20-bookworm-slim AS build
# better-sqlite3 falls back to compiling when no prebuilt binary matches; zeromq ships its binaries.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# The lock file is written by npm 11, whose `allowScripts` decides which install scripts run.
RUN npm install -g npm@11.19.1 --no-audit --no-fund
WORKDIR /app
COPY package.json package-lock.json turbo.json tsconfig.json ./
COPY packages ./packages
# A workspace of the lock file (its programs are not part of the image).
COPY examples/package.json ./examples/
# `npm ci` runs the root `prepare` script, which builds every package (turbo).
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf packages/*/src packages/*/tsconfig*.json .turbo

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
# The embedded SQLite store (`sqlite:./statbus.db`) lives in the working directory.
RUN mkdir /data && chown node:node /data
WORKDIR /data
VOLUME /data
USER node
EXPOSE 8080 9940 9941
ENTRYPOINT ["node", "/app/packages/cli/bin/statbus.js"]
CMD ["up", "--host", "0.0.0.0"]
