FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Dependencies first, exactly as locked (hashes checked), so code changes reuse this layer.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md alembic.ini ./
COPY gateway ./gateway
COPY consent ./consent
COPY connectors ./connectors
COPY mock_registries ./mock_registries
# The key folder exists in the image, owned by the service user, so a volume mounted
# there (docker-compose.yml shares one between the gateways) starts out writable by it.
RUN pip install --no-cache-dir --no-deps . && pip check && useradd --system --home /app samtykke \
    && mkdir -p /app/var/keys && chown -R samtykke /app/var && chmod 700 /app/var/keys
USER samtykke
EXPOSE 8000
CMD ["samtykke", "serve", "--host", "0.0.0.0"]
