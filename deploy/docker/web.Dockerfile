# The web app's image: the Vite build of web/, served by an unprivileged nginx (uid 101, port
# 8080). Its nginx configuration and config.json come from the Kubernetes ConfigMap
# (deploy/k8s/base/web), so one image serves every environment.
#   docker build -f deploy/docker/web.Dockerfile -t ghcr.io/active-connector/web:TAG .
FROM node:20.20-bookworm-slim AS build
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM nginxinc/nginx-unprivileged:1.29-alpine
COPY --from=build /web/dist /usr/share/nginx/html
USER 101
EXPOSE 8080
