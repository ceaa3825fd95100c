# One image for every armswatch service; docker-compose.yml picks the service by command.
# Stage 1 builds the wheel (schemas, classifier data and migrations inside it); stage 2 installs
# only the wheel and its dependencies and runs as an unprivileged user.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY services ./services
RUN pip install --no-cache-dir "setuptools>=77" \
    && pip wheel --no-cache-dir --no-deps --no-build-isolation -w /wheels .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --create-home --home-dir /home/armswatch armswatch \
    && mkdir -p /data && chown armswatch /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
ENV ARMSWATCH_DATA_DIR=/data
USER armswatch
WORKDIR /home/armswatch
ENTRYPOINT ["armswatch"]
CMD ["up"]
