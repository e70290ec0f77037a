# rcluster in a container: a fully static binary on an empty image, running as nobody.
#
#   docker build -t rcluster --build-arg RCLUSTER_GIT_COMMIT=$(git rev-parse --short=12 HEAD) .
#   docker run --rm --network host rcluster check 127.0.0.1:7000
#
# The static build is what scripts/static-check.sh tests (in an empty chroot) on every CI run.

FROM rust:1.88-bookworm AS build
WORKDIR /src
# Dependencies first, so that a source change does not download and build them again.
COPY Cargo.toml Cargo.lock build.rs ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo fetch --locked \
    && rm -rf src
COPY src ./src
ARG RCLUSTER_GIT_COMMIT=unknown
ENV RCLUSTER_GIT_COMMIT=${RCLUSTER_GIT_COMMIT}
RUN RUSTFLAGS='-C target-feature=+crt-static' \
        cargo build --release --locked --target x86_64-unknown-linux-gnu \
    && cp target/x86_64-unknown-linux-gnu/release/rcluster /rcluster \
    && /rcluster --version

FROM scratch
COPY --from=build /rcluster /usr/local/bin/rcluster
# nobody: rcluster needs no privileges and writes only where it is told (backup DIR).
USER 65534:65534
ENV PATH=/usr/local/bin
ENTRYPOINT ["rcluster"]
CMD ["--help"]
