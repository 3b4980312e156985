# Multi-stage build: a static gigabot binary on a distroless base.
# The time-zone database is embedded in the binary (time/tzdata), so the
# slim image needs no zoneinfo.
# Images are pinned: Go by its exact version, and both by digest once
# deploy/pin-images.sh has asked the registry (README, "Docker compose").
FROM golang:1.26.8 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/gigabot ./cmd/gigabot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gigabot /usr/local/bin/gigabot
ENV GIGABOT_HTTP_ADDR=0.0.0.0:8080 \
    GIGABOT_LOG_FORMAT=json
EXPOSE 8080
USER nonroot
# The image has no shell: the binary asks its own /healthz (at
# GIGABOT_HTTP_ADDR, 0.0.0.0 asked on 127.0.0.1), 200 while Redis answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/gigabot", "healthcheck"]
# The entrypoint is the binary alone, so that any subcommand runs in the
# image: `docker compose run --rm gigabot check --config /etc/gigabot/campaign.yaml`.
ENTRYPOINT ["/usr/local/bin/gigabot"]
CMD ["run", "--config", "/etc/gigabot/campaign.yaml"]
