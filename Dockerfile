# syntax=docker/dockerfile:1
# One image for both processes: compose picks the API or the worker with `command`.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev
COPY --from=build /app/dist ./dist
# Code stays root-owned and read-only to the process; it runs as the image's unprivileged node user.
USER node
EXPOSE 3000
CMD ["node", "dist/src/api/main.js"]
