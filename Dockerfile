# One image for every armswatch service; docker-compose.yml picks the service by command.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY services ./services
RUN pip install --no-cache-dir .
ENV ARMSWATCH_DATA_DIR=/data
USER nobody
ENTRYPOINT ["armswatch"]
CMD ["up"]
