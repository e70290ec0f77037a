# rcluster in a container: a fully static binary on an empty image, running as nobody.
#
#   docker build -t rcluster --build-arg RCLUSTER_GIT_COMMIT=$(git rev-parse --short=12 HEAD) .
#   docker run --rm --network host rcluster check 127.0.0.1:7000
#
# Three stages, in this order:
#
#   prebuilt  FROM scratch: the runtime image (user nobody, PATH, ENTRYPOINT), holding whatever
#             is in docker/prebuilt/. That directory is committed empty (only a .gitignore, which
#             .dockerignore leaves out), so for a normal build this stage copies nothing.
#   build     rust: compiles the static binary.
#   (last)    FROM prebuilt, plus the binary from `build`: what `docker build .` produces.
#
# Why prebuilt comes first: the image tests (scripts/docker-test.sh) run where no registry can
# be reached, so `FROM rust` cannot be pulled there, and the classic builder (no BuildKit) builds
# every stage before the --target one, used or not, but none after it. scripts/docker-images.sh
# therefore builds the static binary on the host (as scripts/static-check.sh does), copies it
# to docker/prebuilt/rcluster and runs
#
#   docker build --target prebuilt -t rcluster:test .
#
# which builds this first stage only: the image under test is this file's own runtime stage,
# not a copy of it. The static build is what scripts/static-check.sh tests (in an empty
# chroot) on every CI run.

FROM scratch AS prebuilt
COPY docker/prebuilt/ /usr/local/bin/
# nobody: rcluster needs no privileges and writes only where it is told (backup DIR).
USER 65534:65534
ENV PATH=/usr/local/bin
ENTRYPOINT ["rcluster"]
CMD ["--help"]

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

FROM prebuilt
COPY --from=build /rcluster /usr/local/bin/rcluster
