# Multi-stage build: a static gigabot binary on a distroless base.
# The time-zone database is embedded in the binary (time/tzdata), so the
# slim image needs no zoneinfo.
FROM golang:1.26 AS build
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
ENTRYPOINT ["/usr/local/bin/gigabot"]
CMD ["run", "--config", "/etc/gigabot/campaign.yaml"]
